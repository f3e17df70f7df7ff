with source as (
    select r.*
    from raw.interviews as r
    anti join quarantine.interviews as q using (_source_file, _source_row)
)

select
    intervju_id as interview_id,
    coalesce(m.kommune_harmonised, s.kommune) as kommune,
    rolle as informant_role,
    cast(dato as date) as interview_date,
    modus as interview_mode,
from source as s
left join staging.stg_municipality__map as m on m.kommune = s.kommune
