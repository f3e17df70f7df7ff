with source as (
    select *
    from valid.interview_segments
)

select
    document as interview_id,
    code as code_path,
    cast(begin as integer) as segment_begin,
    cast("end" as integer) as segment_end,
    coder,
from source
