-- One row per KPR service decision and calendar year it runs in (first_year to last_year):
-- `days`, the days it runs that year — from its from-date to its to-date, an open decision to
-- the end of the year, never past the person's death — and for home care (hjemmesykepleie,
-- praktisk bistand, brukerstyrt personlig assistanse) `hour_days`, its weekly hours times
-- those days (divided by the year's days: the average weekly hours it delivered that year).
-- A long-term institution stay (langtidsopphold) gives institution days. The municipality is
-- the decision's (harmonised). least/greatest skip NULLs in DuckDB: every bound is coalesced.
with bounds as (
    select first_year, last_year from meta.cfg_parameters
),

deaths as (
    select person_id, max(death_date) as death_date
    from staging.stg_registry__persons
    group by person_id
),

years as (
    select unnest(range(first_year, last_year + 1)) as year from bounds
),

decisions as (
    select
        s.*,
        least(
            coalesce(s.to_date, make_date(b.last_year, 12, 31)),
            coalesce(d.death_date, make_date(b.last_year, 12, 31)),
            make_date(b.last_year, 12, 31)
        ) as end_date,
    from staging.stg_kpr__services as s
    cross join bounds as b
    left join deaths as d on d.person_id = s.person_id
)

select
    s.person_id,
    s.kommune,
    s.service,
    y.year,
    least(s.end_date, make_date(y.year, 12, 31)) - greatest(s.from_date, make_date(y.year, 1, 1))
    + 1 as days,
    -- exact decimals (hours to 1/10,000): a sum of them is the same in any order, every run
    case
        when s.service in ('hjemmesykepleie', 'praktisk_bistand', 'brukerstyrt_personlig_assistanse')
            then cast(round(coalesce(s.hours_per_week, 0), 4) as decimal(18, 4))
            * (least(s.end_date, make_date(y.year, 12, 31))
                - greatest(s.from_date, make_date(y.year, 1, 1)) + 1)
        else cast(0 as decimal(18, 4))
    end as hour_days,
    s._source,
    s._source_file,
    s._source_row,
from decisions as s
inner join years as y on y.year between year(s.from_date) and year(s.end_date)
