-- One row per interview, code of the codebook and breakdown (all, informant role,
-- municipality), and per interview, theme and breakdown («(hele temaet)»: any code of the
-- theme): the units of metrics.interview_themes. The denominator is every interview in the
-- interview list the theme is asked of (int_interviews__record_codes.is_in_scope), coded or
-- not: an interview without a code counts, and has none of them. Counted: the interview's
-- reference coder (fct_interview_codes) marked the code (any code of the theme) at least once.
with codes as (
    select
        x.theme,
        x.code_label as code,
        x.code_path,
        x.interview_id,
        x.informant_role,
        x.kommune,
        coalesce(c.is_coded, false) as is_coded,
        coalesce(
            c._lineage, [{'source': x._source, 'file': x._source_file, 'row': x._source_row}]
        ) as _lineage,
    from intermediate.int_interviews__record_codes as x
    left join marts.fct_interview_codes as c
        on
            c.interview_id = x.interview_id
            and c.code_path = x.code_path
            and c.is_reference_coder
    where x.is_in_scope
),

themes as (
    select
        theme,
        '(hele temaet)' as code,
        interview_id,
        any_value(informant_role) as informant_role,
        any_value(kommune) as kommune,
        bool_or(is_coded) as is_coded,
        list_distinct(flatten(list(_lineage order by code_path))) as _lineage,
    from codes
    group by theme, interview_id
),

units as (
    select theme, code, interview_id, informant_role, kommune, is_coded, _lineage, from codes
    union all
    select theme, code, interview_id, informant_role, kommune, is_coded, _lineage, from themes
),

breakdowns (dimension) as (values ('alle'), ('rolle'), ('kommune'))

select
    u.theme,
    u.code,
    b.dimension,
    case b.dimension
        when 'alle' then 'Alle'
        when 'rolle' then u.informant_role
        else u.kommune
    end as "group",
    u.interview_id,
    u.informant_role,
    u.kommune,
    true as is_denominator,
    u.is_coded as is_numerator,
    u._lineage,
from units as u
cross join breakdowns as b
