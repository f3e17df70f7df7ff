-- One row per team active on a snapshot date (start <= date and no end or end >= date), with
-- the person's age in completed years on that date and its age band.
select
    t.kommune,
    s.snapshot_date,
    b.label as age_band,
    b.sort_order as age_band_order,
    t.team_id,
    t.person_id,
    t.start_date,
    t.end_date,
    date_sub('year', t.birth_date, s.snapshot_date) as age_years,
    t._source,
    t._source_file,
    t._source_row,
from staging.stg_teams__register as t
cross join meta.cfg_team_snapshots as s
inner join meta.cfg_age_bands as b
    on date_sub('year', t.birth_date, s.snapshot_date) >= b.age_from
    and (b.age_to is null or date_sub('year', t.birth_date, s.snapshot_date) <= b.age_to)
where t.start_date <= s.snapshot_date
    and (t.end_date is null or t.end_date >= s.snapshot_date)
