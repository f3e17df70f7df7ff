-- One row per team start and per team end in a complete quarter of its register (the quarter
-- ends on or before the register's export date): the units of metrics.team_flows.
with events as (
    select kommune, team_id, person_id, 'startet' as flow, start_date as event_date,
        register_as_of, _source, _source_file, _source_row,
    from staging.stg_teams__register
    union all
    select kommune, team_id, person_id, 'avsluttet', end_date, register_as_of, _source,
        _source_file, _source_row,
    from staging.stg_teams__register
    where end_date is not null
)

select
    kommune,
    strftime(event_date, '%Y') || 'Q' || quarter(event_date) as quarter,
    flow,
    team_id,
    person_id,
    event_date,
    _source,
    _source_file,
    _source_row,
from events
where cast(date_trunc('quarter', event_date) + interval 3 month - interval 1 day as date)
    <= register_as_of
