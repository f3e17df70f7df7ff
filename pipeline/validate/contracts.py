"""Data contracts: `data_contracts/<name>.yml` is the one place a source's rules live.

A contract lists columns (type, required, not_null, allowed values with labels, min/max,
pattern, unique), compound keys and cross-field rules, each with a severity
(quarantine | warn | stop) and a reason written for the reader of the data-quality report.
"""

from __future__ import annotations

import hashlib
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


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = True
    not_null: bool = False
    allowed: dict[Any, str] | None = None  # value -> label
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    unique: bool = False
    date_format: str | None = None
    severity: str = "quarantine"
    reason: str = ""


@dataclass(frozen=True)
class PairRule:
    """column_a <op> column_b on the same row (rows with either value missing pass)."""

    name: str
    column_a: str
    op: str  # ">=" or ">"
    column_b: str
    severity: str
    reason: str


@dataclass(frozen=True)
class Contract:
    name: str
    version: str
    description: str
    columns: dict[str, Column]
    keys: tuple[tuple[str, ...], ...] = ()
    rules: tuple[PairRule, ...] = ()
    sha256: str = ""
    path: Path = field(default=Path())


def _fail(path: Path, message: str) -> UserError:
    return UserError(
        f"Invalid data contract: {message}",
        file=path,
        hint="See data_contracts/README.md for the contract format",
    )


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
    for key in ("name", "version", "columns"):
        if key not in data:
            raise _fail(path, f"missing '{key}'")
    columns = {}
    for name, spec in data["columns"].items():
        spec = spec or {}
        ctype = spec.get("type", "varchar")
        if ctype not in TYPES:
            raise _fail(path, f"column '{name}' has unknown type {ctype!r}")
        severity = spec.get("severity", "quarantine")
        if severity not in SEVERITIES:
            raise _fail(path, f"column '{name}' has unknown severity {severity!r}")
        allowed = spec.get("allowed")
        if isinstance(allowed, list):
            allowed = {v: str(v) for v in allowed}
        columns[name] = Column(
            name=name,
            type=ctype,
            required=spec.get("required", True),
            not_null=spec.get("not_null", False),
            allowed=allowed,
            min=spec.get("min"),
            max=spec.get("max"),
            pattern=spec.get("pattern"),
            unique=spec.get("unique", False),
            date_format=spec.get("date_format"),
            severity=severity,
            reason=spec.get("reason", ""),
        )
    rules = []
    for rule in data.get("rules", []):
        a, op, b = rule["check"].split()
        if op not in (">=", ">") or a not in columns or b not in columns:
            raise _fail(path, f"rule '{rule.get('name')}' must read '<column> >= <column>'")
        rules.append(
            PairRule(
                rule["name"], a, op, b, rule.get("severity", "quarantine"), rule.get("reason", "")
            )
        )
    return Contract(
        name=data["name"],
        version=str(data["version"]),
        description=data.get("description", ""),
        columns=columns,
        keys=tuple(tuple(k) for k in data.get("keys", [])),
        rules=tuple(rules),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        path=path,
    )
