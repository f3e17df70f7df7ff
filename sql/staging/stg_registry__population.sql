-- One row per accepted row of valid.registry_population, renamed; municipality codes harmonised to
-- the configured vintage (a code that cannot be placed keeps its code as delivered).
select
    coalesce(m.kommune_harmonised, s.region) as kommune,
    s.aar as year,
    s.alder as age,
    s.kjonn as sex,
    s.personer as persons,
    'registry_population' as _source,
    s._source_file,
    s._source_row,
from valid.registry_population as s
left join staging.stg_municipality__map as m on m.kommune = s.region
