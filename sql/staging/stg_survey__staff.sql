with source as (
    select *
    from valid.survey_staff
)

select
    cast(respid as bigint) as respondent_id,
    cast(wave as integer) as wave,
    coalesce(m.kommune_harmonised, s.kommune) as kommune,
    cast(rolle as integer) as role_code,
    cast(sektor as integer) as sector_code,
    cast(involvert as integer) as involvert,
    cast(kjent_pilot as integer) as kjent_pilot,
    cast(kjent_ot as integer) as kjent_ot,
    cast(ny_arbeidsmaate as integer) as ny_arbeidsmaate,
    cast(stotter_videreforing as integer) as stotter_videreforing,
    cast(k_tid as integer) as k_tid,
    cast(k_opplaering as integer) as k_opplaering,
    cast(k_lederstotte as integer) as k_lederstotte,
    cast(k_rolle as integer) as k_rolle,
    cast(l_rekruttering as integer) as l_rekruttering,
    cast(l_aktive_grep as integer) as l_aktive_grep,
    s._source_file,
    s._source_row,
from source as s
left join staging.stg_municipality__map as m on m.kommune = s.kommune
