-- One row per accepted row of valid.team_register, renamed; municipality codes harmonised to
-- the configured vintage (a code that cannot be placed keeps its code as delivered), with the
-- day its register file was exported (register_as_of, from meta.ingest_files).
select
    coalesce(m.kommune_harmonised, s.kommune) as kommune,
    s.team_id,
    s.person_id,
    s.birth_date,
    s.coordinator_id,
    s.coordinator_sector,
    case s.has_ip when 'Ja' then true when 'Nei' then false end as has_ip,
    s.referral_date,
    s.decision_date,
    s.start_date,
    s.end_date,
    f.as_of as register_as_of,
    'team_register' as _source,
    s._source_file,
    s._source_row,
from valid.team_register as s
left join staging.stg_municipality__map as m on m.kommune = s.kommune
left join meta.ingest_files as f on f.source = 'team_register' and f.file = s._source_file
