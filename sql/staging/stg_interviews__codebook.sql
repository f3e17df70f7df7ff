-- One row per accepted row of valid.interview_codebook, renamed.
select
    s.kode as code_path,
    s.tema as theme,
    s.beskrivelse as code_label,
    'interview_codebook' as _source,
    s._source_file,
    s._source_row,
from valid.interview_codebook as s
