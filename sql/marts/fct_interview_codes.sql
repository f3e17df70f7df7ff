-- One row per interview, coder and code of the codebook, for every interview the coder coded:
-- is_coded = the coder marked at least one segment with the code. The primary coder is the one
-- who coded most interviews (ties: first by name); _lineage: the interview's record and the
-- segments that carry the code.
with segments as (
    select
        interview_id,
        coder,
        code_path,
        list(
            {'source': _source, 'file': _source_file, 'row': _source_row}
            order by _source_file, _source_row
        ) as segment_rows,
    from staging.stg_interviews__segments
    group by all
),

coders as (
    select distinct interview_id, coder from segments
),

primary_coder as (
    select coder as primary_coder
    from coders
    group by coder
    order by count(*) desc, coder
    limit 1
)

select
    c.interview_id,
    r.informant_role,
    r.kommune,
    c.coder,
    c.coder = p.primary_coder as is_primary_coder,
    k.code_path,
    k.theme,
    k.code_label,
    s.code_path is not null as is_coded,
    [{'source': r._source, 'file': r._source_file, 'row': r._source_row}]
    || coalesce(s.segment_rows, []) as _lineage,
from coders as c
cross join staging.stg_interviews__codebook as k
cross join primary_coder as p
left join segments as s using (interview_id, coder, code_path)
left join staging.stg_interviews__records as r using (interview_id)
