with source as (
    select r.*
    from raw.interview_codebook as r
    anti join quarantine.interview_codebook as q using (_source_file, _source_row)
)

select
    kode as code_path,
    tema as theme,
    beskrivelse as code_label,
from source
