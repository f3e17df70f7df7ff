-- One row per staff respondent and item (long form, unanswered items included: answer NULL),
-- with the labels of the contract and the respondent's weight (NULL: the survey is not
-- weighted; int_survey__staff_weights).
-- "Vet ikke" is a code the contract labels so, or one the SPSS file declares user-missing.
with long as (
    from staging.stg_survey__staff
    unpivot include nulls (
        answer for item in (
            involvert, kjent_pilot, kjent_ot, ny_arbeidsmaate, stotter_videreforing, k_tid,
            k_opplaering, k_lederstotte, k_rolle, l_rekruttering, l_aktive_grep, malgruppe,
            endret_nye_grupper, endret_arbeidsmaate
        )
    )
)

select
    l.respondent_id,
    l.wave,
    l.kommune,
    l.role_code,
    role.label as role,
    l.sector_code,
    sector.label as sector,
    l.item,
    l.answer,
    answer_label.label as answer_label,
    dont_know.value is not null or answer_label.label = 'Vet ikke' as is_dont_know,
    -- a valid answer: given, and not "Vet ikke" (the denominator of every staff share)
    l.answer is not null
    and not (dont_know.value is not null or coalesce(answer_label.label = 'Vet ikke', false))
        as is_valid,
    w.weight,
    l._source,
    l._source_file,
    l._source_row,
from long as l
inner join intermediate.int_survey__staff_weights as w on w.respondent_id = l.respondent_id
left join meta.contract_labels as role
    on role.source = 'survey_staff' and role."column" = 'rolle' and role.value = cast(l.role_code as varchar)
left join meta.contract_labels as sector
    on sector.source = 'survey_staff' and sector."column" = 'sektor' and sector.value = cast(l.sector_code as varchar)
left join meta.contract_labels as answer_label
    on answer_label.source = 'survey_staff' and answer_label."column" = l.item and answer_label.value = cast(l.answer as varchar)
left join meta.declared_missing as dont_know
    on dont_know.source = 'survey_staff' and dont_know."column" = l.item and dont_know.value = cast(l.answer as varchar)
