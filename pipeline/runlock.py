"""One run at a time per warehouse: the lock is taken before anything is written.

The lock is an `flock` on `<warehouse>.lock`. The kernel releases it when its process ends,
however it ends, so a dead run never blocks the next one. While held, the file names the
holder (PID, verb, start time): a second run can say whom it waits for, and a run that finds a
record left behind knows that the run before it died without finishing, so its partial files
are cleared (see `warehouse.recover`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import Busy


@dataclass(frozen=True)
class Holder:
    pid: int
    verb: str
    started: str

    def describe(self) -> str:
        return f"`ot-eval {self.verb}` (process {self.pid}, started {self.started})"


def _read(fd: int) -> Holder | None:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 4096).decode("utf-8", "replace").strip()
    try:
        data = json.loads(text) if text else None
        return Holder(int(data["pid"]), str(data["verb"]), str(data["started"])) if data else None
    except (ValueError, KeyError, TypeError):
        return None


@contextlib.contextmanager
def run_lock(
    warehouse: Path, verb: str, wait: bool, log: Callable[[str], None]
) -> Iterator[Holder | None]:
    """Hold the warehouse's run lock; yield the holder record of a run that died, if any."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    path = warehouse.with_name(warehouse.name + ".lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            who = holder.describe() if holder else "another ot-eval run"
            if not wait:
                raise Busy(
                    "Another ot-eval run is using this warehouse",
                    file=warehouse,
                    found=who,
                    hint="Wait for it to finish, or run again with --wait to start when it "
                    "has finished (or set [run] wait = true)",
                ) from None
            log(f"waiting for {who} to finish …")
            fcntl.flock(fd, fcntl.LOCK_EX)
        died = _read(fd)
        record = {
            "pid": os.getpid(),
            "verb": verb,
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        try:
            yield died
        finally:
            os.ftruncate(fd, 0)  # an empty record: this run ended and cleaned up after itself
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
