-- Active teams per 1,000 residents by age band and snapshot date, all municipalities together.
select
    snapshot_date,
    age_band,
    sum(n)::bigint as active_teams,
    sum(population)::bigint as population,
    round(1000.0 * sum(n) / sum(population), 3) as teams_per_1000
from metrics.team_counts
where age_band <> 'Alle'
group by snapshot_date, age_band
order by snapshot_date, age_band;
