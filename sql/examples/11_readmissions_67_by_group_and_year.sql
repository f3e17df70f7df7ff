-- 30-day readmissions for 67+ (FHI definition): primary stays, readmissions and share by group and year.
select
    m.evaluation_group,
    m.year,
    sum(m.primary_stays_67)::bigint as primary_stays,
    sum(m.readmissions_67)::bigint as readmissions,
    round(sum(m.readmissions_67) / nullif(sum(m.primary_stays_67), 0), 3) as share
from marts.fct_registry_municipality_year as m
group by m.evaluation_group, m.year
order by m.year, m.evaluation_group;
