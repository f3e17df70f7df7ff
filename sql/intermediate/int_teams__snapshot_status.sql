-- One row per team active on a count date of its municipality (start <= date and no end or
-- end >= date; never after its register's export date), with the person's age in completed
-- years on that date (meta.age_years: a 29 February birthday is reached on 1 March in other
-- years) and its age band.
with active as (
    select
        t.*,
        s.snapshot_date,
        meta.age_years(t.birth_date, s.snapshot_date) as age_years,
    from staging.stg_teams__register as t
    inner join intermediate.int_teams__count_dates as s
        on s.kommune = t.kommune and s.snapshot_date <= t.register_as_of
    where t.start_date <= s.snapshot_date
        and (t.end_date is null or t.end_date >= s.snapshot_date)
)

select
    a.kommune,
    a.snapshot_date,
    b.label as age_band,
    b.sort_order as age_band_order,
    a.team_id,
    a.person_id,
    a.start_date,
    a.end_date,
    a.age_years,
    a.has_ip,
    a.has_ip is not null as has_ip_answer,
    a.coordinator_id,
    a.coordinator_sector,
    a._source,
    a._source_file,
    a._source_row,
from active as a
inner join meta.cfg_age_bands as b
    on a.age_years >= b.age_from and (b.age_to is null or a.age_years <= b.age_to)
