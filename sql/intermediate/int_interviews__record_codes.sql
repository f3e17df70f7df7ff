-- One row per interview in the interview list and codable code of the codebook (a folder of
-- codes is not one), coded or not.
-- is_in_scope: the code's theme is asked of the informant (meta.cfg_interview_theme_roles,
-- e.g. «Ledergrep» of leaders; a theme not listed there is asked of everyone). Themes and
-- coder agreement count in-scope pairs only.
with scoped as (
    select theme, list(informant_role) as roles,
    from meta.cfg_interview_theme_roles
    group by theme
)

select
    r.interview_id,
    r.informant_role,
    r.kommune,
    k.code_path,
    k.theme,
    k.code_label,
    coalesce(list_contains(s.roles, r.informant_role), s.theme is null) as is_in_scope,
    r._source,
    r._source_file,
    r._source_row,
from staging.stg_interviews__records as r
cross join staging.stg_interviews__codebook as k
left join scoped as s on s.theme = k.theme
where k.is_codable
