"""One typed settings object, loaded from `ot-eval.toml`.

Every path in the file is relative to the config file itself, never to the working directory.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import UserError, first_line

FORMATS = ("csv", "xlsx", "sav", "parquet")
ENGINES = ("auto", "gx", "sql")


@dataclass(frozen=True)
class Source:
    """One input source: where it is, how to read it and which contract it must meet."""

    name: str
    path: str  # a path or a glob, relative to the config file
    format: str
    contract: str
    options: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # source name -> contract name
    recode: dict[str, dict[str, Any]] = field(default_factory=dict)  # column -> {from: to}


@dataclass(frozen=True)
class Pilot:
    name: str
    code: str  # in the configured municipality-code vintage
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Evaluation:
    pilots: tuple[Pilot, ...]
    comparison: tuple[str, ...]
    intervention_date: dt.date
    first_year: int
    last_year: int
    municipality_vintage: int
    age_bands: tuple[int, ...]  # lower bounds, first is 0
    team_snapshots: tuple[dt.date, ...]


@dataclass(frozen=True)
class Report:
    municipality: str
    quarter: str
    language: str
    suppression_threshold: int


@dataclass(frozen=True)
class Validation:
    engine: str  # auto | gx | sql
    gx_max_rows: int  # auto: GX for sources up to this many rows, DuckDB SQL above


@dataclass(frozen=True)
class Sample:
    enabled: bool  # regenerate the built-in sample before `evaluate`
    dir: Path
    seed: int
    scale: float


@dataclass(frozen=True)
class Settings:
    config_file: Path
    root: Path  # the config file's folder; all relative paths start here
    warehouse: Path
    reports_dir: Path
    contracts_dir: Path
    sql_dir: Path
    sources: dict[str, Source]
    evaluation: Evaluation
    report: Report
    sample: Sample
    validation: Validation

    def resolve(self, relative: str | Path) -> Path:
        path = Path(relative)
        return path if path.is_absolute() else self.root / path


def _need(table: dict[str, Any], key: str, where: str, config: Path) -> Any:
    if key not in table:
        raise UserError(
            f"The config has no '{key}' under [{where}]",
            file=config,
            hint="Add it, or start from the ot-eval.toml shipped with the project",
        )
    return table[key]


def _date(value: Any, key: str, config: Path) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise UserError(
            f"'{key}' is not a date", file=config, expected="YYYY-MM-DD", found=repr(value)
        ) from exc


def load_settings(config_file: str | Path) -> Settings:
    """Read and check the config; raise UserError with one clear sentence on any problem."""
    config = Path(config_file).resolve()
    if not config.is_file():
        raise UserError(
            "Config file not found",
            file=config,
            hint="Pass --config PATH, or run from the project folder that holds ot-eval.toml",
        )
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"The config is not valid TOML: {first_line(exc)}", file=config) from exc
    root = config.parent

    paths = data.get("paths", {})
    sources: dict[str, Source] = {}
    for name, raw in data.get("sources", {}).items():
        fmt = _need(raw, "format", f"sources.{name}", config)
        if fmt not in FORMATS:
            raise UserError(
                f"Source '{name}' has an unknown format",
                file=config,
                expected=" or ".join(FORMATS),
                found=repr(fmt),
            )
        sources[name] = Source(
            name=name,
            path=_need(raw, "path", f"sources.{name}", config),
            format=fmt,
            contract=raw.get("contract", name),
            options=dict(raw.get("options", {})),
            columns=dict(raw.get("columns", {})),
            recode={k: dict(v) for k, v in raw.get("recode", {}).items()},
        )

    ev = _need(data, "evaluation", "", config)
    pilots = tuple(
        Pilot(
            name=_need(p, "name", "evaluation.pilots", config),
            code=str(_need(p, "code", "evaluation.pilots", config)),
            start=_date(_need(p, "start", "evaluation.pilots", config), "start", config),
            end=_date(_need(p, "end", "evaluation.pilots", config), "end", config),
        )
        for p in ev.get("pilots", [])
    )
    evaluation = Evaluation(
        pilots=pilots,
        comparison=tuple(str(c) for c in ev.get("comparison", [])),
        intervention_date=_date(
            _need(ev, "intervention_date", "evaluation", config), "intervention_date", config
        ),
        first_year=int(ev.get("first_year", 2017)),
        last_year=int(ev.get("last_year", 2022)),
        municipality_vintage=int(ev.get("municipality_vintage", 2024)),
        age_bands=tuple(int(a) for a in ev.get("age_bands", [0, 18, 67, 80])),
        team_snapshots=tuple(
            _date(d, "team_snapshots", config) for d in ev.get("team_snapshots", [])
        ),
    )
    if evaluation.age_bands[0] != 0 or list(evaluation.age_bands) != sorted(evaluation.age_bands):
        raise UserError(
            "evaluation.age_bands must be increasing lower bounds starting at 0",
            file=config,
            found=repr(list(evaluation.age_bands)),
        )

    rep = data.get("report", {})
    report = Report(
        municipality=str(rep.get("municipality", "")),
        quarter=str(rep.get("quarter", "")),
        language=str(rep.get("language", "nb")),
        suppression_threshold=int(rep.get("suppression_threshold", 5)),
    )
    smp = data.get("sample", {})
    sample = Sample(
        enabled=bool(smp.get("enabled", False)),
        dir=root / smp.get("dir", "data/sample"),
        seed=int(smp.get("seed", 20180901)),
        scale=float(smp.get("scale", 1.0)),
    )
    val = data.get("validation", {})
    validation = Validation(
        engine=str(val.get("engine", "auto")), gx_max_rows=int(val.get("gx_max_rows", 200_000))
    )
    if validation.engine not in ENGINES:
        raise UserError(
            "validation.engine is unknown",
            file=config,
            expected=" or ".join(ENGINES),
            found=repr(validation.engine),
        )
    return Settings(
        config_file=config,
        root=root,
        warehouse=root / paths.get("warehouse", "warehouse/ot_eval.duckdb"),
        reports_dir=root / paths.get("reports", "reports"),
        contracts_dir=root / paths.get("contracts", "data_contracts"),
        sql_dir=root / paths.get("sql", "sql"),
        sources=sources,
        evaluation=evaluation,
        report=report,
        sample=sample,
        validation=validation,
    )
