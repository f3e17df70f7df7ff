-- Days at risk per person, year and (harmonised) municipality (integers, so sums are exact and
-- do not depend on the order DuckDB adds them in), and the matching person-years.
select
    p.person_id,
    p.year,
    p.kommune,
    p.birth_year,
    p.sex,
    least(coalesce(p.death_date + 1, make_date(p.year + 1, 1, 1)), make_date(p.year + 1, 1, 1))
    - make_date(p.year, 1, 1) as days_at_risk,
    make_date(p.year + 1, 1, 1) - make_date(p.year, 1, 1) as days_in_year,
from staging.stg_registry__persons as p
where p.death_date is null or p.death_date >= make_date(p.year, 1, 1)
