"""Open every report in Debian's headless Chromium: it renders offline, with no errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.notebook_run import notebooks
from pipeline.settings import load_settings
from tests.conftest import Run

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    playwright = pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium"):
        pytest.fail("chromium is not installed: run `make browser` (Debian package chromium)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _offline_page(browser):  # type: ignore[no-untyped-def]
    """A new page that records script errors and refuses (and records) every request that
    does not go to a local file."""
    page = browser.new_page()
    errors: list[str] = []
    external: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def block(route) -> None:  # type: ignore[no-untyped-def]
        if not route.request.url.startswith("file://"):
            external.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", block)
    return page, errors, external


@pytest.mark.parametrize(
    "name", ["evaluation.html", "data_quality.html", "index.html", "catalogue.html"]
)
def test_report_opens_offline_without_errors(pipeline_run: Run, browser, name: str) -> None:  # type: ignore[no-untyped-def]
    page, errors, external = _offline_page(browser)
    page.goto((pipeline_run.settings.reports_dir / name).as_uri())
    page.wait_for_load_state("load")
    assert errors == [] and external == []
    assert "Proveniens" in page.inner_text("#provenance")
    if name == "evaluation.html":
        page.wait_for_selector(".js-plotly-plot .main-svg")
        assert page.locator(".js-plotly-plot").count() >= 8
        assert "Senja" in page.inner_text("#team")
        assert "sekundærprikking" in page.inner_text("#team")  # the suppression footnote
        assert page.locator("#register table").count() == 2  # the DiD and the event study
        # per outcome its trend, pilot vs comparison, and its event study
        from pipeline.metrics.registry import OUTCOMES

        assert page.locator("#register .js-plotly-plot").count() == 2 * len(OUTCOMES)
        assert "Estimator" in page.inner_text("#register table >> nth=0")
        # themes: bars and the heat map by municipality; the joint display: per joint a dot
        # plot and a table with one row per pilot municipality
        assert page.locator("#intervjuer .js-plotly-plot").count() == 2
        assert page.locator("#intervjuer .heatmaplayer").count() == 1
        assert page.locator("#samlet .js-plotly-plot").count() == 2
        joint = page.locator("#samlet table").first
        assert joint.locator("tr").count() == 1 + 6
        assert "Kapasitet og ressurser" not in joint.inner_text()  # the sides' titles head it
        assert "Intervjuer om kapasitet og ressurser: andel" in joint.inner_text()
        _every_table_names_its_source(page)
    elif name == "data_quality.html":
        files = page.locator("#filer table tr")
        # one row per file of the sample (6 team registers) plus header and sum
        with pipeline_run.connect() as con:
            n_files = con.execute("select count(*) from meta.ingest_files").fetchone()[0]
        assert files.count() == n_files + 2
        assert "NEI" not in page.inner_text("#filer")
        text = page.inner_text("#regler")
        assert "Brudd per regel" in text
    elif name == "catalogue.html":  # lineage links lead to the table they name
        page.click("#marts-fct-psfs-person-change >> text=metrics.psfs_change")
        assert page.url.endswith("#metrics-psfs-change")
        assert page.locator("#metrics-psfs-change").is_visible()
        assert page.locator("section.relation").count() >= 70
    else:
        page.click("text=Evalueringsrapport")
        page.wait_for_load_state("load")
        assert page.url.endswith("evaluation.html")
    page.close()


def _every_table_names_its_source(page) -> None:  # type: ignore[no-untyped-def]
    """Each metric table and figure says which relation it shows; the collapsed «Hvor kommer
    tallet fra?» block opens on a click and gives a trace command for that metric."""
    from pipeline.metrics.run import METRICS

    tables = page.locator("figure.metric-table")
    assert tables.count() >= len(METRICS)
    shown = set()
    for i in range(tables.count()):
        t = tables.nth(i)
        caption = t.locator("figcaption").inner_text().split(" · ")[0]
        metrics = [m.strip() for m in caption.removeprefix("Kilde: ").split(",")]
        assert all(m.startswith("metrics.") and m[8:] in METRICS for m in metrics), caption
        shown.update(m[8:] for m in metrics)
        code = t.locator("details pre")
        assert not code.is_visible()
        t.locator("summary").click()
        traces = code.inner_text().splitlines()  # a joint display: one command per table
        assert [line.split(" ")[2] for line in traces] == [m[8:] for m in metrics]
        assert "Metode" in t.locator("details dl").inner_text()
    assert shown == set(METRICS)
    for caption in page.locator("figure.figure figcaption").all_inner_texts():
        assert caption.startswith("Kilde: metrics.") or caption.startswith("Kilde: marts.")


def test_quarterly_report_in_chromium(pipeline_run: Run, browser) -> None:  # type: ignore[no-untyped-def]
    """The Senja quarterly report: no console errors, the figure drawn (with its text
    alternative), the suppression footnote visible, the key figures present."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto((pipeline_run.settings.reports_dir / "quarterly" / "5530_2023Q4.html").as_uri())
    page.wait_for_selector(".js-plotly-plot .main-svg")
    assert errors == []
    assert page.locator(".js-plotly-plot").count() == 1
    assert "Søylediagram" in page.get_attribute("#figur [role=img]", "aria-label")
    summary = page.inner_text("#sammendrag")
    assert "Per 31.12.2023 hadde Senja" in summary and "aktive oppfølgingsteam" in summary
    footnote = page.locator("#aktive_team .suppression")
    assert footnote.is_visible() and "personvernhensyn" in footnote.inner_text()
    cells = page.locator("#aktive_team td.hidden")
    assert cells.count() >= 2 and set(cells.all_inner_texts()) == {"–"}
    assert page.inner_text("#as-of") and "Proveniens" in page.inner_text("#provenance")
    page.emulate_media(media="print")
    assert not page.locator("nav").count() or not page.locator("nav").first.is_visible()
    page.close()


def test_validation_page_opens_says_when_too_few_to_judge_and_the_index_links_it(
    tmp_path: Path, evaluated_fast: Path, browser
) -> None:  # type: ignore[no-untyped-def]
    from tests.runs import cli, evaluated_copy

    config = evaluated_copy(evaluated_fast, tmp_path / "p")
    refused = cli(config, "validate-stats", "--replications", "1")
    assert refused.returncode == 2 and "at least 2 replications" in refused.stderr
    done = cli(config, "validate-stats", "--replications", "4", "--draws", "19", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert "for få til å avgjøre" in done.stdout
    reports = tmp_path / "p" / "reports"
    figures = json.loads((reports / "validation.json").read_text())
    assert [m["inference"] for m in figures["methods"]] == ["cluster", "wild", "ri"]
    assert figures["plan"]["replications"] == 4
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((reports / "validation.html").as_uri())
    assert errors == []
    table = page.inner_text("#validation")
    assert "Wild cluster bootstrap" in table and "Randomiseringsinferens" in table
    assert "Proveniens" in page.inner_text("#provenance")
    assert cli(config, "report").returncode == 0  # the next report links the page
    page.goto((reports / "index.html").as_uri())
    page.click("text=Validering av inferensen")
    assert page.url.endswith("/reports/validation.html")


@pytest.mark.parametrize("stem", [p.stem for p in notebooks()])
def test_notebook_page_opens_offline_with_every_figure_drawn(
    notebooks_run: Path, browser, stem: str
) -> None:  # type: ignore[no-untyped-def]
    """An executed notebook opens with nothing fetched from the network, no script error, and
    as many drawn plots as the page holds figures."""
    path = load_settings(notebooks_run).reports_dir / "notebooks" / f"{stem}.html"
    figures = path.read_text(encoding="utf-8").count('class="plotly-graph-div"')
    assert figures >= 1
    page, errors, external = _offline_page(browser)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_selector(".js-plotly-plot .main-svg")
    assert page.locator(".js-plotly-plot").count() == figures
    assert page.locator(".js-plotly-plot .main-svg").count() >= figures
    assert errors == [] and external == []
    page.close()
