-- Every known kommunenummer mapped to the configured vintage (meta.cfg_parameters): the codes
-- in SSB's change list (classification 131) and in its code list for the vintage.
-- Follows chains of changes (1931 -> 5421 -> 5530); merges map several codes to one; a code
-- with two successors in force is a split (is_split; mapped to the lowest new code).
-- Validation reads this model to quarantine unknown codes and flag split ones.
with recursive
changes as (
    select
        c.old_code,
        c.new_code,
        c.new_name,
        c.change_date,
    from valid.municipality_changes as c
),

in_force as (
    select changes.*
    from changes
    cross join meta.cfg_parameters as p
    where changes.change_date <= make_date(p.municipality_vintage, 1, 1)
),

codes as (
    select old_code as kommune from changes
    union
    select new_code from changes
    union
    select code from valid.municipality_codes
),

names as (
    select code as kommune, any_value(name) as kommune_name
    from valid.municipality_codes
    group by code
),

chain (kommune, current_code, current_name, depth) as (
    select kommune, kommune, cast(null as varchar), 0 from codes
    union all
    select chain.kommune, f.new_code, f.new_name, chain.depth + 1
    from chain
    inner join in_force as f on f.old_code = chain.current_code
    where chain.depth < 50
),

terminal as (
    select chain.*
    from chain
    anti join in_force as f on f.old_code = chain.current_code
)

select
    t.kommune,
    min(t.current_code) as kommune_harmonised,
    coalesce(any_value(n.kommune_name), any_value(t.current_name)) as kommune_name,
    count(distinct t.current_code) > 1 as is_split,
from terminal as t
left join names as n on n.kommune = t.current_code
group by t.kommune
