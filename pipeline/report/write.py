"""Render the evaluation report and the index from the warehouse's metrics and meta tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from pipeline import privacy
from pipeline.catalogue.build import catalogue
from pipeline.catalogue.write import html as catalogue_html
from pipeline.report.figures import plotly_library
from pipeline.report.sections import EVALUATION
from pipeline.report.shape import count, section_data
from pipeline.settings import Settings
from pipeline.sqlutil import table_exists
from pipeline.validate.summary import Summary, alerts, summarise

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    env.filters["thousands"] = count  # one number format for every report
    return env


def provenance(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Run, input files and contracts of this warehouse (as far as its stages got)."""
    keys = ("run_id", "verb", "code_version", "config_file", "config_sha256", "started_at_utc")
    run: dict[str, Any] = dict.fromkeys((*keys, "stage_seconds"), "")
    if table_exists(con, "meta", "run"):
        cursor = con.execute("select * from meta.run")
        names = [d[0] for d in cursor.description or []]
        run.update(zip(names, cursor.fetchone() or (), strict=False))
    for key, table, sql in (
        ("files", "ingest_files", "select source, file, rows_read, sha256 from meta.ingest_files "
         "order by source, file"),
        ("contracts", "contracts", "select * from meta.contracts order by source"),
    ):  # fmt: skip
        run[key] = (
            con.execute(sql).df().to_dict("records") if table_exists(con, "meta", table) else []
        )
    run["alerts"] = alerts(con)
    return run


def municipality_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """kommunenummer -> the name the reports show (the configured pilots)."""
    return dict(con.execute("select kommune, name from meta.cfg_pilots").fetchall())


def evaluation_sections(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[dict]:
    """Template data for every declared section of the evaluation report."""
    names = municipality_names(con)
    return [section_data(con, settings, s, names) for s in EVALUATION]


def _totals(summary: Summary) -> dict[str, int]:
    return {
        key: sum(int(f[f"rows_{key}"]) for f in summary.files)
        for key in ("in_file", "read", "accepted", "quarantined")
    }


def data_quality(
    env: jinja2.Environment, summary: Summary, prov: dict[str, Any], gx_max_rows: int
) -> str:
    return env.get_template("data_quality.html.j2").render(
        lang="nb",
        title="Datakvalitet",
        subtitle="Rader lest, godtatt og i karantene per kilde og fil, og brudd per regel",
        summary=summary,
        totals=_totals(summary),
        failing=[r for r in summary.rules if r["checked"]],
        skipped=[r for r in summary.rules if not r["checked"]],
        severity={"quarantine": "karantene", "warn": "advarsel", "stop": "stopper kjøringen"},
        delimiters={
            ";": "semikolon «;»",
            ",": "komma «,»",
            "\t": "tabulator",
            "|": "loddrett strek «|»",
        },
        gx_max_rows=count(gx_max_rows),
        prov=prov,
        plotly_js=None,
    )


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _missing(con: duckdb.DuckDBPyConnection, needs: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"{s}.{t}" for s, t in needs if not table_exists(con, s, t)]


# pages other commands write into the reports folder, linked once they exist
SEPARATE_PAGES = (
    (
        "validation.html",
        "Validering av inferensen",
        "simulert dekning og forkastning for registeranalysen (ot-eval validate-stats, egen "
        "kjøring)",
    ),
    (
        "bench.html",
        "Ytelse",
        "registerløypa mot én håndskrevet spørring og pandas (make bench, egen kjøring)",
    ),
)


def write_reports(con: duckdb.DuckDBPyConnection, settings: Settings, out: Path) -> list[Path]:
    """Write every report into `out` (the run's own folder, published with its warehouse).

    A report whose tables this warehouse lacks (a single stage was run) becomes a page that
    says so, never a report left over from another run.
    """
    from pipeline.metrics.run import METRICS

    env = environment()
    prov = provenance(con)
    forbidden = privacy.Forbidden.read(con)
    out.mkdir(parents=True, exist_ok=True)
    checked = (("meta", "reconciliation"), ("meta", "contracts"), ("meta", "rules"))
    pages: dict[str, tuple[tuple[tuple[str, str], ...], Callable[[], str]]] = {
        "data_quality.html": (
            checked,
            lambda: data_quality(env, summarise(con), prov, settings.validation.gx_max_rows),
        ),
        "evaluation.html": (
            checked
            + tuple(("metrics", m) for m in METRICS)
            + (("marts", "fct_registry_group_year"),),
            lambda: _evaluation(env, con, settings, prov),
        ),
    }
    written = []
    for name, (needs, render) in pages.items():
        missing = _missing(con, needs)
        text = (
            render()
            if not missing
            else env.get_template("missing.html.j2").render(
                lang="nb", title=name, subtitle="", prov=prov, missing=missing, plotly_js=None
            )
        )
        if settings.report.audience != "internal":
            scan_page(name, text, forbidden)
        _write(out / name, text)
        written.append(out / name)
    quarterly = _quarterly(con, settings, out / "quarterly", prov, forbidden)
    listing = catalogue_html(catalogue(con, settings), env, prov)
    if settings.report.audience != "internal":
        scan_page("catalogue.html", listing, forbidden)  # names and words only: it holds none
    _write(out / "catalogue.html", listing)
    written.append(out / "catalogue.html")
    index = env.get_template("index.html.j2").render(
        lang="nb",
        title="ot-eval – rapporter",
        subtitle="Alle rapporter fra siste kjøring",
        reports=[
            {
                "href": "evaluation.html",
                "title": "Evalueringsrapport",
                "description": "for forskere: alle indikatorer med KI og metode",
            },
            {
                "href": "data_quality.html",
                "title": "Datakvalitet",
                "description": "rader lest, godtatt og i karantene per fil; brudd per regel",
            },
            *(
                {
                    "href": f"quarterly/{p.name}",
                    "title": f"Kvartalsrapport {p.stem.replace('_', ' ')}",
                    "description": "til Statsforvalteren: team, KE, koordinatorer og PSFS "
                    "(også som Excel: samme navn, .xlsx)",
                }
                for p in quarterly
                if p.suffix == ".html"
            ),
            {
                "href": "catalogue.html",
                "title": "Katalog over datavarehuset",
                "description": "for analytikere: hver tabell og kolonne med beskrivelse og "
                "opphav (også docs/catalogue.md, ot-eval catalogue)",
            },
            *(
                {"href": page, "title": title, "description": text}
                for page, title, text in SEPARATE_PAGES
                if (settings.reports_dir / page).is_file()
            ),
        ],
        prov=prov,
        plotly_js=None,
    )
    _write(out / "index.html", index)
    return [*written, *quarterly, out / "index.html"]


def scan_page(name: str, text: str, forbidden: privacy.Forbidden) -> None:
    """An outward page holds no register key or free text (its dates are the evaluation's
    own, so birth dates are checked by the tests rather than here, where a count date equal
    to someone's birthday would stop the run)."""
    problems = privacy.scan_text(
        name, text.replace(plotly_library(), ""), forbidden.texts, (), set()
    )
    privacy.refuse(problems, name, "the report")


def _quarterly(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    folder: Path,
    prov: dict[str, Any],
    forbidden: privacy.Forbidden,
) -> list[Path]:
    """The latest complete quarter's report for every municipality with a team register
    (none when this warehouse has no team metrics)."""
    from pipeline.quarterly.run import METRICS_USED, quarterly_reports

    if not table_exists(con, "staging", "stg_teams__register") or _missing(
        con, tuple(("metrics", m) for m in METRICS_USED[:5])
    ):
        return []
    return quarterly_reports(con, settings, folder, prov, forbidden=forbidden)


def _evaluation(
    env: jinja2.Environment, con: duckdb.DuckDBPyConnection, settings: Settings, prov: dict
) -> str:
    summary = summarise(con)
    return env.get_template("evaluation.html.j2").render(
        lang="nb",
        title="Evaluering av strukturert tverrfaglig oppfølgingsteam",
        subtitle="Forankring, koordinatorer, team, PSFS, brukere, registerutfall og intervjuer",
        sections=evaluation_sections(con, settings),
        audience=settings.report.audience,
        summary=summary,
        totals=_totals(summary),
        prov=prov,
        plotly_js=plotly_library(),
    )
