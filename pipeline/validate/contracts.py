"""Data contracts: `data_contracts/<name>.yml` is the one place a source's rules live.

A contract lists columns (type, required, not_null, allowed values with labels, min/max,
pattern, unique, kommunenummer), compound keys, cross-field rules (`a <= b`) and relations to
other sources. Every rule has a severity (quarantine | warn | stop) and a reason written for
the reader of the data-quality report. Both validation engines (GX and DuckDB SQL) read the
same `Rule` objects, so no rule exists twice. The format is documented in
data_contracts/README.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import UserError

TYPES = {
    "varchar": "VARCHAR",
    "integer": "BIGINT",
    "double": "DOUBLE",
    "date": "DATE",
    "boolean": "BOOLEAN",
}
SEVERITIES = ("quarantine", "warn", "stop")
OPERATORS = ("<", "<=", ">", ">=", "=")
KOMMUNENUMMER = r"^\d{4}$"
# strptime formats only: no quote can reach the SQL the format is placed in
DATE_FORMAT = re.compile(r"^[%A-Za-z0-9./\- :]+$")
COLUMN_RULES = ("not_null", "allowed", "min", "max", "pattern", "unique", "kommunenummer")
VALUE_KINDS = ("not_null", "allowed", "range", "pattern", "unique", "key", "compare")
"""Rules on one table's own values: GX or SQL can run them. Others (type, relations) are SQL."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = True
    date_format: str | None = None
    description: str = ""  # what the column holds (the catalogue's COMMENT on valid.*)


@dataclass(frozen=True)
class Rule:
    """One check. `columns` are this source's columns the rule reads (shown in reasons)."""

    name: str
    kind: str  # type | not_null | allowed | labels | range | pattern | unique | key |
    #            compare | exists | relation | kommunenummer_known | kommunenummer_split | read
    columns: tuple[str, ...]
    severity: str
    reason: str
    allowed: tuple[tuple[Any, str], ...] = ()  # (value, label)
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    op: str | None = None  # compare / relation: columns[0] <op> other
    other: str | None = None  # compare: a column; relation: "<source>.<column>"
    references: str | None = None  # exists / relation: the other source
    on: tuple[tuple[str, str], ...] = ()  # relation join: (this column, other column)
    why: str = ""  # the contract's own reason, as written (also the end of `reason`)

    @property
    def engine_neutral(self) -> bool:
        return self.kind in VALUE_KINDS


@dataclass(frozen=True)
class Contract:
    name: str
    version: str
    description: str
    columns: dict[str, Column]
    rules: tuple[Rule, ...] = ()
    sha256: str = ""
    path: Path = field(default=Path())
    as_of: bool = False  # every file must state the day it was exported (a register)

    def with_date_format(self, fmt: str | None) -> Contract:
        """The contract as one source reads it: every date column in `fmt` (the config's
        options.date_format for that source's files), the type rules saying so."""
        if not fmt:
            return self
        columns = {
            n: dataclasses.replace(c, date_format=fmt) if c.type == "date" else c
            for n, c in self.columns.items()
        }
        rules = tuple(
            dataclasses.replace(r, reason=_type_reason(columns[r.columns[0]]))
            if r.kind == "type" and columns[r.columns[0]].type == "date"
            else r
            for r in self.rules
        )
        return dataclasses.replace(self, columns=columns, rules=rules)

    def with_required(self, names: Sequence[str], why: str) -> Contract:
        """The contract as one source's config tightens it: each named (optional) column must
        exist in every file and hold a value on every row, for the reason given (design
        weights the config turned on)."""
        if not names:
            return self
        unknown = [n for n in names if n not in self.columns]
        if unknown:
            missing = ", ".join(unknown)
            raise _fail(self.path, f"the config requires column(s) {missing}, it has none")
        columns = {
            n: dataclasses.replace(c, required=True) if n in names else c
            for n, c in self.columns.items()
        }
        text = _reason("value is missing", why)
        added = tuple(
            Rule(f"{n}.not_null", "not_null", (n,), "quarantine", text, why=why)
            for n in names
            if not any(r.kind == "not_null" and r.columns == (n,) for r in self.rules)
        )
        return dataclasses.replace(self, columns=columns, rules=self.rules + added)

    @property
    def references(self) -> set[str]:
        """Other sources this contract's relations read (they are validated first)."""
        return {r.references for r in self.rules if r.references}

    @property
    def uses_municipality_codes(self) -> bool:
        return any(r.kind.startswith("kommunenummer_") for r in self.rules)


def _fail(path: Path, message: str) -> UserError:
    return UserError(
        f"Invalid data contract: {message}",
        file=path,
        hint="See data_contracts/README.md for the contract format",
    )


def _setting(spec: Any, default_severity: str, default_reason: str) -> tuple[Any, str, str]:
    """A rule value is either plain (`min: 0`) or `{value, severity, reason}`."""
    if isinstance(spec, dict) and ("value" in spec or "severity" in spec or "reason" in spec):
        return (
            spec.get("value", True),
            spec.get("severity", default_severity),
            spec.get("reason", default_reason),
        )
    return spec, default_severity, default_reason


def _reason(text: str, why: str) -> str:
    return f"{text} ({why})" if why else text


def _labels(allowed: dict[Any, str]) -> str:
    return ", ".join(f"{v}" if str(v) == lab else f"{v} ({lab})" for v, lab in allowed.items())


def _column_rules(path: Path, name: str, spec: dict[str, Any]) -> list[Rule]:
    sev = spec.get("severity", "quarantine")
    why = spec.get("reason", "")
    rules: list[Rule] = []

    def add(kind: str, key: str, text: str, **extra: Any) -> None:
        _, severity, reason = _setting(spec[key], sev, why)
        rules.append(
            Rule(
                f"{name}.{kind}",
                kind,
                (name,),
                severity,
                _reason(text, reason),
                why=reason,
                **extra,
            )
        )

    if _setting(spec.get("not_null", False), sev, why)[0] is True:
        add("not_null", "not_null", "value is missing")
    if "allowed" in spec:
        allowed = _setting(spec["allowed"], sev, why)[0]
        if isinstance(allowed, list):
            allowed = {v: str(v) for v in allowed}
        if not isinstance(allowed, dict) or not allowed:
            raise _fail(path, f"column '{name}': allowed must be a list or a value: label map")
        add(
            "allowed",
            "allowed",
            f"not one of the allowed values: {_labels(allowed)}",
            allowed=tuple(allowed.items()),
        )
        if any(str(v) != str(label) for v, label in allowed.items()):
            add(
                "labels",
                "allowed",
                "the file labels this code differently from the contract: its meaning may "
                "have changed (e.g. between survey waves)",
                allowed=tuple(allowed.items()),
            )
    if "min" in spec or "max" in spec:
        lo = _setting(spec["min"], sev, why)[0] if "min" in spec else None
        hi = _setting(spec["max"], sev, why)[0] if "max" in spec else None
        key = "min" if "min" in spec else "max"
        low = "" if lo is None else f"{lo}"
        high = "" if hi is None else f"{hi}"
        add("range", key, f"outside the range {low}..{high}", min=lo, max=hi)
    kommunenummer = _setting(spec.get("kommunenummer", False), sev, why)[0] is True
    if "pattern" in spec or kommunenummer:
        key = "pattern" if "pattern" in spec else "kommunenummer"
        pattern = _setting(spec[key], sev, why)[0] if key == "pattern" else KOMMUNENUMMER
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(path, f"column '{name}': pattern {pattern!r} is not a regex") from exc
        add("pattern", key, f"does not match the pattern {pattern}", pattern=pattern)
    if _setting(spec.get("unique", False), sev, why)[0] is True:
        add("unique", "unique", "the value occurs on more than one row")
    if kommunenummer:
        add(
            "kommunenummer_known",
            "kommunenummer",
            "not a kommunenummer in SSB's classification 131",
        )
        rules.append(
            Rule(
                f"{name}.kommunenummer_split",
                "kommunenummer_split",
                (name,),
                "warn",
                "the code cannot be placed in one municipality of the configured vintage (split "
                "between several later, 9999 unstated, or Svalbard / the shelf): the row is "
                "kept with the code as delivered and counted in no municipality",
            )
        )
    return rules


def _compare(path: Path, rule: dict[str, Any], columns: dict[str, Column]) -> Rule:
    parts = str(rule.get("check", "")).split()
    if len(parts) != 3 or parts[1] not in OPERATORS:
        raise _fail(path, f"rule '{rule.get('name')}' must read '<column> <op> <column>'")
    a, op, b = parts
    for col in (a, b):
        if col not in columns:
            raise _fail(path, f"rule '{rule.get('name')}' names unknown column '{col}'")
    sev, why = rule.get("severity", "quarantine"), rule.get("reason", "")
    return Rule(
        rule["name"],
        "compare",
        (a, b),
        sev,
        _reason(f"{a} {op} {b} does not hold", why),
        op=op,
        other=b,
        why=why,
    )


def _relation(path: Path, rel: dict[str, Any], columns: dict[str, Column]) -> Rule:
    name = str(rel.get("name"))
    sev, why = rel.get("severity", "quarantine"), rel.get("reason", "")
    if "references" in rel:  # the value must exist in another source's column
        column = rel.get("column")
        target = str(rel["references"])
        if column not in columns or target.count(".") != 1:
            raise _fail(path, f"relation '{name}' needs column: <column>, references: <src>.<col>")
        other_source, other_column = target.split(".")
        return Rule(
            name,
            "exists",
            (column,),
            sev,
            _reason(f"no row in {other_source} has {other_column} = this {column}", why),
            references=other_source,
            on=((column, other_column),),
            why=why,
        )
    join = rel.get("join") or {}
    parts = str(rel.get("check", "")).split()
    if not join or len(parts) != 3 or parts[1] not in OPERATORS or parts[2].count(".") != 1:
        raise _fail(
            path,
            f"relation '{name}' needs join: {{<column>: <src>.<col>}} and "
            "check: '<column> <op> <src>.<col>'",
        )
    a, op, target = parts
    other_source, other_column = target.split(".")
    on = []
    for mine, theirs in join.items():
        src, col = str(theirs).split(".")
        if src != other_source or mine not in columns:
            raise _fail(path, f"relation '{name}': join and check must name one other source")
        on.append((mine, col))
    if a not in columns:
        raise _fail(path, f"relation '{name}' names unknown column '{a}'")
    return Rule(
        name,
        "relation",
        (a, *(m for m, _ in on)),
        sev,
        _reason(f"{a} {op} {target} does not hold for the matching row", why),
        op=op,
        other=other_column,
        references=other_source,
        on=tuple(on),
        why=why,
    )


def _type_reason(column: Column) -> str:
    fmt = f" in the format {column.date_format}" if column.date_format else ""
    return f"not a valid {column.type}{fmt}"


def load_contract(path: Path) -> Contract:
    if not path.is_file():
        raise UserError(
            "No data contract for this source",
            file=path,
            hint="Every source needs data_contracts/<contract>.yml",
        )
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _fail(path, f"not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise _fail(path, "expected a mapping at the top")
    for needed in ("name", "version", "columns"):
        if needed not in data:
            raise _fail(path, f"missing '{needed}'")
    columns: dict[str, Column] = {}
    rules: list[Rule] = []
    for name, spec in data["columns"].items():
        spec = spec or {}
        ctype = spec.get("type", "varchar")
        if ctype not in TYPES:
            raise _fail(path, f"column '{name}' has unknown type {ctype!r}")
        fmt = spec.get("date_format")
        if fmt is not None and not DATE_FORMAT.match(fmt):
            raise _fail(path, f"column '{name}' has an unusable date_format {fmt!r}")
        text = " ".join(str(spec.get("description", "")).split())
        columns[name] = Column(name, ctype, bool(spec.get("required", True)), fmt, text)
        if ctype != "varchar":  # any text is a valid varchar: no rule that cannot fail
            sev = spec.get("severity", "quarantine")
            reason = _type_reason(columns[name])
            rules.append(Rule(f"{name}.type", "type", (name,), sev, reason))
        rules += _column_rules(path, name, spec)
    for entry in data.get("keys", []):
        key: dict[str, Any] = entry if isinstance(entry, dict) else {"columns": entry}
        cols = tuple(key["columns"])
        unknown = [c for c in cols if c not in columns]
        if unknown:
            raise _fail(path, f"key names unknown column(s) {', '.join(unknown)}")
        rules.append(
            Rule(
                key.get("name", "key:" + "+".join(cols)),
                "key",
                cols,
                key.get("severity", "quarantine"),
                _reason(
                    f"duplicate key ({', '.join(cols)}): the key occurs on more than one row, "
                    "so every copy is held back",
                    key.get("reason", ""),
                ),
                why=key.get("reason", ""),
            )
        )
    rules += [_compare(path, r, columns) for r in data.get("rules", [])]
    rules += [_relation(path, r, columns) for r in data.get("relations", [])]
    names = [r.name for r in rules]
    for rule in rules:
        if rule.severity not in SEVERITIES:
            raise _fail(path, f"rule '{rule.name}' has unknown severity {rule.severity!r}")
        if names.count(rule.name) > 1:
            raise _fail(path, f"two rules are named '{rule.name}'")
    return Contract(
        name=data["name"],
        version=str(data["version"]),
        description=data.get("description", ""),
        columns=columns,
        rules=tuple(rules),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        path=path,
        as_of=bool(data.get("as_of", False)),
    )
