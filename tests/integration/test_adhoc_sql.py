"""Ad hoc SQL on the warehouse: the worked examples return rows, results print and write,
errors say what went wrong, a write is refused, the interactive session answers a query —
and a session and a run leave each other alone, whichever starts first."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline.settings import load_settings
from tests.conftest import REPO
from tests.runs import cli, start

pytestmark = pytest.mark.integration
EXAMPLES = sorted((REPO / "sql" / "examples").glob("*.sql"))


@pytest.fixture(scope="module")
def published(evaluated_fast: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of an evaluated project (its config): these tests run another evaluate on it."""
    folder = tmp_path_factory.mktemp("sql") / "p"
    shutil.copytree(evaluated_fast, folder, symlinks=True)
    return folder / "ot-eval.toml"


def test_there_are_at_least_ten_examples_each_with_its_question() -> None:
    assert len(EXAMPLES) >= 10
    for path in EXAMPLES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert re.fullmatch(r"-- \S.{10,}", first), f"{path.name}: no one-line question first"


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_returns_rows(published: Path, example: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.parquet"
    done = cli(published, "sql", "-f", str(example), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert pq.read_metadata(out).num_rows > 0
    assert f"wrote {out}" in done.stdout


def test_table_csv_and_parquet_output(published: Path, tmp_path: Path) -> None:
    query = "select kommune, year, person_years from marts.fct_registry_municipality_year"
    table = cli(published, "sql", "-c", query + " order by kommune, year limit 3")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["kommune", "year", "person_years"] and len(lines) == 4
    csv_text = cli(published, "sql", "-c", "select 1 as a, null::int as b", "--format", "csv")
    assert csv_text.stdout.splitlines() == ['"a","b"', "1,"]
    out = tmp_path / "panel.csv"
    done = cli(published, "sql", "-c", query, "--out", str(out))
    with duckdb.connect(str(load_settings(published).warehouse), read_only=True) as con:
        expected = con.execute("select count(*) from marts.fct_registry_municipality_year")
        rows = expected.fetchone()
    assert rows is not None and len(out.read_text().splitlines()) == rows[0] + 1, done.stderr
    cut = cli(published, "sql", "-c", "select * from range(1500) t(x)")
    assert cut.stdout.rstrip().endswith("… 500 more rows (of 1500): use --out FILE for all of them")


def test_errors_name_the_problem_and_a_write_is_refused(published: Path, tmp_path: Path) -> None:
    missing = cli(published, "sql", "-c", "select * from marts.nope")
    assert missing.returncode == 2 and "Table with name nope does not exist" in missing.stderr
    script = tmp_path / "two.sql"
    script.write_text("select 1;\ncreate table marts.mine as select 1 as a;\n", encoding="utf-8")
    write = cli(published, "sql", "-f", str(script))
    assert write.returncode == 2
    assert f"file {script}" in write.stderr and "statement 2 of 2" in write.stderr
    assert "opened read-only" in write.stderr
    with duckdb.connect(str(load_settings(published).warehouse), read_only=True) as con:
        found = con.execute("select count(*) from duckdb_tables() where table_name = 'mine'")
        assert found.fetchone() == (0,)
    bad_name = cli(published, "sql", "-c", "select 1", "--out", str(tmp_path / "x.txt"))
    assert bad_name.returncode == 2 and "ending .csv or .parquet" in bad_name.stderr
    no_file = cli(published, "sql", "-f", str(tmp_path / "none.sql"))
    assert no_file.returncode == 2 and "does not exist" in no_file.stderr


def test_the_interactive_session_answers_a_query_and_changes_nothing(published: Path) -> None:
    """`make sql` / `ot-eval sql`: harlequin on the warehouse, driven headless (Textual's
    pilot) in a process of its own (tests/sql_session.py)."""
    warehouse = load_settings(published).warehouse
    count = "select count(*) as n from metrics.registry_did"
    write = "create table marts.mine as select 1 as a"
    done = subprocess.run(
        [sys.executable, "-m", "tests.sql_session", str(warehouse), count, write],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.splitlines()[-1])
    check = "select (select count(*) from metrics.registry_did), (select count(*) from "
    check += "duckdb_tables() where table_name = 'mine')"
    answer = cli(published, "sql", "-c", check, "--format", "csv")
    expected, mine = (int(v) for v in answer.stdout.splitlines()[1].split(","))
    assert shown[0]["rows"] == [[expected]] and expected > 0
    assert shown[1]["rows"] is None and mine == 0  # the write showed no result and changed nothing


def test_a_session_and_a_run_leave_each_other_alone(published: Path) -> None:
    """Order 1: a session is open when the run starts; the run publishes, the session goes
    on reading the run it opened. Order 2: sessions start while the run is working; each
    answers, and the run is not held up."""
    warehouse = load_settings(published).warehouse
    run_ids = "select run_id from meta.run"
    session = duckdb.connect(str(warehouse), read_only=True)
    before = session.execute(run_ids).fetchall()
    run = start(published, "evaluate")
    answers = []
    while run.poll() is None:
        done = cli(published, "sql", "-c", "select count(*) as n from metrics.registry_did")
        answers.append((done.returncode, done.stderr))
        assert session.execute(run_ids).fetchall() == before  # the open session reads on
        time.sleep(2)  # a session now and then, not a load on the run
    _out, err = run.communicate()
    assert run.returncode == 0, err
    assert answers and all(code == 0 for code, _ in answers), answers
    assert session.execute(run_ids).fetchall() == before
    session.close()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = con.execute(run_ids).fetchall()
    assert after != before  # a new session sees the new run


def test_a_reader_that_stops_early_gets_no_error(published: Path) -> None:
    """`ot-eval sql … | head -1` ends quietly, as cat does (128 + SIGPIPE), no traceback."""
    command = (
        f"{sys.executable} -m pipeline sql --config {published} "
        "-c 'select * from range(1000000) t(x)' --format csv | head -1; exit ${PIPESTATUS[0]}"
    )  # CSV is never cut: far more than a pipe holds, so the write must meet the closed pipe
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=300)
    assert done.stdout.split() == ['"x"'] and done.stderr == ""
    assert done.returncode == 141
