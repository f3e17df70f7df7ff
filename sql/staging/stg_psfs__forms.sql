-- One row per accepted row of valid.psfs_forms, renamed; municipality codes harmonised to
-- the configured vintage (a code that cannot be placed keeps its code as delivered).
select
    s.person as person_id,
    coalesce(m.kommune_harmonised, s.kommunenr) as kommune,
    s.samtale_nr as conversation_no,
    s.dato as conversation_date,
    s.skala = '0=ingen vansker' as is_reversed_scale,
    s.aktivitet_1 as activity_1,
    s.poeng_1 as score_1,
    s.aktivitet_2 as activity_2,
    s.poeng_2 as score_2,
    s.aktivitet_3 as activity_3,
    s.poeng_3 as score_3,
    s.aktivitet_4 as activity_4,
    s.poeng_4 as score_4,
    s.aktivitet_5 as activity_5,
    s.poeng_5 as score_5,
    'psfs_forms' as _source,
    s._source_file,
    s._source_row,
from valid.psfs_forms as s
left join staging.stg_municipality__map as m on m.kommune = s.kommunenr
