-- One row per evaluation municipality: pilots (with their running period) and comparisons.
select
    kommune,
    name,
    'pilot' as evaluation_group,
    start_date,
    end_date,
from meta.cfg_pilots
union all
select
    kommune,
    null as name,
    'comparison' as evaluation_group,
    null as start_date,
    null as end_date,
from meta.cfg_comparison
