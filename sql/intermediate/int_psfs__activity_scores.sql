-- One row per person, conversation and activity, on one direction: 10 = no difficulty.
with long as (
    unpivot staging.stg_psfs__forms
    on (activity_1, score_1) as slot_1,
       (activity_2, score_2) as slot_2,
       (activity_3, score_3) as slot_3,
       (activity_4, score_4) as slot_4,
       (activity_5, score_5) as slot_5
    into name slot value activity, raw_score
)

select
    person_id,
    kommune,
    conversation_no,
    conversation_date,
    lower(trim(activity)) as activity,
    case when is_reversed_scale then 10 - raw_score else raw_score end as score,
    _source,
    _source_file,
    _source_row,
from long
where activity is not null and raw_score is not null
