-- One row per person and conversation after the first: the change in the mean score since the
-- previous conversation, over the activities scored at both.
select
    p.person_id,
    p.kommune,
    p.age_band,
    p.period,
    a.to_no as conversation_no,
    count(*) as n_activities,
    sum(a.change) / count(*) as mean_change,
    list_sort(list_distinct(list(a.from_row) || list(a.to_row))) as _lineage,
from intermediate.int_psfs__activity_pairs as a
inner join intermediate.int_psfs__persons as p using (person_id)
where a.comparison = 'previous'
group by p.person_id, p.kommune, p.age_band, p.period, a.to_no
