with source as (
    select *
    from valid.registry_persons
)

select
    cast(lopenr as bigint) as person_id,
    cast(aar as integer) as year,
    cast(fodselsaar as integer) as birth_year,
    cast(kjonn as integer) as sex,
    coalesce(m.kommune_harmonised, s.komnr) as kommune,
    s.komnr as kommune_as_delivered,
    cast(dodsdato as date) as death_date,
from source as s
left join staging.stg_municipality__map as m on m.kommune = s.komnr
