"""The staff survey by wave: every answer's share (the full distribution, «Vet ikke» and
unanswered as figures of their own) by role, sector and municipality; the change from the
first to the last wave with its test; and tests of the differences between groups.

What each answer category counts, over which denominator, and who was asked, is stated in
the marts (`fct_survey_staff_answer_categories`, `fct_survey_staff_distribution`); this
module estimates and tests.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from pipeline.metrics.definition import Change, Definition, Part, unit_counts
from pipeline.metrics.tidy import frame, row, share_of, share_rows
from pipeline.metrics.weighting import WEIGHTED_METHOD, weighting
from pipeline.stats.contingency import crosstab, independence
from pipeline.stats.multiple import holm
from pipeline.stats.proportions import share_change

UNITS = "marts.fct_survey_staff_distribution"
DIMS = ("wave", "indicator", "label", "dimension", "group", "answer", "answer_order", "base")
KEYS = ("respondent_id", "wave", "kommune", "answer_label")
CHANGE = Change()
TEST_COLUMNS = ["p_value", "p_holm", "effect_size"]
SHARE = Part(
    "share",
    "svar i kategorien (`answer`)",
    "etter `base`: «gyldige svar» (uten «Vet ikke» og ubesvart) for svaralternativene og "
    "samlekategoriene; «besvart» (med «Vet ikke») for «Vet ikke»; «alle spurte» for «Ubesvart»",
    weight="weight",
)
METHOD = (
    "Andel med Wilson-intervall (95 %) per runde. «Endring A–B»: andelen i B minus andelen i "
    "A med Newcombes hybride score-intervall, p-verdi fra score-testen (Miettinen–Nurminen), "
    "Holm-justert innen hver familie (samme indikator, svarkategori og inndeling, på tvers av "
    "gruppene), effektstørrelse Cohens h." + WEIGHTED_METHOD
)


def _definition(table: str, title: str, unit: str, filters: str) -> Definition:
    return Definition(
        table=table,
        title=title,
        units=UNITS,
        unit=unit,
        dims=DIMS,
        filters=filters,
        method=METHOD,
        parts={"": SHARE},
        keys=KEYS,
        derived={"wave": CHANGE},
        scope={"metric": table},
    )


ANCHORING = _definition(
    "anchoring_by_role",
    "Forankring og modenhet etter rolle, sektor og kommune",
    "en ansatts svar på ett spørsmål, i én svarkategori",
    "Ansatteundersøkelsen, hver runde for seg: involvert/informert, kjennskap til piloten og "
    "til oppfølgingsteam, «ny arbeidsmåte?» og «støtter videreføring?», for alle og etter "
    "rolle, sektor og kommune (manglende rolle/sektor: «Ikke oppgitt»).",
)
ADEQUACY = _definition(
    "coordinator_adequacy",
    "Koordinatorenes tid, opplæring, lederstøtte og trivsel",
    "en koordinators svar på ett spørsmål, i én svarkategori",
    "Ansatteundersøkelsen, rolle «Koordinator», hver runde for seg, for alle og etter kommune.",
)
RECRUITMENT = _definition(
    "leader_recruitment",
    "Ledernes vurdering av koordinatorrekrutteringen",
    "en leders svar, i én svarkategori",
    "Ansatteundersøkelsen, rolle «Leder», hver runde for seg, for alle og etter kommune og "
    "sektor; de fem svaralternativene og «som oftest krevende eller alltid vanskelig».",
)
MEASURES = _definition(
    "leader_measures",
    "Ledergrep og endringer siste tre år",
    "en ansatts svar på ett spørsmål, i én svarkategori",
    "Ansatteundersøkelsen, bare rundene spørsmålet ble stilt i (2023 i utvalget): aktive grep "
    "(ledere); nye grupper får IP/koordinator/team (ledere, koordinatorer og teammedlemmer); "
    "endret arbeidsmåte (de av dem som jobber ofte eller av og til med målgruppen).",
)

TESTS = Definition(
    table="survey_tests",
    title="Ansatteundersøkelsen: tester av forskjeller",
    units=UNITS,
    unit="ett gyldig svar (et svaralternativ, ikke «Vet ikke» eller ubesvart)",
    dims=("metric", "indicator", "label", "wave", "dimension"),
    filters="Svarfordelingen over svaralternativene (gyldige svar) sammenlignet mellom "
    "gruppene i inndelingen (rolle, sektor, kommune) innen hver runde, og mellom rundene for "
    "alle («wave» = Alle). Grupper og svaralternativ uten svar er holdt utenfor "
    "krysstabellen; en tabell med bare én gruppe (ett spørsmål stilt i én runde) eller ett "
    "svaralternativ testes ikke (ingen rad).",
    method="Pearsons khikvadrattest av uavhengighet; Holm-justert innen hver familie (samme "
    "tabell og inndeling); effektstørrelse Cramérs V med 95 % KI ved invertering av den "
    "ikke-sentrale khikvadratfordelingen (Smithson 2003).",
    parts={
        "": Part(
            "cramers_v",
            "gyldige svar etter gruppe og svaralternativ",
            "gyldige svar",
            value="compared,answer",
            numerator_flag="is_tested",
            denominator_flag="is_tested",
        )
    },
    keys=KEYS,
    totals={"wave": "Alle"},
    groupings=(
        ("metric", "indicator", "label", "wave", "dimension"),
        ("metric", "indicator", "label", "dimension"),
    ),
)


def distribution(con: duckdb.DuckDBPyConnection, d: Definition) -> pd.DataFrame:
    """Every answer category's share per wave and group, then the change from the first to
    the last wave the category was asked in, Holm-adjusted within its family."""
    counts = unit_counts(con, d)
    return frame([*share_rows(counts, DIMS), *_changes(counts)], list(DIMS), TEST_COLUMNS)


def _changes(counts: pd.DataFrame) -> list[dict[str, Any]]:
    """Last wave minus first, per indicator, group and category; p adjusted per family."""
    out = []
    rest = [c for c in DIMS if c != "wave"]
    for _, g in counts.groupby(rest, sort=False):
        g = g.sort_values("wave")
        if len(g) < 2:
            continue
        first, last = g.iloc[0], g.iloc[-1]
        change = share_change(share_of(last), share_of(first))
        dims = {**{k: last[k] for k in rest}, "wave": CHANGE.label(first.wave, last.wave)}
        out.append(
            {**row(dims, change.estimate), "p_value": change.p_value, "p_holm": None,
             "effect_size": change.effect_size}
        )  # fmt: skip
    families = pd.DataFrame(out, columns=[*DIMS, "p_value"])
    for _, g in families.groupby(["indicator", "dimension", "answer"], sort=False):
        for i, p in zip(g.index, holm(g["p_value"]), strict=True):
            out[i]["p_holm"] = p
    return out


def tests(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Chi-square tests: groups within each wave, and the waves over all respondents. Not
    computed when the staff survey is weighted: Pearson's test on weighted answers would be
    wrong, and no Rao–Scott correction is built (the report says so)."""
    rows = []
    if weighting(con, "survey_staff") is not None:
        return frame([], list(TESTS.dims), ["statistic", "df", "p_value", "p_holm"])
    counts = unit_counts(con, TESTS)  # every table at once: `metric` is a dimension
    within_wave = (counts.wave != "Alle") & (counts.dimension != "alle")
    across_waves = (counts.wave == "Alle") & (counts.dimension == "alle")
    for r in counts[within_wave | across_waves].to_dict("records"):
        result = independence(crosstab(r["compared"], r["answer"]))
        if result.df == 0:  # one group (one wave) or one answer: nothing to test
            continue
        dims = {k: r[k] for k in TESTS.dims}
        rows.append(
            {**row(dims, result.estimate), "statistic": result.statistic, "df": result.df,
             "p_value": result.p_value, "p_holm": None}
        )  # fmt: skip
    out = frame(rows, list(TESTS.dims), ["statistic", "df", "p_value", "p_holm"])
    for _, g in out.groupby(["metric", "dimension"], sort=False):
        out.loc[g.index, "p_holm"] = holm(g["p_value"])
    return out.astype({"p_holm": "float64"})


def anchoring_by_role(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Familiarity, involvement and maturity answers by wave, role, sector, municipality."""
    return distribution(con, ANCHORING)


def coordinator_adequacy(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Coordinators' time, training, leader support, role satisfaction by municipality, wave."""
    return distribution(con, ADEQUACY)


def leader_recruitment(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Leaders' five-option view of coordinator recruitment by municipality and sector."""
    return distribution(con, RECRUITMENT)


def leader_measures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Leaders' active measures and the "changed in the last three years" items."""
    return distribution(con, MEASURES)
