"""Render the evaluation report and the index from the warehouse's metrics and meta tables."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pandas as pd
import plotly.graph_objects as go
import plotly.offline

from pipeline.report import figures
from pipeline.settings import Settings
from pipeline.sqlutil import table_exists
from pipeline.validate.summary import Summary, alerts, summarise

TEMPLATES = Path(__file__).parent / "templates"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    env.filters["thousands"] = _count  # one number format for every report
    return env


def _fig(fig: go.Figure) -> str:
    """The figure as a div; its id is derived from its content, so the same data give the
    same bytes (Plotly would draw a random id)."""
    div_id = "fig-" + hashlib.sha256(fig.to_json().encode()).hexdigest()[:16]
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )


def _pct(x: float) -> str:
    return "–" if pd.isna(x) else f"{100 * x:.1f} %".replace(".", ",")


def _num(x: float, digits: int = 2) -> str:
    return "–" if pd.isna(x) else f"{x:.{digits}f}".replace(".", ",").replace("-", "−")


def _table(
    data: pd.DataFrame, columns: dict[str, str], percent: bool = True, digits: int = 2
) -> str:
    """HTML table of the named columns, estimates and CIs formatted for reading."""
    fmt = _pct if percent else (lambda v: _num(v, digits))
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    body = []
    for _, r in data.iterrows():
        cells = []
        for col in columns:
            if col == "ci":
                text = f"{fmt(r['ci_low'])} – {fmt(r['ci_high'])}"
                cells.append(f"<td class='num'>{html.escape(text)}</td>")
            elif col == "estimate":
                cells.append(f"<td class='num'>{html.escape(fmt(r['estimate']))}</td>")
            elif col == "n":
                cells.append(f"<td class='num'>{int(r['n'])}</td>")
            else:
                cells.append(f"<td>{html.escape(str(r[col]))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


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


def _names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("select kommune, name from meta.cfg_pilots").fetchall())


def evaluation_sections(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[dict]:
    names = _names(con)
    sections = []
    m = con.execute("select * from metrics.anchoring_by_role").df()
    inv = m[(m.indicator == "ikke_involvert") & (m.dimension == "rolle")]
    sections.append(
        {
            "id": "forankring",
            "title": "Forankring",
            "note": "Andel som ikke har vært involvert i eller informert om piloten, og andel som "
            "kjenner piloten og oppfølgingsteam godt, etter rolle og sektor. Blant gyldige "
            "svar («Vet ikke» og ubesvart holdt utenfor). Feilstolpene er 95 % KI (Wilson).",
            "figures": [
                _fig(figures.share_bars(inv, "group", "Ikke involvert/informert, etter rolle")),
                _fig(
                    figures.share_bars(
                        m[m.indicator != "ikke_involvert"],
                        "group",
                        "Godt kjent, etter rolle og sektor",
                        color="label",
                    )
                ),
            ],
            "table": _table(
                m,
                {
                    "label": "Indikator",
                    "dimension": "Etter",
                    "group": "Gruppe",
                    "n": "n",
                    "estimate": "Andel",
                    "ci": "95 % KI",
                },
            ),
        }
    )
    m = con.execute("select * from metrics.coordinator_adequacy").df()
    sections.append(
        {
            "id": "koordinatorer",
            "title": "Koordinatorenes tid, opplæring og støtte",
            "note": "Koordinatorer som svarer «i stor» eller «i svært stor grad».",
            "figures": [_fig(figures.share_bars(m, "label", "Koordinatorer: tilstrekkelig …"))],
            "table": _table(
                m, {"label": "Indikator", "n": "n", "estimate": "Andel", "ci": "95 % KI"}
            ),
        }
    )
    m = con.execute("select * from metrics.team_counts").df()
    m["snapshot_date"] = pd.to_datetime(m["snapshot_date"]).dt.strftime("%Y-%m-%d")  # no 00:00
    m["kommune_navn"] = m["kommune"].map(names).fillna(m["kommune"])
    focus = settings.report.municipality
    sections.append(
        {
            "id": "team",
            "title": "Aktive oppfølgingsteam etter alder",
            "note": "Team som er aktive på datoen (startdato ≤ dato, og ingen sluttdato eller "
            "sluttdato ≥ dato); alder i hele år på datoen.",
            "figures": [
                _fig(
                    figures.team_bars(
                        m[m.kommune == focus], f"Aktive team i {names.get(focus, focus)}"
                    )
                )
            ],
            "table": _table(
                m,
                {
                    "kommune_navn": "Kommune",
                    "snapshot_date": "Dato",
                    "age_band": "Aldersgruppe",
                    "n": "Aktive team",
                },
            ),
        }
    )
    m = con.execute("select * from metrics.psfs_change").df()
    m["kommune_navn"] = m["kommune"].map(names).fillna(m["kommune"])
    mean = m[m.indicator == "gjennomsnittlig_endring"]
    sections.append(
        {
            "id": "psfs",
            "title": "PSFS – «Hva er viktig for deg?»",
            "note": "Endring i gjennomsnittlig aktivitetsskår fra første til siste samtale, bare "
            "aktiviteter skåret i begge (skala snudd der 0 = ingen vansker). En endring på "
            "2 eller mer regnes som meningsfull (Stratford 1995).",
            "figures": [
                _fig(
                    figures.mean_points(
                        mean, "kommune_navn", "Gjennomsnittlig endring", "Endring (0–10)"
                    )
                )
            ],
            "table": _table(
                mean,
                {
                    "kommune_navn": "Kommune",
                    "n": "Personer",
                    "estimate": "Endring",
                    "ci": "95 % KI",
                },
                percent=False,
            )
            + _table(
                m[m.indicator != "gjennomsnittlig_endring"],
                {
                    "kommune_navn": "Kommune",
                    "n": "Personer",
                    "estimate": "Andel med bedring ≥ 2",
                    "ci": "95 % KI",
                },
            ),
        }
    )
    m = con.execute("select * from metrics.user_benefit").df()
    groups = m[(m.indicator == "utbytte") & ~m.group.str.startswith("Forskjell")]
    sections.append(
        {
            "id": "brukere",
            "title": "Brukere og pårørende",
            "note": "Andel med stort eller svært stort utbytte, etter om de har oppfølgingsteam, "
            "koordinator eller IP; forskjellen Ja − Nei med Newcombes KI.",
            "figures": [_fig(figures.share_bars(groups, "group", "Stort utbytte av tjenestene"))],
            "table": _table(
                m,
                {
                    "label": "Indikator",
                    "group": "Gruppe",
                    "n": "n",
                    "estimate": "Andel",
                    "ci": "95 % KI",
                },
            ),
        }
    )
    m = con.execute("select * from metrics.registry_did").df()
    panel = con.execute("""select evaluation_group, year,
        -- person_years is a double: a fixed order of summation gives the same bits every run
        sum(emergency_admissions) * 1000 / sum(person_years order by kommune)
            as emergency_admissions_per_1000
        from marts.fct_registry_municipality_year group by all order by all""").df()
    sections.append(
        {
            "id": "register",
            "title": "Registerutfall: piloter mot sammenligningskommuner",
            "note": "Forskjell-i-forskjeller med kommune- og årseffekter, vektet med personår, "
            "klyngerobuste standardfeil per kommune. Med få pilotkommuner er "
            "klyngerobust inferens usikker; tolk KI med varsomhet.",
            "figures": [
                _fig(
                    figures.trend_lines(
                        panel,
                        "emergency_admissions_per_1000",
                        "Akutte innleggelser per 1 000 personår",
                        "Per 1 000 personår",
                        settings.evaluation.intervention_date.year,
                    )
                )
            ],
            "table": _table(
                m,
                {
                    "label": "Utfall",
                    "n": "Kommune-år",
                    "n_clusters": "Kommuner",
                    "n_treated_clusters": "Piloter",
                    "estimate": "Effekt",
                    "ci": "95 % KI",
                },
                percent=False,
            ),
        }
    )
    m = con.execute("select * from metrics.interview_themes").df()
    agree = con.execute("select * from metrics.interview_agreement").df()
    whole = m[m.code == "(hele temaet)"]
    sections.append(
        {
            "id": "intervjuer",
            "title": "Intervjuer: tema",
            "note": "Andel intervjuer der koden forekommer (hovedkoder); samsvar mellom kodere på "
            "dobbeltkodede intervjuer (Cohens kappa).",
            "figures": [_fig(figures.share_bars(whole, "theme", "Intervjuer som berører temaet"))],
            "table": _table(
                m,
                {
                    "theme": "Tema",
                    "code": "Kode",
                    "n": "Intervjuer",
                    "estimate": "Andel",
                    "ci": "95 % KI",
                },
            )
            + _table(
                agree,
                {
                    "coders": "Kodere",
                    "code": "Kode",
                    "n": "Enheter",
                    "estimate": "Kappa",
                    "ci": "95 % KI",
                },
                percent=False,
            ),
        }
    )
    return sections


def _count(value: Any) -> str:
    return f"{int(value):,}".replace(",", "\u202f")


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
        gx_max_rows=_count(gx_max_rows),
        prov=prov,
        plotly_js=None,
    )


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _missing(con: duckdb.DuckDBPyConnection, needs: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"{s}.{t}" for s, t in needs if not table_exists(con, s, t)]


def write_reports(con: duckdb.DuckDBPyConnection, settings: Settings, out: Path) -> list[Path]:
    """Write every report into `out` (the run's own folder, published with its warehouse).

    A report whose tables this warehouse lacks (a single stage was run) becomes a page that
    says so, never a report left over from another run.
    """
    from pipeline.metrics.run import METRICS

    env = _env()
    prov = provenance(con)
    out.mkdir(parents=True, exist_ok=True)
    checked = (("meta", "reconciliation"), ("meta", "contracts"), ("meta", "rules"))
    pages: dict[str, tuple[tuple[tuple[str, str], ...], Callable[[], str]]] = {
        "data_quality.html": (
            checked,
            lambda: data_quality(env, summarise(con), prov, settings.validation.gx_max_rows),
        ),
        "evaluation.html": (
            checked + tuple(("metrics", m) for m in METRICS),
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
        _write(out / name, text)
        written.append(out / name)
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
        ],
        prov=prov,
        plotly_js=None,
    )
    _write(out / "index.html", index)
    return [*written, out / "index.html"]


def _evaluation(
    env: jinja2.Environment, con: duckdb.DuckDBPyConnection, settings: Settings, prov: dict
) -> str:
    summary = summarise(con)
    return env.get_template("evaluation.html.j2").render(
        lang="nb",
        title="Evaluering av strukturert tverrfaglig oppfølgingsteam",
        subtitle="Forankring, koordinatorer, team, PSFS, brukere, registerutfall og intervjuer",
        sections=evaluation_sections(con, settings),
        summary=summary,
        totals=_totals(summary),
        prov=prov,
        plotly_js=plotly.offline.get_plotlyjs(),
    )
