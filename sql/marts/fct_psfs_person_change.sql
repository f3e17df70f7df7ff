-- PSFS change per person: mean score at the last conversation minus the mean at the first,
-- over the activities scored at both (activities added later have no baseline).
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
    avg(first_score) as mean_first,
    avg(last_score) as mean_last,
    avg(last_score) - avg(first_score) as mean_change,
    max(last_score - first_score) as max_activity_change,
from paired
group by person_id
