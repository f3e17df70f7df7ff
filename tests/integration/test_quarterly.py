"""`ot-eval quarterly`: the Senja report from a config with only a team register and PSFS
file, checked cell by cell in the workbook; suppression safe against totals and against the
previous quarter's report; the privacy scan on every outward file; the Excel template read
back with no mapping."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipeline import privacy
from pipeline.settings import load_settings
from tests.conftest import Run
from tests.runs import cli

pytestmark = pytest.mark.integration
THRESHOLD = 5


def _two_source_config(run: Run, folder: Path) -> Path:
    """A config holding only the municipality's two sources (absolute paths to the sample)."""
    text = run.settings.config_file.read_text(encoding="utf-8")
    config = tomllib.loads(text)
    sample = run.settings.sample.dir
    team = config["sources"]["team_register"] | {"path": str(sample / "team_register_senja.xlsx")}
    psfs = config["sources"]["psfs_forms"] | {"path": str(sample / "psfs_forms.csv")}
    lines = [
        "[sample]\nenabled = false\n",
        '[paths]\nwarehouse = "w/ot_eval.duckdb"\nreports = "reports"\n',
        "[sources.team_register]",
        *(f"{k} = {_toml(v)}" for k, v in team.items()),
        "\n[sources.psfs_forms]",
        *(f"{k} = {_toml(v)}" for k, v in psfs.items()),
    ]
    path = folder / "kommune.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{k}" = {_toml(v)}' for k, v in value.items()) + " }"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value).lower() if isinstance(value, bool) else str(value)


@pytest.fixture(scope="module")
def two_quarters(pipeline_run: Run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kommune")
    config = _two_source_config(pipeline_run, folder)
    for quarter in ("2021Q1", "2021Q2"):
        done = cli(config, "quarterly", "--kommune", "5530", "--quarter", quarter)
        assert done.returncode == 0, done.stderr
        assert f"5530_{quarter}.xlsx" in done.stdout
    assert not (folder / "w").exists()  # no warehouse was made or touched
    return folder / "reports" / "quarterly"


def _sheet(path: Path, prefix: str) -> list[tuple]:
    book = openpyxl.load_workbook(path)
    sheet = next(s for s in book.worksheets if s.title.startswith(prefix))
    return [tuple(r) for r in sheet.iter_rows(values_only=True)]


def test_senja_2021q1_cell_by_cell(two_quarters: Path) -> None:
    rows = _sheet(two_quarters / "5530_2021Q1.xlsx", "Aktive oppfølgingsteam")
    assert rows[1][:2] == ("Aldersgruppe", "Aktive team 31.03.2021")
    body = {r[0]: r[1:] for r in rows[2:7]}
    # the seed's 11 / 35 / 3 / 1: the two small cells hidden (primary); the total shows their
    # sum only, so neither can be found
    assert [body[b][0] for b in ("0-17", "18-66", "67-79", "80+", "I alt")] == [
        11,
        35,
        "–",
        "–",
        50,
    ]
    # a rate or change built on a hidden count is hidden with it
    assert all(v == "–" for v in body["67-79"]) and all(v == "–" for v in body["80+"])
    assert "Teamregisteret eksportert" in str(_sheet(two_quarters / "5530_2021Q1.xlsx",
                                                    "Sammendrag"))  # fmt: skip


def _columns(path: Path) -> dict[str, dict[str, object]]:
    rows = _sheet(path, "Aktive oppfølgingsteam")
    header = rows[1]
    out: dict[str, dict[str, object]] = {}
    for i, title in enumerate(header):
        if title and str(title).startswith("Aktive team "):
            out[str(title).removeprefix("Aktive team ")] = {r[0]: r[i] for r in rows[2:7]}
    return out


def test_previous_quarter_column_is_published_exactly_as_before(two_quarters: Path) -> None:
    """Differencing: the 2021Q2 report repeats 31.03.2021 with the very cells the 2021Q1
    report hid, so setting the two side by side reveals nothing new; and in every published
    column a hidden cell never stands alone beside a shown total."""
    q1 = _columns(two_quarters / "5530_2021Q1.xlsx")
    q2 = _columns(two_quarters / "5530_2021Q2.xlsx")
    assert q2["31.03.2021"] == q1["31.03.2021"]
    for column in (*q1.values(), *q2.values()):
        hidden = [band for band, v in column.items() if v == "–" and band != "I alt"]
        assert len(hidden) != 1 or column["I alt"] == "–"
        shown = [v for v in column.values() if isinstance(v, int)]
        assert not any(0 < v < THRESHOLD for v in shown)


def test_privacy_scan_passes_on_every_outward_file(pipeline_run: Run, two_quarters: Path) -> None:
    with duckdb.connect(str(pipeline_run.settings.warehouse), read_only=True) as con:
        texts, births = privacy.forbidden(con)
    assert len(texts) > 100 and births
    reports = pipeline_run.settings.reports_dir
    files = [*two_quarters.glob("*.html"), *two_quarters.glob("*.xlsx"),
             *(reports / "quarterly").glob("*"), reports / "evaluation.html"]  # fmt: skip
    assert len(files) >= 8
    for path in files:
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            text = re.sub(r"<script[^>]*>.{100000,}?</script>", "", text, flags=re.S)
            assert privacy.scan_text(path.name, text, texts, births, set()) == [], path
            if path.parent.name == "quarterly":
                assert privacy.scan_figure_data(path.name, text, THRESHOLD) == []
        else:
            book = openpyxl.load_workbook(path, read_only=True)
            for sheet in book.worksheets:
                values = [v for row in sheet.iter_rows(values_only=True) for v in row if v]
                assert privacy.scan_text(path.name, "\n".join(map(str, values)), texts,
                                         births, set()) == []  # fmt: skip
            for column in _columns(path).values():  # the counts (a change may be small)
                assert not any(isinstance(v, int) and 0 < v < THRESHOLD for v in column.values())


def test_a_leak_stops_the_report_and_writes_nothing(pipeline_run: Run, tmp_path: Path) -> None:
    from pipeline.quarterly import run
    from pipeline.quarterly.period import Quarter
    from pipeline.quarterly.tables import Cell

    settings = load_settings(_two_source_config(pipeline_run, tmp_path))
    con = run.in_memory(settings)
    page = run.page(
        con, settings, "5530", Quarter.parse("2021Q1"), run.standalone_prov(con, settings)
    )
    person = con.execute("select min(person_id) from staging.stg_teams__register").fetchone()[0]
    width = len(page.tables[0].header)
    page.tables[0].rows.append([Cell(person), *[Cell("3", 3, "count")] * (width - 1)])
    with pytest.raises(Exception, match="privacy scan") as stopped:
        run.write(con, page, tmp_path / "out")
    assert person in str(stopped.value) and "count 3" in str(stopped.value)
    assert list((tmp_path / "out").iterdir()) == []


def test_a_quarter_after_the_export_is_refused(pipeline_run: Run, tmp_path: Path) -> None:
    config = _two_source_config(pipeline_run, tmp_path)
    done = cli(config, "quarterly", "--kommune", "5530", "--quarter", "2031Q1")
    assert done.returncode == 2
    assert "before the end of 2031Q1" in done.stderr and "team_register_senja.xlsx" in done.stderr
    done = cli(config, "quarterly", "--kommune", "9999", "--quarter", "2021Q1")
    assert done.returncode == 2 and "No team register for municipality 9999" in done.stderr


def test_report_writes_the_latest_quarter_of_every_municipality(pipeline_run: Run) -> None:
    folder = pipeline_run.settings.reports_dir / "quarterly"
    names = sorted(p.name for p in folder.glob("*.html"))
    assert "5530_2023Q4.html" in names and "3203_2021Q3.html" in names  # Asker left in 2021
    index = (pipeline_run.settings.reports_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="quarterly/5530_2023Q4.html"' in index


def test_template_is_read_back_with_no_mapping(pipeline_run: Run, tmp_path: Path) -> None:
    config = pipeline_run.settings.config_file
    out = tmp_path / "mal.xlsx"
    done = cli(config, "template", "team-register", "--out", str(out))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    data = book["Data"]
    header = [c.value for c in data[1]]
    assert header[:3] == ["team_id", "person_id", "birth_date"]
    lists = {
        str(v.sqref).split(":")[0][:1]: v.formula1 for v in data.data_validations.dataValidation
    }
    sector = "ABCDEFGHIJK"[header.index("coordinator_sector")]
    assert "Helse" in lists[sector]
    assert "Veiledning" in book.sheetnames
    values = {"team_id": "T1", "person_id": "P1", "birth_date": dt.date(1950, 5, 1),
              "coordinator_id": "K1", "coordinator_sector": "Helse", "has_ip": "Ja",
              "start_date": dt.date(2022, 2, 1), "kommune": "5530"}  # fmt: skip
    data.append([values.get(h) for h in header])
    filled = tmp_path / "teamregister_5530_2024-01-05.xlsx"
    book.save(filled)
    bare = tmp_path / "bare.toml"  # no source configured: the file's own layout, no mapping
    bare.write_text("[sample]\nenabled = false\n", encoding="utf-8")
    done = cli(bare, "teams", "--at", "2023-12-31", "--register", str(filled))
    assert done.returncode == 0, done.stderr
    assert "67-79" in done.stdout and "exported 2024-01-05; rows 1 = counted 1" in done.stdout


def test_evaluation_report_hides_senja_as_its_quarterly_report(
    pipeline_run: Run, two_quarters: Path
) -> None:
    """The researchers' outward report and the municipality's quarterly report publish the
    same date: Senja's row is hidden cell for cell as the quarterly column, so putting the two
    side by side reveals nothing."""
    import pandas as pd

    from pipeline.disclosure import TOTAL
    from pipeline.report.shape import protected

    with pipeline_run.connect() as con:
        data = con.execute(
            "select kommune, age_band, n from metrics.team_counts "
            "where snapshot_date = date '2021-03-31'"
        ).df()
    cells = protected(data, ("kommune", "age_band"), pipeline_run.settings)
    senja = cells[cells["kommune"] == "5530"]
    evaluation = {
        ("I alt" if r.age_band == TOTAL else r.age_band): bool(pd.isna(r.shown))
        for r in senja.itertuples()
    }
    quarterly = _columns(two_quarters / "5530_2021Q1.xlsx")["31.03.2021"]
    assert evaluation == {band: value == "–" for band, value in quarterly.items()}
    assert evaluation["67-79"] and evaluation["80+"] and not evaluation["I alt"]
