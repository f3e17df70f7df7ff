-- One row per municipality in the team registers, snapshot date and age band: the number of
-- active teams (zeros included). The teams themselves: intermediate.int_teams__snapshot_status.
with municipalities as (
    select distinct kommune from staging.stg_teams__register
),

grid as (
    select m.kommune, s.snapshot_date, b.label as age_band, b.sort_order as age_band_order
    from municipalities as m
    cross join meta.cfg_team_snapshots as s
    cross join meta.cfg_age_bands as b
),

counts as (
    select kommune, snapshot_date, age_band, count(*) as active_teams
    from intermediate.int_teams__snapshot_status
    group by all
)

select
    g.kommune,
    g.snapshot_date,
    g.age_band,
    g.age_band_order,
    coalesce(c.active_teams, 0) as active_teams,
from grid as g
left join counts as c using (kommune, snapshot_date, age_band)
