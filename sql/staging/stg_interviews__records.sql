-- One row per accepted row of valid.interviews, renamed; municipality codes harmonised to
-- the configured vintage (a code that cannot be placed keeps its code as delivered).
select
    s.intervju_id as interview_id,
    coalesce(m.kommune_harmonised, s.kommune) as kommune,
    s.rolle as informant_role,
    s.dato as interview_date,
    s.modus as interview_mode,
    'interviews' as _source,
    s._source_file,
    s._source_row,
from valid.interviews as s
left join staging.stg_municipality__map as m on m.kommune = s.kommune
