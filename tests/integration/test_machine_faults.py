"""Faults of the machine are the user's to fix and are said as such: a full disk, a folder ot-eval
may not write. The message names the path and the remedy (never "internal error"), the run
removes its partial files, and what was live stays live.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.runs import FAST, cli, evaluated_copy, leftovers, live_run, project

pytestmark = pytest.mark.integration


@contextlib.contextmanager
def small_disk(where: Path, size: str, options: str = "") -> Iterator[None]:
    """A size-limited tmpfs mounted at `where` (needs root); skip where none can be mounted."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = os.geteuid() == 0 and shutil.which("mount") is not None
    if mounted:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755{options}", "tmpfs",
             str(where)],
            capture_output=True,
        )  # fmt: skip
        mounted = done.returncode == 0
    if not mounted:
        pytest.skip("no size-limited file system can be mounted here (needs root); the "
                    "simulated ENOSPC test covers the same handling")  # fmt: skip
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_disk_full_while_building_the_warehouse(tmp_path: Path) -> None:
    config = project(tmp_path, **FAST)
    folder = tmp_path / "warehouse"
    with small_disk(folder, "3m"):
        done = cli(config, "evaluate")
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("ot-eval: error: The disk is full")
        assert str(folder) in done.stderr and "Free space" in done.stderr
        assert "Nothing was replaced: there is still no published warehouse" in done.stderr
        assert "internal error" not in done.stderr and done.stderr.count("\n") == 1
        assert leftovers(tmp_path) == []
        assert shutil.disk_usage(folder).used < 256 * 1024  # no half-written file or WAL kept


def test_disk_full_while_writing_the_sample(tmp_path: Path, evaluated_fast: Path) -> None:
    folder = tmp_path / "p"
    config = evaluated_copy(evaluated_fast, folder)
    live = live_run(folder)
    sample = folder / "data"
    shutil.rmtree(sample)
    with small_disk(sample, "1m"):
        done = cli(config, "evaluate")
        assert done.returncode == 2, done.stderr
        assert "The disk is full" in done.stderr and str(sample) in done.stderr
        assert f"still those of run {live}" in done.stderr
        assert list(sample.iterdir()) == []  # the partial sample is gone
    assert live_run(folder) == live


def test_a_read_only_file_system_is_said_as_such(tmp_path: Path) -> None:
    config = project(tmp_path, **FAST)
    with small_disk(tmp_path / "warehouse", "1m", ",ro"):
        done = cli(config, "evaluate")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("ot-eval: error: The file system is read-only")
    assert str(tmp_path / "warehouse") in done.stderr and "[paths] warehouse" in done.stderr
    assert "internal error" not in done.stderr


def test_disk_full_simulated_where_no_small_disk_can_be_mounted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same handling without a real full disk: ENOSPC while the reports are written."""
    from tests.integration.test_run_safety import _tiny

    config = _tiny(tmp_path)
    assert main(["ingest", "--config", str(config)]) == 0
    live = live_run(tmp_path)
    capsys.readouterr()

    def full(path: Path, _text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("pipeline.report.write._write", full)
    assert main(["ingest", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ot-eval: error: The disk is full") and "data_quality.html" in err
    assert f"still those of run {live}" in err and err.count("\n") == 1
    assert leftovers(tmp_path) == [] and live_run(tmp_path) == live


# Root may write anywhere; without these two capabilities it is refused like any user.
DROP_RIGHTS = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--")


@pytest.mark.parametrize(
    ("folder", "key"),
    [("warehouse", "[paths] warehouse"), ("reports", "[paths] reports"), ("data", "[sample] dir")],
)
def test_a_folder_ot_eval_may_not_write_is_named_with_its_config_key(
    tmp_path: Path, folder: str, key: str
) -> None:
    config = project(tmp_path, **FAST)
    target = tmp_path / folder
    target.mkdir()
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:  # as root: the folder belongs to someone else, and root's
        if shutil.which("setpriv") is None:  # power to ignore that is dropped
            pytest.skip("running as root without setpriv (util-linux) to drop rights")
        os.chown(target, 65534, -1)
        prefix = DROP_RIGHTS
    target.chmod(0o555)
    try:
        done = cli(config, "evaluate", prefix=prefix)
    finally:
        target.chmod(0o755)
    assert done.returncode == 2, done.stderr
    assert "Permission denied" in done.stderr and str(target) in done.stderr
    assert key in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
