"""The whole pipeline on the built-in sample: metrics recover the generator's planted truth.

Tolerances are stated per check: sampling-based estimates must lie within 3 standard errors
of the planted value (SE read off the reported 95 % CI); counts built to match the published
table must match exactly. Nothing is compared with numbers copied from an earlier run.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipeline import stages
from pipeline.checksum import table_checksums
from pipeline.errors import UserError
from pipeline.settings import load_settings
from tests.conftest import Run, make_project

pytestmark = pytest.mark.integration


def within_3se(row: pd.Series, truth: float) -> bool:
    se = (row["ci_high"] - row["ci_low"]) / (2 * 1.96)
    return bool(abs(row["estimate"] - truth) <= 3 * se)


def within_family(rows: pd.DataFrame, truths: list[float], alpha: float = 0.01) -> list[bool]:
    """Each estimate within z·SE of its planted value, z set so that all of them together
    stray with probability alpha (Bonferroni): 16 codes checked at 3 SE each would fail
    about 4 % of honest samples."""
    from scipy.stats import norm

    z = float(norm.ppf(1 - alpha / (2 * len(rows))))
    se = (rows["ci_high"] - rows["ci_low"]) / (2 * 1.96)
    return list((rows["estimate"] - truths).abs() <= z * se)


def metric(run: Run, name: str) -> pd.DataFrame:
    with run.connect() as con:
        return con.execute(f"select * from metrics.{name}").df()


def test_every_metric_table_has_the_tidy_shape(pipeline_run: Run) -> None:
    with pipeline_run.connect() as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'metrics'"
            ).fetchall()
        ]
        for name in (
            "anchoring_by_role",
            "coordinator_adequacy",
            "team_counts",
            "psfs_change",
            "user_benefit",
            "registry_did",
            "interview_themes",
        ):
            assert name in tables
            cols = con.execute(f"select * from metrics.{name} limit 0").df().columns
            assert {"n", "estimate", "ci_low", "ci_high", "method"} <= set(cols)
            assert con.execute(f"select count(*) from metrics.{name}").fetchone()[0] > 0


def test_reconciliation_is_exact_for_every_source(pipeline_run: Run) -> None:
    with pipeline_run.connect() as con:
        rec = con.execute("select * from meta.reconciliation").df()
        assert set(rec.source) == set(pipeline_run.settings.sources)
        assert rec.balanced.all()
        assert (rec.rows_read == rec.rows_accepted + rec.rows_quarantined).all()
        planted = pipeline_run.truth["planted_defects"]
        for source, rows in pipeline_run.truth["registries"]["rows"].items():
            added = sum(planted.get(source, {}).values())
            if source == "kuhr_claims":
                added -= 3  # a duplicated line and its original are both held back
            assert rec.loc[rec.source == source, "rows_read"].sum() == rows + added


def test_exactly_the_planted_defects_are_held_back(pipeline_run: Run) -> None:
    """The sample carries known defects; those rows, and no others, fail their rules."""
    with pipeline_run.connect() as con:
        found = con.execute(
            "select source, rule, count(*) from meta.validation_failures group by all"
        ).fetchall()
        quarantined = dict(
            con.execute(
                "select source, sum(rows_quarantined) from meta.reconciliation group by 1"
            ).fetchall()
        )
    planted = pipeline_run.truth["planted_defects"]
    assert {(s, r): n for s, r, n in found} == {
        (s, r): n for s, rules in planted.items() for r, n in rules.items()
    }
    for source in pipeline_run.settings.sources:
        assert quarantined[source] == sum(planted.get(source, {}).values())


def test_senja_active_teams_match_the_published_table(pipeline_run: Run) -> None:
    teams = metric(pipeline_run, "team_counts")
    senja = teams[teams.kommune == "5530"]
    for date, bands in pipeline_run.truth["team_register"]["senja_active_by_age_band"].items():
        got = senja[senja.snapshot_date.astype(str) == date].set_index("age_band")["n"]
        assert got.to_dict() == bands


def _one(m: pd.DataFrame, **dims: object) -> pd.Series:
    """The one row of a metric table with these dimension values."""
    rows = m
    for k, v in dims.items():
        rows = rows[rows[k].astype(str) == str(v)]
    assert len(rows) == 1, dims
    return rows.iloc[0]


def test_staff_shares_recover_planted_values_in_their_waves(pipeline_run: Run) -> None:
    truth = pipeline_run.truth["survey_staff"]
    m = metric(pipeline_run, "anchoring_by_role")
    nei = {"indicator": "involvert", "answer": "Nei", "dimension": "rolle"}
    for wave, p in truth["leaders_not_involved_by_wave"].items():
        assert within_3se(_one(m, **nei, group="Leder", wave=wave), p), wave
    for role, p in truth["not_involved_by_role"].items():
        if role != "Leder":
            assert within_3se(_one(m, **nei, group=role, wave=2023), p), role
    c = metric(pipeline_run, "coordinator_adequacy")
    high = {"dimension": "alle", "answer": "I stor eller svært stor grad"}
    for item, p in truth["coordinator_sufficient"].items():  # the published 2023 figures
        assert within_3se(_one(c, **high, indicator=item, wave=2023), p), item
    for wave, p in truth["coordinator_time_by_wave"].items():
        assert within_3se(_one(c, **high, indicator="k_tid", wave=wave), p), wave


def test_the_planted_rise_in_coordinators_time_is_found(pipeline_run: Run) -> None:
    truth = pipeline_run.truth["survey_staff"]["coordinator_time_by_wave"]
    c = metric(pipeline_run, "coordinator_adequacy")
    change = _one(c, indicator="k_tid", dimension="alle", answer="I stor eller svært stor grad",
                  wave="Endring 2019–2023")  # fmt: skip
    planted = truth["2023"] - truth["2019"]
    assert change["ci_low"] <= planted <= change["ci_high"]
    assert change["ci_low"] > 0 and change["p_holm"] < 0.05  # a rise, not noise
    high = {"indicator": "k_tid", "dimension": "alle", "answer": "I stor eller svært stor grad"}
    first, last = _one(c, **high, wave=2019), _one(c, **high, wave=2023)
    assert change["estimate"] == pytest.approx(last.estimate - first.estimate)


def test_vet_ikke_and_unanswered_never_leave_a_denominator(pipeline_run: Run) -> None:
    """Those asked = valid answers + «Vet ikke» + unanswered, in every wave and group."""
    with pipeline_run.connect() as con:
        broken = con.execute("""
            with r as (
                select wave, indicator, dimension, "group",
                    max(n) filter (base = 'gyldige svar') as valid,
                    max(n) filter (base = 'besvart') as answered,
                    max(round(estimate * n)) filter (answer = 'Vet ikke') as dont_know,
                    max(round(estimate * n)) filter (answer = 'Ubesvart') as unanswered,
                    max(n) filter (base = 'alle spurte') as asked,
                from metrics.anchoring_by_role where wave not like 'Endring%' group by all
            )
            select * from r
            where valid + dont_know <> answered or answered + unanswered <> asked
        """).fetchall()
        asked = con.execute("""
            select count(*) from marts.fct_survey_staff_answers
            where item = 'involvert' and wave = 2023
        """).fetchone()
        alle = con.execute("""
            select n from metrics.anchoring_by_role where indicator = 'involvert'
            and wave = '2023' and dimension = 'alle' and answer = 'Ubesvart'
        """).fetchone()
    assert broken == []
    assert asked == alle  # every respondent of the wave is in the «alle spurte» denominator


def test_leader_items_use_their_wave_and_published_denominators(pipeline_run: Run) -> None:
    truth = pipeline_run.truth["survey_staff"]
    m = metric(pipeline_run, "leader_measures")
    assert set(m.wave) == {"2023"}  # asked in 2023 only: no other wave, no change row
    small = _one(m, indicator="l_aktive_grep", dimension="alle",
                 answer="I liten eller svært liten grad")  # fmt: skip
    assert within_3se(small, truth["leader_measures_small_2023"])
    new_groups = _one(m, indicator="endret_nye_grupper", dimension="alle", answer="Ja")
    method = _one(m, indicator="endret_arbeidsmaate", dimension="alle", answer="Ja")
    assert new_groups["n"] == truth["n_new_groups_2023"]
    assert method["n"] == truth["n_method_changed_2023"]
    assert within_3se(new_groups, truth["new_groups_yes"])
    assert within_3se(method, truth["method_changed_yes"])
    r = metric(pipeline_run, "leader_recruitment")
    five = r[(r.dimension == "alle") & (r.wave == "2023") & (r.answer_order <= 5)]
    assert len(five) == 5 and five.estimate.sum() == pytest.approx(1.0)


def test_role_differences_in_involvement_are_significant(pipeline_run: Run) -> None:
    """Planted: 2 % to 55 % not involved by role; every wave's test finds it after Holm."""
    t = metric(pipeline_run, "survey_tests")
    inv = t[(t.indicator == "involvert") & (t.dimension == "rolle")]
    assert set(inv.wave) == {"2019", "2021", "2023"}
    assert (inv.p_holm < 0.01).all() and (inv.ci_low > 0).all()
    assert t.p_value.notna().all() and (t.p_holm >= t.p_value).all()
    across = t[t.wave == "Alle"]
    assert set(across.dimension) == {"alle"} and len(across) > 0


def test_user_benefit_recovers_planted_difference(pipeline_run: Run) -> None:
    truth = pipeline_run.truth["survey_users"]
    m = metric(pipeline_run, "user_benefit")
    u = m[(m.indicator == "utbytte") & (m.wave == "Alle")].set_index("group")
    assert within_3se(u.loc["Forskjell Ja − Nei"], truth["high_benefit_difference_ja_minus_nei"])
    for group, p in truth["high_benefit_by_coordination"].items():
        assert within_3se(u.loc[group], p)
    alle = m[(m.group == "Alle") & (m.wave == "Alle")].set_index("indicator")
    assert within_3se(alle.loc["for_lite_informasjon"], truth["share_too_little_information"])
    dont_know = m[(m.group == "Alle") & (m.indicator == "vet_ikke_om_koordinering")]
    for year, p in truth["share_dont_know_by_year"].items():  # 27 % in 2023 (seed)
        assert within_3se(dont_know.set_index("wave").loc[year], p), year


def test_psfs_mean_change_recovers_planted_change(pipeline_run: Run) -> None:
    m = metric(pipeline_run, "psfs_change")
    everyone = m[(m.kommune == "Alle") & (m.age_band == "Alle") & (m.period == "Alle")]
    planted = pipeline_run.truth["psfs"]["mean_change_first_to_last"]
    for indicator in ("gjennomsnittlig_endring", "gjennomsnittlig_endring_bootstrap"):
        overall = everyone[everyone.indicator == indicator].iloc[0]
        assert within_3se(overall, planted)
        assert overall["p_value"] < 1e-6  # a planted change of 2 is far from none
    assert set(m.indicator) >= {"andel_aktiviteter_bedring_minst_3", "andel_mid_stor"}


def test_registry_did_recovers_planted_effect_and_null_placebo(pipeline_run: Run) -> None:
    every = metric(pipeline_run, "registry_did")
    m = every[every.estimator == "twfe"].set_index(["outcome", "inference"])
    truth = pipeline_run.truth["registries"]["emergency_admissions_did_per_1000"]
    adm = m.loc["emergency_admissions_per_1000"]
    assert set(adm.index) == {"cluster", "wild", "ri"}
    assert adm["estimate"].nunique() == 1  # one estimate, three kinds of inference
    with pipeline_run.connect() as con:
        used = con.execute(
            "select count(*) filter (in_estimation), count(*) "
            "from marts.fct_registry_municipality_year"
        ).fetchone()
    # the pilots' partial first year (2018) and Asker's and Steinkjer's year after exit (2022)
    # leave the estimation by default ([evaluation] partial_years, after_exit = "drop")
    assert used == (180 - 6 - 2, 180)
    for inference, r in adm.iterrows():
        assert r["ci_low"] <= truth <= r["ci_high"], (inference, r["ci_low"], r["ci_high"], truth)
        assert r["n_treated_clusters"] == 6 and r["n_clusters"] == 30 and r["n"] == used[0]
        assert np.isnan(r["after_exit_estimate"])  # years after exit dropped: no such term
    # the few-cluster methods are more cautious than CR1 on this design
    assert adm.loc["wild", "p_value"] > adm.loc["cluster", "p_value"]
    assert adm.loc["ri", "p_value"] > adm.loc["cluster", "p_value"]
    gp = m.loc["gp_contacts_per_person_year"]  # nothing planted on GP contacts
    assert (gp["ci_low"] <= 0).all() and (gp["ci_high"] >= 0).all()
    # the imputation estimator beside TWFE, one row per outcome: every pilot started the
    # same day, so it lands near TWFE (its weights: each municipality's mean person-years)
    robust = every[every.estimator == "imputation"].set_index("outcome")
    assert set(robust.index) == set(every.outcome) and (robust.inference == "bjs").all()
    r = robust.loc["emergency_admissions_per_1000"]
    assert r["ci_low"] <= truth <= r["ci_high"] and r["n"] == used[0]
    assert abs(r["estimate"] - adm["estimate"].iloc[0]) < 1.0
    assert "Borusyak" in r["method"] and "mean person_years" in r["method"]
    # synthetic DiD on the years every municipality has (2018 is partial for the pilots,
    # 2022 after Asker's and Steinkjer's exit): unweighted, so wider
    synthetic = every[every.estimator == "synthetic"].set_index("outcome")
    assert set(synthetic.index) == set(every.outcome) and (synthetic.inference == "placebo").all()
    s = synthetic.loc["emergency_admissions_per_1000"]
    assert s["ci_low"] <= truth <= s["ci_high"] and s["n"] == 30 * 4 and s["n_clusters"] == 30
    assert "(2017, 2019, 2020, 2021)" in s["method"]
    with pipeline_run.connect() as con:  # its «Grunnlag»: the events of the years it used
        used_events = con.execute(
            "select sum(emergency_admissions) from marts.fct_registry_municipality_year "
            "where in_estimation and year in (2017, 2019, 2020, 2021)"
        ).fetchone()
    assert s["events"] == used_events[0] < robust.loc["emergency_admissions_per_1000", "events"]
    # the HonestDiD bounds extrapolate from event times before the reference (2017, the
    # year before start): the registry has none, so the rows stand without numbers and say why
    honest = every[every.estimator == "honest"]
    assert set(honest.inference) == {"smoothness", "relative_magnitude"}
    assert len(honest) == 2 * every.outcome.nunique()
    assert honest.estimate.isna().all() and honest.ci_low.isna().all()
    assert honest.method.str.startswith("not estimated: no event time before the reference").all()


def test_registry_panel_carries_the_planted_municipality_year_shocks(pipeline_run: Run) -> None:
    """The sample's municipalities do not move in parallel: each municipality-year has a
    shock of its own (truth.json), and the panel's rates move one for one with it."""
    import statsmodels.formula.api as smf

    truth = pipeline_run.truth["registries"]
    shocks = truth["municipality_year_shocks_per_1000"]
    assert truth["pilot_differential_trend_per_1000_per_year"] == 0.0
    with pipeline_run.connect() as con:
        panel = con.execute(
            "select kommune, year, emergency_admissions_per_1000 as rate, person_years, "
            "is_treated from marts.fct_registry_municipality_year where in_estimation"
        ).df()
    assert set(panel["kommune"]) == set(shocks) and len(shocks) == 30
    pairs = zip(panel["kommune"], panel["year"], strict=True)
    panel["shock"] = [shocks[k][str(y)] for k, y in pairs]
    fit = smf.wls(
        "rate ~ C(kommune) + C(year) + is_treated + shock", panel, weights=panel["person_years"]
    ).fit()
    slope, se = float(fit.params["shock"]), float(fit.bse["shock"])
    assert abs(slope - 1) < 3 * se and se < 0.4, (slope, se)


def test_registry_event_study_by_pilot_start_says_what_it_cannot_test(pipeline_run: Run) -> None:
    m = metric(pipeline_run, "registry_event_study")
    adm = m[m.outcome == "emergency_admissions_per_1000"].set_index("relative_year")
    # 2017 is the year before every pilot's start (the reference); 2018, partly run, left out
    assert list(adm.index) == ["-1", "1", "2", "3", "4", "førperiode (samlet test)"]
    assert adm.loc["-1", "estimate"] == 0.0
    truth = pipeline_run.truth["registries"]["emergency_admissions_did_per_1000"]
    years = adm.loc[["1", "2", "3", "4"]]
    assert ((years.ci_low <= truth) & (truth <= years.ci_high)).all()
    pre = adm.loc["førperiode (samlet test)"]
    assert pre["df"] == 0 and np.isnan(pre["p_value"]) and "not testable" in pre["method"]


def test_interviews_recover_prevalence_and_agreement(pipeline_run: Run) -> None:
    truth = pipeline_run.truth["interviews"]
    themes = metric(pipeline_run, "interview_themes")
    overall = themes[themes.dimension == "alle"]
    codes = overall[overall.code != "(hele temaet)"]
    assert len(codes) == len(truth["theme_share_expected"])
    planted = [truth["theme_share_expected"][f"{r.theme}\\{r.code}"] for r in codes.itertuples()]
    found = within_family(codes, planted)
    assert all(found), codes.assign(planted=planted)[[not f for f in found]]
    for r in codes.itertuples():
        # every interview in the list counts (uncoded ones too); ledergrep: leaders only
        leaders = r.theme == "Ledergrep"
        assert r.n == (truth["n_leader_interviews"] if leaders else truth["n_interviews"])
    # each breakdown shares out the same interviews
    for dimension in ("rolle", "kommune"):
        part = themes[(themes.dimension == dimension) & (themes.code == "(hele temaet)")]
        assert (part.groupby("theme").n.sum() == overall.groupby("theme").n.max()).all()
    leader_groups = themes[(themes.theme == "Ledergrep") & (themes.dimension == "rolle")]
    assert set(leader_groups.group) == {"Leder"}

    agree = metric(pipeline_run, "interview_agreement").set_index(["statistic", "code"])
    kappa = agree.loc[("Cohens kappa", "(alle koder samlet)")]
    alpha = agree.loc[("Krippendorffs alfa", "(alle koder samlet)")]
    assert within_3se(kappa, truth["pooled_kappa"])
    assert within_3se(alpha, truth["pooled_alpha"])
    # the pooled figures rest on many codes per interview: their CIs resample interviews
    assert "bootstrap over" in kappa["method"] and "bootstrap over" in alpha["method"]
    assert kappa["ci_low"] < kappa["estimate"] < kappa["ci_high"]


def test_municipality_codes_are_harmonised_to_the_vintage(pipeline_run: Run) -> None:
    with pipeline_run.connect() as con:
        delivered = (
            con.execute("select distinct kommune_as_delivered from staging.stg_registry__persons")
            .df()
            .iloc[:, 0]
        )
        harmonised = set(
            con.execute("select distinct kommune from staging.stg_registry__persons")
            .df()
            .iloc[:, 0]
        )
    assert {"1931", "5421", "0220"} <= set(delivered)  # old vintages are in the extract
    assert "1931" not in harmonised and "5421" not in harmonised
    assert {"5530", "3203", "5006", "4602"} <= harmonised


def test_run_is_fast_enough_and_reports_exist(pipeline_run: Run) -> None:
    assert sum(pipeline_run.seconds.values()) < 60
    for name in ("evaluation.html", "index.html"):
        text = (pipeline_run.settings.reports_dir / name).read_text(encoding="utf-8")
        assert "Proveniens" in text and "sha256" in text
        assert "cdn." not in text.split("<script>")[0]
    # Norwegian letters written by every writer on the way come out intact in the report:
    # the config (pilot «Bø»), the Excel sample (survey answers «I svært stor grad»), SPSS labels
    evaluation = (pipeline_run.settings.reports_dir / "evaluation.html").read_text("utf-8")
    assert "Bø" in evaluation and "svært" in evaluation and "Ã" not in evaluation


def _run_line_removed(path: Path) -> bytes:
    """A report's bytes without its one run line (run id, time, durations)."""
    return b"".join(
        line for line in path.read_bytes().splitlines(keepends=True) if b'id="run"' not in line
    )


def test_same_inputs_give_identical_tables_files_and_reports(
    pipeline_run: Run, tmp_path: Path
) -> None:
    settings = load_settings(make_project(tmp_path / "again"))
    stages.evaluate(settings, lambda _m: None)
    with (
        pipeline_run.connect() as first,
        duckdb.connect(str(settings.warehouse), read_only=True) as second,
    ):
        sums = table_checksums(first), table_checksums(second)
        files = [
            con.execute(
                "select source, file, sha256 from meta.ingest_files order by all"
            ).fetchall()
            for con in (first, second)
        ]
    assert sums[0].keys() == sums[1].keys() and len(sums[0]) > 50
    differ = [t for t in sums[0] if sums[0][t] != sums[1][t]]
    assert differ == ["meta.run"]  # its run id and times; every other table is the same
    assert files[0] == files[1]  # the regenerated sample files are byte-identical (.xlsx, .sav)
    for name in ("index.html", "evaluation.html", "data_quality.html"):
        a = pipeline_run.settings.reports_dir / name
        b = settings.reports_dir / name
        assert a.read_bytes() != b.read_bytes()  # the run line differs ...
        assert _run_line_removed(a) == _run_line_removed(b), name  # ... and nothing else


def test_failed_run_leaves_the_live_warehouse_untouched(pipeline_run: Run, tmp_path: Path) -> None:
    project = tmp_path / "crash"
    config = make_project(project)
    shutil.copytree(pipeline_run.settings.sample.dir, project / "data" / "sample")
    settings = load_settings(config)
    stages.run_stage(settings, "ingest", lambda _m: None)
    before = hashlib.sha256(settings.warehouse.read_bytes()).hexdigest()
    live = settings.warehouse.resolve()
    (project / "data" / "sample" / "psfs_forms.csv").unlink()
    with pytest.raises(UserError, match="No input file") as info:
        stages.run_stage(settings, "ingest", lambda _m: None)
    assert "Nothing was replaced" in " ".join(info.value.__notes__)
    assert settings.warehouse.resolve() == live
    assert hashlib.sha256(settings.warehouse.read_bytes()).hexdigest() == before
    assert not list((settings.warehouse.parent / "runs").glob("*.building"))


def test_user_benefit_adjusted_recovers_the_planted_effect(pipeline_run: Run) -> None:
    """Relatives more often have coordination and report less benefit (planted): the
    unadjusted difference lands near the diluted marginal difference, the adjusted one near
    the planted conditional effect, and the two planted values are apart."""
    from pipeline.metrics.survey_users import LOGISTIC, ORDINAL

    truth = pipeline_run.truth["survey_users"]
    assert (
        truth["adjusted_difference_ja_minus_nei"] - truth["high_benefit_difference_ja_minus_nei"]
        > 0.05
    )
    m = metric(pipeline_run, "user_benefit_adjusted")
    assert set(m.wave) == {"Alle"} and m.estimate.notna().all()
    rows = m.set_index(["indicator", "model"])
    logistic = rows.loc[("utbytte", LOGISTIC)]
    assert within_3se(logistic, truth["adjusted_difference_ja_minus_nei"])
    assert "respondent, age_group, kommune, survey_year" in logistic["method"]
    assert logistic["p_value"] < 0.01
    ordinal = rows.loc[("utbytte", ORDINAL)]
    assert ordinal["ci_low"] > 1  # higher answers with coordination


def test_the_run_records_stage_times_and_peak_memory(pipeline_run: Run) -> None:
    with pipeline_run.connect() as con:
        stage_seconds, peak = con.execute(
            "select stage_seconds, peak_rss_mb from meta.run"
        ).fetchall()[0]
    for stage in ("ingest", "validate", "transform", "metrics"):
        assert re.search(rf"\b{stage}: \d+\.\d s", stage_seconds), stage_seconds
    assert 50 < peak < 24 * 1024  # MB: DuckDB and pandas in one process, at most the machine
