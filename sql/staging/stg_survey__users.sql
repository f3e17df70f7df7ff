with source as (
    select *
    from valid.survey_users
)

select
    cast(respid as bigint) as respondent_id,
    cast(year as integer) as year,
    coalesce(m.kommune_harmonised, s.kommune) as kommune,
    respondent,
    har_koordinering,
    utbytte,
    fornoyd_behov,
    medvirkning,
    informasjon,
    s._source_file,
    s._source_row,
from source as s
left join staging.stg_municipality__map as m on m.kommune = s.kommune
