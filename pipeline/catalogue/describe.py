"""Where each table's and column's description comes from — one place each:

- `valid.<source>`: the contract (its `description`, each column's `description`);
- a SQL model: its header comment, and `sql/<layer>/<name>.yml` beside it for the columns it
  makes; a column it passes through unchanged (a plain column reference, through CTEs and
  joins: sqlglot's scope analysis) carries the upstream column's description; a column made
  the same way in models of every layer is described once in `sql/_columns.yml` (the model's
  own YAML and a pass-through win over it);
- `metrics.<table>`: the metric's declared definition; a dimension matched on its units
  relation carries that column's description, the shared result columns are described once
  in `pipeline.metrics.tidy.COLUMNS`;
- the lineage columns (`_source`, `_source_file`, `_source_row`, `_lineage`): once, in
  `pipeline.catalogue.comments.LINEAGE`.

Each description comes with its origin, which the catalogue shows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import sqlglot
import yaml
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope
from sqlglot.schema import MappingSchema

from pipeline.catalogue.comments import LINEAGE, column_comments, header
from pipeline.errors import UserError

if TYPE_CHECKING:
    from pipeline.metrics.definition import Definition
    from pipeline.transform import Model
    from pipeline.validate.contracts import Contract

LINEAGE_ORIGIN = "pipeline/catalogue/comments.py (LINEAGE)"
METRIC_ORIGIN = "pipeline/metrics/tidy.py (COLUMNS)"
SHARED_COLUMNS = "_columns.yml"  # in sql/: columns every layer makes alike (harmonised kommune)


@dataclass(frozen=True)
class Described:
    text: str
    origin: str  # a file, or the upstream column (schema.table.column) it passes through


def contract_columns(contract: Contract) -> dict[str, Described]:
    origin = f"data_contracts/{contract.path.name}"
    out = {n: Described(c.description, origin) for n, c in contract.columns.items()}
    out.update({n: Described(t, LINEAGE_ORIGIN) for n, t in LINEAGE.items()})
    return {n: d for n, d in out.items() if d.text}


def model_text(m: Model) -> str:
    return header(m.sql)


def model_columns(con: duckdb.DuckDBPyConnection, m: Model) -> dict[str, Described]:
    """The model's columns: what passes through carries the upstream description, the YAML
    beside the model describes what it makes (and wins where both speak)."""
    out: dict[str, Described] = {n: Described(t, LINEAGE_ORIGIN) for n, t in LINEAGE.items()}
    shared = m.path.parent.parent / SHARED_COLUMNS
    origin = f"sql/{shared.name}"
    out.update({n: Described(t, origin) for n, t in model_yaml(shared).items()})
    upstream: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    for column, (schema, table, name) in passthrough(con, m.sql).items():
        if (schema, table) not in upstream:  # sqlglot folds case; DuckDB matches any case
            found = column_comments(con, schema, table)
            upstream[(schema, table)] = {k.lower(): (k, v) for k, v in found.items()}
        if name.lower() in upstream[(schema, table)]:
            real, text = upstream[(schema, table)][name.lower()]
            out[column] = Described(text, f"{schema}.{table}.{real}")
    own = m.path.with_suffix(".yml")
    origin = f"sql/{m.layer}/{own.name}"
    out.update({n: Described(t, origin) for n, t in model_yaml(own).items()})
    return out


def model_yaml(path: Path) -> dict[str, str]:
    """`columns: {name: description}` from the YAML beside a model (none: {})."""
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UserError(
            f"The model's column descriptions are not valid YAML: {exc}", file=path
        ) from exc
    columns = data.get("columns", {}) if isinstance(data, dict) else None
    if not isinstance(columns, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
    ):
        raise UserError(
            "Expected `columns:` mapping each column name to its description (text)", file=path
        )
    return {k: " ".join(v.split()) for k, v in columns.items()}


def passthrough(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, tuple[str, str, str]]:
    """Output columns that are an upstream column unchanged: name -> (schema, table, column),
    names folded to lower case as sqlglot normalises them.
    A model sqlglot cannot analyse (an UNPIVOT, say) passes nothing through: the YAML beside
    it then describes every column."""
    tables: dict[str, dict[str, dict[str, str]]] = {}
    for s, t, c, kind in con.execute(
        "select schema_name, table_name, column_name, data_type from duckdb_columns() "
        "where schema_name in ('valid', 'staging', 'intermediate', 'marts', 'meta')"
    ).fetchall():
        tables.setdefault(s, {}).setdefault(t, {})[c] = kind
    schema = MappingSchema(dict(tables), dialect="duckdb")
    quiet = logging.getLogger("sqlglot")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # it warns of scopes it cannot traverse: we skip those
    try:
        tree = qualify(
            sqlglot.parse_one(sql, read="duckdb"),
            schema=schema,
            dialect="duckdb",
            validate_qualify_columns=False,
            quote_identifiers=False,
        )
        root = build_scope(tree)
    except SqlglotError:
        return {}
    finally:
        quiet.setLevel(level)
    if root is None or not isinstance(tree, exp.Select):
        return {}
    found = {}
    for projection in tree.selects:
        origin = _origin(root, projection.alias_or_name)
        if origin:
            found[projection.alias_or_name] = origin
    return found


def _origin(scope: Scope, name: str) -> tuple[str, str, str] | None:
    """Follow one output column down through CTEs and subqueries while it stays a plain
    column reference; the physical table column it ends at."""
    select = scope.expression
    if not isinstance(select, exp.Select):
        return None  # a UNION: its columns come from several places
    for projection in select.selects:
        if projection.alias_or_name != name:
            continue
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        if not isinstance(inner, exp.Column) or not inner.table:
            return None
        source = scope.sources.get(inner.table)
        if isinstance(source, exp.Table) and source.db:
            return (source.db, source.name, inner.name)
        if isinstance(source, Scope):
            return _origin(source, inner.name)
        return None
    return None


def metric_text(d: Definition) -> str:
    return f"{d.title}. Unit: {d.unit} ({d.units}). Selection: {d.filters}. Method: {d.method}"


def metric_columns(con: duckdb.DuckDBPyConnection, d: Definition) -> dict[str, Described]:
    """A metric table's columns: its matched dimensions carry the units relation's column
    descriptions; the rest come from the shared result columns."""
    from pipeline.metrics.tidy import COLUMNS  # (the metrics package imports the transform)

    out = {n: Described(t, METRIC_ORIGIN) for n, t in COLUMNS.items()}
    schema, table = d.units.split(".")
    units = column_comments(con, schema, table)
    for dim in d.matched:
        if units.get(dim):
            total = d.totals.get(dim)
            text = units[dim] + (f" Here '{total}' = all of them together." if total else "")
            out[dim] = Described(text, f"{d.units}.{dim}")
    return out


def texts(described: Mapping[str, Described]) -> dict[str, str]:
    return {n: d.text for n, d in described.items()}
