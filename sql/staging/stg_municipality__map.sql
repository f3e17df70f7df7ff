-- Every kommunenummer in the change list, mapped to the configured vintage (meta.cfg_parameters).
-- Follows chains of changes (1931 -> 5421 -> 5530); a code with two successors is a split.
with recursive
changes as (
    select
        c.old_code,
        c.new_code,
        c.new_name,
        cast(c.change_date as date) as change_date,
    from raw.municipality_changes as c
    anti join quarantine.municipality_changes as q using (_source_file, _source_row)
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
    kommune,
    min(current_code) as kommune_harmonised,
    any_value(current_name) as kommune_name,
    count(distinct current_code) > 1 as is_split,
from terminal
group by kommune
