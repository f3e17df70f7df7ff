-- Which run built this warehouse: code version, config hash and stage timings.
select run_id, verb, code_version, config_sha256, started_at_utc, stage_seconds
from meta.run
order by started_at_utc desc;
