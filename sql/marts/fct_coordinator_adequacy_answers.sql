-- One row per coordinator respondent (role «Koordinator» in the contract) and adequacy item:
-- the units of metrics.coordinator_adequacy. Counted: «I stor grad» or «I svært stor grad»;
-- denominator: valid answers ("Vet ikke" and unanswered are kept as rows, outside it).
with indicators (indicator, label, item) as (
    values
        ('tilstrekkelig_tid', 'Tilstrekkelig tid til koordinatoroppgavene', 'k_tid'),
        ('tilstrekkelig_opplaering', 'Tilstrekkelig opplæring', 'k_opplaering'),
        ('tilstrekkelig_lederstotte', 'Tilstrekkelig lederstøtte', 'k_lederstotte'),
        ('trives_i_rollen', 'Trives i koordinatorrollen', 'k_rolle')
)

select
    i.indicator,
    i.label,
    'I stor / svært stor grad, blant gyldige svar' as definition,
    a.respondent_id,
    a.wave,
    a.kommune,
    a.answer_label,
    a.is_valid as is_denominator,
    a.is_valid and a.answer_label in ('I stor grad', 'I svært stor grad') as is_numerator,
    a._source,
    a._source_file,
    a._source_row,
from indicators as i
inner join marts.fct_survey_staff_answers as a on a.item = i.item
where a.role = 'Koordinator'
