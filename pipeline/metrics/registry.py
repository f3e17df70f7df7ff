"""Registry outcomes, pilot vs comparison municipalities: TWFE difference-in-differences on
the municipality-year panel (`marts.fct_registry_municipality_year`)."""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd

from pipeline.metrics.definition import Definition, Part
from pipeline.metrics.tidy import frame, resampling
from pipeline.stats.did import NotIdentified, PreTrend, estimate, event_fit, event_study
from pipeline.stats.did_robust import complete_periods, imputation, synthetic
from pipeline.stats.did_sensitivity import honest

OUTCOMES = {  # outcome (a rate of the panel): its label, its event count and its weight
    # (the denominator: person-years, or the primary stays of the readmission share)
    "emergency_admissions_per_1000": (
        "Akutte innleggelser per 1 000 personår",
        "emergency_admissions",
        "person_years",
    ),
    "gp_contacts_per_person_year": (
        "Fastlegekontakter per personår",
        "gp_contacts",
        "person_years",
    ),
    "legevakt_contacts_per_person_year": (
        "Legevaktkontakter per personår",
        "legevakt_contacts",
        "person_years",
    ),
    "home_care_hours_per_week_per_1000": (
        "Hjemmetjenestetimer per uke per 1 000 innbyggere (KPR)",
        "home_care_hour_days",
        "person_years",
    ),
    "institution_days_per_1000": (
        "Døgn i langtidsopphold per 1 000 personår (KPR)",
        "institution_days",
        "person_years",
    ),
    "readmission_share_67": (
        "Reinnleggelser innen 30 dager, 67 år og eldre (andel av primæropphold)",
        "readmissions_67",
        "primary_stays_67",
    ),
}
PANEL = "marts.fct_registry_municipality_year"
# the inference each estimate is shown with: few treated municipalities (6 of 30, Asker with
# most of the treated weight) make the conventional cluster-robust interval too narrow, so
# the wild cluster bootstrap and randomisation inference stand beside it
INFERENCE = {
    "cluster": "Klyngerobust (CR1), t(G − 1)",
    "wild": "Wild cluster bootstrap (WCR, Webb-vekter)",
    "ri": "Randomiseringsinferens (placebo blant sammenligningskommuner)",
}
# the estimators beside each other: TWFE with every kind of inference above, and the
# imputation estimator (robust to effects that differ by cohort and over time) with its own
ESTIMATORS = {
    "twfe": "TWFE",
    "imputation": "Imputasjon (Borusyak, Jaravel & Spiess)",
    "synthetic": "Syntetisk DiD (Arkhangelsky mfl.)",
    "honest": "HonestDiD-grenser (Rambachan & Roth)",
}
# the estimators beside TWFE, each with its own inference: (estimator, inference) → label;
# the HonestDiD rows are the event study's post-period mean with an interval that allows
# the pilots' drift from before the start to go on (a linear drift; steps no larger than
# the largest before the start)
ROBUST = {
    ("imputation", "bjs"): "Analytisk (BJS teorem 3), klyngerobust, t(G − 1)",
    ("synthetic", "placebo"): "Placebo-varians (uvektet), normalfordelt KI",
    ("honest", "smoothness"): "Glatthet (ΔSD, M = 0): lineær skjevhet i trend videreført",
    ("honest", "relative_magnitude"): "Relativ størrelse (ΔRM, M̄ = 1), grovt intervall",
}
PART = Part(
    "did",
    "hendelser i kommune-året (innleggelser, kontakter; for reinnleggelser: primæropphold "
    "med en akutt innleggelse innen 30 dager)",
    "personår i kommune-året (dager i live og bosatt / dager i året); for reinnleggelser: "
    "primæropphold (67 år og eldre) som endte i året",
    value="value",
)

DEFINITION = Definition(
    table="registry_did",
    title="Registerutfall: piloter mot sammenligningskommuner",
    units="marts.fct_registry_outcome_rows",
    unit="en registerrad (hendelse, person-år eller primæropphold) i en kommune og et år i panelet",
    dims=("outcome", "estimator", "inference"),
    free=("estimator",),  # both estimators rest on the same panel rows
    filters="Pilot- og sammenligningskommuner (konfigurasjonen), årene first_year–last_year "
    "som estimeringen bruker (in_estimation); bosted harmonisert til konfigurert årgang. "
    "Akutte innleggelser: døgnopphold (omsorgsnivå 1) med hastegrad 1–3. Fastlege- og "
    "legevaktkontakter: regninger med minst én kontakttakst, tjenestetype fastlege eller "
    "legevakt. Reinnleggelser (FHI, 67+): døgnopphold som endte i året (det siste i en kjede "
    "av overflyttinger samme dag) med en akutt døgninnleggelse 1–30 dager etter utskrivning; "
    "kommune-år uten primæropphold er utenfor.",
    method="Forskjell-i-forskjeller (TWFE, pyfixest) på kommune-år: raten regresseres på "
    "behandlingsindikatoren med kommune- og årseffekter, vektet med nevneren (personår; "
    "primæropphold for reinnleggelser). Samme estimat "
    "med tre slags inferens (`inference`): klyngerobuste standardfeil (CR1) per kommune med "
    "t(G − 1)-intervall; wild cluster bootstrap med nullhypotesen pålagt (Webb-vekter, p-verdi "
    "og intervall ved testinversjon); randomiseringsinferens der pilotenes behandlingsforløp "
    "gis til like mange sammenligningskommuner (RI-t, p-verdi og intervall β̂ ± q·SE). "
    "Antall trekk og frø: [evaluation] bootstrap_replications og seed. Ved siden av står "
    "imputasjonsestimatoren (Borusyak, Jaravel & Spiess 2024, pakken diff-diff): kommune- og "
    "årseffekter tilpasset bare på ubehandlede kommune-år, effekten er snittet av observert "
    "minus imputert i de behandlede årene, vektet med kommunens gjennomsnittlige nevner; den "
    "tåler at effekten varierer mellom piloter og over tid, men krever en behandling som er "
    "0 eller 1 og varer (år etter at en pilot sluttet er utenfor). Og syntetisk DiD "
    "(Arkhangelsky mfl. 2021, diff-diff): kommune- og årsvekter som får "
    "sammenligningskommunene til å ligne pilotene før start, uvektet med personår, bare på "
    "årene alle kommunene har; placebo-varians. HonestDiD-grensene (Rambachan & Roth 2023, "
    "diff-diff) tar snittet av hendelsesstudiens koeffisienter etter start og gir et intervall "
    "som tåler brudd på parallelle trender: glatthet (ΔSD, M = 0) lar pilotenes lineære "
    "avvik før start fortsette; relativ størrelse (ΔRM, M̄ = 1) tillater steg etter start "
    "like store som det største før start (grovt intervall: identifisert mengde ± kritisk "
    "verdi × SE). Begge trenger minst ett år før referanseåret; ellers står raden uten tall "
    "med begrunnelsen.",
    parts=dict.fromkeys([*INFERENCE, *(i for _e, i in ROBUST)], PART),
    part_by="inference",
    keys=("kommune", "year", "evaluation_group", "is_treated", "value"),
)


EVENT = Definition(
    table="registry_event_study",
    title="Registerutfall: hendelsesstudie",
    units=DEFINITION.units,
    unit=DEFINITION.unit,
    dims=("outcome", "relative_year"),
    free=("relative_year",),  # every coefficient rests on the whole panel
    filters=DEFINITION.filters + " Hendelsestid = året minus pilotens startår (konfigurasjonen); "
    "året før start (−1) er referansen.",
    method="Hendelsesstudie (TWFE, pyfixest): raten på en indikator per hendelsesår for "
    "pilotene, med kommune- og årseffekter, vektet med personår; klyngerobuste standardfeil "
    "(CR1) per kommune, t(G − 1)-intervall. Raden «førperiode (samlet test)» er den samlede "
    "testen av at alle koeffisientene før referansen er 0: `estimate` = Wald/q, p-verdien ved "
    "randomiseringsinferens (pilotenes forløp gitt til sammenligningskommuner); CR1-testen "
    "F(q, G − 1) står i `p_cr1`, men forkaster for ofte med få piloter. Med bare ett år før "
    "start er det ingenting å teste, og raden sier det.",
    parts={"": Part("event", PART.numerator, PART.denominator, value="value")},
    keys=DEFINITION.keys,
)
PRE_TREND = "førperiode (samlet test)"


def _panel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The municipality-years the estimation uses ([evaluation] partial_years, after_exit)."""
    return con.execute(
        "select * from marts.fct_registry_municipality_year where in_estimation "
        "order by kommune, year"
    ).df()  # fixed order: identical fits every run


def _rows(data: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The municipality-years with a denominator for the outcome (a share needs a stay)."""
    return data[data[OUTCOMES[outcome][2]] > 0]


def _design(data: pd.DataFrame, outcome: str) -> dict[str, Any]:
    """What every registry fit reads: the outcome's rows, municipality and year fixed effects,
    weighted by the outcome's denominator."""
    return {
        "frame": _rows(data, outcome),
        "outcome": outcome,
        "unit": "kommune",
        "time": "year",
        "weights": OUTCOMES[outcome][2],
    }


def _after(con: duckdb.DuckDBPyConnection) -> str | None:
    """The after-exit column when the config keeps those years as a term of their own."""
    found = con.execute("select after_exit from meta.cfg_parameters").fetchone()
    return "after_exit" if found and found[0] == "separate" else None


def _fit(
    data: pd.DataFrame,
    outcome: str,
    inference: tuple[str, ...] = ("cluster",),
    seed: int = 0,
    reps: int = 2000,
    after: str | None = None,
) -> dict[tuple[str, str], dict[str, Any]]:
    """One outcome's estimate with the kinds of inference asked for (one fit), by
    (inference, term): the treatment, and the after-exit term when there is one."""
    table = estimate(
        **_design(data, outcome),
        treated="is_treated",
        inference=inference,
        after=after,
        seed=seed,
        replications=reps,
        bootstrap_weights="webb",
    )
    return {
        (str(r["inference"]), str(r["term"])): {str(k): v for k, v in r.items()}
        for r in table.to_dict("records")
    }


def _events(
    data: pd.DataFrame, outcome: str, seed: int, reps: int, after: str | None
) -> tuple[pd.DataFrame, PreTrend]:
    return event_study(
        **_design(data, outcome),
        relative="relative_year",
        after=after,
        seed=seed,
        replications=reps,
    )


def _robust(
    data: pd.DataFrame,
    outcome: str,
    estimator: tuple[str, str],
    after: str | None,
    seed: int,
    reps: int,
) -> dict[str, Any]:
    """An estimate beside TWFE for one outcome, or a row without numbers that says why the
    design is outside what it covers (e.g. partly treated years under partial_years =
    exposure, no year before the reference for the HonestDiD bounds). For imputation and
    synthetic DiD the years after a pilot ended are left out: neither treated nor
    untreated; the HonestDiD bounds rest on the event study, which has its own term."""
    design = _design(data, outcome)
    if after and estimator[0] != "honest":
        design["frame"] = design["frame"][design["frame"][after] == 0]
    if estimator[0] == "synthetic":
        used = design["frame"]
        design["frame"] = used[used["year"].isin(complete_periods(used, "kommune", "year"))]
    events = {"events": round(float(design["frame"][OUTCOMES[outcome][1]].sum()))}
    try:
        if estimator[0] == "imputation":
            table = imputation(**design, treated="is_treated")
        elif estimator[0] == "honest":
            fitted = event_fit(**design, relative="relative_year", after=after)
            table = honest(fitted, restriction=estimator[1])
        else:  # synthetic DiD has no observation weights
            design.pop("weights")
            table = synthetic(**design, treated="is_treated", seed=seed, replications=reps)
        return {str(k): v for k, v in table.iloc[0].items()} | events
    except NotIdentified as why:
        rows = len(design["frame"])
        clusters = int(design["frame"]["kommune"].nunique())
        nothing = dict.fromkeys(("estimate", "std_error", "ci_low", "ci_high", "p_value"), None)
        return (
            nothing
            | events
            | {"n_obs": rows, "n_clusters": clusters, "method": f"not estimated: {why}"}
        )


def panel_estimate(
    con: duckdb.DuckDBPyConnection,
    outcome: str,
    traced: pd.DataFrame,
    relative_year: str | None = None,
    estimator: str = "twfe",
    inference: str = "cluster",
) -> tuple[float, pd.DataFrame]:
    """The DiD estimate of `estimator` with `inference` (or, given `relative_year`, the
    event-study coefficient or the pre-trend statistic) after checking that `traced` (events
    and person-years per kommune and year, summed from the traced source rows) is the panel
    the estimate was fitted on."""
    data = _panel(con)
    _label, count, weight = OUTCOMES[outcome]
    both = _rows(data, outcome).merge(traced, on=["kommune", "year"], how="outer", indicator=True)
    agree = (
        (both["_merge"] == "both")
        & np.isclose(both[count], both["events"].fillna(0), rtol=1e-12, atol=0)
        & np.isclose(both[weight], both["denominator"], rtol=1e-12, atol=0)
    )
    if not agree.all():
        raise RuntimeError(
            f"The traced rows do not add up to {PANEL} for {outcome}: "
            f"{int((~agree).sum())} municipality-year(s) differ"
        )
    panel = both.assign(events=both[count], denominator=both[weight])
    if (estimator, inference) in ROBUST:
        replications, seed = resampling(con)
        pair = (estimator, inference)
        value = _robust(data, outcome, pair, _after(con), seed, replications)["estimate"]
        return (float("nan") if value is None else float(value)), panel
    if relative_year is None:
        return float(
            _fit(data, outcome, after=_after(con))[("cluster", "is_treated")]["estimate"]
        ), panel
    replications, seed = resampling(con)
    table, pre = _events(data, outcome, seed, replications, _after(con))
    if relative_year == PRE_TREND:
        return pre.statistic, panel
    row = table[table["relative"] == int(relative_year)]
    return float(row["estimate"].iloc[0]), panel


def registry_did(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per outcome: the TWFE DiD estimate with CR1, wild-bootstrap and randomisation
    inference (the after-exit term beside it when the config keeps those years), and the
    imputation estimate beside it."""
    data = _panel(con)
    replications, seed = resampling(con)
    after = _after(con)
    treated = int(data.loc[data["is_treated"] > 0, "kommune"].nunique())  # of the panel
    rows = []
    for outcome, (label, count, _weight) in OUTCOMES.items():
        # what the estimate rests on (events; KPR: hour-days or days): thin data shows here
        events = round(float(_rows(data, outcome)[count].sum()))
        fitted = _fit(data, outcome, tuple(INFERENCE), seed, replications, after)
        shared = {"outcome": outcome, "label": label, "n_treated_clusters": treated}
        for inference, inference_label in INFERENCE.items():
            res = fitted[(inference, "is_treated")]
            exit_term = fitted.get((inference, "after_exit"))
            rows.append(
                shared
                | _row(res, "twfe", inference, inference_label, events)
                | {
                    f"after_exit_{k}": (exit_term[k] if exit_term is not None else None)
                    for k in ("estimate", "ci_low", "ci_high", "p_value")
                }
            )
        for pair, inference_label in ROBUST.items():
            robust = _robust(data, outcome, pair, after, seed, replications)
            rows.append(shared | _row(robust, *pair, inference_label, robust["events"]))
    columns = ["outcome", "estimator", "inference", "label", "estimator_label"]
    columns += ["inference_label", "n_clusters", "n_treated_clusters", "events", "se", "p_value"]
    extra = ["after_exit_estimate", "after_exit_ci_low", "after_exit_ci_high", "after_exit_p_value"]
    out = frame(rows, [*columns, *extra])
    return out.astype(dict.fromkeys(["se", "p_value", *extra], "float64"))


def _row(
    res: dict[str, Any], estimator: str, inference: str, inference_label: str, events: int
) -> dict[str, Any]:
    """One estimate as a row of metrics.registry_did."""
    return {
        "estimator": estimator,
        "estimator_label": ESTIMATORS[estimator],
        "inference": inference,
        "inference_label": inference_label,
        "n_clusters": int(res["n_clusters"]),
        "events": events,
        "se": res["std_error"],
        "p_value": res["p_value"],
        "n": int(res["n_obs"]),
        "estimate": res["estimate"],
        "ci_low": res["ci_low"],
        "ci_high": res["ci_high"],
        "method": res["method"],
    }


def registry_event_study(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Event-time coefficients per outcome, and the joint pre-trend test as a row of its own."""
    data = _panel(con)
    replications, seed = resampling(con)
    after = _after(con)
    rows = []
    for outcome, (label, _count, _weight) in OUTCOMES.items():
        table, pre = _events(data, outcome, seed, replications, after)
        for r in table.to_dict("records"):
            rows.append(
                {
                    "outcome": outcome,
                    "relative_year": str(r["relative"]),
                    "label": label,
                    "se": r["std_error"],
                    "p_value": r["p_value"],
                    "statistic": None,
                    "df": None,
                    "p_cr1": None,
                    "n": int(r["n_obs"]),
                    "estimate": r["estimate"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "method": r["method"],
                }
            )
        rows.append(
            {
                "outcome": outcome,
                "relative_year": PRE_TREND,
                "label": label,
                "se": None,
                "p_value": pre.p_value,
                "statistic": pre.statistic,
                "df": pre.df1,
                "p_cr1": pre.p_cr1,
                "n": len(data),
                "estimate": pre.statistic,
                "ci_low": None,
                "ci_high": None,
                "method": pre.note,
            }
        )
    extra = ["se", "p_value", "statistic", "df", "p_cr1"]
    out = frame(rows, ["outcome", "relative_year", "label", *extra])
    return out.astype(dict.fromkeys(extra, "float64"))
