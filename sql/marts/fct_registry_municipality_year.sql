-- One row per evaluation municipality and year (harmonised codes): registry outcomes and the
-- treatment indicator (a pilot in a year after the intervention date while its pilot ran).
with person_years as (
    select
        kommune,
        year,
        sum(days_at_risk) as days_at_risk,
        sum(days_at_risk) / any_value(days_in_year) as person_years,
        any_value(days_in_year) as days_in_year,
        count(*) as persons,
    from intermediate.int_registry__person_years
    group by all
),

admissions as (
    select kommune, year, count(*) as emergency_admissions
    from intermediate.int_npr__emergency_admissions
    group by all
),

gp as (
    select kommune, year, count(*) as gp_contacts
    from intermediate.int_kuhr__gp_contacts
    where service_type = 'fastlege'
    group by all
)

select
    py.kommune,
    g.name as municipality_name,
    g.evaluation_group,
    py.year,
    py.persons,
    py.days_at_risk,
    py.days_in_year,
    py.person_years,
    coalesce(a.emergency_admissions, 0) as emergency_admissions,
    1000 * coalesce(a.emergency_admissions, 0) / py.person_years as emergency_admissions_per_1000,
    coalesce(gp.gp_contacts, 0) as gp_contacts,
    coalesce(gp.gp_contacts, 0) / py.person_years as gp_contacts_per_person_year,
    g.evaluation_group = 'pilot'
    and py.year > year(p.intervention_date)
    and py.year <= year(g.end_date) as is_treated,
from person_years as py
inner join marts.dim_municipality_group as g on g.kommune = py.kommune
cross join meta.cfg_parameters as p
left join admissions as a on a.kommune = py.kommune and a.year = py.year
left join gp on gp.kommune = py.kommune and gp.year = py.year
where py.year between p.first_year and p.last_year
