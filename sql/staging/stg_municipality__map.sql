-- One row per known kommunenummer (any code used 1994-2024, from SSB KLASS 131): the code of the
-- configured vintage it belongs to. Vintage 2024: the 2024 successor stated in the code list;
-- other vintages: chains of the dated change list (1931 -> 5421 -> 5530). A code whose
-- municipality was later split between several (empty code_2024), 9999 (unstated), or a place in
-- no municipality (Svalbard, the shelf) cannot be placed: kommune_harmonised is NULL and is_split
-- is true; validation warns on every such row (rule <column>.kommunenummer_split).
-- Validation reads this model to quarantine unknown codes.
with recursive
params as (
    select municipality_vintage as vintage from meta.cfg_parameters
),

listed as (
    select
        c.code as kommune,
        c.name as kommune_name,
        -- only a four-digit code is a municipality (21-22 / 23 are Svalbard and the shelf)
        case when regexp_matches(c.code_2024, '^\d{4}$') then c.code_2024 end as code_2024,
        case when regexp_matches(c.code_2024, '^\d{4}$') then c.name_2024 end as name_2024,
    from valid.municipality_codes as c
),

changes as (
    select
        c.old_code,
        c.new_code,
        c.new_name,
    from valid.municipality_changes as c
    cross join params as p
    where c.change_date <= make_date(least(p.vintage, 9999), 1, 1)
),

codes as (
    select kommune from listed
    union
    select old_code from changes
    union
    select new_code from changes
),

chain (kommune, current_code, current_name, depth) as (
    select kommune, kommune, cast(null as varchar), 0 from codes
    union all
    select chain.kommune, f.new_code, f.new_name, chain.depth + 1
    from chain
    inner join changes as f on f.old_code = chain.current_code
    where chain.depth < 50
),

by_changes as (
    select
        chain.kommune,
        min(chain.current_code) as kommune_harmonised,
        any_value(chain.current_name) as kommune_name,
        count(distinct chain.current_code) > 1 as is_split,
    from chain
    anti join changes as f on f.old_code = chain.current_code
    group by chain.kommune
)

select
    b.kommune,
    case
        when p.vintage >= 2024 and l.kommune is not null then l.code_2024
        when b.is_split then null
        else b.kommune_harmonised
    end as kommune_harmonised,
    case
        when p.vintage >= 2024 and l.kommune is not null then l.name_2024
        else coalesce(b.kommune_name, n.kommune_name)
    end as kommune_name,
    case
        when p.vintage >= 2024 and l.kommune is not null then l.code_2024 is null
        else b.is_split
    end as is_split,
from by_changes as b
cross join params as p
left join listed as l on l.kommune = b.kommune
left join listed as n on n.kommune = b.kommune_harmonised
