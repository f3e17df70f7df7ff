-- materialize: view (evaluated only when traced: it repeats registry rows, national-size)
-- One row per registry row behind metrics.registry_did, per outcome: events (numerator, value
-- 1; a KPR decision: its hour-days or days in the year) and person-years (denominator, value =
-- the row's share of a person-year), in the panel's
-- municipalities and years the estimation uses, with the municipality-year's group and
-- treatment.
with claim_lines as (
    select
        claim_id,
        list({'source': _source, 'file': _source_file, 'row': _source_row}) as _lineage,
    from staging.stg_kuhr__claims
    group by claim_id
),

panel as (  -- the rows the DiD is estimated on
    select kommune, year, evaluation_group, is_treated
    from marts.fct_registry_municipality_year
    where in_estimation
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
        case g.service_type
            when 'fastlege' then 'gp_contacts_per_person_year'
            else 'legevakt_contacts_per_person_year'
        end,
        g.kommune,
        g.year,
        false,
        true,
        1.0,
        list_sort(l._lineage),
    from intermediate.int_kuhr__gp_contacts as g
    inner join claim_lines as l using (claim_id)
    where g.service_type in ('fastlege', 'legevakt')
    union all
    -- a primary stay is a unit of the denominator, and of the numerator when readmitted (its
    -- lineage: the stay's row and the readmitting stay's)
    select
        'readmission_share_67',
        s.kommune,
        s.year,
        true,
        s.is_readmitted,
        1.0,
        case
            when e.episode_id is null
                then [{'source': s._source, 'file': s._source_file, 'row': s._source_row}]
            else list_sort([
                {'source': s._source, 'file': s._source_file, 'row': s._source_row},
                {'source': e._source, 'file': e._source_file, 'row': e._source_row}
            ])
        end,
    from intermediate.int_npr__readmissions_67 as s
    left join staging.stg_npr__episodes as e on e.episode_id = s.readmission_episode_id
    union all
    -- a KPR decision's hour-days (home care) or days (long-term institution) in the year
    select
        case
            when service = 'langtidsopphold' then 'institution_days_per_1000'
            else 'home_care_hours_per_week_per_1000'
        end,
        kommune,
        year,
        false,
        true,
        case when service = 'langtidsopphold' then days else hour_days end,
        [{'source': _source, 'file': _source_file, 'row': _source_row}],
    from intermediate.int_kpr__service_years
    where service = 'langtidsopphold' or hour_days > 0
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
        values ('emergency_admissions_per_1000'), ('gp_contacts_per_person_year'),
            ('legevakt_contacts_per_person_year'), ('home_care_hours_per_week_per_1000'),
            ('institution_days_per_1000')
    ) as o (outcome)
)

select r.*, p.evaluation_group, p.is_treated
from (select * from outcome_rows union all select * from person_years) as r
inner join panel as p using (kommune, year)
