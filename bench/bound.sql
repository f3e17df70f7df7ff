-- The bound: one hand-written DuckDB query computing the registry panel (municipality × year)
-- straight from the extract files — what a researcher who trusts the files would write, with
-- the two checks that change the figures on clean extracts (fee lines delivered twice are left
-- out, as the contract quarantines them; an episode discharged before admission is left out).
-- Variables (set by bench/run.py): persons, npr, kuhr (paths), codes (the SSB code list),
-- municipalities (the evaluation municipalities), first_year, last_year.
with codes as (
    select
        code,
        case when regexp_matches(code_2024, '^\d{4}$') then code_2024 end as code_2024,
    from read_csv(getvariable('codes'), delim = ';', header = true, all_varchar = true)
),

person_years as (
    select
        coalesce(c.code_2024, p.komnr) as kommune,
        p.aar as year,
        count(*) as persons,
        sum(
            least(coalesce(p.dodsdato + 1, make_date(p.aar + 1, 1, 1)), make_date(p.aar + 1, 1, 1))
            - make_date(p.aar, 1, 1)
        ) as days_at_risk,
    from read_parquet(getvariable('persons')) as p
    left join codes as c on c.code = p.komnr
    where p.dodsdato is null or p.dodsdato >= make_date(p.aar, 1, 1)
    group by all
),

admissions as (
    select coalesce(c.code_2024, e.komnr) as kommune, year(e.inndato) as year, count(*) as n,
    from read_parquet(getvariable('npr')) as e
    left join codes as c on c.code = e.komnr
    where e.omsorgsniva = 1 and e."innmateHast" between 1 and 3 and e.utdato >= e.inndato
    group by all
),

lines as (
    select *, count(*) over (partition by regning_id, takst) as copies,
    from read_csv(
        getvariable('kuhr'), delim = ';', header = true,
        types = {'komnr': 'VARCHAR', 'takst': 'VARCHAR', 'tjenestetype': 'VARCHAR'}
    )
),

claims as (
    select
        any_value(coalesce(c.code_2024, l.komnr)) as kommune,
        year(any_value(l.dato)) as year,
        any_value(l.tjenestetype) as service_type,
    from lines as l
    left join codes as c on c.code = l.komnr
    where l.copies = 1 and lower(l.takst) in (
        '2ad', '2ak', '2ed', '2fk', '074a', '074b', '074d', '615', '2ae', '2aef', '2aek',
        '074ae', '074be', '11ad', '11ak', '1ad', '1ak', '1e', '618', '701a', '1bd', '1bk',
        '1g', '1i', '612a', '612b', '1f', '14', 'l36', 'l36d'
    )
    group by l.regning_id
),

contacts as (
    select
        kommune,
        year,
        count(*) filter (service_type = 'fastlege') as gp_contacts,
        count(*) filter (service_type = 'legevakt') as legevakt_contacts,
    from claims
    group by all
)

select
    p.kommune,
    p.year,
    p.persons,
    p.days_at_risk,
    coalesce(a.n, 0) as emergency_admissions,
    coalesce(k.gp_contacts, 0) as gp_contacts,
    coalesce(k.legevakt_contacts, 0) as legevakt_contacts,
from person_years as p
left join admissions as a using (kommune, year)
left join contacts as k using (kommune, year)
where list_contains(getvariable('municipalities'), p.kommune)
    and p.year between getvariable('first_year') and getvariable('last_year')
order by p.kommune, p.year
