-- Anchoring (forankring): share who know the OT work well or very well, by informant role and wave.
select
    wave,
    "group" as role,
    n as answered,
    round(estimate, 3) as share_well_known,
    printf('%.3f–%.3f', ci_low, ci_high) as ci_95
from metrics.anchoring_by_role
where indicator = 'kjent_ot' and dimension = 'rolle' and answer = 'Godt eller svært godt kjent'
order by wave, role;
