"""Transform: run the SQL models in layer order (staging -> intermediate -> marts).

Each file `sql/<layer>/<name>.sql` holds one SELECT and becomes table `<layer>.<name>` (a view
if its first line is `-- materialize: view`: national-size relations that only a trace reads,
or that the run reads once, where a table would be written only to be read back). Within a
layer, models run after the models they reference.
A model that validation reads (the municipality map) is built as soon as the `valid.*` tables
it reads exist: `when_ready` gives the validate stage a callback for that, so validation never
imports this module and the map has one definition. Settings the SQL needs
(pilots, comparison municipalities, age bands, snapshot dates, code vintage) are written to
`meta.cfg_*` tables first, so SQL joins them instead of having values pasted in.
"""

from __future__ import annotations

import graphlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.catalogue import comments
from pipeline.catalogue.describe import model_columns, model_text, texts
from pipeline.errors import UserError, first_line
from pipeline.margins import read_margins
from pipeline.settings import Settings
from pipeline.sqlutil import ident, table_exists

LAYERS = ("staging", "intermediate", "marts")
REFERENCE = re.compile(r"\b(staging|intermediate|marts)\.(\w+)")
INPUT = re.compile(r"\bvalid\.(\w+)")
COMMENT = re.compile(r"--[^\n]*")  # a model's comments may name relations it does not read
VIEW = "-- materialize: view"


@dataclass(frozen=True)
class Model:
    layer: str
    name: str
    path: Path
    sql: str

    @property
    def relation(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def kind(self) -> str:
        return "view" if self.sql.startswith(VIEW) else "table"

    @property
    def reads(self) -> set[str]:
        """The models this model reads (layer.name; comments do not count)."""
        return {f"{a}.{b}" for a, b in REFERENCE.findall(COMMENT.sub("", self.sql))}

    @property
    def inputs(self) -> set[str]:
        """The validated sources this model reads."""
        return set(INPUT.findall(COMMENT.sub("", self.sql)))


def discover(sql_dir: Path) -> list[Model]:
    """All models, ordered so each runs after what it reads."""
    models = {}
    for layer in LAYERS:
        for path in sorted((sql_dir / layer).glob("*.sql")):
            m = Model(layer, path.stem, path, path.read_text(encoding="utf-8"))
            models[m.relation] = m
    graph = {}
    for rel, m in models.items():
        deps = m.reads - {rel}
        unknown = deps - set(models)
        if unknown:
            raise UserError(
                f"SQL model {rel} reads relations that no model builds: "
                f"{', '.join(sorted(unknown))}",
                file=m.path,
            )
        bad = [d for d in deps if LAYERS.index(d.split(".")[0]) > LAYERS.index(m.layer)]
        if bad:
            raise UserError(f"SQL model {rel} reads a later layer: {', '.join(bad)}", file=m.path)
        graph[rel] = deps
    order: list[str] = []
    for layer in LAYERS:  # layer by layer, and within a layer after what each reads
        sub = {
            r: {d for d in deps if d.startswith(layer + ".")}
            for r, deps in graph.items()
            if r.startswith(layer + ".")
        }
        order += graphlib.TopologicalSorter(sub).static_order()
    return [models[r] for r in order]


AGE_YEARS = """create or replace macro meta.age_years(birth, on_date) as
    year(on_date) - year(birth)
    - case when month(on_date) * 100 + day(on_date) < month(birth) * 100 + day(birth)
      then 1 else 0 end"""
"""Age in completed years on a date: the birthday has come when the date's (month, day) is at
or past the birth's, so a 29 February birthday is reached on 1 March in other years. The one
definition every model uses (teams on a date, PSFS persons)."""


def write_config_tables(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    ev = settings.evaluation
    pilots = pd.DataFrame(
        [(p.name, p.code, p.start, p.end) for p in ev.pilots],
        columns=["name", "kommune", "start_date", "end_date"],
    )
    comparison = pd.DataFrame({"kommune": list(ev.comparison)}, dtype="string")
    bounds = list(ev.age_bands)
    bands = pd.DataFrame(
        {
            "age_from": bounds,
            "age_to": [*(b - 1 for b in bounds[1:]), None],
            "label": list(ev.age_band_labels),
            "sort_order": range(len(bounds)),
        }
    ).astype({"age_to": "Int64"})
    snapshots = pd.DataFrame({"snapshot_date": pd.to_datetime(list(ev.team_snapshots)).date})
    params = pd.DataFrame(
        {
            "municipality_vintage": [ev.municipality_vintage],
            "intervention_date": [ev.intervention_date],
            "first_year": [ev.first_year],
            "last_year": [ev.last_year],
            "seed": [ev.seed],
            "bootstrap_replications": [ev.bootstrap_replications],
            "partial_years": [ev.partial_years],
            "after_exit": [ev.after_exit],
        }
    )
    theme_roles = pd.DataFrame(
        [(theme, role) for theme, roles in ev.interview_theme_roles for role in roles],
        columns=["theme", "informant_role"],
        dtype="string",
    )
    raking = {w.source: read_margins(w.margins_file) for w in ev.survey_weights if w.margins_file}
    weights = pd.DataFrame(
        [
            (
                w.source,
                w.column,
                w.margins_file.name if w.margins_file else None,  # not where the clone is
                raking[w.source][1] if w.source in raking else None,
            )
            for w in ev.survey_weights
        ],
        columns=["source", "weight_column", "margins_file", "margins_sha256"],
        dtype="string",
    )
    margins = pd.DataFrame(
        [
            (m.wave, m.dimension, m.group, float(m.total))
            for found, _sha in raking.values()
            for m in found
        ],
        columns=["wave", "dimension", "group", "total"],
    ).astype({"wave": "int64", "dimension": "string", "group": "string", "total": "float64"})
    con.execute(AGE_YEARS)
    for name, frame in (
        ("cfg_pilots", pilots),
        ("cfg_comparison", comparison),
        ("cfg_age_bands", bands),
        ("cfg_team_snapshots", snapshots),
        ("cfg_parameters", params),
        ("cfg_interview_theme_roles", theme_roles),
        ("cfg_survey_weights", weights),  # one row per survey the config weights
        ("cfg_survey_margins", margins),  # the staff raking totals (none: no raking)
    ):
        con.register("cfg_frame", frame)
        con.execute(f"create or replace table {ident('meta', name)} as select * from cfg_frame")
        con.unregister("cfg_frame")


def _build(con: duckdb.DuckDBPyConnection, m: Model) -> None:
    target = ident(m.layer, m.name)
    try:
        found = con.execute(  # a model may have changed kind since the last build
            "select table_type from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [m.layer, m.name],
        ).fetchone()
        if found and (found[0] == "VIEW") != (m.kind == "view"):
            con.execute(f"drop {'view' if found[0] == 'VIEW' else 'table'} {target}")
        con.execute(f"create or replace {m.kind} {target} as\n{m.sql}")
        described = model_columns(con, m)
        comments.apply(con, m.layer, m.name, model_text(m), texts(described))
        comments.record_origins(con, m.relation, {k: d.origin for k, d in described.items()})
    except duckdb.Error as exc:
        raise UserError(f"SQL model {m.relation} failed: {first_line(exc)}", file=m.path) from exc


def when_ready(
    con: duckdb.DuckDBPyConnection, settings: Settings, wanted: Iterable[tuple[str, str]]
) -> Callable[[str], None]:
    """A callback for the validate stage: after each source is valid, build every wanted model
    whose validated inputs all exist now (each once)."""
    models = {m.relation: m for m in discover(settings.sql_dir)}
    todo = []
    for layer, name in wanted:
        relation = f"{layer}.{name}"
        if relation not in models:
            raise UserError(
                "The SQL model is missing", file=settings.sql_dir / layer / f"{name}.sql"
            )
        todo.append(models[relation])
    write_config_tables(con, settings)

    def after(_source: str) -> None:
        for m in list(todo):
            if all(table_exists(con, "valid", s) for s in m.inputs):
                _build(con, m)
                todo.remove(m)

    return after


def run_models(
    con: duckdb.DuckDBPyConnection, settings: Settings, partial: bool = False
) -> list[str]:
    """Build every model in order. `partial`: only the models whose validated inputs exist
    (and whose models upstream were built) — for commands that read a subset of the sources,
    such as `ot-eval teams` from register files alone."""
    write_config_tables(con, settings)
    built: list[str] = []
    skipped: set[str] = set()
    for m in discover(settings.sql_dir):
        if partial and (
            m.reads & skipped or not all(table_exists(con, "valid", s) for s in m.inputs)
        ):
            skipped.add(m.relation)
            continue
        _build(con, m)
        built.append(m.relation)
    return built
