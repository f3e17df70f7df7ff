"""No run can corrupt another: kill -9 anywhere, two runs at once, analysts' sessions, signals.

Every test drives the real CLI in other processes. After each fault it checks that the live
warehouse and the reports are one consistent run (`tests.runs.live_run`) and that the next run
succeeds and leaves no partial files.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.checksum import VARIES_BY_RUN, table_checksums
from tests.runs import (
    FAST,
    cli,
    evaluated_copy,
    kill_at,
    leftovers,
    live_run,
    project,
    run_folders,
    start,
    wait_for,
)

pytestmark = pytest.mark.integration

# Where `evaluate` is killed: a line of its progress output (None: the start) and a delay after
# it, so that kills land before, inside and after every stage, the report and the publishing.
KILL_POINTS: list[tuple[str | None, float]] = [
    (None, 1.6),  # importing / taking the lock / writing the sample
    (None, 2.2),
    ("^sample written", 0.0),
    ("^ingest", 0.0),
    ("raw.survey_users", 0.0),
    ("raw.kuhr_claims", 0.0),
    ("raw.team_register", 0.0),
    ("^validate", 0.0),
    ("^validate", 0.5),
    ("^validate", 1.0),
    ("^validate", 1.6),
    ("^transform", 0.0),
    ("^transform", 0.15),
    ("built .* SQL models", 0.0),
    ("^metrics", 0.0),
    ("metrics.team_counts", 0.0),
    ("metrics.registry_did", 0.0),
    ("^report", 0.0),
    ("^report", 0.15),
    ("^report", 0.3),
    ("data_quality.html", 0.0),
    ("evaluation.html", 0.0),
    ("index.html", 0.0),
    ("^published", 0.0),
]


def _kill_chain(folder: Path, points: list[tuple[str | None, float]]) -> int:
    """Kill `evaluate` at each point; after each, check what is live and run once more."""
    config = project(folder, **FAST)
    again = folder / "again.toml"  # the same project, the sample left as it is on disk
    again.write_text(config.read_text().replace("enabled = true", "enabled = false", 1))
    assert cli(config, "evaluate").returncode == 0
    landed = 0
    for point in points:
        before = live_run(folder)
        landed += kill_at(config, *point)
        after = live_run(folder)  # one consistent run: the earlier one, or the new one
        assert after is not None, point
        done = cli(again, "evaluate")  # and the next run succeeds
        assert done.returncode == 0, (point, done.stderr)
        assert live_run(folder) not in (None, before, after), point
        assert leftovers(folder) == [] and len(run_folders(folder)) == 1, point
    return landed


@pytest.mark.slow
def test_kill_9_at_any_point_leaves_one_consistent_run(tmp_path: Path) -> None:
    halves = [KILL_POINTS[0::2], KILL_POINTS[1::2]]  # two projects side by side (two cores)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        landed = pool.map(_kill_chain, [tmp_path / "a", tmp_path / "b"], halves)
        assert sum(landed) >= len(KILL_POINTS) - 2  # the kills landed inside running runs


TINY = """
[paths]
warehouse = "warehouse/ot_eval.duckdb"
reports = "reports"
[evaluation]
intervention_date = 2018-09-01
[sources.psfs_forms]
path = "psfs.csv"
format = "csv"
"""


def _tiny(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "psfs.csv").write_text(
        "person;kommunenr;samtale_nr;dato;skala;aktivitet_1;poeng_1\n"
        "P1;5530;1;2023-01-10;0=kan ikke utføre;Gå;3\n",
        encoding="utf-8",
    )
    config = folder / "ot-eval.toml"
    config.write_text(TINY, encoding="utf-8")
    return config


def publish_and_die(config: str, die_at: int, counted: str) -> None:
    """`ot-eval ingest`, killed with SIGKILL at the die_at-th file-system call (0: never; the
    number of calls is then written to `counted`). Runs in a fresh (spawned) process."""
    import shutil

    from pipeline import stages
    from pipeline.settings import load_settings

    calls = 0

    def counting(fn):  # type: ignore[no-untyped-def]
        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            if calls == die_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return fn(*args, **kwargs)

        return call

    for name in ("rename", "replace", "symlink", "unlink", "link", "fsync", "mkdir"):
        setattr(os, name, counting(getattr(os, name)))
    shutil.rmtree = counting(shutil.rmtree)
    stages.run_stage(load_settings(config), "ingest", lambda _m: None)
    Path(counted).write_text(str(calls))


def test_kill_9_at_every_file_system_step_of_a_run(tmp_path: Path) -> None:
    """Exhaustive where the timed kills are a sample: a kill before each rename, link, removal
    and fsync of a whole run (build, publish, tidy) leaves one consistent run."""
    from pipeline import stages
    from pipeline.settings import load_settings

    config = _tiny(tmp_path)
    settings = load_settings(config)
    stages.run_stage(settings, "ingest", lambda _m: None)
    spawn = multiprocessing.get_context("spawn")
    count = tmp_path / "calls.txt"
    child = spawn.Process(target=publish_and_die, args=(str(config), 0, str(count)))
    child.start()
    child.join()
    steps = int(count.read_text())
    assert steps >= 10
    for die_at in range(1, steps + 1):
        before = live_run(tmp_path)
        child = spawn.Process(target=publish_and_die, args=(str(config), die_at, str(count)))
        child.start()
        child.join()
        assert child.exitcode == -signal.SIGKILL
        assert live_run(tmp_path) in (before, *run_folders(tmp_path))
        stages.run_stage(settings, "ingest", lambda _m: None)  # the next run succeeds
        assert live_run(tmp_path) != before
        assert leftovers(tmp_path) == [] and len(run_folders(tmp_path)) == 1, die_at


def _checksums(folder: Path) -> dict[str, tuple[int, str]]:
    with duckdb.connect(str(folder / "warehouse" / "ot_eval.duckdb"), read_only=True) as con:
        sums = table_checksums(con)
    return {t: s for t, s in sums.items() if t not in VARIES_BY_RUN}


@pytest.mark.slow
def test_two_runs_at_once_serialise_and_neither_changes_the_others_numbers(
    tmp_path: Path,
) -> None:
    solo = project(tmp_path / "solo", **FAST)
    assert cli(solo, "evaluate").returncode == 0
    expected = _checksums(tmp_path / "solo")

    config = project(tmp_path / "shared", **FAST)
    first = start(config, "evaluate")
    wait_for(first, "^sample written")  # the lock is held before the sample is written
    second = cli(config, "evaluate", "--no-wait")
    assert second.returncode == 75
    assert "Another ot-eval run is using this warehouse" in second.stderr
    assert f"process {first.pid}" in second.stderr and "--wait" in second.stderr
    third = start(config, "evaluate", "--wait")
    assert third.stdout is not None
    assert f"waiting for `ot-eval evaluate` (process {first.pid}" in third.stdout.readline()
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    first_run = out.split("published run ")[1].split()[0]
    assert live_run(tmp_path / "shared") == first_run  # the third has not published yet
    assert _checksums(tmp_path / "shared") == expected
    _, err = third.communicate(timeout=300)
    assert third.returncode == 0, err
    assert live_run(tmp_path / "shared") != first_run
    assert _checksums(tmp_path / "shared") == expected


SESSION = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table main.analyst as select 42 as answer")
print("ready", flush=True)
sys.stdin.readline()
print(con.execute("select answer from main.analyst").fetchone()[0], flush=True)
con.close()
"""


def _published(tmp_path: Path, evaluated_fast: Path) -> tuple[Path, Path]:
    """(folder, config) of a copy of the evaluated project: a published run to start from."""
    folder = tmp_path / "p"
    return folder, evaluated_copy(evaluated_fast, folder)


def _analyst(warehouse: Path) -> subprocess.Popen[str]:
    """An analyst's read-write session in another process, holding the warehouse open."""
    return subprocess.Popen(
        [sys.executable, "-c", SESSION, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_read_write_session_blocks_publishing_and_keeps_its_changes(
    tmp_path: Path, evaluated_fast: Path
) -> None:
    folder, config = _published(tmp_path, evaluated_fast)
    live = live_run(folder)
    warehouse = folder / "warehouse" / "ot_eval.duckdb"
    session = _analyst(warehouse)
    assert session.stdout is not None and session.stdin is not None
    assert session.stdout.readline().strip() == "ready"
    blocked = cli(config, "evaluate")
    assert blocked.returncode == 75, blocked.stderr
    assert "read-write session" in blocked.stderr and f"process {session.pid}" in blocked.stderr
    assert f"still those of run {live}" in blocked.stderr
    assert blocked.stderr.count("\n") == 1 and "Traceback" not in blocked.stderr
    session.stdin.write("\n")
    session.stdin.flush()
    assert session.stdout.readline().strip() == "42"  # the analyst's change is intact
    assert session.wait(timeout=30) == 0
    assert live_run(folder) == live
    assert cli(config, "evaluate").returncode == 0  # once the session is closed


def test_changes_of_a_crashed_session_are_not_dropped_silently(
    tmp_path: Path, evaluated_fast: Path
) -> None:
    folder, config = _published(tmp_path, evaluated_fast)
    warehouse = folder / "warehouse" / "ot_eval.duckdb"
    session = _analyst(warehouse)
    assert session.stdout is not None
    assert session.stdout.readline().strip() == "ready"
    session.kill()
    session.wait()
    wal = Path(str(warehouse.resolve()) + ".wal")
    assert wal.exists()  # DuckDB keeps it beside the real file, inside the run's folder
    refused = cli(config, "evaluate")
    assert refused.returncode == 75 and "unsaved changes" in refused.stderr, refused.stderr
    assert str(wal) in refused.stderr
    wal.unlink()
    assert cli(config, "evaluate").returncode == 0


def test_read_only_session_neither_blocks_nor_is_broken_by_a_run(
    tmp_path: Path, evaluated_fast: Path
) -> None:
    folder, config = _published(tmp_path, evaluated_fast)
    live = live_run(folder)
    con = duckdb.connect(str(folder / "warehouse" / "ot_eval.duckdb"), read_only=True)
    count = con.execute("select count(*) from valid.kuhr_claims").fetchone()
    assert cli(config, "evaluate").returncode == 0
    assert con.execute("select count(*) from valid.kuhr_claims").fetchone() == count
    assert con.execute("select run_id from meta.run").fetchone() == (live,)
    con.close()
    assert live_run(folder) != live


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_run_cleans_up_and_says_what_is_live(
    tmp_path: Path, evaluated_fast: Path, signum: int
) -> None:
    folder, config = _published(tmp_path, evaluated_fast)
    live = live_run(folder)
    proc = start(config, "evaluate")
    wait_for(proc, "^validate")
    time.sleep(0.3)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == (143 if signum == signal.SIGTERM else 130), err
    assert (
        f"Nothing was replaced: the live warehouse and reports are still those of run {live}" in err
    )
    assert "internal error" not in err and "Traceback" not in err
    assert leftovers(folder) == [] and live_run(folder) == live


def test_files_holding_person_data_are_private(evaluated_fast: Path) -> None:
    folder = evaluated_fast  # as the run left them (only read here)
    real = (folder / "warehouse" / "ot_eval.duckdb").resolve()
    assert real.stat().st_mode & 0o777 == 0o600
    assert real.parent.stat().st_mode & 0o777 == 0o700
    sample = folder / "data" / "sample"
    assert sample.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in sample.iterdir()} == {0o600}
    lock = folder / "warehouse" / "ot_eval.duckdb.lock"
    assert lock.stat().st_mode & 0o777 == 0o600


def test_a_dead_runs_leftovers_are_cleared_by_the_next(tmp_path: Path) -> None:
    config = _tiny(tmp_path)
    assert cli(config, "ingest").returncode == 0
    runs = tmp_path / "warehouse" / "runs"
    (runs / "20200101T000000.000000Z.building").mkdir()
    (runs / "20200101T000000.000000Z.building" / "ot_eval.duckdb.wal").write_bytes(b"x" * 1000)
    lock = tmp_path / "warehouse" / "ot_eval.duckdb.lock"
    lock.write_text('{"pid": 999999, "verb": "evaluate", "started": "2020-01-01T00:00:00"}')
    done = cli(config, "ingest")
    assert done.returncode == 0, done.stderr
    assert "`ot-eval evaluate` (process 999999" in done.stdout
    assert "ended without finishing" in done.stdout and "cleared the partial files" in done.stdout
    assert leftovers(tmp_path) == [] and len(run_folders(tmp_path)) == 1
    assert lock.read_text() == ""  # a run that ends well leaves no holder behind
