-- Person-years at risk per person, year and (harmonised) municipality: the year's days
-- lived, divided by the year's length.
select
    p.person_id,
    p.year,
    p.kommune,
    p.birth_year,
    p.sex,
    (
        least(coalesce(p.death_date + 1, make_date(p.year + 1, 1, 1)), make_date(p.year + 1, 1, 1))
        - make_date(p.year, 1, 1)
    ) / (make_date(p.year + 1, 1, 1) - make_date(p.year, 1, 1)) as person_years,
from staging.stg_registry__persons as p
where p.death_date is null or p.death_date >= make_date(p.year, 1, 1)
