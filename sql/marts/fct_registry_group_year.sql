-- One row per evaluation group (pilot / comparison) and year: every registry outcome over the
-- group's municipalities, as in marts.fct_registry_municipality_year (the evaluation report's
-- trend figures). Person-years from integer days, so the sum is exact in any order.
with sums as (
    select
        evaluation_group,
        year,
        sum(emergency_admissions) as emergency_admissions,
        sum(days_at_risk) / any_value(days_in_year) as person_years,
        any_value(days_in_year) as days_in_year,
        sum(gp_contacts) as gp_contacts,
        sum(legevakt_contacts) as legevakt_contacts,
        sum(home_care_hour_days) as home_care_hour_days,
        sum(institution_days) as institution_days,
        sum(primary_stays_67) as primary_stays_67,
        sum(readmissions_67) as readmissions_67,
    from marts.fct_registry_municipality_year
    group by all
)

select
    evaluation_group,
    year,
    emergency_admissions,
    person_years,
    1000 * emergency_admissions / person_years as emergency_admissions_per_1000,
    gp_contacts / person_years as gp_contacts_per_person_year,
    legevakt_contacts / person_years as legevakt_contacts_per_person_year,
    1000 * home_care_hour_days / days_in_year / person_years as home_care_hours_per_week_per_1000,
    1000 * institution_days / person_years as institution_days_per_1000,
    readmissions_67 / nullif(primary_stays_67, 0) as readmission_share_67,
from sums
order by all
