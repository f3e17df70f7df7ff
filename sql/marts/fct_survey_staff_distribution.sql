-- One row per staff respondent, item, breakdown and answer category: the units of the four
-- staff-survey tables (column `metric`: anchoring_by_role, coordinator_adequacy,
-- leader_recruitment, leader_measures). Which items each table holds and by what it is broken
-- down is stated here; what an answer category counts, and over which denominator, is stated
-- in fct_survey_staff_answer_categories. A respondent whose role or sector is missing is
-- counted under «Ikke oppgitt», never left out of a breakdown.
with tables (metric, items, dimensions) as (
    values
        (
            'anchoring_by_role',
            ['involvert', 'kjent_pilot', 'kjent_ot', 'ny_arbeidsmaate', 'stotter_videreforing'],
            ['alle', 'rolle', 'sektor', 'kommune']
        ),
        (
            'coordinator_adequacy', ['k_tid', 'k_opplaering', 'k_lederstotte', 'k_rolle'],
            ['alle', 'kommune']
        ),
        ('leader_recruitment', ['l_rekruttering'], ['alle', 'kommune', 'sektor']),
        (
            'leader_measures', ['l_aktive_grep', 'endret_nye_grupper', 'endret_arbeidsmaate'],
            ['alle', 'rolle', 'kommune']
        )
),

breakdowns as (
    select metric, unnest(items) as item, dimensions from tables
),

dimensions as (
    select metric, item, unnest(dimensions) as dimension from breakdowns
)

select
    d.metric,
    cast(c.wave as varchar) as wave,
    c.item as indicator,
    c.question as label,
    d.dimension,
    case d.dimension
        when 'alle' then 'Alle'
        when 'rolle' then c.role
        when 'sektor' then c.sector
        else c.kommune
    end as "group",
    c.answer,
    c.answer_order,
    c.base,
    -- what a test of the distribution compares: the groups within a wave, or (over all
    -- respondents) the waves
    case d.dimension when 'alle' then cast(c.wave as varchar) else "group" end as compared,
    c.respondent_id,
    c.kommune,
    c.answer_label,
    c.is_denominator,
    c.is_numerator,
    c.is_tested,
    c.weight,
    c._source,
    c._source_file,
    c._source_row,
from marts.fct_survey_staff_answer_categories as c
inner join dimensions as d on d.item = c.item
