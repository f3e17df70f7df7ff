-- One row per KUHR claim with at least one GP contact-type fee code (Helsedirektoratet's KPR
-- definition). The code list lives here and nowhere else. A claim with codes of several
-- contact types counts once, as the type that ranks first (`rank`: the most demanding contact
-- first — home visit, physical consultation, e-consultation, interdisciplinary meeting, NAV
-- dialogue meeting, contact with other services, simple contact, letter/phone); `contact_types`
-- lists them all and `is_mixed` flags such a claim. Lineage: the claim's lines are the
-- rows of staging.stg_kuhr__claims with its claim_id (listed by marts.fct_registry_outcome_rows
-- when traced; a list per claim here would cost more than the rest of the model at national
-- size).
with contact_types (contact_type, rank) as (
    values
        ('sykebesøk', 1), ('fysisk', 2), ('e-konsultasjon', 3), ('tverrfaglig møte', 4),
        ('dialogmøte NAV', 5), ('andre tjenester/NAV', 6), ('enkel', 7), ('brev/telefon', 8)
),

contact_codes (fee_code, contact_type) as (
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
    arg_min(k.contact_type, t.rank) as contact_type,
    list_sort(list(distinct k.contact_type)) as contact_types,
    count(distinct k.contact_type) > 1 as is_mixed,
from staging.stg_kuhr__claims as c
inner join contact_codes as k on k.fee_code = c.fee_code
inner join contact_types as t on t.contact_type = k.contact_type
group by c.claim_id
