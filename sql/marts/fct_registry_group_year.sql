-- One row per evaluation group (pilot / comparison) and year: emergency admissions per 1,000
-- person-years over the group's municipalities (the evaluation report's trend figure).
-- Person-years from integer days, so the sum is exact in any order.
select
    evaluation_group,
    year,
    sum(emergency_admissions) as emergency_admissions,
    sum(days_at_risk) / any_value(days_in_year) as person_years,
    1000 * sum(emergency_admissions) / (sum(days_at_risk) / any_value(days_in_year))
        as emergency_admissions_per_1000,
from marts.fct_registry_municipality_year
group by all
order by all
