-- Presence of each code in each interview, per coder (1 = at least one segment).
with coded as (
    select distinct interview_id, code_path, coder
    from staging.stg_interviews__segments
),

coders as (
    select distinct interview_id, coder from coded
)

select
    c.interview_id,
    r.informant_role,
    r.kommune,
    c.coder,
    k.code_path,
    k.theme,
    k.code_label,
    d.interview_id is not null as is_coded,
from coders as c
cross join staging.stg_interviews__codebook as k
left join coded as d using (interview_id, coder, code_path)
left join staging.stg_interviews__records as r using (interview_id)
