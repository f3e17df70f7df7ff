-- One row per municipality, count date and age band of marts.fct_active_teams: the residents
-- in the band (registry_population) in the latest year on or before the count date's year
-- that the population source holds, and that year. A count date before the first year has no
-- population (no rate). Built only when a population source is configured.
with bands as (
    select
        p.kommune,
        p.year,
        b.label as age_band,
        cast(sum(p.persons) as bigint) as population,
    from staging.stg_registry__population as p
    inner join meta.cfg_age_bands as b
        on p.age >= b.age_from and (b.age_to is null or p.age <= b.age_to)
    group by all
),

years as (
    select
        t.kommune,
        t.snapshot_date,
        max(b.year) as population_year,
    from marts.fct_active_teams as t
    inner join bands as b on b.kommune = t.kommune and b.year <= year(t.snapshot_date)
    group by all
)

select
    t.kommune,
    t.snapshot_date,
    t.age_band,
    y.population_year,
    coalesce(b.population, 0) as population,
from marts.fct_active_teams as t
inner join years as y using (kommune, snapshot_date)
left join bands as b
    on b.kommune = t.kommune and b.year = y.population_year and b.age_band = t.age_band
