with source as (
    select *
    from valid.registry_population
)

select
    coalesce(m.kommune_harmonised, s.region) as kommune,
    cast(aar as integer) as year,
    cast(alder as integer) as age,
    cast(kjonn as integer) as sex,
    cast(personer as bigint) as persons,
from source as s
left join staging.stg_municipality__map as m on m.kommune = s.region
