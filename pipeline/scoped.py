"""A warehouse in memory for a few sources: the verbs a municipality runs on its own files
(`ot-eval teams`, `ot-eval quarterly`) read them through the same readers, contracts and SQL
models as a full run, without touching the warehouse or taking its lock."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from pipeline.errors import UserError
from pipeline.ingest.load import ingest_source
from pipeline.settings import REFERENCE_SOURCES, Settings, Source
from pipeline.sqlutil import ident
from pipeline.transform import run_models, when_ready
from pipeline.validate import MODELS_READ, validate_all
from pipeline.warehouse import SCHEMAS, configured


def source_with_files(
    settings: Settings, name: str, files: Sequence[Path], option: str
) -> Source | None:
    """The configured source, reading `files` instead when given (a source the config lacks
    is made from the files' format); None when neither exists."""
    source = settings.sources.get(name)
    if source is None and not files:
        return None
    if source is None:
        fmt = files[0].suffix.lstrip(".").lower()
        source = Source(name=name, path="", format=fmt, contract=name)
    if files:
        missing = [p for p in files if not p.is_file()]
        if missing:
            raise UserError(f"The file given with {option} does not exist", file=missing[0])
        source = dataclasses.replace(source, files=tuple(p.resolve() for p in files))
    return source


def build(settings: Settings, sources: Mapping[str, Source]) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with these sources (and the built-in reference lists) ingested,
    validated (DuckDB SQL engine) and every SQL model they allow built."""
    reference = {n: s for n, s in settings.sources.items() if n in REFERENCE_SOURCES}
    scoped = dataclasses.replace(
        settings,
        sources={**reference, **sources},
        validation=dataclasses.replace(settings.validation, engine="sql"),
    )
    con = configured(duckdb.connect(), settings)
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {ident(schema)}")
    for source in scoped.sources.values():
        ingest_source(con, scoped, source)
    validate_all(con, scoped, on_valid=when_ready(con, scoped, MODELS_READ))
    run_models(con, scoped, partial=True)
    return con
