"""One typed settings object, loaded from `ot-eval.toml`.

Paths in the file are relative to the config file, never to the working directory. The files
ot-eval ships (data contracts, SQL models, the municipality reference lists) are found in the
project itself, so a config kept anywhere works. Every key is checked against `SCHEMA`: a
misspelt key is an error naming its line and the closest valid key, never silently ignored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import itertools
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import pipeline
from pipeline.errors import UserError, first_line

FORMATS = ("csv", "xlsx", "sav", "parquet", "qdpx")
ENGINES = ("auto", "gx", "sql")
PROJECT = Path(pipeline.__file__).resolve().parent.parent
"""The project folder: data_contracts/, sql/ and reference/ ship here."""
REFERENCE_SOURCES: dict[str, dict[str, Any]] = {
    # SSB KLASS 131: every code 1994-2024 with its 2024 municipality; and the dated change list
    # (for vintages other than 2024). Built in, so a config need not name them.
    "municipality_codes": {"path": PROJECT / "reference/kommuner_1994_2024.csv", "format": "csv"},
    "municipality_changes": {
        "path": PROJECT / "reference/klass_131_changes.csv",
        "format": "csv",
        "columns": {
            "oldCode": "old_code",
            "oldName": "old_name",
            "newCode": "new_code",
            "newName": "new_name",
            "changeOccurred": "change_date",
        },
    },
}

AUDIENCES = ("outward", "internal")  # who may read the evaluation report
ANY = object()  # a table whose keys are the user's own (column names, codes)
COMMON_OPTIONS = {"decimal": str, "timezone": str, "date_format": str}
OPTIONS: dict[str, dict[str, Any]] = {
    "csv": {**COMMON_OPTIONS, "encoding": str, "delimiter": str, "multiline_values": bool},
    "xlsx": {**COMMON_OPTIONS, "sheet": str, "header_row": int},
    "sav": COMMON_OPTIONS,
    "parquet": COMMON_OPTIONS,
    "qdpx": {**COMMON_OPTIONS, "part": str},  # sources | codings | codes (pipeline.ingest.qdpx)
}
SCHEMA: dict[str, Any] = {
    "paths": {"warehouse": str, "reports": str, "contracts": str, "sql": str},
    "sample": {
        "enabled": bool,
        "dir": str,
        "seed": int,
        "scale": float,
        "pre_trend_per_1000": float,
    },
    "run": {"wait": bool},
    "duckdb": {"memory_limit": str, "threads": int, "temp_directory": str},
    "evaluation": {
        "intervention_date": dt.date,
        "first_year": int,
        "last_year": int,
        "municipality_vintage": int,
        "age_bands": list,
        "team_snapshots": list,
        "comparison": list,
        "seed": int,
        "bootstrap_replications": int,
        "interview_theme_roles": ANY,
        "partial_years": str,
        "after_exit": str,
        "survey_weights": {
            "survey_staff": {"column": str, "margins": str},
            "survey_users": {"column": str},
        },
        "pilots": [{"name": str, "code": str, "start": dt.date, "end": dt.date}],
    },
    "report": {
        "municipality": str,
        "quarter": str,
        "language": str,
        "suppression_threshold": int,
        "audience": str,
    },
    "validation": {
        "engine": str,
        "gx_max_rows": int,
        "max_quarantine_share": float,
        "accept_quarantine": bool,
        "timezone": str,
    },
    "sources": {
        "*": {
            "path": str,
            "format": str,
            "contract": str,
            "options": ANY,  # checked per format below
            "columns": ANY,
            "recode": ANY,
            "constants": ANY,
            "from_file_name": ANY,
            "as_of": ANY,  # a date, or file name -> date
        }
    },
}


@dataclass(frozen=True)
class Source:
    """One input source: where it is, how to read it and which contract it must meet."""

    name: str
    path: str  # a path or a glob, relative to the config file (or absolute)
    format: str
    contract: str
    options: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # source name -> contract name
    recode: dict[str, dict[str, Any]] = field(default_factory=dict)  # column -> {from: to}
    # columns the files lack: the same value on every row, or taken from each file's name by
    # the first group of a regular expression (a register without a municipality column)
    constants: dict[str, str] = field(default_factory=dict)
    from_file_name: dict[str, str] = field(default_factory=dict)
    as_of: dt.date | dict[str, dt.date] | None = None  # export date (all files, or per name)
    files: tuple[Path, ...] = ()  # named on the command line: read instead of `path`
    # optional contract columns this config needs on every row (a survey's design weights)
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pilot:
    name: str
    code: str  # in the configured municipality-code vintage
    start: dt.date
    end: dt.date


WEIGHT_COLUMN = "vekt"  # the survey contracts' design-weight column
PARTIAL_YEARS = ("drop", "exposure")
AFTER_EXIT = ("drop", "separate")


@dataclass(frozen=True)
class SurveyWeights:
    """[evaluation.survey_weights.<source>]: the file's design-weight column (read as the
    contract's `vekt`; None: every respondent weighs 1) and the file of totals to rake to (read
    with the other inputs, `pipeline.margins`: the sample writes one)."""

    source: str
    column: str | None
    margins_file: Path | None = None


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
    seed: int = 20180901  # every resampling (bootstrap) starts here: same config, same CIs
    bootstrap_replications: int = 2000
    # theme -> the informant roles whose interviews are its denominator (others: every interview)
    interview_theme_roles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    survey_weights: tuple[SurveyWeights, ...] = ()  # surveys the config weights (else none)
    # a pilot's partly run year in the DiD: "drop" it, or treat it by its "exposure" share
    partial_years: str = "drop"
    # whole years after a pilot ended: "drop" them, or keep them as a "separate" term
    after_exit: str = "drop"

    @property
    def age_band_labels(self) -> tuple[str, ...]:
        """'0-17', '18-66', …, '80+': the one spelling of the bands (SQL, sample, reports)."""
        b = self.age_bands
        return (*(f"{lo}-{hi - 1}" for lo, hi in itertools.pairwise(b)), f"{b[-1]}+")

    def pilot_code(self, name: str) -> str:
        for p in self.pilots:
            if p.name == name:
                return p.code
        raise UserError(
            f"No pilot named {name!r} in [[evaluation.pilots]]",
            hint="Pilots are: " + ", ".join(p.name for p in self.pilots),
        )


@dataclass(frozen=True)
class Report:
    municipality: str
    quarter: str
    language: str
    suppression_threshold: int
    audience: str = "outward"  # outward: small counts suppressed; internal: shown, and said


@dataclass(frozen=True)
class Validation:
    engine: str  # auto | gx | sql
    gx_max_rows: int  # auto: GX for sources up to this many rows, DuckDB SQL above
    max_quarantine_share: Fraction  # above this share of a source's rows: banner + exit 4
    accept_quarantine: bool
    timezone: str  # timestamps become dates in this zone, never the machine's


@dataclass(frozen=True)
class Sample:
    enabled: bool  # regenerate the built-in sample before `evaluate`
    dir: Path
    seed: int
    scale: float
    # the pilots' differential trend in emergency admissions per 1,000 and year (violates
    # parallel trends on purpose, to see the pre-trend test and the robust estimators react)
    pre_trend_per_1000: float = 0.0


@dataclass(frozen=True)
class Run:
    wait: bool  # wait for another run holding the warehouse, instead of stopping


@dataclass(frozen=True)
class DuckDB:
    """The database engine's resources for a run: a memory limit beyond which large joins and
    sorts spill to `temp_directory` instead of failing, and the threads it may use. None:
    DuckDB's own default (80 % of the machine's memory, every core, `<warehouse>.tmp`)."""

    memory_limit: str | None = None  # e.g. "4GB"
    threads: int | None = None
    temp_directory: Path | None = None


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
    run: Run = Run(wait=False)
    duckdb: DuckDB = DuckDB()

    def resolve(self, relative: str | Path) -> Path:
        path = Path(relative)
        return path if path.is_absolute() else self.root / path


class _Config:
    """The parsed file plus its text, so that every error can name the line it is about."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = path.read_text(encoding="utf-8")

    def line(self, where: str, key: str | None = None) -> int | None:
        """Line of `key` in table `where` (dotted), or of the table's header; None if unsure."""
        table = ""
        header = None
        parts = where.split(".") if where else []
        for number, raw in enumerate(self.text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            head = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?$", line)
            if head:
                table = ".".join(p.strip().strip('"') for p in head.group(1).split("."))
                if table == where and header is None:
                    header = number
                continue
            if key is None:
                continue
            inside = table.split(".") if table else []
            if parts[: len(inside)] != inside:
                continue
            rest = parts[len(inside) :]  # written as dotted keys or an inline table
            if all(
                re.search(rf"(^|[\s{{.,]){re.escape(p)}\s*[.=]", line) for p in rest
            ) and re.search(rf'(^|[\s{{.,"]){re.escape(key)}"?\s*=', line):
                return number
        if key is not None and where == "" and header is None:
            return self.line(key)
        return header

    def error(self, message: str, where: str, key: str | None = None, **kw: Any) -> UserError:
        return UserError(message, file=self.path, line=self.line(where, key), **kw)


def _check_keys(cfg: _Config, data: dict[str, Any], schema: dict[str, Any], where: str) -> None:
    for key, value in data.items():
        spec = schema.get(key, schema.get("*"))
        if spec is None:
            close = difflib.get_close_matches(key, [k for k in schema if k != "*"], n=1)
            section = f"[{where}]" if where else "the top level"
            raise cfg.error(
                f"Unknown key '{key}' in {section} of the config",
                where,
                key,
                expected="one of " + ", ".join(k for k in schema if k != "*"),
                hint=f"Did you mean '{close[0]}'?" if close else "Remove it or check the spelling",
            )
        here = f"{where}.{key}" if where else key
        if spec is ANY:
            continue
        if isinstance(spec, dict):
            if not isinstance(value, dict):
                raise cfg.error(f"'{here}' must be a table", where, key, found=repr(value))
            _check_keys(cfg, value, spec, here)
        elif isinstance(spec, list):
            for item in value if isinstance(value, list) else [value]:
                if not isinstance(item, dict):
                    raise cfg.error(f"'{here}' must be a list of tables", where, key)
                _check_keys(cfg, item, spec[0], here)
        else:
            _check_type(cfg, value, spec, where, key)


def _check_type(cfg: _Config, value: Any, kind: type, where: str, key: str) -> None:
    ok = {
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, int | float) and not isinstance(value, bool),
        str: isinstance(value, str | int) and not isinstance(value, bool),
        list: isinstance(value, list),
        dt.date: isinstance(value, dt.date | str),
    }[kind]
    if not ok:
        names = {bool: "true or false", int: "a whole number", float: "a number", str: "text",
                 list: "a list [ … ]", dt.date: "a date (YYYY-MM-DD)"}  # fmt: skip
        raise cfg.error(
            f"'{where}.{key}' has the wrong type" if where else f"'{key}' has the wrong type",
            where,
            key,
            expected=names[kind],
            found=repr(value),
        )


def _date(cfg: _Config, value: Any, where: str, key: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise cfg.error(
            f"'{key}' is not a date", where, key, expected="YYYY-MM-DD", found=repr(value)
        ) from exc


def _one_of(cfg: _Config, value: str, choices: tuple[str, ...], where: str, key: str) -> None:
    if value not in choices:
        raise cfg.error(
            f"{where}.{key} is unknown",
            where,
            key,
            expected=" or ".join(choices),
            found=repr(value),
        )


def _need(cfg: _Config, table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise cfg.error(
            f"The config has no '{key}' under [{where}]",
            where,
            hint="Add it, or start from the ot-eval.toml shipped with the project",
        )
    return table[key]


def _timezone(cfg: _Config, name: str, where: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise cfg.error(
            "Unknown time zone",
            where,
            "timezone",
            expected="an IANA zone such as 'Europe/Oslo' or 'UTC'",
            found=repr(name),
        ) from exc
    return name


SHIPPED = {"contracts": "data_contracts", "sql": "sql"}


def _project_folder(cfg: _Config, paths: dict[str, Any], key: str, root: Path) -> Path:
    """A folder of ot-eval's own files: from [paths] if set (relative to the config), else
    the project's own."""
    configured = key in paths
    folder = root / paths[key] if configured else PROJECT / SHIPPED[key]
    if not folder.is_dir():
        raise cfg.error(
            f"The folder for '{key}' does not exist",
            "paths",
            key if configured else None,
            expected=f"a folder at {folder}",
            hint=f"Correct [paths] {key} in the config (relative to the config file)"
            if configured
            else "ot-eval's own files were not found beside the installed package: install it "
            f"from the project folder (`pip install -e .`), or set [paths] {key}",
        )
    return folder


def _sources(cfg: _Config, data: dict[str, Any], contracts: Path) -> dict[str, Source]:
    configured = data.get("sources", {})
    sources: dict[str, Source] = {}
    for name, raw in {**REFERENCE_SOURCES, **configured}.items():
        where = f"sources.{name}"
        fmt = _need(cfg, raw, "format", where)
        if fmt not in FORMATS:
            raise cfg.error(
                f"Source '{name}' has an unknown format",
                where,
                "format",
                expected=" or ".join(FORMATS),
                found=repr(fmt),
            )
        options = raw.get("options", {})
        if not isinstance(options, dict):
            raise cfg.error(f"'{where}.options' must be a table", where, "options")
        _check_keys(cfg, options, OPTIONS[fmt], f"{where}.options")
        if "timezone" in options:
            _timezone(cfg, options["timezone"], f"{where}.options")
        contract = str(raw.get("contract", name))
        if not (contracts / f"{contract}.yml").is_file():
            raise cfg.error(
                f"Source '{name}' has no data contract",
                where,
                "contract" if "contract" in raw else None,
                expected=f"the file {contracts / (contract + '.yml')}",
                hint=f'Name an existing contract with contract = "…" under [{where}] '
                f"(contracts are: {', '.join(sorted(p.stem for p in contracts.glob('*.yml')))})",
            )
        for key in ("columns", "recode", "constants", "from_file_name"):
            if not isinstance(raw.get(key, {}), dict):
                raise cfg.error(f"'{where}.{key}' must be a table", where, key)
        _check_source_extras(cfg, raw, options, where)
        sources[name] = Source(
            name=name,
            path=str(_need(cfg, raw, "path", where)),
            format=fmt,
            contract=contract,
            options=dict(options),
            columns={str(k): str(v) for k, v in raw.get("columns", {}).items()},
            recode={k: dict(v) for k, v in raw.get("recode", {}).items()},
            constants={str(k): str(v) for k, v in raw.get("constants", {}).items()},
            from_file_name={str(k): str(v) for k, v in raw.get("from_file_name", {}).items()},
            as_of=_as_of(cfg, raw.get("as_of"), where),
        )
    return sources


def _as_of(cfg: _Config, value: Any, where: str) -> dt.date | dict[str, dt.date] | None:
    """`as_of = 2024-01-05` (every file) or `as_of = { "file.xlsx" = 2024-01-05 }`."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {str(k): _date(cfg, v, where, "as_of") for k, v in value.items()}
    return _date(cfg, value, where, "as_of")


def _check_source_extras(
    cfg: _Config, raw: dict[str, Any], options: dict[str, Any], where: str
) -> None:
    """A date format ot-eval can pass to strptime safely; a file-name pattern with one group;
    no column both set as a constant and taken from the file name."""
    from pipeline.validate.contracts import DATE_FORMAT

    fmt = options.get("date_format")
    if fmt is not None and not DATE_FORMAT.match(str(fmt)):
        raise cfg.error(
            "The date format has characters ot-eval does not accept",
            f"{where}.options",
            "date_format",
            expected="a strptime format such as %d.%m.%Y",
            found=repr(fmt),
        )
    for column, pattern in raw.get("from_file_name", {}).items():
        try:
            groups = re.compile(str(pattern)).groups
        except re.error as exc:
            raise cfg.error(
                f"The file-name pattern for '{column}' is not a regular expression: {exc}",
                f"{where}.from_file_name",
                str(column),
            ) from exc
        if groups != 1:
            raise cfg.error(
                f"The file-name pattern for '{column}' must have exactly one group",
                f"{where}.from_file_name",
                str(column),
                expected='one (…) group, e.g. "team_register_(\\d{4})"',
                found=repr(pattern),
            )
    both = set(raw.get("constants", {})) & set(raw.get("from_file_name", {}))
    if both:
        raise cfg.error(
            f"A column is both a constant and taken from the file name: {', '.join(both)}",
            where,
            "constants",
        )


def load_settings(config_file: str | Path) -> Settings:
    """Read and check the config; raise UserError with one clear sentence on any problem."""
    config = Path(config_file).resolve()
    if not config.is_file():
        raise UserError(
            "Config file not found" if not config.is_dir() else "The config path is a folder",
            file=config,
            hint="Pass --config PATH, or run from the project folder that holds ot-eval.toml",
        )
    try:
        cfg = _Config(config)
        data = tomllib.loads(cfg.text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"The config is not valid TOML: {first_line(exc)}", file=config) from exc
    _check_keys(cfg, data, SCHEMA, "")
    root = config.parent
    paths = data.get("paths", {})
    contracts = _project_folder(cfg, paths, "contracts", root)
    sources = _sources(cfg, data, contracts)

    evaluation = _evaluation(cfg, data)
    for w in evaluation.survey_weights:
        sources = _weighted_source(cfg, sources, w)

    rep = data.get("report", {})
    report = Report(
        municipality=str(rep.get("municipality", "")),
        quarter=str(rep.get("quarter", "")),
        language=str(rep.get("language", "nb")),
        suppression_threshold=int(rep.get("suppression_threshold", 5)),
        audience=str(rep.get("audience", "outward")),
    )
    _one_of(cfg, report.audience, AUDIENCES, "report", "audience")
    smp = data.get("sample", {})
    sample = Sample(
        enabled=bool(smp.get("enabled", False)),
        dir=root / smp.get("dir", "data/sample"),
        seed=int(smp.get("seed", 20180901)),
        scale=float(smp.get("scale", 1.0)),
        pre_trend_per_1000=float(smp.get("pre_trend_per_1000", 0.0)),
    )
    validation = _validation(cfg, data)
    return Settings(
        config_file=config,
        root=root,
        warehouse=root / paths.get("warehouse", "warehouse/ot_eval.duckdb"),
        reports_dir=root / paths.get("reports", "reports"),
        contracts_dir=contracts,
        sql_dir=_project_folder(cfg, paths, "sql", root),
        sources=sources,
        evaluation=evaluation,
        report=report,
        sample=sample,
        validation=validation,
        run=Run(wait=bool(data.get("run", {}).get("wait", False))),
        duckdb=_duckdb(cfg, data, root),
    )


MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(K|M|G|T)i?B\s*$", re.IGNORECASE)


def _duckdb(cfg: _Config, data: dict[str, Any], root: Path) -> DuckDB:
    """[duckdb]: memory_limit (e.g. "4GB"), threads (1 or more), temp_directory."""
    db = data.get("duckdb", {})
    limit = db.get("memory_limit")
    if limit is not None and not MEMORY.match(limit):
        raise cfg.error(
            "duckdb.memory_limit is not an amount of memory",
            "duckdb",
            "memory_limit",
            expected='a number and a unit, e.g. "4GB", "512MB" or "3.5GiB"',
            found=repr(limit),
        )
    threads = db.get("threads")
    if threads is not None and threads < 1:
        raise cfg.error(
            "duckdb.threads must be 1 or more", "duckdb", "threads", found=repr(threads)
        )
    temp = db.get("temp_directory")
    return DuckDB(
        memory_limit=limit.strip() if limit else None,
        threads=threads,
        temp_directory=root / temp if temp else None,
    )


def _evaluation(cfg: _Config, data: dict[str, Any]) -> Evaluation:
    """[evaluation]: pilots with their periods, comparisons, dates, age bands. Optional: a
    municipality's config for its quarterly report needs none of it (the defaults are the
    national pilot's: started 2018-09-01, bands 0-17, 18-66, 67-79, 80+)."""
    ev = data.get("evaluation", {})
    pilots = tuple(
        Pilot(
            name=str(_need(cfg, p, "name", "evaluation.pilots")),
            code=str(_need(cfg, p, "code", "evaluation.pilots")),
            start=_date(
                cfg, _need(cfg, p, "start", "evaluation.pilots"), "evaluation.pilots", "start"
            ),
            end=_date(cfg, _need(cfg, p, "end", "evaluation.pilots"), "evaluation.pilots", "end"),
        )
        for p in ev.get("pilots", [])
    )
    evaluation = Evaluation(
        pilots=pilots,
        comparison=tuple(str(c) for c in ev.get("comparison", [])),
        intervention_date=_date(
            cfg, ev.get("intervention_date", dt.date(2018, 9, 1)), "evaluation", "intervention_date"
        ),
        first_year=int(ev.get("first_year", 2017)),
        last_year=int(ev.get("last_year", 2022)),
        municipality_vintage=int(ev.get("municipality_vintage", 2024)),
        age_bands=tuple(int(a) for a in ev.get("age_bands", [0, 18, 67, 80])),
        team_snapshots=tuple(
            _date(cfg, d, "evaluation", "team_snapshots") for d in ev.get("team_snapshots", [])
        ),
        seed=int(ev.get("seed", 20180901)),
        bootstrap_replications=int(ev.get("bootstrap_replications", 2000)),
        interview_theme_roles=_theme_roles(cfg, ev.get("interview_theme_roles", {})),
        survey_weights=tuple(
            _survey_weights(cfg, name, spec, cfg.path.parent)
            for name, spec in ev.get("survey_weights", {}).items()
        ),
        partial_years=str(ev.get("partial_years", "drop")),
        after_exit=str(ev.get("after_exit", "drop")),
    )
    _one_of(cfg, evaluation.partial_years, PARTIAL_YEARS, "evaluation", "partial_years")
    _one_of(cfg, evaluation.after_exit, AFTER_EXIT, "evaluation", "after_exit")
    if evaluation.bootstrap_replications < 100:
        raise cfg.error(
            "evaluation.bootstrap_replications is too small for a percentile interval",
            "evaluation",
            "bootstrap_replications",
            expected="at least 100 (2000 or more for a 95 % interval to settle)",
            found=str(evaluation.bootstrap_replications),
        )
    if evaluation.age_bands[0] != 0 or list(evaluation.age_bands) != sorted(evaluation.age_bands):
        raise cfg.error(
            "evaluation.age_bands must be increasing lower bounds starting at 0",
            "evaluation",
            "age_bands",
            found=repr(list(evaluation.age_bands)),
        )
    return evaluation


def _theme_roles(cfg: _Config, raw: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """[evaluation.interview_theme_roles]: theme = [roles], e.g. Ledergrep = ["Leder"]."""
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and v and all(isinstance(r, str) for r in v) for v in raw.values()
    ):
        raise cfg.error(
            "evaluation.interview_theme_roles must map each theme to a list of roles",
            "evaluation",
            "interview_theme_roles",
            expected='a table such as { Ledergrep = ["Leder"] }',
            found=repr(raw),
        )
    return tuple((str(theme), tuple(roles)) for theme, roles in raw.items())


def _survey_weights(cfg: _Config, source: str, spec: dict[str, Any], root: Path) -> SurveyWeights:
    """[evaluation.survey_weights.<source>]: `column` and/or `margins` (a CSV file)."""
    where = f"evaluation.survey_weights.{source}"
    if not spec:
        raise cfg.error(
            f"[{where}] weights nothing",
            where,
            expected='column = "…" (the weight column of the file), margins = "file.csv" or both',
        )
    column = str(spec["column"]) if "column" in spec else None
    if "margins" not in spec:
        return SurveyWeights(source, column)
    path = Path(str(spec["margins"]))
    return SurveyWeights(source, column, path if path.is_absolute() else root / path)


def _weighted_source(
    cfg: _Config, sources: dict[str, Source], w: SurveyWeights
) -> dict[str, Source]:
    """The source a weight block names, reading its weight column as the contract's `vekt`
    and requiring it on every row."""
    where = f"evaluation.survey_weights.{w.source}"
    if w.source not in sources:
        raise cfg.error(
            f"[{where}] names a survey the config has no source for",
            where,
            hint=f"Add [sources.{w.source}], or remove the block",
        )
    if w.column is None:
        return sources
    src = sources[w.source]
    columns = dict(src.columns)
    if w.column != WEIGHT_COLUMN:
        columns[w.column] = WEIGHT_COLUMN
    return {
        **sources,
        w.source: dataclasses.replace(
            src, columns=columns, required=(*src.required, WEIGHT_COLUMN)
        ),
    }


def _validation(cfg: _Config, data: dict[str, Any]) -> Validation:
    """[validation]: engine, GX row limit, the allowed quarantine share (an exact fraction of
    the decimal as written), time zone."""
    val = data.get("validation", {})
    share = Fraction(str(val.get("max_quarantine_share", 0.01)))  # the decimal as written
    if not 0 <= share <= 1:
        raise cfg.error(
            "validation.max_quarantine_share must be a share between 0 and 1",
            "validation",
            "max_quarantine_share",
            found=repr(val["max_quarantine_share"]),
        )
    validation = Validation(
        engine=str(val.get("engine", "auto")),
        gx_max_rows=int(val.get("gx_max_rows", 20_000)),
        max_quarantine_share=share,
        accept_quarantine=bool(val.get("accept_quarantine", False)),
        timezone=_timezone(cfg, str(val.get("timezone", "Europe/Oslo")), "validation"),
    )
    _one_of(cfg, validation.engine, ENGINES, "validation", "engine")
    return validation
