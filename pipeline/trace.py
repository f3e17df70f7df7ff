"""`ot-eval trace`: from one row of a metrics table back to the source rows that made it.

It reads the metric's declared definition (`pipeline.metrics.definition`): the units relation,
the numerator and denominator flags, and the lineage columns. The same `unit_filter` and
`unit_counts` the metric module ran select and count the units here, so what the trace shows
is what the number was made of. Person-level rows go to the terminal or a file the user
names, never into a report.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from pipeline.errors import UserError
from pipeline.metrics.definition import (
    LINEAGE_LIST,
    Definition,
    relation,
    unit_counts,
    unit_filter,
)
from pipeline.metrics.tidy import WEIGHT_SUMS, share_of
from pipeline.sqlutil import ident, table_exists
from pipeline.stats.agreement import alpha_nominal, cohens_kappa, reliability_matrix
from pipeline.stats.contingency import crosstab, independence
from pipeline.stats.means import mean_t, median_ci
from pipeline.stats.proportions import Share, share, share_change

ROLE = {
    "numerator": "numerator",
    "denominator": "denominator only",
    "outside": "not in denominator",
}


@dataclass(frozen=True)
class Trace:
    definition: Definition
    metric_row: dict[str, Any]
    split: pd.DataFrame  # units by role (numerator / denominator only / outside)
    by_file: pd.DataFrame  # source rows per source, file and role
    reproduced: float | None  # the estimate recomputed from the traced units
    detail: pd.DataFrame  # estimator-specific: the 2x2 table, the panel by group
    rows: pd.DataFrame  # one row per source row: source, file, row, role, key columns


def parse_selectors(items: Sequence[str]) -> dict[str, str]:
    """`kommune=5530 age_band=80+` -> {"kommune": "5530", "age_band": "80+"}."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UserError(
                f"Cannot read the selector {item!r}",
                expected="column=value, e.g. kommune=5530 snapshot_date=2023-10-04",
            )
        out[name.strip()] = value.strip()
    return out


def _norm(text: str) -> str:
    """Compare without case, and with '-' for the minus sign the reports print."""
    return text.replace("−", "-").replace("–", "-").casefold()


def find_metric_row(
    con: duckdb.DuckDBPyConnection, d: Definition, selectors: Mapping[str, str]
) -> dict[str, Any]:
    """The one row of metrics.<table> the selectors pick (an error lists the choices)."""
    if not table_exists(con, "metrics", d.table):
        raise UserError(
            f"metrics.{d.table} is not in the warehouse",
            hint="Run `ot-eval evaluate` (or `ot-eval metrics`) first",
        )
    columns = [
        c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = "
            "'metrics' and table_name = ? order by ordinal_position",
            [d.table],
        ).fetchall()
    ]  # fmt: skip
    shown = ", ".join(  # dimensions as text: a date reads 2023-10-04, as in the reports
        f"cast({ident(c)} as varchar) as {ident(c)}" if c in d.dims else ident(c) for c in columns
    )
    unknown = [k for k in selectors if k not in columns]
    if unknown:
        raise UserError(
            f"metrics.{d.table} has no column {', '.join(unknown)}",
            expected="one of " + ", ".join(d.dims),
        )
    # the rows whose selected columns read the same without case and minus-sign variants,
    # found in SQL; the whole table is read only when that is not exactly one row (totals to
    # resolve, an error to explain)
    same = " and ".join(
        f"lower(replace(replace(cast({ident(c)} as varchar), '−', '-'), '–', '-')) = ?"
        for c in selectors
    )
    relation = ident("metrics", d.table)
    params = [_norm(v) for v in selectors.values()]
    found = con.execute(f"select {shown} from {relation} where {same or 'true'}", params).df()
    if len(found) == 1 and all(_norm(str(found.iloc[0][c])) == _norm(v)
                               for c, v in selectors.items()):  # fmt: skip
        return {str(k): v for k, v in found.iloc[0].items()}
    table = con.execute(f"select {shown} from {relation}").df()
    chosen = table
    for col, value in selectors.items():
        chosen = chosen[chosen[col].astype(str).map(_norm) == _norm(value)]
    for dim, total in d.totals.items():  # a dimension not named means its total («Alle»)
        if dim not in selectors and len(chosen) > 1:
            chosen = chosen[chosen[dim].astype(str) == total]
    if len(chosen) == 1:
        return {str(k): v for k, v in chosen.iloc[0].items()}
    if chosen.empty:
        raise UserError(
            f"No row of metrics.{d.table} has {_show(selectors)}",
            hint=_choices(table, d.dims, selectors),
        )
    free = [c for c in d.dims if c not in selectors and chosen[c].nunique() > 1]
    raise UserError(
        f"{len(chosen)} rows of metrics.{d.table} have {_show(selectors) or 'no selector'}",
        hint="Add " + " ".join(f"{c}=…" for c in free) + "; " + _choices(chosen, free, {}),
    )


def _show(selectors: Mapping[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in selectors.items())


def _choices(table: pd.DataFrame, dims: Sequence[str], selectors: Mapping[str, str]) -> str:
    parts = []
    for dim in dims:
        if dim in table.columns:
            values = sorted({str(v) for v in table[dim]})
            shown = ", ".join(values[:12]) + (" …" if len(values) > 12 else "")
            parts.append(f"{dim}: {shown}")
    return "values in the table – " + "; ".join(parts)


def _units(d: Definition, dims: Mapping[str, Any]) -> str:
    """The units relation of the metric row's part (schema.name)."""
    return d.part(dims).units or d.units


def _lineage_select(con: duckdb.DuckDBPyConnection, units: str) -> str:
    columns = {
        c for (c,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            units.split("."),
        ).fetchall()
    }  # fmt: skip
    if LINEAGE_LIST in columns:
        return f"* exclude ({LINEAGE_LIST}), unnest({LINEAGE_LIST}, recursive := true)"
    return "*, _source as source, _source_file as file, _source_row as row"


def _key(d: Definition, dims: Mapping[str, Any]) -> str:
    """The part a metric row belongs to ("" when the definition has one)."""
    return str(dims.get(d.part_by, "")) if d.part_by else ""


def _role(d: Definition, dims: Mapping[str, Any]) -> tuple[str, list[str]]:
    """SQL for a unit's role: numerator, denominator only, or outside the denominator (an
    event of a rate is in the numerator without being a denominator unit)."""
    part = d.part(dims)
    num, den = part.flag("numerator"), part.flag("denominator")
    return (
        f"case when {num} then ? when {den} then ? else ? end",
        [ROLE["numerator"], ROLE["denominator"], ROLE["outside"]],
    )


def _expanded(
    con: duckdb.DuckDBPyConnection, d: Definition, dims: Mapping[str, Any], where: str
) -> str:
    """The metric row's units, one row per source row (source, file, row), as a subquery."""
    select = _lineage_select(con, _units(d, dims))
    return f"(select {select} from {relation(d, _key(d, dims))} where {where})"


def source_rows(
    con: duckdb.DuckDBPyConnection,
    d: Definition,
    dims: Mapping[str, Any],
    limit: int | None = None,
) -> pd.DataFrame:
    """The source rows of the units behind one metric row (source, file, row), each with
    its unit's role and key columns."""
    where, params = unit_filter(d, dims)
    role, role_params = _role(d, dims)
    keys = ", ".join(ident(k) for k in (d.part(dims).keys or d.keys))
    sql = (
        f"select source, file, row, {role} as role, {keys} "
        f"from {_expanded(con, d, dims, where)} order by file, row, role"
    )
    bound = [*role_params, *params]
    if limit:
        sql += " limit ?"
        bound.append(limit)
    return con.execute(sql, bound).df()


def role_split(
    con: duckdb.DuckDBPyConnection, d: Definition, dims: Mapping[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Units by role, and source rows by source, file and role (counted in the warehouse)."""
    where, params = unit_filter(d, dims)
    role, role_params = _role(d, dims)
    units = con.execute(
        f"select {role} as role, count(*) as units from {relation(d, _key(d, dims))} "
        f"where {where} "
        "group by all order by all",
        [*role_params, *params],
    ).df()
    files = con.execute(
        f"select source, file, {role} as role, count(*) as rows "
        f"from {_expanded(con, d, dims, where)} group by all order by all",
        [*role_params, *params],
    ).df()
    return units, files


def _unit_lists(counts: pd.DataFrame, columns: Sequence[str]) -> dict[str, list[Any]]:
    """Each value column's lists (one per counted group) joined into one list per column."""
    return {c: list(itertools.chain(*counts[c])) for c in columns}


def reproduce(
    con: duckdb.DuckDBPyConnection, d: Definition, dims: Mapping[str, Any]
) -> tuple[float, pd.DataFrame]:
    """The metric row's estimate recomputed from its traced units, and the table it rests on
    (numerator and denominator per group, the 2x2 table of a kappa, the panel of a DiD)."""
    key = _key(d, dims)
    part = d.parts[key]
    counts = unit_counts(con, d, key, unit_filter(d, dims))
    for dim, total in d.totals.items():  # the units are selected; keep their own group
        is_total = counts[dim] == total
        counts = counts[is_total if str(dims[dim]) == total else ~is_total]
    for dim in d.derived:
        made_of = d.made_of(dim, dims[dim])
        if made_of:  # in the order the difference takes them: first minus second
            counts = counts[counts[dim].isin(made_of)]
            counts = counts.sort_values(dim, key=lambda c: c.map(list(made_of).index))
    if part.estimator in ("did", "event"):
        return _reproduce_did(con, d, dims)
    if part.estimator == "count":
        return float(counts["n"].sum()), counts[["n"]]
    if part.estimator == "median":
        values = np.concatenate([np.asarray(v, dtype=float) for v in counts[part.value]])
        return median_ci(values).estimate, counts[["n"]]
    if part.estimator == "mean":
        values = np.concatenate([np.asarray(v, dtype=float) for v in counts[part.value]])
        return mean_t(values).estimate, counts[["n"]]
    if part.estimator == "cramers_v":
        rows_col, cols_col = (part.value or "").split(",")
        table = crosstab(*_unit_lists(counts, (rows_col, cols_col)).values())
        return independence(table).estimate.estimate, table.reset_index()
    if part.estimator in ("adjusted_difference", "ordinal_odds_ratio"):
        from pipeline.metrics.survey_users import fit_adjusted

        units = _unit_lists(counts, (part.value or "").split(","))
        fitted = fit_adjusted(part.estimator, units)
        table = pd.DataFrame(units)[["group", "is_numerator"]].value_counts().reset_index()
        return fitted.estimate.estimate, table
    if part.estimator == "alpha":
        lists = _unit_lists(counts, (part.value or "").split(","))
        matrix, clusters = reliability_matrix(*lists.values())
        table = pd.DataFrame(
            {"units": [matrix.shape[1]], "interviews": [len(np.unique(clusters))],
             "coders": [matrix.shape[0]], "values": [int(np.sum(~np.isnan(matrix)))]}
        )  # fmt: skip
        return alpha_nominal(matrix), table
    if part.estimator == "kappa":
        a_col, b_col = (part.value or "").split(",")[:2]
        a = np.concatenate([np.asarray(v, dtype=bool) for v in counts[a_col]])
        b = np.concatenate([np.asarray(v, dtype=bool) for v in counts[b_col]])
        table = pd.DataFrame(
            {"both coded": [int(np.sum(a & b))], "first only": [int(np.sum(a & ~b))],
             "second only": [int(np.sum(~a & b))], "neither": [int(np.sum(~a & ~b))]}
        )  # fmt: skip
        return cohens_kappa(a, b).estimate, table
    shown = counts[[c for c in counts.columns if c in d.dims or c in ("n", "hits", *WEIGHT_SUMS)]]
    shares = [share_of(r) for r in counts.to_dict("records")]
    if len(shares) == 2 and any(d.made_of(k, v) for k, v in dims.items()):
        return share_change(shares[0], shares[1]).estimate.estimate, shown
    return share(Share.pooled(shares)).estimate, shown


def _reproduce_did(
    con: duckdb.DuckDBPyConnection, d: Definition, dims: Mapping[str, Any]
) -> tuple[float, pd.DataFrame]:
    """The panel summed again from the traced rows, then the same fit on the mart's panel
    after checking the two agree municipality-year by municipality-year."""
    from pipeline.metrics.registry import panel_estimate

    where, params = unit_filter(d, dims)
    panel = con.execute(
        f"""select kommune, year, sum(value) filter (is_numerator) as events,
            sum(value) filter (is_denominator) as denominator
        from {relation(d, _key(d, dims))} where {where} group by all order by all""",
        params,
    ).df()
    relative = str(dims["relative_year"]) if "relative_year" in dims else None
    estimator = str(dims.get("estimator", "twfe"))
    inference = str(dims.get("inference", "cluster"))
    estimate, mart = panel_estimate(
        con, str(dims["outcome"]), panel, relative, estimator, inference
    )
    summary = (
        mart.groupby(["evaluation_group", "is_treated"], sort=True)
        .agg(municipality_years=("kommune", "size"), events=("events", "sum"),
             denominator=("denominator", "sum"))
        .reset_index()
    )  # fmt: skip
    return estimate, summary


def trace(
    con: duckdb.DuckDBPyConnection,
    d: Definition,
    selectors: Mapping[str, str],
    rows: bool,
    limit: int | None,
) -> Trace:
    """Everything `ot-eval trace` prints for one metric row."""
    metric_row = find_metric_row(con, d, selectors)
    dims = {k: metric_row[k] for k in d.dims}
    units, files = role_split(con, d, dims)
    reproduced, detail = reproduce(con, d, dims)
    estimator = d.part(dims).estimator
    listed = rows or estimator == "count"
    return Trace(
        d,
        metric_row,
        units,
        files,
        reproduced,
        detail,
        source_rows(con, d, dims, limit) if listed else pd.DataFrame(),
    )


def _number(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return "–" if np.isnan(value) else f"{value:.6g}"
    return str(value)


def _block(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "  (none)"
    shown = frame.copy()
    for col in shown.columns:  # dates as 2023-10-04; no end date as –, not NaT
        if pd.api.types.is_datetime64_any_dtype(shown[col]):
            shown[col] = shown[col].dt.strftime("%Y-%m-%d")
    shown = shown.astype(object).where(shown.notna(), "–")
    return "\n".join("  " + line for line in shown.to_string(index=False).splitlines())


def as_text(t: Trace) -> str:
    """The trace for the terminal: metric row, definition, split, and the rows if listed."""
    d, row = t.definition, t.metric_row
    key = " ".join(f"{k}={_number(row[k])}" for k in d.dims)
    values = " ".join(f"{k}={_number(v)}" for k, v in row.items() if k not in d.dims)
    lines = [f"metrics.{d.table}: {d.title}", f"  row: {key}", f"  {values}", "", "definition"]
    lines += [f"  {head}: {text}" for head, text in d.describe()]
    lines += ["", "units by role", _block(t.split)]
    lines += ["", "source rows by file", _block(t.by_file)]
    estimate = float(row["estimate"])
    same = t.reproduced is not None and bool(np.isclose(t.reproduced, estimate, rtol=1e-9))
    lines += [
        "",
        f"recomputed from these units: {_number(t.reproduced)} "
        f"({'equals' if same else 'DIFFERS FROM'} the estimate {_number(estimate)})",
        _block(t.detail),
    ]
    if not t.rows.empty:
        total = int(t.by_file["rows"].sum())
        more = f" of {total}; --limit 0 lists all" if total > len(t.rows) else ""
        shown = f"{len(t.rows)}{more}"
        lines += ["", f"source rows ({shown})", _block(t.rows)]
    elif d.part(row).estimator != "count":
        lines += ["", "(add --rows to list the source rows)"]
    return "\n".join(lines)


def run(
    con: duckdb.DuckDBPyConnection,
    table: str,
    selectors: Sequence[str],
    fmt: str = "table",
    rows: bool = False,
    limit: int | None = 100,
) -> str:
    """The text `ot-eval trace` prints (or writes to --out)."""
    from pipeline.metrics.run import METRICS

    if table.removeprefix("metrics.") not in METRICS:
        raise UserError(
            f"No metrics table named {table!r}",
            expected="one of " + ", ".join(METRICS),
        )
    d = METRICS[table.removeprefix("metrics.")].definition
    t = trace(con, d, parse_selectors(selectors), rows, limit or None)
    if fmt == "csv":
        return (t.rows if not t.rows.empty else t.by_file).to_csv(index=False)
    return as_text(t)
