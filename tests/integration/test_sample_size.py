"""The sample's size parameter: `--rows N` writes about N KUHR rows, and an extract written in
blocks of persons (as at national size) is one well-formed file: one header, claims in order,
every row counted in the truth."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline.settings import load_settings
from tests.conftest import make_project
from tests.runs import cli


def test_rows_gives_about_that_many_kuhr_rows(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p")
    done = cli(config, "sample", "--rows", "2e5", "--out", str(tmp_path / "s"))
    assert done.returncode == 0, done.stderr
    rows = json.loads((tmp_path / "s" / "truth.json").read_text())["registries"]["rows"]
    assert 0.97 * 2e5 < rows["kuhr_claims"] < 1.03 * 2e5
    bad = cli(config, "sample", "--scale", "national", "--rows", "1e8")
    assert bad.returncode == 2 and "not allowed with" in bad.stderr


def test_an_extract_written_in_blocks_is_one_well_formed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = importlib.import_module("pipeline.sample.registries")  # the package shadows it
    monkeypatch.setattr(module, "BLOCK_PERSONS", 700)  # ~5 blocks a year at 0.3
    settings = load_settings(make_project(tmp_path / "p"))
    from pipeline.sample import generate

    out = tmp_path / "s"
    truth = generate(
        out,
        settings.sample.seed,
        0.3,
        settings.resolve(settings.sources["municipality_changes"].path),
        settings.evaluation,
    )
    rows = truth["registries"]["rows"]
    con = duckdb.connect()
    kuhr = con.execute(
        "select count(*), count(*) filter (regning_id = 'regning_id') from read_csv(?, "
        "delim = ';', header = true, all_varchar = true)",
        [str(out / "kuhr_claims.csv")],
    ).fetchall()[0]
    planted = sum(truth["planted_defects"]["kuhr_claims"].values()) - 3  # 3 copies + 2 codes
    assert kuhr[0] == rows["kuhr_claims"] + planted and kuhr[1] == 0
    assert (
        pq.ParquetFile(out / "registry_persons.parquet").metadata.num_rows
        == rows["registry_persons"]
    )
    ids = pq.read_table(out / "npr_episodes.parquet", columns=["episode_id"])["episode_id"]
    assert pq.ParquetFile(out / "npr_episodes.parquet").metadata.num_row_groups > 6  # blocks
    assert ids.to_pylist()[: rows["npr_episodes"]] == list(range(1, rows["npr_episodes"] + 1))
    # claim ids rise through the file but for the planted rows at its end
    claims = con.execute(
        "select count(*) filter (regning_id::bigint < prev) from (select regning_id, "
        "lag(regning_id::bigint) over (order by r) as prev from (select *, row_number() over () "
        "as r from read_csv(?, delim = ';', header = true, all_varchar = true, "
        "parallel = false)))",
        [str(out / "kuhr_claims.csv")],
    ).fetchall()[0][0]
    assert claims == 1  # the three copies of the first lines, appended after the last claim
