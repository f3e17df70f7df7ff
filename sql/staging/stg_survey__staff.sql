-- One row per accepted row of valid.survey_staff, renamed; municipality codes harmonised to
-- the configured vintage (a code that cannot be placed keeps its code as delivered).
-- `design_weight` is the file's weight column, used only when the config weights the survey
-- (int_survey__staff_weights).
select
    s.respid as respondent_id,
    s.wave,
    coalesce(m.kommune_harmonised, s.kommune) as kommune,
    s.rolle as role_code,
    s.sektor as sector_code,
    s.involvert,
    s.kjent_pilot,
    s.kjent_ot,
    s.ny_arbeidsmaate,
    s.stotter_videreforing,
    s.k_tid,
    s.k_opplaering,
    s.k_lederstotte,
    s.k_rolle,
    s.l_rekruttering,
    s.l_aktive_grep,
    s.malgruppe,
    s.endret_nye_grupper,
    s.endret_arbeidsmaate,
    s.vekt as design_weight,
    'survey_staff' as _source,
    s._source_file,
    s._source_row,
from valid.survey_staff as s
left join staging.stg_municipality__map as m on m.kommune = s.kommune
