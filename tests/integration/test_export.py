"""`ot-eval export` on the sample's warehouse: Stata and SPSS files read back (pyreadstat) with
their variable and value labels; Norwegian and international CSV; Parquet and Excel; the
metric tables blanked exactly as the outward reports blank them; anything else refused unless
asked for, and then written 0600 with a warning."""

from __future__ import annotations

import stat
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest

from pipeline.report.sections import SNAPSHOTS
from pipeline.report.shape import fetch, protected
from pipeline.report.write import municipality_names
from pipeline.settings import load_settings
from tests.runs import cli

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def config(evaluated_fast: Path) -> Path:
    return evaluated_fast / "ot-eval.toml"  # read only: every test writes under tmp_path


def _comments(config: Path, schema: str, table: str) -> dict[str, str]:
    path = load_settings(config).warehouse
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(
            con.execute(
                "select column_name, comment from duckdb_columns() "
                "where schema_name = ? and table_name = ?",
                [schema, table],
            ).fetchall()
        )


@pytest.mark.parametrize("fmt", ["dta", "sav"])
def test_stata_and_spss_keep_variable_and_value_labels(
    config: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"staff.{fmt}"
    done = cli(config, "export", "staging.stg_survey__staff", "--out", str(out),
               "--allow-person-level")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "WARNING" in done.stderr and "readable by you only" in done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    read = pyreadstat.read_dta if fmt == "dta" else pyreadstat.read_sav
    frame, meta = read(str(out))
    comments = _comments(config, "staging", "stg_survey__staff")
    limit = 80 if fmt == "dta" else 255
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    # SPSS cannot start a name with _: the rename is reported and the label travels with it
    renames = dict(
        line.removeprefix("renamed ").split(" (")[0].split(" -> ")
        for line in done.stdout.splitlines()
        if line.startswith("renamed ")
    )
    names = {c: renames.get(c, c) for c in comments}
    for column, text in comments.items():
        expected = text if len(text) <= limit else text[: limit - 1] + "…"
        assert labels[names[column]] == expected, column
    if fmt == "sav":
        assert renames["_source_file"] == "vsource_file"
    else:
        assert renames == {}  # Stata takes a leading _
    # the contract's labels of the coded columns, followed through staging's renames
    assert meta.variable_value_labels["role_code"] == {
        1: "Prosjektleder", 2: "Leder", 3: "Koordinerende enhet", 4: "Koordinator",
        5: "Fastlege", 6: "Teammedlem/annen ansatt",
    }  # fmt: skip
    assert meta.variable_value_labels["kjent_ot"][9] == "Vet ikke"
    assert len(frame) == int(done.stdout.split("(")[-1].split(" rows")[0])


def test_a_table_that_is_not_disclosure_controlled_is_refused(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "episodes.csv"
    done = cli(config, "export", "staging.stg_npr__episodes", "--out", str(out))
    assert done.returncode == 2
    assert "not a disclosure-controlled table" in done.stderr
    assert "--allow-person-level" in done.stderr
    assert not out.exists() and not list(tmp_path.iterdir())


def test_metric_export_blanks_what_the_reports_blank(config: Path, tmp_path: Path) -> None:
    settings = load_settings(config)
    out = tmp_path / "team_counts.parquet"
    done = cli(config, "export", "metrics.team_counts", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    data = pq.read_table(out).to_pandas()
    threshold = settings.report.suppression_threshold
    assert not data["n"].between(1, threshold - 1).any()  # no small count shown
    blanked = data["suppressed"].notna()
    assert blanked.any() and (data.loc[blanked, ["n", "estimate", "per_1000"]].isna()).all().all()
    assert set(data.loc[blanked, "suppressed"]) <= {f"n under {threshold}",
                                                     "secondary (Tau-Argus)"}  # fmt: skip
    assert (data["suppressed"] == "secondary (Tau-Argus)").any()
    # on the report's dates, the very cells the evaluation report hides, and no others
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        names = municipality_names(con)
        shown = fetch(con, "metrics.team_counts", {"snapshot_date": SNAPSHOTS}, settings, names)
    for day, part in shown.groupby("snapshot_date"):
        cells = protected(part, ("kommune_navn", "age_band"), settings)
        hidden = {(r.kommune_navn, r.age_band) for r in cells.itertuples() if pd.isna(r.shown)} - {
            c for c in {(r.kommune_navn, r.age_band) for r in cells.itertuples()} if "Total" in c
        }
        mine = data[data["snapshot_date"].astype(str) == day]
        exported = {
            (names.get(k, k), a)
            for k, a, s in zip(mine["kommune"], mine["age_band"], mine["suppressed"], strict=True)
            if s is not None and not pd.isna(s)
        }
        assert exported == hidden, day


def test_csv_norwegian_and_international(config: Path, tmp_path: Path) -> None:
    nb, intl = tmp_path / "nb.csv", tmp_path / "intl.csv"
    assert cli(config, "export", "metrics.registry_did", "--out", str(nb)).returncode == 0
    done = cli(config, "export", "metrics.registry_did", "--out", str(intl),
               "--csv-style", "international")  # fmt: skip
    assert done.returncode == 0, done.stderr
    raw = nb.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads æøå from a UTF-8 file with a BOM
    norwegian = pd.read_csv(nb, sep=";", decimal=",", encoding="utf-8-sig")
    international = pd.read_csv(intl)
    assert not intl.read_bytes().startswith(b"\xef\xbb\xbf")
    assert list(norwegian.columns) == list(international.columns)
    assert norwegian.columns[0] == "outcome" and "suppressed" in norwegian.columns
    pd.testing.assert_series_equal(norwegian["estimate"], international["estimate"])
    assert norwegian["estimate"].dtype.kind == "f"  # the decimal comma read back as a number
    assert "," in raw.decode("utf-8-sig").splitlines()[1]


def test_excel_has_the_data_and_the_column_descriptions(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "flows.xlsx"
    assert cli(config, "export", "metrics.team_flows", "--out", str(out)).returncode == 0
    sheets = pd.read_excel(out, sheet_name=None)
    assert set(sheets) == {"data", "kolonner"}
    about = dict(zip(sheets["kolonner"]["kolonne"], sheets["kolonner"]["beskrivelse"], strict=True))
    assert about["n"] == _comments(config, "metrics", "team_flows")["n"]
    assert list(sheets["data"].columns) == list(about)


def test_unknown_table_and_format_say_what_is_wrong(config: Path, tmp_path: Path) -> None:
    done = cli(config, "export", "metrics.team_count", "--out", str(tmp_path / "x.csv"))
    assert done.returncode == 2 and "No table 'metrics.team_count'" in done.stderr
    assert "metrics.team_counts" in done.stderr  # the near name is offered
    done = cli(config, "export", "team_counts", "--out", str(tmp_path / "x.txt"))
    assert done.returncode == 2 and "--format parquet | csv | xlsx | dta | sav" in done.stderr
    done = cli(config, "export", "team_counts", "--out", str(tmp_path), "--format", "csv")
    assert done.returncode == 2 and "--out names a folder" in done.stderr
    blocked = tmp_path / "file"
    blocked.write_text("")
    done = cli(config, "export", "team_counts", "--out", str(blocked / "x.csv"))
    assert done.returncode == 2 and "Cannot write the file" in done.stderr
    assert "internal error" not in done.stderr
