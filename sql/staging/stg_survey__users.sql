-- One row per accepted row of valid.survey_users, renamed; municipality codes harmonised to
-- the configured vintage (a code that cannot be placed keeps its code as delivered).
-- `design_weight` is the file's weight column, used only when the config weights the survey
-- (fct_user_benefit_answers).
select
    s.respid as respondent_id,
    s.year,
    coalesce(m.kommune_harmonised, s.kommune) as kommune,
    s.respondent,
    s.aldersgruppe as age_group,
    s.har_koordinering,
    s.utbytte,
    s.fornoyd_behov,
    s.medvirkning,
    s.informasjon,
    s.vekt as design_weight,
    'survey_users' as _source,
    s._source_file,
    s._source_row,
from valid.survey_users as s
left join staging.stg_municipality__map as m on m.kommune = s.kommune
