"""The sample's interviews read from its REFI-QDA project (.qdpx) give the same accepted rows
as its CSV exports: one project file feeds all three interview tables, the codebook's
hierarchy kept (themes as folders of codes)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import main
from tests.conftest import REPO, Run

pytestmark = pytest.mark.integration

KOMMUNE = {"Senja": "5530", "Kinn": "4602", "Asker": "3203", "Steinkjer": "5006", "Bø": "1867",
           "Suldal": "1134"}  # fmt: skip
CSV = {
    "interviews": ("interviews.csv", {"recode": {"kommune": KOMMUNE}}),
    "interview_codebook": ("interview_codebook.csv", {}),
    "interview_segments": ("interview_segments.csv", {"columns": {
        "Dokumentgruppe": "document_group", "Dokumentname": "document", "Code": "code",
        "Anfang": "begin", "Ende": "end", "Coder": "coder"}}),
}  # fmt: skip
QDPX = {
    "interviews": ("sources", {"name": "intervju_id"}, {"recode": {"kommune": KOMMUNE}}),
    "interview_codebook": ("codes", {"code": "kode", "theme": "tema", "name": "beskrivelse",
                                     "parent": "forelder", "codable": "kodbar"}, {}),
    "interview_segments": ("codings", {"source": "document", "sets": "document_group"}, {}),
}  # fmt: skip


def _toml(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def _config(folder: Path, sample: Path, fmt: str) -> Path:
    parts = [
        f'[paths]\nwarehouse = "warehouse.duckdb"\nreports = "reports"\n'
        f"contracts = {_toml(str(REPO / 'data_contracts'))}\nsql = {_toml(str(REPO / 'sql'))}"
    ]
    for name in CSV:
        if fmt == "csv":
            file, extra = CSV[name]
            spec = {"path": str(sample / file), "format": "csv",
                    "options": {"delimiter": ";"}, **extra}  # fmt: skip
        else:
            part, columns, extra = QDPX[name]
            spec = {"path": str(sample / "interviews.qdpx"), "format": "qdpx",
                    "options": {"part": part}, "columns": columns, **extra}  # fmt: skip
        lines = [f"[sources.{name}]"]
        for key, value in spec.items():
            if key == "recode":
                lines += [f"recode.{c} = {_toml(m)}" for c, m in value.items()]  # type: ignore[union-attr]
            else:
                lines.append(f"{key} = {_toml(value)}")
        parts.append("\n".join(lines))
    folder.mkdir(parents=True)
    config = folder / "ot-eval.toml"
    config.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return config


def _accepted(config: Path) -> dict[str, list[tuple[object, ...]]]:
    assert main(["ingest", "--config", str(config)]) == 0
    assert main(["validate", "--config", str(config)]) == 0
    columns = {
        "interviews": "intervju_id, kommune, rolle, dato, modus",
        "interview_codebook": "kode, tema, beskrivelse",
        "interview_segments": 'document_group, document, code, "begin", "end", coder',
    }
    with duckdb.connect(str(config.parent / "warehouse.duckdb"), read_only=True) as con:
        out = {
            name: con.execute(f"select {cols} from valid.{name} order by all").fetchall()
            for name, cols in columns.items()
        }
        out["quarantined"] = con.execute(
            "select source, count(*) from meta.validation_failures group by all"
        ).fetchall()
        out["folders"] = con.execute(
            "select kode, forelder, kodbar from valid.interview_codebook where not kodbar"
        ).fetchall() if "qdpx" in config.parent.name else []  # fmt: skip
    return out


def test_the_qdpx_project_gives_the_csv_exports_rows(pipeline_run: Run, tmp_path: Path) -> None:
    sample = pipeline_run.settings.sample.dir
    from_csv = _accepted(_config(tmp_path / "csv", sample, "csv"))
    from_qdpx = _accepted(_config(tmp_path / "qdpx", sample, "qdpx"))
    assert from_csv["quarantined"] == [] and from_qdpx["quarantined"] == []
    assert from_qdpx["interviews"] == from_csv["interviews"]
    assert from_qdpx["interview_segments"] == from_csv["interview_segments"]
    assert (
        len(from_csv["interview_segments"])
        == sum(1 for _ in (sample / "interview_segments.csv").open(encoding="utf-8")) - 1
    )
    # the project's codebook holds the themes as folders (not codable) above the CSV's codes
    codable = [r for r in from_qdpx["interview_codebook"] if r[0] != r[1]]
    assert codable == from_csv["interview_codebook"]
    themes = {r[1] for r in from_csv["interview_codebook"]}
    assert sorted(from_qdpx["folders"]) == sorted((t, None, False) for t in themes)
