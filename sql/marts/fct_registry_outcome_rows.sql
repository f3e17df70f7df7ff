-- materialize: view (evaluated only when traced: it repeats registry rows, national-size)
-- One row per registry row behind metrics.registry_did, per outcome: events (numerator, value
-- 1) and person-years (denominator, value = the row's share of a person-year), in the panel's
-- municipalities and years, with the municipality-year's group and treatment.
with claim_lines as (
    select
        claim_id,
        list({'source': _source, 'file': _source_file, 'row': _source_row}) as _lineage,
    from staging.stg_kuhr__claims
    group by claim_id
),

panel as (
    select kommune, year, evaluation_group, is_treated
    from marts.fct_registry_municipality_year
),

outcome_rows as (
    select
        'emergency_admissions_per_1000' as outcome,
        kommune,
        year,
        false as is_denominator,
        true as is_numerator,
        1.0 as value,
        [{'source': _source, 'file': _source_file, 'row': _source_row}] as _lineage,
    from intermediate.int_npr__emergency_admissions
    union all
    select
        'gp_contacts_per_person_year',
        g.kommune,
        g.year,
        false,
        true,
        1.0,
        list_sort(l._lineage),
    from intermediate.int_kuhr__gp_contacts as g
    inner join claim_lines as l using (claim_id)
    where g.service_type = 'fastlege'
),

person_years as (
    select
        o.outcome,
        p.kommune,
        p.year,
        true as is_denominator,
        false as is_numerator,
        p.days_at_risk / p.days_in_year as value,
        [{'source': p._source, 'file': p._source_file, 'row': p._source_row}] as _lineage,
    from intermediate.int_registry__person_years as p
    cross join (
        values ('emergency_admissions_per_1000'), ('gp_contacts_per_person_year')
    ) as o (outcome)
)

select r.*, p.evaluation_group, p.is_treated
from (select * from outcome_rows union all select * from person_years) as r
inner join panel as p using (kommune, year)
