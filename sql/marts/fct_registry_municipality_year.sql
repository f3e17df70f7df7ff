-- One row per evaluation municipality and year (harmonised codes): registry outcomes and each
-- pilot's own timing from [[evaluation.pilots]] start and end. `exposure` is the share of the
-- year's days the pilot ran (integer days, so "the whole year" is exact); a year it ran only
-- part of is `is_partial`, a whole year after it ended `is_after_exit`; `relative_year` is the
-- year minus the pilot's start year (event time; comparisons: NULL). What the DiD uses follows
-- [evaluation] partial_years ("drop": a partial year leaves the estimation; "exposure": it
-- counts with its exposure as treatment) and after_exit ("drop": years after a pilot ended
-- leave the estimation; "separate": they stay, with `after_exit` = 1 as a term of their own):
-- `is_treated` is the treatment the regression uses and `in_estimation` says whether the row
-- is in it (trend figures use every row).
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
    select
        kommune,
        year,
        count(*) filter (service_type = 'fastlege') as gp_contacts,
        count(*) filter (service_type = 'fastlege' and contact_type = 'fysisk') as gp_physical,
        count(*) filter (service_type = 'fastlege' and contact_type = 'e-konsultasjon')
            as gp_e_consultations,
        count(*) filter (service_type = 'fastlege' and contact_type = 'sykebesøk')
            as gp_home_visits,
        count(*) filter (service_type = 'legevakt') as legevakt_contacts,
    from intermediate.int_kuhr__gp_contacts
    group by all
),

services as (
    select
        kommune,
        year,
        sum(hour_days) as home_care_hour_days,
        coalesce(sum(days) filter (service = 'langtidsopphold'), 0) as institution_days,
    from intermediate.int_kpr__service_years
    group by all
),

readmissions as (
    select
        kommune,
        year,
        count(*) as primary_stays_67,
        count(*) filter (is_readmitted) as readmissions_67,
    from intermediate.int_npr__readmissions_67
    group by all
),

timing as (
    select
        py.kommune,
        py.year,
        g.evaluation_group = 'pilot' as is_pilot,
        -- (least/greatest skip NULLs: a comparison has no dates and no treated days)
        case when g.evaluation_group = 'pilot' then greatest(
            least(g.end_date + 1, make_date(py.year + 1, 1, 1))
            - greatest(g.start_date, make_date(py.year, 1, 1)),
            0
        ) else 0 end as days_treated,
        py.year - year(g.start_date) as relative_year,
        py.year > year(g.end_date) as is_after_exit,
    from person_years as py
    inner join marts.dim_municipality_group as g on g.kommune = py.kommune
),

panel as (
    select
        t.kommune,
        t.year,
        t.relative_year,
        coalesce(t.days_treated, 0) as days_treated,
        coalesce(t.is_pilot and t.days_treated > 0 and t.days_treated < py.days_in_year, false)
            as is_partial,
        coalesce(t.is_after_exit, false) as is_after_exit,
    from timing as t
    inner join person_years as py using (kommune, year)
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
    -- GP contacts by contact type (a claim with several counts as its first-ranked type,
    -- int_kuhr__gp_contacts), and out-of-hours (legevakt) contacts
    coalesce(gp.gp_physical, 0) / py.person_years as gp_physical_per_person_year,
    coalesce(gp.gp_e_consultations, 0) / py.person_years as gp_e_consultations_per_person_year,
    coalesce(gp.gp_home_visits, 0) / py.person_years as gp_home_visits_per_person_year,
    coalesce(gp.legevakt_contacts, 0) as legevakt_contacts,
    coalesce(gp.legevakt_contacts, 0) / py.person_years as legevakt_contacts_per_person_year,
    -- KPR: home-care hours per week delivered (hour-days / days in the year) per 1,000
    -- residents, and long-term institution days per 1,000 person-years
    coalesce(sv.home_care_hour_days, 0) as home_care_hour_days,
    1000 * coalesce(sv.home_care_hour_days, 0) / py.days_in_year / py.person_years
        as home_care_hours_per_week_per_1000,
    coalesce(sv.institution_days, 0) as institution_days,
    1000 * coalesce(sv.institution_days, 0) / py.person_years as institution_days_per_1000,
    -- 30-day readmissions, 67+ (FHI): readmitted primary stays among the primary stays that
    -- ended in the year (NULL share: no primary stay)
    coalesce(r.primary_stays_67, 0) as primary_stays_67,
    coalesce(r.readmissions_67, 0) as readmissions_67,
    r.readmissions_67 / r.primary_stays_67 as readmission_share_67,
    t.relative_year,
    t.days_treated / py.days_in_year as exposure,
    t.is_partial,
    t.is_after_exit,
    case
        when t.is_partial and p.partial_years = 'exposure' then t.days_treated / py.days_in_year
        when t.days_treated = py.days_in_year then 1.0
        else 0.0
    end as is_treated,
    case when t.is_after_exit and p.after_exit = 'separate' then 1.0 else 0.0 end as after_exit,
    not (t.is_partial and p.partial_years = 'drop')
    and not (t.is_after_exit and p.after_exit = 'drop') as in_estimation,
from person_years as py
inner join marts.dim_municipality_group as g on g.kommune = py.kommune
inner join panel as t on t.kommune = py.kommune and t.year = py.year
cross join meta.cfg_parameters as p
left join admissions as a on a.kommune = py.kommune and a.year = py.year
left join gp on gp.kommune = py.kommune and gp.year = py.year
left join readmissions as r on r.kommune = py.kommune and r.year = py.year
left join services as sv on sv.kommune = py.kommune and sv.year = py.year
where py.year between p.first_year and p.last_year
