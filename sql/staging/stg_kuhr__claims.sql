with source as (
    select *
    from valid.kuhr_claims
)

select
    cast(regning_id as bigint) as claim_id,
    cast(lopenr as bigint) as person_id,
    cast(dato as date) as contact_date,
    coalesce(m.kommune_harmonised, s.komnr) as kommune,
    tjenestetype as service_type,
    lower(takst) as fee_code,
from source as s
left join staging.stg_municipality__map as m on m.kommune = s.komnr
