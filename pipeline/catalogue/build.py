"""The catalogue as data: every table of `valid`, `staging`, `intermediate`, `marts` and
`metrics` with its description, what it is built from and what it feeds, and every column with
its type, description and where that description comes from. Read from the warehouse's own
COMMENTs (what `duckdb_columns()` shows an analyst); a model's origins are those its build
recorded (meta.column_origins), the rest worked out by the same code that set the comments
(`pipeline.catalogue.describe`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from pipeline.catalogue.comments import SCHEMAS, recorded_origins
from pipeline.catalogue.describe import (
    Described,
    contract_columns,
    metric_columns,
    model_columns,
)
from pipeline.settings import Settings
from pipeline.sqlutil import table_exists
from pipeline.transform import COMMENT, discover
from pipeline.validate.contracts import load_contract

META = re.compile(r"\bmeta\.(\w+)")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    text: str
    origin: str


@dataclass
class Table:
    schema: str
    name: str
    kind: str  # table | view
    text: str
    built_from: list[str]
    columns: list[Column]
    feeds: list[str] = field(default_factory=list)

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"


def catalogue(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[Table]:
    """Every table of the five schemas this warehouse has, in schema then name order."""
    from pipeline.metrics.run import METRICS  # the metric modules import the transform

    origins: dict[str, dict[str, Described]] = {}
    built_from: dict[str, list[str]] = {}
    for name, source in settings.sources.items():
        contract = load_contract(settings.contracts_dir / f"{source.contract}.yml")
        origins[f"valid.{name}"] = contract_columns(contract)
        built_from[f"valid.{name}"] = [f"raw.{name}", f"data_contracts/{contract.path.name}"]
    recorded = recorded_origins(con)
    for m in discover(settings.sql_dir):
        if table_exists(con, m.layer, m.name):
            if m.relation in recorded:
                origins[m.relation] = {c: Described("", o) for c, o in recorded[m.relation].items()}
            else:  # a warehouse built before the origins were recorded
                origins[m.relation] = model_columns(con, m)
            reads = {f"valid.{s}" for s in m.inputs} | m.reads
            reads |= {f"meta.{t}" for t in META.findall(COMMENT.sub("", m.sql))}
            built_from[m.relation] = sorted(reads)
    for name, metric in METRICS.items():
        d = metric.definition
        if table_exists(con, "metrics", name):
            origins[f"metrics.{name}"] = metric_columns(con, d)
            units = {d.units} | {p.units for p in d.parts.values() if p.units}
            built_from[f"metrics.{name}"] = sorted(units)
    tables = []
    rows = con.execute(
        "select schema_name, table_name, 'table', comment from duckdb_tables() "
        "where schema_name in ? union all "
        "select schema_name, view_name, 'view', comment from duckdb_views() "
        "where not internal and schema_name in ? order by 1, 2",
        [list(SCHEMAS), list(SCHEMAS)],
    ).fetchall()
    for schema, name, kind, text in rows:
        relation = f"{schema}.{name}"
        described = origins.get(relation, {})
        columns = [
            Column(c, t, comment or "", described[c].origin if c in described else "")
            for c, t, comment in con.execute(
                "select column_name, data_type, comment from duckdb_columns() "
                "where schema_name = ? and table_name = ? order by column_index",
                [schema, name],
            ).fetchall()
        ]
        tables.append(Table(schema, name, kind, text or "", built_from.get(relation, []), columns))
    by_name = {t.relation: t for t in tables}
    for t in tables:
        for upstream in t.built_from:
            if upstream in by_name:
                by_name[upstream].feeds.append(t.relation)
    tables.sort(key=lambda t: (SCHEMAS.index(t.schema), t.name))
    return tables


def coverage(tables: list[Table]) -> tuple[int, int]:
    """(described, all) over the tables and columns."""
    items = [t.text for t in tables] + [c.text for t in tables for c in t.columns]
    return sum(1 for x in items if x), len(items)
