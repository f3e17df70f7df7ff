"""PSFS («Hva er viktig for deg?»): change in the mean activity score from the first to the
last conversation (and since the previous one), the shares improving by the minimal detectable
change (2 on the mean, 3 on one activity) and by Abbott & Schmitt's minimal important
difference, overall and by municipality, age band and period. Every threshold is decided on
integer sums in the marts; this module estimates."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.metrics.definition import Definition, Part, unit_counts
from pipeline.metrics.tidy import frame, row
from pipeline.stats.means import mean_bootstrap, mean_t, wilcoxon_signed_rank
from pipeline.stats.proportions import wilson

PERSONS = "personer med PSFS-skår fra minst to samtaler"


def _share(numerator: str, flag: str) -> Part:
    return Part("share", numerator, PERSONS, numerator_flag=flag, denominator_flag=None)


def _mean(numerator: str, **extra: object) -> Part:
    return Part(
        "mean", numerator, PERSONS, value="mean_change", numerator_flag=None,
        denominator_flag=None, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


DEFINITION = Definition(
    table="psfs_change",
    title="PSFS – «Hva er viktig for deg?»",
    units="marts.fct_psfs_person_change",
    unit="en person (første og siste samtale)",
    dims=("indicator", "kommune", "age_band", "period"),
    part_by="indicator",
    filters="Aktiviteter skåret både i de to samtalene som sammenlignes (aktiviteter lagt til "
    "senere har ingen utgangsverdi); skala snudd der 0 = ingen vansker, så 10 alltid er best; "
    "skala ukjent: skjemaet holdes tilbake. Aldersgruppe ved første samtale (fødselsdato fra "
    "teamregistrene, ellers «ukjent»); periode = året for siste samtale. «Alle» = samlet.",
    method="Gjennomsnitt med Student t-intervall og Wilcoxons fortegnsrangtest (p_value), og "
    "med BCa-bootstrapintervall; andeler med Wilson-intervall (95 %). Tersklene avgjøres eksakt "
    "på heltallssummer.",
    parts={
        "gjennomsnittlig_endring": _mean(
            "summen av personenes endring i gjennomsnittlig aktivitetsskår (siste − første)"
        ),
        "gjennomsnittlig_endring_bootstrap": _mean(
            "som gjennomsnittlig_endring; intervallet ved bootstrap"
        ),
        "gjennomsnittlig_endring_fra_forrige": _mean(
            "endring i gjennomsnittlig skår fra forrige samtale, samme aktiviteter",
            units="marts.fct_psfs_step_change",
            unit="en person og en samtale etter den første",
            keys=("person_id", "conversation_no"),
        ),
        "andel_bedring_minst_2": _share(
            "personer med bedring ≥ 2 i gjennomsnittlig skår (minste påvisbare endring, "
            "Stratford 1995): sum(siste − første) ≥ 2 · antall aktiviteter",
            "is_improved_2",
        ),
        "andel_mid_liten": _share(
            "personer med bedring ≥ 1,3 og < 2,3 (liten minste viktige endring, Abbott & "
            "Schmitt 2014)",
            "is_mid_small",
        ),
        "andel_mid_middels": _share(
            "personer med bedring ≥ 2,3 og < 2,7 (middels)", "is_mid_medium"
        ),
        "andel_mid_stor": _share("personer med bedring ≥ 2,7 (stor)", "is_mid_large"),
        "andel_aktiviteter_bedring_minst_3": Part(
            "share",
            "aktiviteter med bedring ≥ 3 (minste påvisbare endring for én aktivitet)",
            "aktiviteter skåret i første og siste samtale",
            numerator_flag="is_improved_3",
            denominator_flag=None,
            units="marts.fct_psfs_activity_change",
            unit="en persons aktivitet (første og siste samtale)",
            keys=("person_id", "activity"),
        ),
    },
    keys=("person_id", "n_activities", "sum_first", "sum_last", "mean_change"),
    totals={"kommune": "Alle", "age_band": "Alle", "period": "Alle"},
    groupings=(("kommune",), ("age_band",), ("period",), ("kommune", "period"), ()),
)


def psfs_change(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every PSFS indicator overall and by municipality, age band and period."""
    rows = []
    for indicator, part in DEFINITION.parts.items():
        for r in unit_counts(con, DEFINITION, indicator).to_dict("records"):
            dims = {"indicator": indicator, **{k: r[k] for k in DEFINITION.matched}}
            p_value = float("nan")
            if part.estimator == "mean":
                values = np.asarray(r["mean_change"], dtype=float)
                boot = indicator.endswith("_bootstrap")
                est = mean_bootstrap(values) if boot else mean_t(values)
                p_value = wilcoxon_signed_rank(values)
            else:
                est = wilson(int(r["hits"]), int(r["n"]))
            rows.append({**row(dims, est), "p_value": p_value})
    return frame(rows, [*DEFINITION.dims, "p_value"])
