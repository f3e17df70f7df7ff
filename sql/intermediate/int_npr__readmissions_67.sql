-- One row per primary stay for the 30-day readmission indicator (FHI, age 67+): an inpatient
-- stay (omsorgsnivå 1, døgn, any urgency) of a patient aged 67 or more, with `is_readmitted`
-- when the same person has an acute inpatient admission (innmateHast 1–3) from 8 hours to 30
-- days after its discharge (the earliest such admission is `readmission_episode_id`). NPR gives dates, not times: 8 hours becomes "a later day" (an
-- admission on the discharge day itself is taken for a transfer, not a readmission), so the
-- window is discharge + 1 to discharge + 30 days; and a stay followed by another inpatient
-- admission of the person on its discharge day is a transfer, part of one hospital episode:
-- only the last stay of such a chain is a primary stay. `year` is the discharge year (a stay
-- counts where and when it ended).
with stays as (
    select
        episode_id,
        person_id,
        kommune,
        admission_date,
        discharge_date,
        age,
        urgency,
        _source,
        _source_file,
        _source_row,
    from staging.stg_npr__episodes
    where care_level = 1
),

first_readmission as (  -- the earliest acute admission in each primary stay's window
    select
        p.episode_id,
        arg_min(a.episode_id, (a.admission_date, a.episode_id)) as readmission_episode_id,
    from stays as p
    inner join stays as a
        on a.person_id = p.person_id
        and a.urgency between 1 and 3
        and a.admission_date between p.discharge_date + 1 and p.discharge_date + 30
    where p.age >= 67
    group by p.episode_id
)

select
    p.episode_id,
    p.person_id,
    p.kommune,
    p.discharge_date,
    year(p.discharge_date) as year,
    p.age,
    r.episode_id is not null as is_readmitted,
    r.readmission_episode_id,
    p._source,
    p._source_file,
    p._source_row,
from stays as p
left join first_readmission as r on r.episode_id = p.episode_id
where p.age >= 67
    and not exists (  -- transferred on: the chain's last stay is the primary stay
        from stays as t
        where t.person_id = p.person_id
            and t.episode_id <> p.episode_id
            and t.admission_date = p.discharge_date
    )
