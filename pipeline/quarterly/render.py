"""The quarterly report as files: one self-contained HTML page (plotly.js embedded once, print
CSS, a text alternative and the table for its figure) and an Excel workbook with the same
tables, one sheet each. Both are made in memory from the same tables; nothing here decides what
is shown (`pipeline.quarterly.tables` does)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import plotly.graph_objects as go
import plotly.offline
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from pipeline.quarterly.tables import ALL, HIDDEN, NO_DATA, QTable
from pipeline.report.figures import PALETTE, plotly_library
from pipeline.report.write import environment
from pipeline.sample.pinned import pin_xlsx

FOOTNOTE_HIDDEN = (
    "«–»: vises ikke av personvernhensyn. Tall under {t} er skjult, og så mange andre som "
    "trengs for at de ikke kan regnes ut fra summer, fra andre tall i rapporten eller fra "
    "forrige kvartals rapport. Andeler, rater og endringer bygd på et skjult tall er skjult "
    "med det."
)
FOOTNOTE_NONE = "«..»: ingen tall (ingen telling på datoen, eller ingen enheter)."
NUMBER_FORMATS = {"count": "#,##0", "change": "+#,##0;-#,##0;0", "rate": "0.0",
                  "mean": "0.0", "days": "0.0", "share": "0%"}  # fmt: skip


@dataclass(frozen=True)
class Page:
    """What both files show."""

    kommune: str
    name: str
    quarter_title: str
    quarter_label: str
    as_of: str
    summary: list[str]
    tables: list[QTable]
    threshold: int
    audience: str
    notes: list[str]  # warnings: quarantined rows, data after the quarter
    prov: dict[str, Any]


def team_figure(table: QTable) -> tuple[str, str]:
    """(Plotly div, text alternative) of active teams by age band on the three dates; a hidden
    count is not drawn (the text alternative says so)."""
    dates = [h.removeprefix("Aktive team ") for h in table.header if h.startswith("Aktive team")]
    columns = [i for i, h in enumerate(table.header) if h.startswith("Aktive team")]
    fig = go.Figure()
    words = []
    for colour, (day, col) in zip(PALETTE, zip(dates, columns, strict=True), strict=False):
        rows = [r for r in table.rows if r[0].text != ALL]
        x = [r[0].text for r in rows]
        y = [r[col].value for r in rows]
        fig.add_bar(name=day, x=x, y=y, marker_color=colour)
        said = [
            f"{band}: {'skjult' if cell.hidden else cell.text}"
            for band, cell in ((r[0].text, r[col]) for r in rows)
        ]
        words.append(f"{day}: " + ", ".join(said))
    fig.update_layout(
        title="Aktive team etter aldersgruppe",
        template="plotly_white",
        barmode="group",
        height=380,
        margin={"l": 60, "r": 20, "t": 50, "b": 60},
        yaxis_title="Aktive team",
        legend={"orientation": "h", "y": -0.2},
        font={"size": 13},
    )
    div = plotly.offline.plot(fig, output_type="div", include_plotlyjs=False,
                              config={"displaylogo": False, "responsive": True})  # fmt: skip
    # a stable element id, so the same inputs give the same bytes
    div = re.sub(r'id="[0-9a-f-]{36}"', 'id="figur-aktive-team"', div)
    div = re.sub(r'"[0-9a-f-]{36}"', '"figur-aktive-team"', div)
    alt = "Søylediagram over aktive team etter aldersgruppe. " + "; ".join(words) + "."
    return div, alt


def html(page: Page) -> str:
    env = environment()
    figure = None
    teams = next((t for t in page.tables if t.id == "aktive_team"), None)
    if teams is not None:
        div, alt = team_figure(teams)
        figure = {"div": div, "alt": alt}
    return env.get_template("quarterly.html.j2").render(
        lang="nb",
        title=f"Kvartalsrapport {page.quarter_title}: {page.name} ({page.kommune})",
        subtitle="Strukturert tverrfaglig oppfølgingsteam – rapport til Statsforvalteren",
        page=page,
        figure=figure,
        hidden_note=FOOTNOTE_HIDDEN.format(t=page.threshold),
        none_note=FOOTNOTE_NONE,
        HIDDEN=HIDDEN,
        NO_DATA=NO_DATA,
        prov=page.prov,
        plotly_js=plotly_library() if figure else None,
    )


def _sheet_name(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "", title)[:31].strip()
    base, i = name, 2
    while name in used:
        name = f"{base[:28]} {i}"
        i += 1
    used.add(name)
    return name


def write_workbook(page: Page, path: Path) -> None:
    """The tables as an Excel workbook: a summary sheet first, then one sheet per table; shown
    numbers are numbers (Excel formats them), hidden ones the text «–»."""
    book = openpyxl.Workbook()
    about = book.active
    about.title = "Sammendrag"
    bold = Font(bold=True)
    lines: list[list[Any]] = [
        [f"Kvartalsrapport {page.quarter_title}: {page.name} ({page.kommune})"],
        ["Teamregisteret eksportert", page.as_of],
        *([[s] for s in page.summary]),
        [],
        *([["Merk", n] for n in page.notes]),
        ["Skjult", FOOTNOTE_HIDDEN.format(t=page.threshold)],
        ["Ingen tall", FOOTNOTE_NONE],
        ["Kodeversjon", page.prov.get("code_version", "")],
        *([[f"Fil ({f['source']})", f["file"], f["sha256"]] for f in page.prov.get("files", [])]),
        *([[f"Kontrakt ({c['source']})", c["version"]] for c in page.prov.get("contracts", [])]),
    ]
    for line in lines:
        about.append(line)
    about["A1"].font = Font(bold=True, size=14)
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 90
    used = {"Sammendrag"}
    for table in page.tables:
        sheet = book.create_sheet(_sheet_name(table.title, used))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append(table.header)
        for cell in sheet[2]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([_value(c) for c in row])
            for cell, source in zip(sheet[sheet.max_row], row, strict=True):
                if source.value is not None and source.kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[source.kind]
                elif source.kind != "label":
                    cell.alignment = Alignment(horizontal="right")
        sheet.append([])
        sheet.append([table.note])
        sheet.append([f"Kilde: metrics.{table.metric}"])
        if table.has_hidden:
            sheet.append([FOOTNOTE_HIDDEN.format(t=page.threshold)])
        sheet.column_dimensions["A"].width = 46
        for i in range(2, len(table.header) + 1):
            sheet.column_dimensions[get_column_letter(i)].width = 18
    book.save(path)
    pin_xlsx(path)  # fixed write times: the same inputs give the same bytes


def _value(cell: Any) -> Any:
    """A shown number as a number; a label, «–» or «..» as text."""
    return cell.text if cell.kind == "label" or cell.value is None else cell.value
