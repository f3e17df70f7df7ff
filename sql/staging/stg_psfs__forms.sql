with source as (
    select *
    from valid.psfs_forms
)

select
    person as person_id,
    coalesce(m.kommune_harmonised, s.kommunenr) as kommune,
    cast(samtale_nr as integer) as conversation_no,
    cast(dato as date) as conversation_date,
    skala = '0=ingen vansker' as is_reversed_scale,
    aktivitet_1 as activity_1,
    cast(poeng_1 as integer) as score_1,
    aktivitet_2 as activity_2,
    cast(poeng_2 as integer) as score_2,
    aktivitet_3 as activity_3,
    cast(poeng_3 as integer) as score_3,
    aktivitet_4 as activity_4,
    cast(poeng_4 as integer) as score_4,
    aktivitet_5 as activity_5,
    cast(poeng_5 as integer) as score_5,
from source as s
left join staging.stg_municipality__map as m on m.kommune = s.kommunenr
