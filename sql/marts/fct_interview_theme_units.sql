-- One row per interview coded by the primary coder and code of the codebook, and per such
-- interview and theme («(hele temaet)»: any code of the theme): the units of
-- metrics.interview_themes. Counted: the code (theme) occurs in the interview.
select
    theme,
    code_label as code,
    coder,
    interview_id,
    informant_role,
    kommune,
    true as is_denominator,
    is_coded as is_numerator,
    _lineage,
from marts.fct_interview_codes
where is_primary_coder
union all
select
    theme,
    '(hele temaet)' as code,
    coder,
    interview_id,
    any_value(informant_role),
    any_value(kommune),
    true,
    bool_or(is_coded),
    flatten(list(_lineage order by code_path)),
from marts.fct_interview_codes
where is_primary_coder
group by theme, coder, interview_id
