-- One row per municipality, count date and coordinator with at least one active team that
-- day (intermediate.int_teams__snapshot_status): the coordinator's active teams and sector —
-- the sector written on most of those teams (ties: the first alphabetically), leaving out a
-- value the contract does not allow (flagged in meta.validation_failures; it may be free
-- text), «ukjent» when none is left. Teams without a coordinator are not units here.
-- _lineage: the register rows of the teams.
with flagged as (
    select distinct _source_file, _source_row
    from meta.validation_failures
    where source = 'team_register' and "column" = 'coordinator_sector'
),

teams as (
    select
        s.*,
        case when f._source_row is null then s.coordinator_sector end as known_sector,
    from intermediate.int_teams__snapshot_status as s
    left join flagged as f using (_source_file, _source_row)
    where s.coordinator_id is not null
),


sector_counts as (
    select kommune, snapshot_date, coordinator_id, known_sector, count(*) as teams
    from teams
    where known_sector is not null
    group by all
),

sectors as (
    select
        kommune,
        snapshot_date,
        coordinator_id,
        first(known_sector order by teams desc, known_sector) as sector,
    from sector_counts
    group by all
)

select
    t.kommune,
    t.snapshot_date,
    t.coordinator_id,
    coalesce(any_value(s.sector), 'ukjent') as coordinator_sector,
    count(*) as active_teams,
    list_sort(list({'source': t._source, 'file': t._source_file, 'row': t._source_row}))
        as _lineage,
from teams as t
left join sectors as s using (kommune, snapshot_date, coordinator_id)
group by t.kommune, t.snapshot_date, t.coordinator_id
