-- One row per evaluation group (pilot / comparison) and year: emergency admissions per 1,000
-- person-years over the group's municipalities (the evaluation report's trend figure).
select
    evaluation_group,
    year,
    sum(emergency_admissions) as emergency_admissions,
    -- person_years is a double: a fixed order of summation gives the same bits every run
    sum(person_years order by kommune) as person_years,
    1000 * sum(emergency_admissions) / sum(person_years order by kommune)
        as emergency_admissions_per_1000,
from marts.fct_registry_municipality_year
group by all
order by all
