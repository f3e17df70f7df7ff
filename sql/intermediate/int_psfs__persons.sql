-- One row per person with PSFS scores at two or more conversations: first and last
-- conversation, the age band at the first (birth date from the team registers; «ukjent» when
-- the person is in none) and the period (calendar year of the last conversation).
with conversations as (
    select
        person_id,
        any_value(kommune) as kommune,
        min(conversation_no) as first_no,
        max(conversation_no) as last_no,
        min(conversation_date) as first_date,
        max(conversation_date) as last_date,
    from intermediate.int_psfs__activity_scores
    group by person_id
    having count(distinct conversation_no) >= 2
),

births as (
    select person_id, min(birth_date) as birth_date
    from staging.stg_teams__register
    group by person_id
),

aged as (
    select
        c.*,
        meta.age_years(b.birth_date, c.first_date) as age_years,
    from conversations as c
    left join births as b using (person_id)
)

select
    a.person_id,
    a.kommune,
    a.first_no,
    a.last_no,
    a.first_date,
    a.last_date,
    coalesce(g.label, 'ukjent') as age_band,
    cast(year(a.last_date) as varchar) as period,
from aged as a
left join meta.cfg_age_bands as g
    on a.age_years >= g.age_from and (g.age_to is null or a.age_years <= g.age_to)
