-- One row per municipality, count date (quarter ends and configured dates up to the
-- register's export date) and age band: the number of active teams (zeros included). The
-- teams themselves: intermediate.int_teams__snapshot_status.
with grid as (
    select
        d.kommune,
        d.snapshot_date,
        d.is_configured,
        d.register_as_of,
        b.label as age_band,
        b.sort_order as age_band_order,
    from intermediate.int_teams__count_dates as d
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
    g.is_configured,
    g.register_as_of,
    g.age_band,
    g.age_band_order,
    coalesce(c.active_teams, 0) as active_teams,
from grid as g
left join counts as c using (kommune, snapshot_date, age_band)
