-- One row per pair of coders, interview both coded and code (and per interview over all codes
-- together, «(alle koder samlet)»): the units of metrics.interview_agreement, with each
-- coder's decision (code present or not). Pairs outside the theme's scope (a leader code in
-- another informant's interview) are left out: agreeing on a code that cannot apply is no
-- evidence of reliability.
with pairs as (
    select
        a.coder || '–' || b.coder as coders,
        a.code_label as code,
        a.code_path,
        a.interview_id,
        a.is_coded as a_coded,
        b.is_coded as b_coded,
        list_distinct(a._lineage || b._lineage) as _lineage,
    from marts.fct_interview_codes as a
    inner join marts.fct_interview_codes as b
        on b.interview_id = a.interview_id and b.code_path = a.code_path and a.coder < b.coder
    where a.is_in_scope
)

select coders, code, code_path, interview_id, a_coded, b_coded, a_coded = b_coded as is_agreed,
    _lineage,
from pairs
union all
select
    coders, '(alle koder samlet)', code_path, interview_id, a_coded, b_coded,
    a_coded = b_coded, _lineage,
from pairs
