-- One row per staff respondent: the weight every staff-survey estimate uses (`weight`).
-- NULL for everyone when the config does not weight the staff survey: the estimates are then
-- unweighted and say so. Otherwise the design weight (the file's column the config names in
-- [evaluation.survey_weights.survey_staff], 1 for everyone when it names none), raked when the
-- config gives margins: iterative proportional fitting within each wave, alternately to the
-- role totals and to the municipality totals of meta.cfg_survey_margins, on the role ×
-- municipality cells (every respondent of a cell gets the same factor). The run stops, naming
-- the wave and group, when a wave with respondents has no margins, a role or municipality
-- with respondents has no total, a total has no respondents, or the fit has not met every
-- total to 1e-6 after 200 rounds.
with setting as (
    select
        count(*) > 0 as is_weighted,
        coalesce(bool_or(weight_column is not null), false) as has_column,
    from meta.cfg_survey_weights
    where source = 'survey_staff'
),

respondents as (
    select
        s.respondent_id,
        s.wave,
        s.kommune,
        coalesce(role.label, 'Ikke oppgitt') as role,
        case when st.has_column then s.design_weight else 1.0 end as base_weight,
        st.is_weighted,
    from staging.stg_survey__staff as s
    cross join setting as st
    left join meta.contract_labels as role
        on role.source = 'survey_staff' and role."column" = 'rolle'
        and role.value = cast(s.role_code as varchar)
),

margins as (
    select wave, dimension, "group", total from meta.cfg_survey_margins
),

raked_waves as (
    select distinct wave from margins
),

cells as (
    select r.wave, r.role, r.kommune, sum(r.base_weight) as base,
    from respondents as r
    where r.wave in (select wave from raked_waves)
    group by all
),

fit as (
    with recursive rounds (round, wave, role, kommune, base, factor) as (
        select 0, wave, role, kommune, base, 1.0::double from cells
        union all
        select
            by_role.round + 1,
            by_role.wave,
            by_role.role,
            by_role.kommune,
            by_role.base,
            by_role.factor * m.total
            / sum(by_role.base * by_role.factor) over (partition by by_role.wave, by_role.kommune),
        from (
            select
                r.round,
                r.wave,
                r.role,
                r.kommune,
                r.base,
                r.factor * m.total
                / sum(r.base * r.factor) over (partition by r.wave, r.role) as factor,
            from rounds as r
            inner join margins as m
                on m.wave = r.wave and m.dimension = 'rolle' and m."group" = r.role
            where r.round < 200
        ) as by_role
        inner join margins as m
            on m.wave = by_role.wave and m.dimension = 'kommune' and m."group" = by_role.kommune
    )

    select wave, role, kommune, base, factor from rounds where round = 200
),

met as (
    select m.wave, m.dimension, m."group", m.total, sum(f.base * f.factor) as reached,
    from margins as m
    left join fit as f
        on f.wave = m.wave
        and m."group" = case m.dimension when 'rolle' then f.role else f.kommune end
    group by all
),

problems as (
    select distinct
        'wave ' || r.wave || ' has respondents but no margins (give every wave totals, or '
        || 'remove the margins file)' as problem,
    from respondents as r
    where exists (from raked_waves) and r.wave not in (select wave from raked_waves)
    union all
    select distinct
        'wave ' || c.wave || ': ' || d.dimension || ' «' || d."group" || '» has respondents '
        || 'but no total in the margins file',
    from cells as c
    cross join lateral (
        select 'rolle' as dimension, c.role as "group"
        union all
        select 'kommune', c.kommune
    ) as d
    where not exists (
        from margins as m
        where m.wave = c.wave and m.dimension = d.dimension and m."group" = d."group"
    )
    union all
    select
        'wave ' || wave || ': ' || dimension || ' «' || "group" || '» has a total ('
        || total || ') but no respondents (or only weights of 0)',
    from met
    where coalesce(reached, 0) = 0
    union all
    select
        'wave ' || wave || ': the raking did not converge (' || dimension || ' «' || "group"
        || '» reaches ' || round(reached, 3) || ' of ' || total || ')',
    from met
    where reached > 0 and abs(reached - total) > 1e-6 * total
),

verdict as (
    select string_agg(problem, '; ' order by problem) as problems from problems
)

select
    r.respondent_id,
    r.wave,
    case
        when v.problems is not null then error('Raking the staff survey failed: ' || v.problems)
        when not r.is_weighted then null
        else r.base_weight * coalesce(f.factor, 1.0)
    end as weight,
from respondents as r
cross join verdict as v
left join fit as f on f.wave = r.wave and f.role = r.role and f.kommune = r.kommune
