-- materialize: view
-- One row per accepted row of valid.kuhr_claims, renamed; municipality codes harmonised to
-- the configured vintage (a code that cannot be placed keeps its code as delivered). A view:
-- the claims' lines are national-size and only int_kuhr__gp_contacts and a trace read them.
select
    s.regning_id as claim_id,
    s.lopenr as person_id,
    s.dato as contact_date,
    coalesce(m.kommune_harmonised, s.komnr) as kommune,
    s.tjenestetype as service_type,
    lower(s.takst) as fee_code,
    'kuhr_claims' as _source,
    s._source_file,
    s._source_row,
from valid.kuhr_claims as s
left join staging.stg_municipality__map as m on m.kommune = s.komnr
