with source as (
    select *
    from valid.interview_codebook
)

select
    kode as code_path,
    tema as theme,
    beskrivelse as code_label,
from source
