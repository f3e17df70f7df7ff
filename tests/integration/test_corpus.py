"""Every case of the bad-input corpus (tests/corpus) gives exactly its asserted outcome.

Each case runs `ot-eval ingest` and `ot-eval validate` through the CLI on a project holding
the case's file, the KLASS reference lists and small clean companion sources (the relations
read them). A structural defect must stop with one message (exit 2, no traceback) naming the
file and the row/column; a row defect must quarantine exactly the asserted rows under the
asserted rules, with reconciliation exact.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.cli import main
from pipeline.settings import FORMATS
from tests.conftest import REPO
from tests.corpus.cases import CASES, COMPANIONS, FILES, Case, build


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def _source(name: str, path: str, fmt: str, **extra: Any) -> str:
    lines = [f"[sources.{name}]", f"path = {_toml(path)}", f"format = {_toml(fmt)}"]
    lines += [f"{k} = {_toml(v)}" for k, v in extra.items() if v]
    return "\n".join(lines)


def _project(tmp: Path, case: Case) -> Path:
    parts = [
        '[paths]\nwarehouse = "warehouse.duckdb"\nreports = "reports"',
        f"contracts = {_toml(str(REPO / 'data_contracts'))}\nsql = {_toml(str(REPO / 'sql'))}",
        "[evaluation]\nintervention_date = 2018-09-01",
    ]  # the municipality reference lists are built in
    for name, spec in COMPANIONS.items():
        if name != case.source:
            parts.append(_source(name, str(FILES / spec["path"]), spec["format"]))
    parts.append(  # for a reference list, the case replaces the built-in one
        _source(
            case.source, str(FILES / case.file), case.format, options=case.options,
            columns=case.columns, as_of=case.as_of if case.source == "team_register" else "",
        )
    )  # fmt: skip
    config = tmp / "ot-eval.toml"
    config.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return config


def test_corpus_is_large_and_complete() -> None:
    names = [c.name for c in CASES]
    assert len(set(names)) == len(names) >= 25
    for case in CASES:
        if "*" not in case.file and "missing" not in case.name:
            assert (FILES / case.file).exists(), f"run `python -m tests.corpus.cases` ({case})"
    assert {c.format for c in CASES} == set(FORMATS)  # every format a source may have


def test_committed_files_match_their_definitions(tmp_path: Path) -> None:
    """Every committed corpus file is what cases.py writes, byte for byte (the Excel and SPSS
    writers pin their embedded times, so this holds for binary files too)."""
    build(tmp_path)
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(str(p.relative_to(FILES)) for p in FILES.rglob("*") if p.is_file())
    for name in written:
        assert (tmp_path / name).read_bytes() == (FILES / name).read_bytes(), name


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _project(tmp_path, case)
    code = main(["ingest", "--config", str(config)])
    if code == 0:
        code = main(["validate", "--config", str(config)])
        if code == 4:  # completed, but more than 1 % of the case's rows were quarantined
            assert 100 * len(case.quarantined) > len(case.quarantined) + (case.accepted or 0)
            code = 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if case.error:
        assert code == 2, f"expected a stop, got exit {code}: {err}"
        assert err.startswith("ot-eval: error: ") and err.count("\n") == 1, err
        for part in case.error:
            assert part in err, f"{part!r} not in {err!r}"
        assert not (tmp_path / "warehouse.duckdb.building").exists()  # nothing half-built
        return
    assert code == 0, err
    above = 100 * len(case.quarantined) > len(case.quarantined) + (case.accepted or 0)
    assert ("more rows were quarantined than allowed" in err) == above, err
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        quarantined = dict(
            con.execute(
                f"select _source_row, _rules from quarantine.{case.source} order by 1"
            ).fetchall()
        )
        assert quarantined == case.quarantined
        reconciliation = con.execute(
            "select sum(rows_read), sum(rows_accepted), sum(rows_quarantined), "
            "bool_and(balanced) from meta.reconciliation where source = ?",
            [case.source],
        ).fetchone()
        n = len(case.quarantined)
        assert reconciliation == (n + case.accepted, case.accepted, n, True)
        warnings = dict(
            con.execute(
                "select _source_row, string_agg(rule, ', ' order by rule) "
                "from meta.validation_failures where source = ? and severity = 'warn' "
                "group by 1",
                [case.source],
            ).fetchall()
        )
        assert warnings == case.warnings
        # the companions are clean: the case's defect is the only thing found
        others = con.execute(
            "select count(*) from meta.validation_failures where source <> ?", [case.source]
        ).fetchone()
        assert others == (0,)
        if case.check:
            assert con.execute(case.check).fetchone() == (True,)
