-- Emergency admissions per 1,000 person-years by year, pilot vs comparison municipalities.
select
    year,
    evaluation_group,
    round(emergency_admissions_per_1000, 2) as emergency_admissions_per_1000
from marts.fct_registry_group_year
order by year, evaluation_group;
