-- One row per person and activity scored at both the first and the last conversation: the
-- change on that activity; improved by 3 or more is the minimal detectable change for a
-- single activity (Stratford 1995). The units of psfs_change's activity share.
select
    p.person_id,
    p.kommune,
    p.age_band,
    p.period,
    a.activity,
    a.from_score as first_score,
    a.to_score as last_score,
    a.change,
    a.change >= 3 as is_improved_3,
    [a.from_row, a.to_row] as _lineage,
from intermediate.int_psfs__activity_pairs as a
inner join intermediate.int_psfs__persons as p
    on p.person_id = a.person_id and a.to_no = p.last_no
where a.comparison = 'first'
