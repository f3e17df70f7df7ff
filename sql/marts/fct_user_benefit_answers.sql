-- One row per user-survey respondent and indicator: the units of metrics.user_benefit.
-- Benefit outcomes are split by whether the respondent has OT/coordinator/IP («Ja», «Nei»,
-- «Vet ikke»); the two awareness indicators are over all respondents («Alle»). Unanswered
-- items are kept as rows, outside the denominator. `wave` is the survey year as text (the
-- metric counts each year and all years together). For the adjusted comparison
-- (metrics.user_benefit_adjusted) a benefit answer of a respondent with «Ja» or «Nei» is
-- `is_compared` (`is_compared_high`: and the answer is high), with its covariates:
-- respondent type, age group (missing: «Ikke oppgitt», a category of its own), municipality,
-- survey year; `answer_rank` is the answer's place on the five-point scale (1 = «I svært
-- liten grad»).
with outcomes (indicator, label, item) as (
    values
        ('utbytte', 'Stort/svært stort utbytte av tjenestene', 'utbytte'),
        ('fornoyd_behov', 'Fornøyd med hvordan behovene dekkes (stor/svært stor grad)', 'fornoyd_behov'),
        ('medvirkning', 'Medvirkning i stor/svært stor grad', 'medvirkning')
),

long as (
    from staging.stg_survey__users
    unpivot include nulls (answer for item in (utbytte, fornoyd_behov, medvirkning))
),

benefit as (
    select
        o.indicator,
        o.label,
        l.har_koordinering as "group",
        l.respondent_id,
        cast(l.year as varchar) as wave,
        l.kommune,
        l.answer,
        l.answer is not null as is_denominator,
        coalesce(l.answer in ('I stor grad', 'I svært stor grad'), false) as is_numerator,
        l.answer is not null and l.har_koordinering in ('Ja', 'Nei') as is_compared,
        coalesce(
            l.har_koordinering in ('Ja', 'Nei') and l.answer in ('I stor grad', 'I svært stor grad'),
            false
        ) as is_compared_high,
        l.respondent,
        coalesce(l.age_group, 'Ikke oppgitt') as age_group,
        l.year as survey_year,
        list_position(
            ['I svært liten grad', 'I liten grad', 'I noen grad', 'I stor grad', 'I svært stor grad'],
            l.answer
        ) as answer_rank,
        l._source,
        l._source_file,
        l._source_row,
    from outcomes as o
    inner join long as l on l.item = o.item
    where l.har_koordinering is not null
),

awareness as (
    select
        'vet_ikke_om_koordinering' as indicator,
        'Vet ikke om de har oppfølgingsteam/koordinator/IP' as label,
        'Alle' as "group",
        respondent_id,
        cast(year as varchar) as wave,
        kommune,
        har_koordinering as answer,
        har_koordinering is not null as is_denominator,
        coalesce(har_koordinering = 'Vet ikke', false) as is_numerator,
        false as is_compared,
        false as is_compared_high,
        respondent,
        coalesce(age_group, 'Ikke oppgitt') as age_group,
        year as survey_year,
        cast(null as integer) as answer_rank,
        _source,
        _source_file,
        _source_row,
    from staging.stg_survey__users
    union all
    select
        'for_lite_informasjon',
        'For lite informasjon om tilgjengelige tjenester',
        'Alle',
        respondent_id,
        cast(year as varchar),
        kommune,
        informasjon,
        informasjon is not null,
        coalesce(informasjon = 'For lite', false),
        false,
        false,
        respondent,
        coalesce(age_group, 'Ikke oppgitt'),
        year,
        cast(null as integer),
        _source,
        _source_file,
        _source_row,
    from staging.stg_survey__users
),

-- the design weight when the config weights the user survey ([evaluation.survey_weights]);
-- NULL otherwise: the estimates are then unweighted and say so
weighted as (
    select count(*) > 0 as is_weighted
    from meta.cfg_survey_weights
    where source = 'survey_users'
),

units as (
    select * from benefit
    union all
    select * from awareness
)

select u.*, case when w.is_weighted then s.design_weight end as weight,
from units as u
cross join weighted as w
inner join staging.stg_survey__users as s on s.respondent_id = u.respondent_id
