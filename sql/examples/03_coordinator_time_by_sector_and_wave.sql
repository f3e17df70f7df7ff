-- Coordinator time adequacy ("k_tid"): share answering to a large or very large degree, by sector and wave (don't know left out).
select
    wave,
    sector,
    count(*) filter (where is_valid) as answered,
    round(avg(case when answer >= 4 then 1.0 else 0.0 end) filter (where is_valid), 3) as share_large_degree
from marts.fct_survey_staff_answers
where item = 'k_tid'
group by wave, sector
having count(*) filter (where is_valid) > 0
order by wave, sector;
