"""`ot-eval notebooks` / `make notebooks`: execute every jupytext notebook of `notebooks/`
against the published warehouse and write each as HTML to `reports/notebooks/`.

The notebooks are percent-format `.py` files (reviewable diffs, no outputs committed); each
is read with jupytext, run top to bottom in a fresh Python kernel (nbclient) with the config
in OT_EVAL_CONFIG, and exported with nbconvert. A failing cell stops with the notebook's name
and the cell's error. The HTML holds what the notebooks show — aggregates and anonymised
plots — and is written readable by its owner only, as everything under the warehouse is.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import jupytext
import nbclient
import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

from pipeline.errors import UserError
from pipeline.notebook_env import CONFIG_VARIABLE, PROJECT
from pipeline.settings import Settings
from pipeline.warehouse import connect_read_only, private_files

NOTEBOOKS = PROJECT / "notebooks"
TIMEOUT_SECONDS = 900  # one cell
TEMPLATES = Path(__file__).resolve().parent / "report" / "templates"
OFFLINE = "notebook_offline.html.j2"  # nbconvert's lab page with nothing fetched from a CDN


def notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    return sorted(folder.glob("*.py"))


@contextlib.contextmanager
def _config(settings: Settings) -> Iterator[None]:
    """The kernel inherits this process's environment: point it at the run's config."""
    before = os.environ.get(CONFIG_VARIABLE)
    os.environ[CONFIG_VARIABLE] = str(settings.config_file)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(CONFIG_VARIABLE, None)
        else:
            os.environ[CONFIG_VARIABLE] = before


def run_all(settings: Settings, log: Callable[[str], None], folder: Path = NOTEBOOKS) -> list[Path]:
    """Execute every notebook of `folder`; write reports/notebooks/<name>.html; return them."""
    connect_read_only(settings).close()  # a clear error when there is none
    out = settings.reports_dir / "notebooks"
    written = []
    with _config(settings), private_files():
        out.mkdir(parents=True, exist_ok=True)
        for path in notebooks(folder):
            started = time.perf_counter()
            book = jupytext.read(path)
            try:
                _execute(book)
            except nbclient.exceptions.CellExecutionError as exc:
                raise UserError(
                    f"The notebook stopped at a failing cell: {_cell_error(exc)}",
                    file=path,
                    hint="Open it (jupytext pairs it with a .ipynb) and run it cell by cell",
                ) from exc
            exporter = HTMLExporter(extra_template_paths=[str(TEMPLATES)], template_file=OFFLINE)
            html, _resources = exporter.from_notebook_node(book)
            target = out / f"{path.stem}.html"
            partial = target.with_name(f".{target.name}.partial")
            partial.write_text(html, encoding="utf-8")
            os.replace(partial, target)
            written.append(target)
            log(f"wrote {target} ({time.perf_counter() - started:.1f} s)")
    return written


def _execute(book: nbformat.NotebookNode) -> None:
    """Run the notebook in a fresh kernel that talks over Unix sockets in a private temporary
    folder: the data the cells print never cross a TCP port in plain text."""
    with tempfile.TemporaryDirectory(prefix="ot-eval-kernel-") as sockets:
        transport = Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/kernel"}})
        nbclient.NotebookClient(
            book,
            timeout=TIMEOUT_SECONDS,
            kernel_name="python3",
            resources={"metadata": {"path": str(PROJECT)}},
            config=transport,
        ).execute()


def _cell_error(exc: nbclient.exceptions.CellExecutionError) -> str:
    """The error's type and message, on one line and without the kernel's colours (nbclient's
    own text puts the whole cell and traceback first)."""
    text = f"{exc.ename}: {exc.evalue}"
    return " ".join(re.sub(r"\x1b\[[0-9;]*m", "", text).split())
