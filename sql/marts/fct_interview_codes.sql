-- One row per interview, coder and code of the codebook, for every interview the coder coded
-- (marked at least one segment in it): is_coded = the coder marked at least one segment with
-- the code. The primary coder is the one who coded most interviews (ties: first by name); an
-- interview's reference coder is the highest-ranked coder (by that order) who coded it, so an
-- interview the primary coder left to another still counts with that coder's codes.
-- is_in_scope: as in int_interviews__record_codes. _lineage: the interview's record and the
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

coder_rank as (
    select coder, row_number() over (order by count(*) desc, coder) as coder_rank,
    from coders
    group by coder
),

reference_coder as (
    select interview_id, arg_min(coder, coder_rank) as reference_coder,
    from coders
    inner join coder_rank using (coder)
    group by interview_id
)

select
    c.interview_id,
    x.informant_role,
    x.kommune,
    c.coder,
    o.coder_rank = 1 as is_primary_coder,
    c.coder = f.reference_coder as is_reference_coder,
    x.code_path,
    x.theme,
    x.code_label,
    s.code_path is not null as is_coded,
    x.is_in_scope,
    [{'source': x._source, 'file': x._source_file, 'row': x._source_row}]
    || coalesce(s.segment_rows, []) as _lineage,
from coders as c
inner join intermediate.int_interviews__record_codes as x using (interview_id)
inner join coder_rank as o using (coder)
inner join reference_coder as f using (interview_id)
left join segments as s using (interview_id, coder, code_path)
