"""Every real municipality code is known: an extract with every code used 1994-2024 quarantines
none, and a code that cannot be placed in one 2024 municipality is flagged per row, never
guessed."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import main
from tests.conftest import REPO

pytestmark = pytest.mark.integration
REFERENCE = REPO / "reference" / "kommuner_1994_2024.csv"


def test_an_extract_with_every_code_of_1994_to_2024_quarantines_none(tmp_path: Path) -> None:
    with REFERENCE.open(encoding="utf-8", newline="") as fh:
        listed = list(csv.DictReader(fh, delimiter=";"))
    # codes as extracts carry them (0716u is KLASS's own mark for an earlier holder of 0716)
    codes = [r for r in listed if r["code"].isdigit()]
    valid_2024 = [r for r in codes if not r["last_year"] and r["code"] == r["code_2024"]]
    assert len(valid_2024) == 357 and len(codes) == 861
    lines = ["regning_id;lopenr;dato;komnr;tjenestetype;takst"]
    lines += [f"{i};{i};2022-03-01;{r['code']};fastlege;2ad" for i, r in enumerate(codes, 1)]
    (tmp_path / "kuhr.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text(
        "[evaluation]\nintervention_date = 2018-09-01\n"
        '[sources.kuhr_claims]\npath = "kuhr.csv"\nformat = "csv"\n',
        encoding="utf-8",
    )
    assert main(["ingest", "--config", str(config)]) == 0
    assert main(["validate", "--config", str(config)]) == 0
    with duckdb.connect(str(tmp_path / "warehouse" / "ot_eval.duckdb"), read_only=True) as con:
        quarantined = con.execute("select count(*) from quarantine.kuhr_claims").fetchone()
        warned = dict(
            con.execute(
                "select r.komnr, f.rule from meta.validation_failures f join raw.kuhr_claims r "
                "using (_source_file, _source_row) where f.source = 'kuhr_claims'"
            ).fetchall()
        )
        placed = dict(  # the map every staging model joins (built during validation)
            con.execute(
                "select r.komnr, m.kommune_harmonised from raw.kuhr_claims r "
                "join staging.stg_municipality__map m on m.kommune = r.komnr"
            ).fetchall()
        )
    assert quarantined == (0,)
    # no 2024 municipality to put them in: split later, 9999 unstated, Svalbard / the shelf
    unplaceable = {
        r["code"] for r in codes if not (r["code_2024"].isdigit() and len(r["code_2024"]) == 4)
    }
    assert {"1613", "1850", "1805", "9999", "2111", "2311"} <= unplaceable
    assert warned == dict.fromkeys(unplaceable, "komnr.kommunenummer_split")
    for r in codes:  # every other code lands in its 2024 municipality; these in none
        expected = None if r["code"] in unplaceable else r["code_2024"]
        assert placed[r["code"]] == expected, r
    assert len({placed[r["code"]] for r in codes if r["code"] not in unplaceable}) == 357
    assert placed["1931"] == placed["5421"] == "5530" and placed["0220"] == "3203"
