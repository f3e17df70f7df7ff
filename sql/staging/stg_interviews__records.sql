with source as (
    select *
    from valid.interviews
)

select
    intervju_id as interview_id,
    coalesce(m.kommune_harmonised, s.kommune) as kommune,
    rolle as informant_role,
    cast(dato as date) as interview_date,
    modus as interview_mode,
from source as s
left join staging.stg_municipality__map as m on m.kommune = s.kommune
