"""Interview themes: the share of all interviews (those a theme is asked of) where each code
and theme occurs, by informant role and municipality; agreement between coders: Cohen's kappa
per code and over all codes, Krippendorff's alpha over all codes and coders. The pooled
figures rest on many codes per interview, so their CIs resample whole interviews."""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd

from pipeline.metrics.definition import Definition, Part, unit_counts
from pipeline.metrics.tidy import frame, resampling, row, shares
from pipeline.stats.agreement import (
    alpha_nominal,
    cluster_bootstrap,
    cohens_kappa,
    kappa_value,
    reliability_matrix,
)
from pipeline.stats.proportions import Estimate

ALL_CODES = "(alle koder samlet)"
KAPPA = "Cohens kappa"
ALPHA = "Krippendorffs alfa"
LEVEL = 0.95

THEMES = Definition(
    table="interview_themes",
    title="Intervjuer: tema",
    units="marts.fct_interview_theme_units",
    unit="et intervju, for én kode eller ett tema og én inndeling",
    dims=("theme", "code", "dimension", "group"),
    filters="Alle intervjuer i intervjulisten, også de uten koder; et tema som bare spørres "
    "noen informanter om (f.eks. ledergrep: ledere), teller bare deres intervjuer. Kodingen "
    "er intervjuets referansekoder (den høyest rangerte koderen som har kodet det). «(hele "
    "temaet)» = minst én av temaets koder.",
    method="Andel med Wilson-intervall (95 %).",
    parts={
        "": Part(
            "share",
            "intervjuer der koden (temaet) er satt på minst ett segment",
            "alle intervjuer temaet gjelder (med og uten koder)",
        )
    },
    keys=("interview_id", "informant_role", "kommune"),
)

AGREEMENT = Definition(
    table="interview_agreement",
    title="Intervjuer: samsvar mellom kodere",
    units="marts.fct_interview_coder_pairs",
    unit="et intervju begge kodere har kodet, for én kode",
    dims=("statistic", "coders", "code"),
    part_by="statistic",
    filters="Intervjuer kodet av to eller flere kodere. «(alle koder samlet)» = alle kode × "
    "intervju-par; koder der koderne gir samme svar overalt, har ingen kappa.",
    method="Cohens kappa per kode med asymptotisk 95 % KI (Fleiss, Cohen & Everitt 1969). "
    "Samlet kappa og Krippendorffs alfa (nominal, alle kodere) med 95 % persentil-KI fra "
    "bootstrap der hele intervjuer trekkes (kodene i ett intervju er ikke uavhengige).",
    parts={
        KAPPA: Part(
            "kappa",
            "par der kodene er enige (begge satt eller begge ikke satt)",
            "alle kode × intervju-par for kodeparet",
            value="a_coded,b_coded,interview_id",
            numerator_flag="is_agreed",
            denominator_flag=None,
        ),
        ALPHA: Part(
            "alpha",
            "koderes avgjørelser (kode satt eller ikke) per kode × intervju-par",
            "kode × intervju-par i intervjuer kodet av minst to kodere",
            value="interview_id,code_path,coder,is_coded",
            numerator_flag=None,
            denominator_flag=None,
            units="marts.fct_interview_coder_decisions",
            unit="én koders avgjørelse for én kode i ett intervju kodet av minst to kodere",
            keys=("interview_id", "code_path", "coder"),
        ),
    },
    keys=("interview_id", "code_path", "a_coded", "b_coded"),
)


def interview_themes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Share of interviews where each code and theme occurs, overall, by role, by kommune."""
    return shares(con, THEMES)


def _resampled(
    value: float,
    n: int,
    statistic: Any,
    clusters: np.ndarray,
    con: duckdb.DuckDBPyConnection,
    name: str,
) -> Estimate:
    replications, seed = resampling(con)
    low, high, used = cluster_bootstrap(statistic, clusters, replications, seed, LEVEL)
    k = len(np.unique(clusters))
    return Estimate(
        n,
        value,
        low,
        high,
        f"{name}, {LEVEL:.0%} percentile bootstrap over {k} interviews ({used} replications)",
    )


def interview_agreement(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Cohen's kappa per coder pair, over all codes (interview bootstrap) and per code (where
    it is defined); Krippendorff's alpha over all codes and coders (interview bootstrap)."""
    rows = []
    for r in unit_counts(con, AGREEMENT, KAPPA).to_dict("records"):
        a = np.asarray(r["a_coded"], dtype=bool)
        b = np.asarray(r["b_coded"], dtype=bool)
        dims = {"statistic": KAPPA, "coders": r["coders"], "code": r["code"]}
        if r["code"] == ALL_CODES:
            est = _resampled(
                kappa_value(a, b),
                len(a),
                lambda i, a=a, b=b: kappa_value(a[i], b[i]),
                np.asarray(r["interview_id"]),
                con,
                "Cohen's kappa",
            )
            rows.append(row(dims, est))
        elif len(np.unique(a)) + len(np.unique(b)) > 2:
            rows.append(row(dims, cohens_kappa(a, b, LEVEL)))
    for r in unit_counts(con, AGREEMENT, ALPHA).to_dict("records"):
        matrix, clusters = reliability_matrix(
            r["interview_id"], r["code_path"], r["coder"], r["is_coded"]
        )
        est = _resampled(
            alpha_nominal(matrix),
            matrix.shape[1],
            lambda i, m=matrix: alpha_nominal(m[:, i]),
            clusters,
            con,
            "Krippendorff's alpha (nominal)",
        )
        rows.append(row({"statistic": ALPHA, "coders": r["coders"], "code": r["code"]}, est))
    return frame(rows, list(AGREEMENT.dims))
