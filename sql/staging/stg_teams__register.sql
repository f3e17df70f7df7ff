-- One row per accepted row of valid.team_register, renamed; municipality codes harmonised to
-- the configured vintage (a code that cannot be placed keeps its code as delivered).
select
    coalesce(m.kommune_harmonised, s.kommune) as kommune,
    s.team_id,
    s.person_id,
    s.birth_date,
    s.coordinator_id,
    s.coordinator_sector,
    s.has_ip = 'Ja' as has_ip,
    s.referral_date,
    s.decision_date,
    s.start_date,
    s.end_date,
    'team_register' as _source,
    s._source_file,
    s._source_row,
from valid.team_register as s
left join staging.stg_municipality__map as m on m.kommune = s.kommune
