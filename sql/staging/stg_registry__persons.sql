-- One row per accepted row of valid.registry_persons, renamed; municipality codes harmonised to
-- the configured vintage (a code that cannot be placed keeps its code as delivered).
select
    s.lopenr as person_id,
    s.aar as year,
    s.fodselsaar as birth_year,
    s.kjonn as sex,
    coalesce(m.kommune_harmonised, s.komnr) as kommune,
    s.komnr as kommune_as_delivered,
    s.dodsdato as death_date,
    'registry_persons' as _source,
    s._source_file,
    s._source_row,
from valid.registry_persons as s
left join staging.stg_municipality__map as m on m.kommune = s.komnr
