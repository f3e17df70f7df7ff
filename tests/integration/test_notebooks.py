"""The notebooks run on the sample into HTML: every cell without an error or a warning, each
notebook's own check that it reproduces the pipeline's figure passes, and a failing cell
stops the run with the notebook's name and the error's own line."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from pipeline.errors import UserError
from pipeline.notebook_run import NOTEBOOKS, notebooks, run_all
from pipeline.settings import load_settings

pytestmark = pytest.mark.integration


def test_there_are_at_least_four_percent_format_notebooks() -> None:
    found = notebooks()
    assert len(found) >= 4
    for path in found:
        text = path.read_text(encoding="utf-8")
        assert "format_name: percent" in text and "# %%" in text, path.name
        assert "notebook_env import" in text, f"{path.name}: not on the read-only warehouse"
        assert "assert " in text, f"{path.name}: checks no figure against the pipeline's"


def test_every_notebook_runs_into_private_html(notebooks_run: Path) -> None:
    out = load_settings(notebooks_run).reports_dir / "notebooks"
    pages = sorted(out.glob("*.html"))
    assert [p.stem for p in pages] == [p.stem for p in notebooks()]
    for page in pages:
        assert stat.S_IMODE(page.stat().st_mode) == 0o600, page.name
        html = page.read_text(encoding="utf-8")
        # nbconvert marks error and stderr outputs (warnings) with these mime types
        assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html, page.name
        assert "jp-OutputArea-output" in html and 'class="jp-InputArea' in html
        # nothing is fetched from elsewhere: no script or stylesheet from a URL
        assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html), page.name
        assert not list(out.glob(".*.partial"))


def test_a_failing_cell_names_the_notebook_and_the_error(
    notebooks_run: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    broken = folder / "99_broken.py"
    broken.write_text(
        (NOTEBOOKS / "01_survey_anchoring.py").read_text(encoding="utf-8").split("# %%")[0]
        + "# %%\nfrom pipeline.notebook_env import warehouse\n\n"
        + "# %%\nwarehouse().sql('select * from marts.no_such_table')\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError) as caught:
        run_all(load_settings(notebooks_run), lambda _m: None, folder=folder)
    message = str(caught.value)
    assert "99_broken.py" in message and "no_such_table" in message
    assert "\x1b[" not in message  # the kernel's colours are taken out
    assert not (load_settings(notebooks_run).reports_dir / "notebooks" / "99_broken.html").exists()
