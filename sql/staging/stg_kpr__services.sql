-- One row per accepted row of valid.kpr_services, renamed; municipality codes harmonised to
-- the configured vintage (a code that cannot be placed keeps its code as delivered).
select
    s.lopenr as person_id,
    coalesce(m.kommune_harmonised, s.komnr) as kommune,
    s.tjeneste as service,
    s.fra_dato as from_date,
    s.til_dato as to_date,
    s.timer_per_uke as hours_per_week,
    s.bistandsbehov as need_score,
    'kpr_services' as _source,
    s._source_file,
    s._source_row,
from valid.kpr_services as s
left join staging.stg_municipality__map as m on m.kommune = s.komnr
