-- The registry DiD side by side: every outcome's estimate, interval and p-value by estimator and inference.
select
    outcome,
    estimator,
    inference,
    round(estimate, 3) as estimate,
    round(ci_low, 3) as ci_low,
    round(ci_high, 3) as ci_high,
    round(p_value, 4) as p_value,
    n as municipality_years
from metrics.registry_did
order by outcome, estimator, inference;
