-- PSFS ("Hva er viktig for deg?"): mean change first to last form by age band, with its interval.
select
    age_band,
    n as persons,
    round(estimate, 2) as mean_change,
    round(ci_low, 2) as ci_low,
    round(ci_high, 2) as ci_high
from metrics.psfs_change
where indicator = 'gjennomsnittlig_endring' and period = 'Alle' and kommune = 'Alle'
order by age_band;
