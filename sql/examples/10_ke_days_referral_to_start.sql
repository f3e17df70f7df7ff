-- Coordinating unit (KE): days from referral to team start per municipality, and the share within 30 days.
select
    kommune,
    count(*) filter (where has_referral_start) as teams,
    median(days_referral_start) as median_days,
    round(avg(case when is_within_30_days then 1.0 else 0.0 end) filter (where has_referral_start), 3) as share_within_30_days
from marts.fct_ke_process
group by kommune
order by kommune;
