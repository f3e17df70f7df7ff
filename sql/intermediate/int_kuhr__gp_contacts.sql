-- materialize: view (read once by the run, by marts.fct_registry_municipality_year: written as
-- a table it would be national-size claims stored only to be read back)
-- One row per KUHR claim with at least one GP contact-type fee code (Helsedirektoratet's KPR
-- definition). The code list lives here and nowhere else. A claim with codes of several
-- contact types counts once, as the type that ranks first (`rank`: the most demanding contact
-- first — home visit, physical consultation, e-consultation, interdisciplinary meeting, NAV
-- dialogue meeting, contact with other services, simple contact, letter/phone); `is_mixed`
-- flags such a claim and `contact_types` lists its types (NULL on a claim of one type: a list
-- on every claim costs as much as the rest of the model at national size). One aggregation
-- over the claims' lines, on integers: no DISTINCT aggregate (a claim is mixed when its
-- lowest and highest rank differ), the type named only after grouping.
-- Lineage: the claim's lines are the rows of staging.stg_kuhr__claims with its claim_id
-- (listed by marts.fct_registry_outcome_rows when traced).
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
),

lines as (
    select c.claim_id, c.person_id, c.kommune, c.contact_date, c.service_type, t.rank,
    from staging.stg_kuhr__claims as c
    inner join contact_codes as k on k.fee_code = c.fee_code
    inner join contact_types as t on t.contact_type = k.contact_type
),

claims as (  -- the rank (an integer) stands for the type until the end: a smaller state
    select
        claim_id,
        any_value(person_id) as person_id,
        any_value(kommune) as kommune,
        any_value(contact_date) as contact_date,
        any_value(service_type) as service_type,
        min(rank) as rank,
        min(rank) <> max(rank) as is_mixed,
    from lines
    group by claim_id
),

mixed as (  -- the few claims of several contact types: their lines read a second time
    select l.claim_id, list_sort(list_distinct(list(t.contact_type))) as contact_types,
    from lines as l
    inner join contact_types as t on t.rank = l.rank
    where l.claim_id in (select claim_id from claims where is_mixed)
    group by l.claim_id
)

select
    c.claim_id,
    c.person_id,
    c.kommune,
    c.contact_date,
    year(c.contact_date) as year,
    c.service_type,
    t.contact_type,
    m.contact_types,
    c.is_mixed,
from claims as c
inner join contact_types as t on t.rank = c.rank
left join mixed as m using (claim_id)
