-- One row per accepted row of valid.npr_episodes, renamed; municipality codes harmonised to
-- the configured vintage (a code that cannot be placed keeps its code as delivered).
select
    s.episode_id,
    s.lopenr as person_id,
    s.inndato as admission_date,
    s.utdato as discharge_date,
    coalesce(m.kommune_harmonised, s.komnr) as kommune,
    s.alder as age,
    s.kjonn as sex,
    s.hdiag as main_diagnosis,
    s.omsorgsniva as care_level,
    s."innmateHast" as urgency,
    'npr_episodes' as _source,
    s._source_file,
    s._source_row,
from valid.npr_episodes as s
left join staging.stg_municipality__map as m on m.kommune = s.komnr
