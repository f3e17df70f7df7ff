with source as (
    select r.*
    from raw.interview_segments as r
    anti join quarantine.interview_segments as q using (_source_file, _source_row)
)

select
    document as interview_id,
    code as code_path,
    cast(begin as integer) as segment_begin,
    cast("end" as integer) as segment_end,
    coder,
from source
