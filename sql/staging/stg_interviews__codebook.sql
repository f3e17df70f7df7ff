-- One row per accepted row of valid.interview_codebook, renamed. A code without `kodbar`
-- (a CSV codebook) is codable; a folder of codes (kodbar = false) is not counted as a code.
select
    s.kode as code_path,
    s.tema as theme,
    s.beskrivelse as code_label,
    s.forelder as parent_path,
    coalesce(s.kodbar, true) as is_codable,
    'interview_codebook' as _source,
    s._source_file,
    s._source_row,
from valid.interview_codebook as s
