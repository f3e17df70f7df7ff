"""`ot-eval trace` takes every metric row back to its source rows.

Team counts are checked against an independent reading of the register workbooks (openpyxl,
the SSB code list with the csv module, Python dates); every row of every other metrics table
is recomputed from the units the trace selects, by role, and must give the published estimate.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from pathlib import Path

import openpyxl
import pytest

from pipeline import trace
from pipeline.metrics.run import METRICS
from tests.conftest import REPO, Run
from tests.runs import cli

pytestmark = pytest.mark.integration


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _as_date(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def register_rows(
    run: Run, days: list[dt.date]
) -> dict[tuple[str, str, str], set[tuple[str, int]]]:
    """(kommune, date, band) -> {(file, row)}, read from the workbooks without ot-eval: a
    team counts on a day up to its register's export date (the title row's «eksportert»)."""
    with (REPO / "reference" / "kommuner_1994_2024.csv").open(encoding="utf-8") as f:
        to_2024 = {r["code"]: r["code_2024"] for r in csv.DictReader(f, delimiter=";")}
    ev = run.settings.evaluation
    bounds = list(ev.age_bands)
    labels = [f"{a}-{b - 1}" for a, b in itertools.pairwise(bounds)]
    labels.append(f"{bounds[-1]}+")
    out: dict[tuple[str, str, str], set[tuple[str, int]]] = {}
    for path in sorted(run.settings.sample.dir.glob("team_register_*.xlsx")):
        sheet = openpyxl.load_workbook(path, read_only=True, data_only=True)["Team"]
        rows = list(sheet.iter_rows(values_only=True))
        exported = re.search(r"eksportert (\d{4}-\d{2}-\d{2})", str(rows[0][0]))
        assert exported
        as_of = dt.date.fromisoformat(exported.group(1))
        header = list(rows[2])  # header_row = 3
        col = {name: header.index(name) for name in header if name}
        for number, values in enumerate(rows[3:], start=4):
            if all(v is None for v in values):
                continue
            birth = _as_date(values[col["Fødselsdato"]])
            start = _as_date(values[col["Startdato"]])
            end = _as_date(values[col["Sluttdato"]])
            kommune = to_2024[str(values[col["Kommunenr"]])]
            assert birth and start
            for day in days:
                if start <= day <= as_of and (end is None or end >= day):
                    age = _age(birth, day)
                    band = labels[max(i for i, b in enumerate(bounds) if age >= b)]
                    key = (kommune, day.isoformat(), band)
                    name = str(path.relative_to(run.settings.config_file.parent))
                    out.setdefault(key, set()).add((name, number))
    return out


def test_every_team_count_traces_to_exactly_its_register_rows(pipeline_run: Run) -> None:
    d = METRICS["team_counts"].definition
    with pipeline_run.connect() as con:
        days = [
            r[0]
            for r in con.execute(
                "select distinct snapshot_date from metrics.team_counts"
            ).fetchall()
        ]
        expected = register_rows(pipeline_run, days)
        quarantined = con.execute("select count(*) from quarantine.team_register").fetchone()
        assert quarantined == (0,)  # every register row counts, so the reading above is whole
        table = con.execute(
            "select kommune, cast(snapshot_date as varchar) as snapshot_date, age_band, n "
            "from metrics.team_counts"
        ).fetchall()
        assert len(table) >= 400
        exported_2021 = [r for r in table if r[0] == "3203" and r[1] > "2021-12-20"]
        assert exported_2021 == []  # Asker's register was exported 2021-12-20
        for kommune, day, band, n in table:
            dims = {"kommune": kommune, "snapshot_date": day, "age_band": band}
            rows = trace.source_rows(con, d, dims)
            found = set(zip(rows["file"], rows["row"], strict=True))
            assert found == expected.get((kommune, day, band), set()), dims
            assert len(rows) == n
            assert set(rows["source"]) <= {"team_register"}
    assert sum(len(v) for v in expected.values()) > 300


def _check_split(t: trace.Trace, estimator: str, derived: bool) -> None:
    """The units by role (its own query) give the estimate for counts and shares (not for a
    difference: its units are two groups')."""
    units = dict(zip(t.split["role"], t.split["units"], strict=True))
    num = units.get(trace.ROLE["numerator"], 0)
    den = num + units.get(trace.ROLE["denominator"], 0)
    estimate = t.metric_row["estimate"]
    if estimator == "count":
        assert num == estimate == t.metric_row["n"]
    elif estimator == "share" and not derived:
        assert den == t.metric_row["n"]
        assert num / den == pytest.approx(estimate, rel=1e-12)


@pytest.mark.parametrize("table", list(METRICS))
def test_every_metric_row_is_recomputed_from_its_traced_units(
    pipeline_run: Run, table: str
) -> None:
    d = METRICS[table].definition
    with pipeline_run.connect() as con:
        rows = con.execute(
            "select "
            + ", ".join(f"cast({c} as varchar) as {c}" for c in ('"' + x + '"' for x in d.dims))
            + f", estimate from metrics.{table}"
        ).fetchall()
        assert rows
        for *key, estimate in rows:
            selectors = {k: v for k, v in zip(d.dims, key, strict=True)}
            t = trace.trace(con, d, selectors, rows=False, limit=None)
            expected = float("nan") if estimate is None else estimate  # NULL: no number
            assert t.reproduced == pytest.approx(expected, rel=1e-9, nan_ok=True), selectors
            assert int(t.by_file["rows"].sum()) > 0 or t.metric_row["n"] == 0
            derived = any(d.made_of(k, v) for k, v in selectors.items())
            _check_split(t, d.part(selectors).estimator, derived)


def test_trace_cli_prints_the_senja_row_and_writes_csv(pipeline_run: Run, tmp_path: Path) -> None:
    config = pipeline_run.settings.config_file
    args = ("trace", "team_counts", "kommune=5530", "snapshot_date=2023-10-04", "age_band=80+")
    done = cli(config, *args)
    assert done.returncode == 0, done.stderr
    assert "team_register_senja.xlsx" in done.stdout
    assert "recomputed from these units: 1 (equals the estimate 1)" in done.stdout
    out = tmp_path / "rows.csv"
    done = cli(config, *args, "--format", "csv", "--out", str(out))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 1 and rows[0]["source"] == "team_register"
    share = cli(config, "trace", "psfs_change", "indicator=andel_bedring_minst_2", "kommune=Alle")
    assert share.returncode == 0 and "(add --rows" in share.stdout
    listed = cli(config, "trace", "psfs_change", "indicator=andel_bedring_minst_2",
                 "kommune=Alle", "--rows", "--limit", "5")  # fmt: skip
    assert "source rows (5 of" in listed.stdout


def test_trace_errors_name_the_choices(pipeline_run: Run) -> None:
    config = pipeline_run.settings.config_file
    done = cli(config, "trace", "team_counts", "kommune=5530")
    assert done.returncode == 2
    assert "rows of metrics.team_counts" in done.stderr and "snapshot_date" in done.stderr
    done = cli(config, "trace", "team_count", "kommune=5530")
    assert done.returncode == 2 and "team_counts" in done.stderr
    done = cli(config, "trace", "team_counts", "kommune")
    assert done.returncode == 2 and "column=value" in done.stderr
