-- One row per accepted row of valid.interview_segments, renamed.
select
    s.document as interview_id,
    s.code as code_path,
    s."begin" as segment_begin,
    s."end" as segment_end,
    s.coder,
    'interview_segments' as _source,
    s._source_file,
    s._source_row,
from valid.interview_segments as s
