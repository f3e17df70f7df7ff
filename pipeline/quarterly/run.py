"""`ot-eval quarterly` and the quarterly reports `ot-eval report` writes: the data for one
municipality and quarter, the checks that keep it honest, and the two files written only after
the privacy scan passes."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import openpyxl

from pipeline import privacy
from pipeline.errors import UserError
from pipeline.metrics.run import METRICS, run_metrics
from pipeline.quarterly.period import Quarter, norwegian_date
from pipeline.quarterly.render import Page, html, write_workbook
from pipeline.quarterly.summary import summary
from pipeline.quarterly.tables import Context, as_of, build
from pipeline.report.figures import plotly_library
from pipeline.scoped import build as build_warehouse
from pipeline.scoped import source_with_files
from pipeline.settings import Settings
from pipeline.sqlutil import table_exists

METRICS_USED = (
    "team_counts", "team_flows", "team_ip_share", "team_coordinators", "coordinator_sectors",
    "ke_process", "psfs_change",
)  # fmt: skip
SOURCES_USED = ("team_register", "psfs_forms", "registry_population")


def in_memory(
    settings: Settings, registers: Sequence[Path] = (), psfs: Sequence[Path] = ()
) -> duckdb.DuckDBPyConnection:
    """The municipality's sources (team register, PSFS forms and, when configured, the
    population) in an in-memory warehouse with the quarterly report's metrics."""
    given = {"team_register": (registers, "--team-register"), "psfs_forms": (psfs, "--psfs")}
    sources = {}
    for name in SOURCES_USED:
        files, option = given.get(name, ((), ""))
        source = source_with_files(settings, name, files, option)
        if source is not None:
            sources[name] = source
    if "team_register" not in sources:
        raise UserError(
            "The config has no [sources.team_register] and no --team-register file was given",
            file=settings.config_file,
            hint="ot-eval quarterly --kommune 5530 --quarter 2023Q4 --team-register "
            "teamregister.xlsx --psfs psfs.csv",
        )
    con = build_warehouse(settings, sources)
    run_metrics(con, [m for m in METRICS_USED if _ready(con, m)])
    return con


def _ready(con: duckdb.DuckDBPyConnection, metric: str) -> bool:
    """The metric's units relations were built (a PSFS metric needs a PSFS source)."""
    d = METRICS[metric].definition
    relations = {d.units, *(p.units for p in d.parts.values() if p.units)}
    return all(table_exists(con, *r.split(".")) for r in relations)


def latest(con: duckdb.DuckDBPyConnection) -> list[tuple[str, Quarter]]:
    """Every municipality in the team registers with its latest quarter that was over when
    its register was exported."""
    found = con.execute(
        "select kommune, min(register_as_of) from staging.stg_teams__register group by 1 order by 1"
    ).fetchall()
    out = []
    for kommune, day in found:
        quarter = Quarter.of(day)
        out.append((kommune, quarter if quarter.end <= day else quarter.shift(-1)))
    return out


def page(
    con: duckdb.DuckDBPyConnection, settings: Settings, kommune: str, quarter: Quarter,
    prov: dict[str, Any],
) -> Page:  # fmt: skip
    """The report's content, after checking the register can speak for the quarter."""
    known = [k for k, _ in latest(con)]
    if kommune not in known:
        raise UserError(
            f"No team register for municipality {kommune}",
            expected="a kommunenummer in the registers",
            found=", ".join(known) or "no accepted register rows",
            hint="Give --kommune as the 4-digit kommunenummer (in the configured vintage)",
        )
    exported = as_of(con, kommune)
    assert exported is not None
    if quarter.end > exported:
        files = con.execute(
            "select distinct _source_file from staging.stg_teams__register where kommune = ?",
            [kommune],
        ).fetchall()
        raise UserError(
            f"The team register was exported {norwegian_date(exported)}, before the end of "
            f"{quarter.label} ({norwegian_date(quarter.end)}): no report for a quarter the "
            "register does not cover",
            file=", ".join(f for (f,) in files),
            hint="Export the register after the quarter's end, or ask for an earlier quarter",
        )
    report = settings.report
    ctx = Context(con, kommune, quarter, report.suppression_threshold,
                  report.audience != "internal")  # fmt: skip
    tables = build(ctx)
    name = _name(con, kommune)
    return Page(
        kommune=kommune,
        name=name,
        quarter_title=quarter.title,
        quarter_label=quarter.label,
        as_of=norwegian_date(exported),
        summary=summary(tables, name, quarter),
        tables=tables,
        threshold=report.suppression_threshold,
        audience=report.audience,
        notes=_notes(con, kommune, quarter),
        prov=prov,
    )


def _name(con: duckdb.DuckDBPyConnection, kommune: str) -> str:
    found = con.execute(
        "select any_value(kommune_name) from staging.stg_municipality__map "
        "where kommune_harmonised = ? and kommune = kommune_harmonised",
        [kommune],
    ).fetchone()
    return str(found[0]) if found and found[0] else kommune


def _notes(con: duckdb.DuckDBPyConnection, kommune: str, quarter: Quarter) -> list[str]:
    """What the figures rest on that the reader must know: rows held back, PSFS conversations
    after the quarter."""
    notes = []
    for source, words in (("team_register", "teamregisteret"), ("psfs_forms", "PSFS-filene")):
        if not table_exists(con, "meta", "reconciliation"):
            break
        held = con.execute(
            "select coalesce(sum(rows_quarantined), 0), coalesce(sum(rows_in_file), 0) "
            "from meta.reconciliation where source = ?",
            [source],
        ).fetchone()
        if held and held[0]:
            notes.append(
                f"{held[0]} av {held[1]} rader i {words} ble holdt tilbake (ugyldig dato, "
                "person eller kommune) og er ikke med i tallene. «ot-eval teams» og «ot-eval "
                "validate» viser fil, rad og grunn."
            )
    if table_exists(con, "intermediate", "int_psfs__persons"):
        last = con.execute(
            "select max(last_date) from intermediate.int_psfs__persons where kommune = ?",
            [kommune],
        ).fetchone()
        if last and last[0] and last[0] > quarter.end:
            notes.append(
                f"PSFS-tallene for {quarter.year} gjelder personenes siste samtale i året i "
                f"dataene, som går til {norwegian_date(last[0])} – etter kvartalets slutt."
            )
    return notes


def _allowed_dates(quarter: Quarter, as_of_text: str) -> set[dt.date]:
    days = {q.end for q in quarter.compared}
    days.add(dt.datetime.strptime(as_of_text, "%d.%m.%Y").date())
    return days


def write(
    con: duckdb.DuckDBPyConnection,
    content: Page,
    folder: Path,
    forbidden: privacy.Forbidden | None = None,
) -> list[Path]:
    """Write <kommune>_<quarter>.html and .xlsx into `folder` (each atomically), after the
    privacy scan of both passes; an outward file that fails it is never written."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{content.kommune}_{content.quarter_label}"
    page_html = html(content)
    tmp_xlsx = folder / f".{stem}.tmp-{os.getpid()}.xlsx"
    try:
        write_workbook(content, tmp_xlsx)
        if content.audience != "internal":
            problems = scan(forbidden or privacy.Forbidden.read(con), content, page_html, tmp_xlsx)
            privacy.refuse(problems, folder / f"{stem}.html", "the quarterly report")
        tmp_html = folder / f".{stem}.tmp-{os.getpid()}.html"
        tmp_html.write_text(page_html, encoding="utf-8")
        os.replace(tmp_html, folder / f"{stem}.html")
        os.replace(tmp_xlsx, folder / f"{stem}.xlsx")
    finally:
        tmp_xlsx.unlink(missing_ok=True)
    return [folder / f"{stem}.html", folder / f"{stem}.xlsx"]


def scan(forbidden: privacy.Forbidden, content: Page, page_html: str, xlsx: Path) -> list[str]:
    """Every problem the privacy scan finds in the two files (empty: both may go out)."""
    texts, births = forbidden.texts, forbidden.births
    allowed = _allowed_dates(Quarter.parse(content.quarter_label), content.as_of)
    data_html = page_html.replace(plotly_library(), "")
    problems = privacy.scan_text("HTML", data_html, texts, births, allowed)
    problems += privacy.scan_figure_data("HTML", data_html, content.threshold)
    problems += privacy.scan_tables(content.tables, content.threshold)
    book = openpyxl.load_workbook(xlsx, read_only=True)
    cells = {
        sheet.title: [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v]
        for sheet in book.worksheets
    }
    book.close()
    problems += privacy.scan_workbook("XLSX", cells, texts, births, allowed)
    return problems


def quarterly_reports(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    folder: Path,
    prov: dict[str, Any],
    kommune: str | None = None,
    quarter: Quarter | None = None,
    forbidden: privacy.Forbidden | None = None,
) -> list[Path]:
    """The report of `quarter` (default: each municipality's latest complete quarter) for
    `kommune` (default: every municipality in the registers). An unknown municipality is
    refused by `page`, naming those in the files."""
    forbidden = forbidden or privacy.Forbidden.read(con)
    latest_of = dict(latest(con))
    written = []
    for k in [kommune] if kommune else list(latest_of):
        q = quarter or latest_of.get(k) or Quarter.of(dt.date.today())
        written += write(con, page(con, settings, k, q, prov), folder, forbidden)
    return written


def standalone_prov(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, Any]:
    """Provenance of an in-memory run: the files and contracts read, the code version."""
    from pipeline.provenance import standalone
    from pipeline.report.write import provenance

    read = {k: v for k, v in provenance(con).items() if k in ("files", "contracts", "alerts")}
    return standalone("quarterly", "i minnet (ot-eval quarterly)", settings, **read)
