-- One row per person with PSFS scores at two or more conversations: the change in the mean
-- activity score from the first to the last conversation, over the activities scored at both
-- (activities added later have no baseline). Sums are integers, so "improved by 2 or more"
-- (the minimal detectable change at 90 %, Stratford 1995) is decided exactly:
-- sum(last - first) >= 2 * activities, never a rounded mean. _lineage: the two form rows.
with bounds as (
    select person_id, min(conversation_no) as first_no, max(conversation_no) as last_no
    from intermediate.int_psfs__activity_scores
    group by person_id
    having count(distinct conversation_no) >= 2
),

paired as (
    select
        b.person_id,
        f.kommune,
        f.activity,
        f.score as first_score,
        l.score as last_score,
        {'source': f._source, 'file': f._source_file, 'row': f._source_row} as first_row,
        {'source': l._source, 'file': l._source_file, 'row': l._source_row} as last_row,
    from bounds as b
    inner join intermediate.int_psfs__activity_scores as f
        on f.person_id = b.person_id and f.conversation_no = b.first_no
    inner join intermediate.int_psfs__activity_scores as l
        on l.person_id = b.person_id and l.conversation_no = b.last_no and l.activity = f.activity
)

select
    person_id,
    any_value(kommune) as kommune,
    count(*) as n_activities,
    cast(sum(first_score) as bigint) as sum_first,
    cast(sum(last_score) as bigint) as sum_last,
    sum(first_score) / count(*) as mean_first,
    sum(last_score) / count(*) as mean_last,
    (sum(last_score) - sum(first_score)) / count(*) as mean_change,
    sum(last_score) - sum(first_score) >= 2 * count(*) as is_improved_2,
    max(last_score - first_score) as max_activity_change,
    list_sort(list_distinct(list(first_row) || list(last_row))) as _lineage,
from paired
group by person_id
