"""Progress shows on a terminal (rows, rows per second) and nowhere else: not with --quiet,
not when the output is a file or pipe, not under CI."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.runs import FAST, cli, project


def _ingest_on_terminal(config: Path, *extra: str, ci: bool = False) -> str:
    """Run `ot-eval ingest` with standard error on a pseudo-terminal; what it wrote there."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "ingest", "--config", str(config), *extra],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        shown += chunk
    assert proc.wait(timeout=600) == 0
    os.close(leader)
    return shown.decode("utf-8", "replace")


def test_progress_on_a_terminal_only(tmp_path: Path) -> None:
    config = project(tmp_path / "p", **FAST)
    assert cli(config, "sample").returncode == 0
    shown = _ingest_on_terminal(config)
    assert "kuhr_claims: kuhr_claims.csv" in shown and "rows/s" in shown
    assert "rows/s" not in _ingest_on_terminal(config, "--quiet")
    assert "rows/s" not in _ingest_on_terminal(config, ci=True)
    piped = cli(config, "ingest")  # output captured: not a terminal
    assert piped.returncode == 0
    assert "rows/s" not in piped.stderr + piped.stdout
