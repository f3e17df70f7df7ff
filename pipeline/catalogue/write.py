"""`ot-eval catalogue`: the catalogue as Markdown (docs/catalogue.md, readable on any code
host) and as the browsable page reports/catalogue.html that every run writes beside its
reports. Both show names, types, descriptions and lineage only — never a value of the data."""

from __future__ import annotations

from pathlib import Path

import jinja2

from pipeline.catalogue.build import Table, coverage

SCHEMA_TITLES = {
    "valid": "valid — accepted rows of each source, typed by its contract",
    "staging": "staging — one model per source: renamed, codes harmonised",
    "intermediate": "intermediate — the building blocks (events, person-years, scores)",
    "marts": "marts — facts and dimensions the metrics count",
    "metrics": "metrics — the tidy result tables (n, estimate, CI, method)",
}


def markdown(tables: list[Table]) -> str:
    """The catalogue as one Markdown document, the same for the same warehouse."""
    described, total = coverage(tables)
    out = [
        "# Warehouse catalogue",
        "",
        "Written by `ot-eval catalogue` from the warehouse's own comments (`duckdb_tables()`, "
        "`duckdb_columns()`); each description has one source, named under *from*. "
        f"{len(tables)} tables, {total - len(tables)} columns; {described} of {total} tables "
        "and columns described.",
        "",
    ]
    for schema, title in SCHEMA_TITLES.items():
        mine = [t for t in tables if t.schema == schema]
        if not mine:
            continue
        out += [f"## {title}", ""]
        out += [f"- [`{t.relation}`](#{_anchor(t)})" for t in mine]
        out.append("")
        for t in mine:
            out += [f'<a id="{_anchor(t)}"></a>', f"### `{t.relation}` ({t.kind})", "", t.text, ""]
            if t.built_from:
                out.append("Built from: " + ", ".join(f"`{x}`" for x in t.built_from) + "  ")
            if t.feeds:
                out.append("Feeds: " + ", ".join(f"`{x}`" for x in sorted(t.feeds)) + "  ")
            out += ["", "| column | type | description | from |", "|---|---|---|---|"]
            out += [
                f"| `{c.name}` | {c.type} | {_cell(c.text)} | {_cell(c.origin)} |"
                for c in t.columns
            ]
            out.append("")
    return "\n".join(out)


def html(tables: list[Table], env: jinja2.Environment, prov: dict[str, object]) -> str:
    described, total = coverage(tables)
    return env.get_template("catalogue.html.j2").render(
        lang="nb",
        title="Katalog over datavarehuset",
        subtitle="Alle tabeller og kolonner i valid, staging, intermediate, marts og metrics",
        schemas=[
            (title, [t for t in tables if t.schema == schema])
            for schema, title in SCHEMA_TITLES.items()
        ],
        anchor=_anchor,
        listed={t.relation for t in tables},
        described=described,
        total=total,
        n_tables=len(tables),
        prov=prov,
        plotly_js=None,
    )


def write_markdown(tables: list[Table], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(markdown(tables) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


def _anchor(t: Table) -> str:
    return f"{t.schema}-{t.name}".replace("_", "-")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
