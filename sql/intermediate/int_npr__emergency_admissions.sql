-- One row per emergency admission: inpatient (omsorgsnivå 1, døgn) with urgency 1-3 (akutt).
select
    episode_id,
    person_id,
    kommune,
    admission_date,
    year(admission_date) as year,
    _source,
    _source_file,
    _source_row,
from staging.stg_npr__episodes
where care_level = 1 and urgency between 1 and 3
