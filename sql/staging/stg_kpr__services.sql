with source as (
    select *
    from valid.kpr_services
)

select
    cast(lopenr as bigint) as person_id,
    coalesce(m.kommune_harmonised, s.komnr) as kommune,
    tjeneste as service,
    cast(fra_dato as date) as from_date,
    cast(til_dato as date) as to_date,
    cast(timer_per_uke as double) as hours_per_week,
    cast(bistandsbehov as integer) as need_score,
from source as s
left join staging.stg_municipality__map as m on m.kommune = s.komnr
