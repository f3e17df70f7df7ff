with source as (
    select *
    from valid.team_register
)

select
    coalesce(m.kommune_harmonised, s.kommune) as kommune,
    team_id,
    person_id,
    cast(birth_date as date) as birth_date,
    coordinator_id,
    coordinator_sector,
    has_ip = 'Ja' as has_ip,
    cast(referral_date as date) as referral_date,
    cast(decision_date as date) as decision_date,
    cast(start_date as date) as start_date,
    cast(end_date as date) as end_date,
    s._source_file,
from source as s
left join staging.stg_municipality__map as m on m.kommune = s.kommune
