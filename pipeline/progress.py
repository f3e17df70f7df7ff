"""Progress of the long steps on a terminal: rows read, rows per second and time left while a
file is ingested (rich), and DuckDB's own bar for any query that runs longer than two
seconds. Shown only when standard error is a terminal, CI is not set and the verb was not
given --quiet: logs and CI output stay free of it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator

import duckdb

_ENABLED: list[bool] = [False]


def configure(quiet: bool) -> None:
    """Decide once per command whether progress is shown."""
    _ENABLED[0] = not quiet and sys.stderr.isatty() and not os.environ.get("CI")


def enabled() -> bool:
    return _ENABLED[0]


def on_queries(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB's progress bar for the queries of this connection (none when disabled). Set
    only when it differs: in a Jupyter kernel the bar is off already, and setting it at all
    fails there without ipywidgets."""
    wanted = enabled()
    if con.execute("select current_setting('enable_progress_bar')").fetchall()[0][0] != wanted:
        con.execute(f"set enable_progress_bar = {'true' if wanted else 'false'}")


@contextlib.contextmanager
def rows(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A bar for `total` rows (None: a count without time left); yields `advance(n)`."""
    if not enabled():
        yield lambda _n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    started = time.monotonic()
    done = 0
    with Progress(*columns, transient=True, console=Console(file=sys.stderr)) as bar:
        task = bar.add_task(label, total=total, rate="")

        def advance(n: int) -> None:
            nonlocal done
            done += n
            rate = done / max(time.monotonic() - started, 1e-9)
            bar.update(task, advance=n, rate=f"{rate:,.0f} rows/s")

        yield advance
