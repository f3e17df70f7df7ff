-- One row per person with PSFS scores at two or more conversations: the change in the mean
-- activity score from the first to the last conversation, over the activities scored at both
-- (the rows of marts.fct_psfs_activity_change). Decided on integer sums, never a rounded
-- mean: improved by 2 or more (the minimal detectable change at 90 %, Stratford 1995) when
-- sum(last - first) >= 2 * activities; Abbott & Schmitt's (2014) minimal important difference
-- when 10 * sum >= 13 / 23 / 27 * activities (small / medium / large). _lineage: the two form
-- rows.
select
    person_id,
    kommune,
    age_band,
    period,
    count(*) as n_activities,
    cast(sum(first_score) as bigint) as sum_first,
    cast(sum(last_score) as bigint) as sum_last,
    sum(first_score) / count(*) as mean_first,
    sum(last_score) / count(*) as mean_last,
    sum(change) / count(*) as mean_change,
    sum(change) >= 2 * count(*) as is_improved_2,
    case
        when 10 * sum(change) >= 27 * count(*) then 'stor'
        when 10 * sum(change) >= 23 * count(*) then 'middels'
        when 10 * sum(change) >= 13 * count(*) then 'liten'
        else 'under'
    end as mid_category,
    10 * sum(change) >= 13 * count(*) and 10 * sum(change) < 23 * count(*) as is_mid_small,
    10 * sum(change) >= 23 * count(*) and 10 * sum(change) < 27 * count(*) as is_mid_medium,
    10 * sum(change) >= 27 * count(*) as is_mid_large,
    max(change) as max_activity_change,
    list_sort(list_distinct(flatten(list(_lineage)))) as _lineage,
from marts.fct_psfs_activity_change
group by person_id, kommune, age_band, period
