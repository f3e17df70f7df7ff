"""User benefit: high benefit by whether the user has OT/coordinator/IP, and the difference
Ja − Nei; the share who do not know whether they have coordination, and the share who get too
little information. Which answers count is stated in `marts.fct_user_benefit_answers`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb
import pandas as pd

from pipeline.metrics.definition import Definition, Part, unit_counts
from pipeline.metrics.tidy import frame, row, share_of
from pipeline.metrics.weighting import WEIGHTED_METHOD
from pipeline.stats.models import Adjusted, adjusted_difference, ordinal_odds_ratio
from pipeline.stats.proportions import share, share_change

DIFFERENCE = "Forskjell Ja − Nei"

DEFINITION = Definition(
    table="user_benefit",
    title="Brukere og pårørende",
    units="marts.fct_user_benefit_answers",
    unit="en brukers eller pårørendes svar på ett spørsmål",
    dims=("wave", "indicator", "label", "group"),
    filters="Brukerundersøkelsen, hvert år (`wave`) og alle år samlet («Alle»). Utbytte, behov "
    "og medvirkning etter om respondenten har oppfølgingsteam/koordinator/IP (ubesvart holdt "
    "utenfor); «Alle» i `group` = alle respondenter.",
    method="Andel med Wilson-intervall (95 %); forskjellen Ja − Nei med Newcombes hybride "
    "score-intervall (95 %)." + WEIGHTED_METHOD,
    parts={
        "": Part(
            "share",
            "svar «I stor grad» eller «I svært stor grad» (utbytte, behov, medvirkning); «Vet "
            "ikke» (koordinering); «For lite» (informasjon)",
            "besvarte spørsmål",
            weight="weight",
        )
    },
    keys=("respondent_id", "wave", "kommune", "answer"),
    derived={"group": {DIFFERENCE: ("Ja", "Nei")}},
    totals={"wave": "Alle"},
)


def user_benefit(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Wilson shares per indicator and group, and Newcombe's difference Ja − Nei (both
    design-weighted where the units carry weights)."""
    counts = unit_counts(con, DEFINITION)
    rows = []
    for (wave, indicator, label), g in counts.groupby(["wave", "indicator", "label"], sort=False):
        by_group = {r["group"]: share_of(r) for r in g.to_dict("records")}
        dims = {"wave": wave, "indicator": indicator, "label": label}
        for grp, units in by_group.items():
            rows.append(row({**dims, "group": grp}, share(units)))
        if "Ja" in by_group and "Nei" in by_group:
            difference = share_change(by_group["Ja"], by_group["Nei"]).estimate
            rows.append(row({**dims, "group": DIFFERENCE}, difference))
    return frame(rows, list(DEFINITION.dims))


LOGISTIC = "Logistisk: justert forskjell Ja − Nei"
ORDINAL = "Ordinal: justert oddsratio Ja mot Nei"
COVARIATES = ("respondent", "age_group", "kommune", "survey_year")
MODEL_VALUES = "is_numerator,answer_rank,group,respondent,age_group,kommune,survey_year"


def _model_part(estimator: str, numerator: str, numerator_flag: str) -> Part:
    return Part(
        estimator,
        numerator,
        "besvarte spørsmål fra respondenter som svarer «Ja» eller «Nei» på om de har "
        "oppfølgingsteam/koordinator/IP",
        value=MODEL_VALUES,
        numerator_flag=numerator_flag,
        denominator_flag="is_compared",
    )


ADJUSTED = Definition(
    table="user_benefit_adjusted",
    title="Brukere og pårørende: justert sammenligning",
    units="marts.fct_user_benefit_answers",
    unit="en brukers eller pårørendes svar på ett spørsmål",
    dims=("wave", "indicator", "label", "model"),
    part_by="model",
    filters="Utbytte, behov og medvirkning; respondenter med «Ja» eller «Nei» (ikke «Vet ikke»), "
    "alle år samlet («Alle», med år som justeringsvariabel): ett år har for få svar til en "
    "modell med alle justeringsvariablene.",
    method="Justert for respondenttype (bruker/pårørende), aldersgruppe (mangler: egen "
    "kategori), kommune og år. Logistisk regresjon av høy verdi (stor/svært stor "
    "grad): gjennomsnittlig marginal effekt av Ja mot Nei, delta-metodens 95 % KI. Ordinal "
    "(proporsjonal odds) regresjon av hele femdelte skalaen: oddsratio for et høyere svar, "
    "Wald 95 % KI. p-verdien er Wald-testen av Ja mot Nei.",
    parts={
        LOGISTIC: _model_part(
            "adjusted_difference",
            "svar «I stor grad» eller «I svært stor grad»",
            "is_compared_high",
        ),
        ORDINAL: _model_part(
            "ordinal_odds_ratio", "svaret på den femdelte skalaen (alle svarene)", "is_compared"
        ),
    },
    keys=("respondent_id", "wave", "kommune", "answer"),
    totals={"wave": "Alle"},
    # counted per year too (SQL needs the year in some grouping), fitted over all years only
    groupings=(("wave", "indicator", "label"), ("indicator", "label")),
)


def fit_adjusted(estimator: str, units: Mapping[str, Any]) -> Adjusted:
    """The adjusted model of one metric row, from its units' value lists (the metric and
    `ot-eval trace` both call this)."""
    data = pd.DataFrame({c: list(units[c]) for c in MODEL_VALUES.split(",")})
    data = data.assign(
        exposed=(data["group"] == "Ja").astype(int), high=data["is_numerator"].astype(int)
    )
    if estimator == "adjusted_difference":
        return adjusted_difference(data, "high", "exposed", COVARIATES)
    return ordinal_odds_ratio(data, "answer_rank", "exposed", COVARIATES)


def user_benefit_adjusted(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Ja vs Nei adjusted for the covariates, per benefit indicator, over all years."""
    # both models read the same units and value lists: count them once
    counted = [
        {str(k): v for k, v in r.items()}
        for r in unit_counts(con, ADJUSTED, LOGISTIC).to_dict(orient="records")
        if r["n"] > 0 and r["wave"] == "Alle"  # awareness items have no Ja/Nei
    ]
    rows = []
    for model, part in ADJUSTED.parts.items():
        for units in counted:
            fitted = fit_adjusted(part.estimator, units)
            dims = {
                "wave": units["wave"],
                "indicator": units["indicator"],
                "label": units["label"],
                "model": model,
            }
            rows.append({**row(dims, fitted.estimate), "p_value": fitted.p_value})
    return frame(rows, list(ADJUSTED.dims), ["p_value"])
