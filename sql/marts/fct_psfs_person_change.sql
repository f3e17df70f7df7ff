-- One row per person with PSFS scores at two or more conversations: the change in the mean
-- activity score from the first to the last conversation, over the activities scored at both.
-- Decided on integer sums, never a rounded mean: improved by 2 or more (the minimal detectable
-- change at 90 %, Stratford 1995) when sum(last - first) >= 2 * activities; Abbott & Schmitt's
-- (2014) minimal important difference when 10 * sum >= 13 / 23 / 27 * activities (small /
-- medium / large). _lineage: the two form rows.
with pairs as (
    select a.*
    from intermediate.int_psfs__activity_pairs as a
    inner join intermediate.int_psfs__persons as p
        on p.person_id = a.person_id and a.to_no = p.last_no
    where a.comparison = 'first'
)

select
    p.person_id,
    p.kommune,
    p.age_band,
    p.period,
    count(*) as n_activities,
    cast(sum(a.from_score) as bigint) as sum_first,
    cast(sum(a.to_score) as bigint) as sum_last,
    sum(a.from_score) / count(*) as mean_first,
    sum(a.to_score) / count(*) as mean_last,
    sum(a.change) / count(*) as mean_change,
    sum(a.change) >= 2 * count(*) as is_improved_2,
    case
        when 10 * sum(a.change) >= 27 * count(*) then 'stor'
        when 10 * sum(a.change) >= 23 * count(*) then 'middels'
        when 10 * sum(a.change) >= 13 * count(*) then 'liten'
        else 'under'
    end as mid_category,
    10 * sum(a.change) >= 13 * count(*) and 10 * sum(a.change) < 23 * count(*) as is_mid_small,
    10 * sum(a.change) >= 23 * count(*) and 10 * sum(a.change) < 27 * count(*) as is_mid_medium,
    10 * sum(a.change) >= 27 * count(*) as is_mid_large,
    max(a.change) as max_activity_change,
    list_sort(list_distinct(list(a.from_row) || list(a.to_row))) as _lineage,
from intermediate.int_psfs__persons as p
inner join pairs as a using (person_id)
group by p.person_id, p.kommune, p.age_band, p.period
