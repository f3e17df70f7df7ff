-- One row per user-survey respondent and indicator: the units of metrics.user_benefit.
-- Benefit outcomes are split by whether the respondent has OT/coordinator/IP («Ja», «Nei»,
-- «Vet ikke»); the two awareness indicators are over all respondents («Alle»). Unanswered
-- items are kept as rows, outside the denominator. `wave` is the survey year as text (the
-- metric counts each year and all years together).
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
        _source,
        _source_file,
        _source_row,
    from staging.stg_survey__users
)

select * from benefit
union all
select * from awareness
