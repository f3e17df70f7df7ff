-- One row per person and year alive in the year: days at risk in the (harmonised)
-- municipality (integers, so sums are exact and do not depend on the order DuckDB adds them in).
select
    p.person_id,
    p.year,
    p.kommune,
    p.birth_year,
    p.sex,
    least(coalesce(p.death_date + 1, make_date(p.year + 1, 1, 1)), make_date(p.year + 1, 1, 1))
    - make_date(p.year, 1, 1) as days_at_risk,
    make_date(p.year + 1, 1, 1) - make_date(p.year, 1, 1) as days_in_year,
    p._source,
    p._source_file,
    p._source_row,
from staging.stg_registry__persons as p
where p.death_date is null or p.death_date >= make_date(p.year, 1, 1)
