-- Interview themes: share of interviews touching each theme, by municipality.
select theme, "group" as kommune, n as interviews, round(estimate, 3) as share
from metrics.interview_themes
where dimension = 'kommune' and code = '(hele temaet)'
order by theme, kommune;
