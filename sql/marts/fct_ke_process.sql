-- One row per team with its KE process dates, by the municipality and quarter the team
-- started: days from referral to KE decision, from decision to start, and from referral to
-- start (NULL where a date is missing or the order is impossible; such rows are flagged by
-- validation and kept), and whether the team started within 30 days of the referral. The
-- units of metrics.ke_process.
select
    kommune,
    strftime(start_date, '%Y') || 'Q' || quarter(start_date) as quarter,
    team_id,
    person_id,
    referral_date,
    decision_date,
    start_date,
    case when decision_date >= referral_date then decision_date - referral_date end
        as days_referral_decision,
    case when start_date >= decision_date then start_date - decision_date end
        as days_decision_start,
    case when start_date >= referral_date then start_date - referral_date end
        as days_referral_start,
    coalesce(decision_date >= referral_date, false) as has_referral_decision,
    coalesce(start_date >= decision_date, false) as has_decision_start,
    coalesce(start_date >= referral_date, false) as has_referral_start,
    coalesce(start_date >= referral_date and start_date - referral_date <= 30, false)
        as is_within_30_days,
    _source,
    _source_file,
    _source_row,
from staging.stg_teams__register
