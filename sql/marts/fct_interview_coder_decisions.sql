-- One row per interview coded by two or more coders, code of the codebook and coder: each
-- coder's decision (code marked or not). The units of Krippendorff's alpha in
-- metrics.interview_agreement: a reliability unit is an (interview, code) pair; every coder
-- who coded the interview gives it a value, and a coder who did not code the interview gives
-- none (missing, not «not coded»). In-scope pairs only, as for kappa.
with multiple as (
    select interview_id
    from marts.fct_interview_codes
    group by interview_id
    having count(distinct coder) >= 2
)

select
    'alle kodere' as coders,
    '(alle koder samlet)' as code,
    c.interview_id,
    c.code_path,
    c.coder,
    c.is_coded,
    true as is_denominator,
    c.is_coded as is_numerator,
    c._lineage,
from marts.fct_interview_codes as c
inner join multiple using (interview_id)
where c.is_in_scope
