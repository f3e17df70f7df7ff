-- One row per staff respondent asked an item, and answer category of the item: what every
-- staff-survey distribution counts (anchoring_by_role, coordinator_adequacy,
-- leader_recruitment, leader_measures; each mart adds its breakdowns).
-- The denominator rule, stated once: a substantive answer of the contract, and a combined
-- category the evaluation reports («Godt eller svært godt kjent», …), is a share of the valid
-- answers (base «gyldige svar»: «Vet ikke» and unanswered outside); «Vet ikke» is a share of
-- those who answered the item (base «besvart»); «Ubesvart» a share of those asked (base «alle
-- spurte»). Who is asked: an item put to some roles only (or to those who work with the target
-- group often or sometimes) counts among them only, and an item counts in a wave only when
-- someone in that wave answered it (an item of one wave is computed for that wave only).
with items (item, question, roles, target_group_only) as (
    values
        ('involvert', 'Involvert i eller informert om pilotprosjektet', null, false),
        ('kjent_pilot', 'Hvor godt kjent med pilotprosjektet', null, false),
        ('kjent_ot', 'Hvor godt kjent med oppfølgingsteam', null, false),
        ('ny_arbeidsmaate', 'Oppfølgingsteam en ny arbeidsmåte', null, false),
        ('stotter_videreforing', 'Støtter videreføring', null, false),
        ('k_tid', 'Tilstrekkelig tid til koordinatoroppgavene', ['Koordinator'], false),
        ('k_opplaering', 'Tilstrekkelig opplæring', ['Koordinator'], false),
        ('k_lederstotte', 'Tilstrekkelig lederstøtte', ['Koordinator'], false),
        ('k_rolle', 'Trives i koordinatorrollen', ['Koordinator'], false),
        ('l_rekruttering', 'Hvordan er det å rekruttere koordinatorer', ['Leder'], false),
        ('l_aktive_grep', 'Tatt aktive grep for oppfølgingsteam', ['Leder'], false),
        (
            'endret_nye_grupper', 'Nye grupper får IP/koordinator/oppfølgingsteam (siste tre år)',
            ['Leder', 'Koordinator', 'Teammedlem/annen ansatt'], false
        ),
        (
            'endret_arbeidsmaate', 'Måten du jobber med oppfølging av målgruppen er endret',
            ['Leder', 'Koordinator', 'Teammedlem/annen ansatt'], true
        )
),

combined (item, category, labels) as (
    values
        ('kjent_pilot', 'Godt eller svært godt kjent', ['Godt kjent', 'Svært godt kjent']),
        ('kjent_ot', 'Godt eller svært godt kjent', ['Godt kjent', 'Svært godt kjent']),
        ('ny_arbeidsmaate', 'I stor eller svært stor grad', ['I stor grad', 'I svært stor grad']),
        (
            'stotter_videreforing', 'I stor eller svært stor grad',
            ['I stor grad', 'I svært stor grad']
        ),
        ('k_tid', 'I stor eller svært stor grad', ['I stor grad', 'I svært stor grad']),
        ('k_opplaering', 'I stor eller svært stor grad', ['I stor grad', 'I svært stor grad']),
        ('k_lederstotte', 'I stor eller svært stor grad', ['I stor grad', 'I svært stor grad']),
        ('k_rolle', 'I stor eller svært stor grad', ['I stor grad', 'I svært stor grad']),
        (
            'l_rekruttering', 'Som oftest krevende eller alltid vanskelig',
            ['Som oftest krevende', 'Alltid vanskelig']
        ),
        (
            'l_aktive_grep', 'I liten eller svært liten grad',
            ['I svært liten grad', 'I liten grad']
        )
),

-- the substantive answers of each item, in the contract's code order
substantive as (
    select
        l."column" as item,
        l.label as category,
        row_number() over (partition by l."column" order by try_cast(l.value as integer), l.value)
            as answer_order,
        [l.label] as labels,
    from meta.contract_labels as l
    inner join items as i on i.item = l."column"
    left join meta.declared_missing as m
        on m.source = l.source and m."column" = l."column" and m.value = l.value
    where l.source = 'survey_staff' and l.label <> 'Vet ikke' and m.value is null
),

categories as (
    select item, category, answer_order, 'gyldige svar' as base, labels from substantive
    union all
    select item, category, 50, 'gyldige svar', labels from combined
    union all
    select item, 'Vet ikke', 90, 'besvart', [] from items
    union all
    select item, 'Ubesvart', 99, 'alle spurte', [] from items
),

waves_asked as (
    select distinct wave, item from marts.fct_survey_staff_answers where answer is not null
),

target_group as (
    select respondent_id
    from marts.fct_survey_staff_answers
    where item = 'malgruppe' and answer_label in ('Ofte', 'Av og til')
),

asked as (
    select a.*, i.question,
    from marts.fct_survey_staff_answers as a
    inner join items as i on i.item = a.item
    inner join waves_asked as w on w.wave = a.wave and w.item = a.item
    where (i.roles is null or list_contains(i.roles, a.role))
        and (not i.target_group_only or a.respondent_id in (select respondent_id from target_group))
)

select
    a.respondent_id,
    a.wave,
    a.kommune,
    coalesce(a.role, 'Ikke oppgitt') as role,
    coalesce(a.sector, 'Ikke oppgitt') as sector,
    a.item,
    a.question,
    c.category as answer,
    c.answer_order,
    c.base,
    a.answer_label,
    case c.base
        when 'gyldige svar' then a.is_valid
        when 'besvart' then a.answer is not null
        else true
    end as is_denominator,
    case c.base
        when 'gyldige svar' then a.is_valid and list_contains(c.labels, a.answer_label)
        when 'besvart' then coalesce(a.is_dont_know, false)
        else a.answer is null
    end as is_numerator,
    -- the one row per valid answer that a test of the distribution counts
    c.answer_order < 50 and a.is_valid and list_contains(c.labels, a.answer_label) as is_tested,
    a.weight,
    a._source,
    a._source_file,
    a._source_row,
from asked as a
inner join categories as c on c.item = a.item
