-- Quarantined rows by source, file and contract rule: what was held back and why.
select
    source,
    _source_file as file,
    rule,
    severity,
    count(*) as rows_held_back,
    min(reason) as example_reason
from meta.validation_failures
group by source, _source_file, rule, severity
order by rows_held_back desc, source, rule;
