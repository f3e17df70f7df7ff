-- One row per municipality and date on which its active teams are counted: every quarter end
-- from the first team start to the register's export date, and the configured snapshot dates,
-- never after the day the municipality's (oldest) register file was exported.
with registers as (
    select kommune, min(register_as_of) as register_as_of
    from staging.stg_teams__register
    group by kommune
),

quarter_ends as (
    select cast(q + interval 3 month - interval 1 day as date) as count_date
    from (
        select
            range as q
        from range(
            (select date_trunc('quarter', min(start_date)) from staging.stg_teams__register),
            (select max(register_as_of) + 1 from staging.stg_teams__register),
            interval 3 month
        )
    )
),

dates as (
    select count_date, false as is_configured from quarter_ends
    union all
    select snapshot_date, true from meta.cfg_team_snapshots
)

select
    r.kommune,
    d.count_date as snapshot_date,
    bool_or(d.is_configured) as is_configured,
    any_value(r.register_as_of) as register_as_of,
from registers as r
inner join dates as d on d.count_date <= r.register_as_of
group by r.kommune, d.count_date
