with source as (
    select *
    from valid.npr_episodes
)

select
    cast(episode_id as bigint) as episode_id,
    cast(lopenr as bigint) as person_id,
    cast(inndato as date) as admission_date,
    cast(utdato as date) as discharge_date,
    coalesce(m.kommune_harmonised, s.komnr) as kommune,
    cast(alder as integer) as age,
    cast(kjonn as integer) as sex,
    hdiag as main_diagnosis,
    cast(omsorgsniva as integer) as care_level,
    cast("innmateHast" as integer) as urgency,
from source as s
left join staging.stg_municipality__map as m on m.kommune = s.komnr
