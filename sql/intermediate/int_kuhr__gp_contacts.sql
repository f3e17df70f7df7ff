-- One row per KUHR claim with at least one GP contact-type fee code (Helsedirektoratet's KPR
-- definition). The code list lives here and nowhere else. Lineage: the claim's lines are the
-- rows of staging.stg_kuhr__claims with its claim_id (listed by marts.fct_registry_outcome_rows
-- when traced; a list per claim here would cost more than the rest of the model at national
-- size).
with contact_codes (fee_code, contact_type) as (
    values
        ('2ad', 'fysisk'), ('2ak', 'fysisk'), ('2ed', 'fysisk'), ('2fk', 'fysisk'),
        ('074a', 'fysisk'), ('074b', 'fysisk'), ('074d', 'fysisk'), ('615', 'fysisk'),
        ('2ae', 'e-konsultasjon'), ('2aef', 'e-konsultasjon'), ('2aek', 'e-konsultasjon'),
        ('074ae', 'e-konsultasjon'), ('074be', 'e-konsultasjon'),
        ('11ad', 'sykebesøk'), ('11ak', 'sykebesøk'),
        ('1ad', 'enkel'), ('1ak', 'enkel'), ('1e', 'enkel'), ('618', 'enkel'), ('701a', 'enkel'),
        ('1bd', 'brev/telefon'), ('1bk', 'brev/telefon'), ('1g', 'brev/telefon'),
        ('1i', 'brev/telefon'), ('612a', 'brev/telefon'), ('612b', 'brev/telefon'),
        ('1f', 'andre tjenester/NAV'), ('14', 'tverrfaglig møte'),
        ('l36', 'dialogmøte NAV'), ('l36d', 'dialogmøte NAV')
)

select
    c.claim_id,
    any_value(c.person_id) as person_id,
    any_value(c.kommune) as kommune,
    any_value(c.contact_date) as contact_date,
    year(any_value(c.contact_date)) as year,
    any_value(c.service_type) as service_type,
    min(k.contact_type) as contact_type,
from staging.stg_kuhr__claims as c
inner join contact_codes as k on k.fee_code = c.fee_code
group by c.claim_id
