-- One row per person, activity and pair of conversations the activity was scored at both of:
-- each later conversation paired with the first and with the previous one (same activity
-- only; an activity added later has no baseline before it was added). Scores in one
-- direction (10 = no difficulty), so change = later - earlier; integers throughout.
with scored as (
    select
        *,
        min(conversation_no) over (partition by person_id) as first_no,
    from intermediate.int_psfs__activity_scores
),

conversations as (
    select distinct person_id, conversation_no from intermediate.int_psfs__activity_scores
),

previous as (
    select
        person_id,
        conversation_no,
        lag(conversation_no) over (partition by person_id order by conversation_no)
            as previous_no,
    from conversations
)

select
    l.person_id,
    l.kommune,
    l.activity,
    c.comparison,
    e.conversation_no as from_no,
    l.conversation_no as to_no,
    l.conversation_date as to_date,
    e.score as from_score,
    l.score as to_score,
    l.score - e.score as change,
    {'source': e._source, 'file': e._source_file, 'row': e._source_row} as from_row,
    {'source': l._source, 'file': l._source_file, 'row': l._source_row} as to_row,
from scored as l
inner join previous as p using (person_id, conversation_no)
cross join (values ('first'), ('previous')) as c (comparison)
inner join intermediate.int_psfs__activity_scores as e
    on e.person_id = l.person_id
    and e.activity = l.activity
    and e.conversation_no = case c.comparison when 'first' then l.first_no else p.previous_no end
where l.conversation_no > l.first_no
