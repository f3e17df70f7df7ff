"""The quarterly report's tables, from the metrics tables, with disclosure control applied.

Every count is protected per municipality and date (Tau-Argus, `pipeline.disclosure`): the
pattern for a date depends on that date's counts only, so the column for the previous quarter
is hidden exactly as it was in the previous quarter's own report, and no hidden cell can be
found by setting the two reports side by side. A figure made from a hidden count (a rate per
1,000, a change, a share) is hidden with it; a share is hidden when its numerator or the rest
of its denominator is a small count; a median or mean over fewer units than the threshold is
hidden. Tables hold both the text shown and the value (for the workbook and the tests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from pipeline.disclosure import TOTAL, protect_counts, with_totals
from pipeline.quarterly import numbers
from pipeline.quarterly.period import Quarter, norwegian_date
from pipeline.sqlutil import table_exists

HIDDEN = "–"  # suppressed for confidentiality (footnote)
NO_DATA = ".."  # no figure: before the first team, after the register's export, no units
ALL = "I alt"


@dataclass(frozen=True)
class Cell:
    text: str
    value: float | int | None = None  # None: hidden or no data
    kind: str = "label"  # label | count | rate | share | days | mean | change
    hidden: bool = False  # suppressed for confidentiality


@dataclass
class QTable:
    id: str
    title: str
    metric: str  # the metrics table it comes from
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""

    @property
    def has_hidden(self) -> bool:
        return any(c.hidden for r in self.rows for c in r)


@dataclass(frozen=True)
class Context:
    con: duckdb.DuckDBPyConnection
    kommune: str
    quarter: Quarter
    threshold: int
    outward: bool


def _hidden() -> Cell:
    return Cell(HIDDEN, None, "count", True)


def _none() -> Cell:
    return Cell(NO_DATA)


def count_cell(value: int | None, hidden: bool) -> Cell:
    if value is None:
        return _none()
    return _hidden() if hidden else Cell(numbers.count(int(value)), int(value), "count")


def protect(ctx: Context, cells: pd.DataFrame, dim: str) -> dict[str, tuple[int, bool]]:
    """{dimension value (and TOTAL): (count, hidden)} for a one-way table of counts."""
    if ctx.outward:
        out = protect_counts(cells, [dim], "n", ctx.threshold)
        hidden = out["status"].isin(["primary", "secondary"])
    else:
        out = with_totals(cells, [dim], "n")
        hidden = pd.Series(False, index=out.index)
    return {str(k): (int(n), bool(h)) for k, n, h in zip(out[dim], out["n"], hidden, strict=True)}


def small(ctx: Context, *counts: int) -> bool:
    """True when any of these counts of persons is non-zero and below the threshold."""
    return ctx.outward and any(0 < c < ctx.threshold for c in counts)


def _rows(ctx: Context, sql: str, params: list[Any]) -> pd.DataFrame:
    return ctx.con.execute(sql, params).df()


# --- active teams by age band --------------------------------------------------------------


def team_table(ctx: Context) -> QTable:
    dates = [q.end for q in ctx.quarter.compared]
    data = _rows(
        ctx,
        """select snapshot_date, age_band, n, per_1000, population_year
        from metrics.team_counts join (
            select label as age_band, sort_order from meta.cfg_age_bands) using (age_band)
        where kommune = ? and snapshot_date in ? order by sort_order""",
        [ctx.kommune, dates],
    )
    data["snapshot_date"] = pd.to_datetime(data["snapshot_date"]).dt.date
    labels = ctx.con.execute("select label from meta.cfg_age_bands order by sort_order")
    bands = [str(label) for (label,) in labels.fetchall()]
    has_rates = data["per_1000"].notna().any()
    protected = {
        day: protect(ctx, g[["age_band", "n"]], "age_band")
        for day, g in data.groupby("snapshot_date")
    }
    rates = {(r["snapshot_date"], r["age_band"]): r["per_1000"] for _, r in data.iterrows()}
    current, previous, last_year = dates
    header = ["Aldersgruppe", f"Aktive team {norwegian_date(current)}"]
    header += ["Per 1 000 innbyggere"] if has_rates else []
    header += [
        f"Aktive team {norwegian_date(previous)}",
        "Endring fra forrige kvartal",
        f"Aktive team {norwegian_date(last_year)}",
        "Endring fra samme kvartal i fjor",
    ]
    table = QTable("aktive_team", "Aktive oppfølgingsteam etter aldersgruppe", "team_counts",
                   header)  # fmt: skip
    for band in [*bands, TOTAL]:
        now = protected.get(current, {}).get(band)
        row = [Cell(ALL if band == TOTAL else band)]
        row.append(count_cell(*now) if now else _none())
        if has_rates:
            rate = None if band == TOTAL else rates.get((current, band))
            if now is None or numbers.is_missing(rate):
                row.append(_none())
            elif now[1]:
                row.append(Cell(HIDDEN, None, "rate", True))
            else:
                value = float(rate or 0)
                row.append(Cell(numbers.decimal(value), round(value, 1), "rate"))
        for day in (previous, last_year):
            then = protected.get(day, {}).get(band)
            row.append(count_cell(*then) if then else _none())
            row.append(_change(now, then))
        table.rows.append(row)
    years = sorted({int(y) for y in data["population_year"].dropna()})
    table.note = (
        "Aktive team: startdato ≤ dato og ingen sluttdato eller sluttdato ≥ dato; alder i hele "
        "år på datoen."
        + (
            f" Innbyggere fra befolkningsregisteret ({', '.join(map(str, years))})."
            if years
            else ""
        )
    )
    return table


def _change(now: tuple[int, bool] | None, then: tuple[int, bool] | None) -> Cell:
    if now is None or then is None:
        return _none()
    if now[1] or then[1]:
        return Cell(HIDDEN, None, "change", True)
    diff = now[0] - then[0]
    return Cell(numbers.change(diff), diff, "change")


# --- teams started and ended ---------------------------------------------------------------


def flow_table(ctx: Context) -> QTable:
    quarters = ctx.quarter.compared
    data = _rows(
        ctx,
        "select quarter, flow, n from metrics.team_flows where kommune = ? and quarter in ?",
        [ctx.kommune, [q.label for q in quarters]],
    )
    protected = {
        quarter: protect(ctx, g[["flow", "n"]], "flow") for quarter, g in data.groupby("quarter")
    }
    table = QTable(
        "team_startet_avsluttet",
        "Team startet og avsluttet i kvartalet",
        "team_flows",
        ["", *(q.title for q in quarters)],
        note="Startet: startdato i kvartalet; avsluttet: sluttdato i kvartalet. Bare hele "
        "kvartaler før registeret ble eksportert. Er ett av tallene lite, skjules begge "
        "(forskjellen kan leses av endringen i aktive team).",
    )
    for flow, title in (("startet", "Startet"), ("avsluttet", "Avsluttet")):
        row = [Cell(title)]
        for q in quarters:
            got = protected.get(q.label, {}).get(flow)
            row.append(count_cell(*got) if got else _none())
        table.rows.append(row)
    return table


# --- KE: days from referral to decision to start, within 30 days ---------------------------

KE_ROWS = (
    ("dager_henvisning_vedtak", "Dager fra henvisning til KE-vedtak (median)"),
    ("dager_vedtak_oppstart", "Dager fra KE-vedtak til teamstart (median)"),
    ("dager_henvisning_oppstart", "Dager fra henvisning til teamstart (median)"),
)


def ke_table(ctx: Context) -> QTable:
    quarters = ctx.quarter.compared
    data = _rows(
        ctx,
        """select indicator, quarter, n, estimate, q1, q3
        from metrics.ke_process where kommune = ? and quarter in ?""",
        [ctx.kommune, [q.label for q in quarters]],
    )
    got = {(r["indicator"], r["quarter"]): r for _, r in data.iterrows()}
    table = QTable(
        "ke",
        "Koordinerende enhet: tid fra henvisning til oppstart (team startet i kvartalet)",
        "ke_process",
        ["", *(q.title for q in quarters)],
        note="Median og kvartiler (25 %–75 %) i dager; team der en dato mangler eller "
        f"rekkefølgen er umulig er ikke med. Færre enn {ctx.threshold} team: vises ikke.",
    )
    for indicator, title in KE_ROWS:
        row = [Cell(title)]
        for q in quarters:
            r = got.get((indicator, q.label))
            if r is None or int(r["n"]) == 0:
                row.append(_none())
            elif small(ctx, int(r["n"])):
                row.append(Cell(HIDDEN, None, "days", True))
            else:
                text = (
                    f"{numbers.decimal(r['estimate'], 0 if r['estimate'] % 1 == 0 else 1)} "
                    f"({numbers.decimal(r['q1'], 0)}–{numbers.decimal(r['q3'], 0)})"
                )
                row.append(Cell(text, float(r["estimate"]), "days"))
        table.rows.append(row)
    row = [Cell("Startet innen 30 dager etter henvisning")]
    for q in quarters:
        r = got.get(("andel_oppstart_innen_30_dager", q.label))
        row.append(share_cell(ctx, r))
    table.rows.append(row)
    row = [Cell("Team med begge datoene (antall)")]
    for q in quarters:
        r = got.get(("dager_henvisning_oppstart", q.label))
        row.append(count_cell(int(r["n"]), small(ctx, int(r["n"]))) if r is not None else _none())
    table.rows.append(row)
    return table


def share_cell(ctx: Context, r: pd.Series | None) -> Cell:
    """A share: hidden when its numerator or the rest of its denominator is a small count."""
    if r is None or int(r["n"]) == 0:
        return _none()
    n = int(r["n"])
    hits = round(float(r["estimate"]) * n)
    if small(ctx, hits, n - hits, n):
        return Cell(HIDDEN, None, "share", True)
    return Cell(f"{numbers.percent(float(r['estimate']))} ({hits} av {n})", float(r["estimate"]),
                "share")  # fmt: skip


# --- coordinators and individual plans at the quarter's end --------------------------------


def coordinator_table(ctx: Context) -> QTable:
    quarters = ctx.quarter.compared
    dates = [q.end for q in quarters]
    load = _rows(
        ctx,
        """select indicator, snapshot_date, n, estimate from metrics.team_coordinators
        where kommune = ? and snapshot_date in ?""",
        [ctx.kommune, dates],
    )
    ip = _rows(
        ctx,
        """select snapshot_date, n, estimate from metrics.team_ip_share
        where kommune = ? and snapshot_date in ?""",
        [ctx.kommune, dates],
    )
    for frame in (load, ip):
        frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).dt.date
    got = {(r["indicator"], r["snapshot_date"]): r for _, r in load.iterrows()}
    ips = {r["snapshot_date"]: r for _, r in ip.iterrows()}
    table = QTable(
        "koordinatorer",
        "Koordinatorer og individuell plan ved kvartalets slutt",
        "team_coordinators",
        ["", *(norwegian_date(d) for d in dates)],
        note="Koordinatorer med minst ett aktivt team; team per koordinator = aktive team med "
        "koordinator delt på koordinatorene. Individuell plan: andel av aktive team med svar "
        "(Ja/Nei) på IP (kilde: metrics.team_ip_share).",
    )
    row = [Cell("Koordinatorer")]
    for d in dates:
        r = got.get(("koordinatorer", d))
        row.append(count_cell(int(r["n"]), small(ctx, int(r["n"]))) if r is not None else _none())
    table.rows.append(row)
    row = [Cell("Team per koordinator")]
    for d in dates:
        r = got.get(("team_per_koordinator", d))
        if r is None:
            row.append(_none())
        elif ctx.outward and int(r["n"]) < ctx.threshold:
            row.append(Cell(HIDDEN, None, "mean", True))
        else:
            value = round(float(r["estimate"]), 1)
            row.append(Cell(numbers.decimal(value), value, "mean"))
    table.rows.append(row)
    row = [Cell("Aktive team med individuell plan")]
    row += [share_cell(ctx, ips.get(d)) for d in dates]
    table.rows.append(row)
    return table


def sector_table(ctx: Context) -> QTable:
    day = ctx.quarter.end
    data = _rows(
        ctx,
        """select coordinator_sector, n from metrics.coordinator_sectors
        where kommune = ? and snapshot_date = ? order by coordinator_sector""",
        [ctx.kommune, day],
    )
    table = QTable(
        "koordinatorer_sektor",
        f"Koordinatorer etter sektor {norwegian_date(day)}",
        "coordinator_sectors",
        ["Sektor", "Koordinatorer"],
        note="Sektoren som står på flest av koordinatorens aktive team; en verdi registeret "
        "bruker, men kontrakten ikke kjenner, telles som «ukjent».",
    )
    if data.empty:
        table.rows.append([Cell(ALL), _none()])
        return table
    protected = protect(ctx, data, "coordinator_sector")
    for sector in [*data["coordinator_sector"], TOTAL]:
        n, hidden = protected[str(sector)]
        table.rows.append([Cell(ALL if sector == TOTAL else str(sector)), count_cell(n, hidden)])
    return table


# --- PSFS -----------------------------------------------------------------------------------

PSFS_ROWS = (
    ("gjennomsnittlig_endring", "Gjennomsnittlig endring i skår (0–10), med 95 % KI"),
    ("andel_bedring_minst_2", "Personer med bedring på 2 eller mer"),
    ("andel_aktiviteter_bedring_minst_3", "Aktiviteter med bedring på 3 eller mer"),
)


def psfs_table(ctx: Context) -> QTable:
    years = [str(ctx.quarter.year), str(ctx.quarter.year - 1)]
    data = _rows(
        ctx,
        """select indicator, period, n, estimate, ci_low, ci_high from metrics.psfs_change
        where kommune = ? and age_band = 'Alle' and period in ?""",
        [ctx.kommune, years],
    )
    got = {(r["indicator"], r["period"]): r for _, r in data.iterrows()}
    table = QTable(
        "psfs",
        "PSFS – «Hva er viktig for deg?»: endring fra første til siste samtale",
        "psfs_change",
        ["", f"Siste samtale i {years[0]}", f"Siste samtale i {years[1]}"],
        note="Personer med minst to samtaler, etter året for siste samtale; samme aktiviteter "
        "i begge samtalene; skala der 10 er best. Bedring ≥ 2 avgjøres eksakt (summen av "
        f"endringene ≥ 2 · antall aktiviteter). Færre enn {ctx.threshold} personer: vises ikke.",
    )
    persons = [Cell("Personer (antall)")]
    for year in years:
        r = got.get(("gjennomsnittlig_endring", year))
        persons.append(
            count_cell(int(r["n"]), small(ctx, int(r["n"]))) if r is not None else _none()
        )
    for indicator, title in PSFS_ROWS:
        row = [Cell(title)]
        for year in years:
            r = got.get((indicator, year))
            if r is None or int(r["n"]) == 0:
                row.append(_none())
            elif indicator.startswith("andel"):
                row.append(share_cell(ctx, r))
            elif ctx.outward and int(r["n"]) < ctx.threshold:
                row.append(Cell(HIDDEN, None, "mean", True))
            else:
                text = (
                    f"{numbers.decimal(r['estimate'])} ({numbers.decimal(r['ci_low'])} – "
                    f"{numbers.decimal(r['ci_high'])})"
                )
                row.append(Cell(text, round(float(r["estimate"]), 1), "mean"))
        table.rows.append(row)
    table.rows.insert(0, persons)
    return table


# --- the whole report -----------------------------------------------------------------------


def build(ctx: Context) -> list[QTable]:
    """Every table of the quarterly report, in the order shown. A table whose metric this
    warehouse lacks (no PSFS source configured) is left out."""
    builders = (
        ("team_counts", team_table),
        ("team_flows", flow_table),
        ("ke_process", ke_table),
        ("team_coordinators", coordinator_table),
        ("coordinator_sectors", sector_table),
        ("psfs_change", psfs_table),
    )
    return [make(ctx) for metric, make in builders if table_exists(ctx.con, "metrics", metric)]


def as_of(con: duckdb.DuckDBPyConnection, kommune: str) -> dt.date | None:
    """The export date of the municipality's (oldest) team register."""
    found = con.execute(
        "select min(register_as_of) from staging.stg_teams__register where kommune = ?",
        [kommune],
    ).fetchone()
    return found[0] if found else None
