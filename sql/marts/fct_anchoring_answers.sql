-- One row per staff respondent, anchoring indicator and breakdown (by role, by sector): the
-- units of metrics.anchoring_by_role. Which answers count is stated here by the contract's
-- labels; the denominator is the valid answers ("Vet ikke" and unanswered are kept as rows,
-- outside the denominator).
with indicators (indicator, label, item, counted) as (
    values
        ('ikke_involvert', 'Ikke involvert/informert om piloten', 'involvert', ['Nei']),
        (
            'godt_kjent_pilot', 'Godt/svært godt kjent med pilotprosjektet', 'kjent_pilot',
            ['Godt kjent', 'Svært godt kjent']
        ),
        (
            'godt_kjent_ot', 'Godt/svært godt kjent med oppfølgingsteam', 'kjent_ot',
            ['Godt kjent', 'Svært godt kjent']
        )
),

breakdowns (dimension) as (values ('rolle'), ('sektor'))

select
    i.indicator,
    i.label,
    d.dimension,
    case d.dimension when 'rolle' then a.role else a.sector end as "group",
    a.respondent_id,
    a.wave,
    a.kommune,
    a.answer_label,
    a.is_valid as is_denominator,
    a.is_valid and list_contains(i.counted, a.answer_label) as is_numerator,
    a._source,
    a._source_file,
    a._source_row,
from indicators as i
inner join marts.fct_survey_staff_answers as a on a.item = i.item
cross join breakdowns as d
where (case d.dimension when 'rolle' then a.role else a.sector end) is not null
