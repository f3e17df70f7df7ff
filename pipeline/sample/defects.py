"""Plant a few known defects in the written sample, as real extracts have them.

They let `make evaluate` show the quarantine at work on the default data, and the integration
tests assert that exactly these rows (and no others) are quarantined under exactly these rules.
Planted rows are added, never changed, so the planted statistical effects stay as they were.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


def _append_lines(path: Path, lines: list[str]) -> None:
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write("".join(line + "\n" for line in lines))


def _append_parquet_row(path: Path, **changes: Any) -> None:
    """Append a copy of the file's first row with `changes`, one row group at a time (no
    whole table in memory)."""
    source = pq.ParquetFile(path)
    bad: dict[str, Any] = source.read_row_group(0).slice(0, 1).to_pylist()[0]
    bad.update(changes)
    tmp = path.with_name(path.name + ".planting")
    with pq.ParquetWriter(tmp, source.schema_arrow) as writer:
        for i in range(source.num_row_groups):
            writer.write_table(source.read_row_group(i))
        writer.write_table(pa.Table.from_pylist([bad], source.schema_arrow))
    source.close()
    tmp.replace(path)


def plant(out: Path) -> dict[str, dict[str, int]]:
    """Append defective rows; return {source: {rule: rows}} (the rows the run must hold back)."""
    kuhr = out / "kuhr_claims.csv"
    with kuhr.open(encoding="utf-8") as fh:  # the first lines only: the file may be national
        first = [fh.readline().rstrip("\n") for _ in range(4)][1:]
    unknown = [
        ";".join(["999999001", "100001", "2021-05-03", '"5599"', '"fastlege"', '"2ad"']),
        ";".join(["999999002", "100002", "2021-05-04", '"5599"', '"legevakt"', '"2ad"']),
    ]
    _append_lines(
        kuhr, [*first, *unknown]
    )  # three fee lines delivered twice; a code SSB never used
    psfs = out / "psfs_forms.csv"
    header, first_row = (line.split(";") for line in psfs.read_text("utf-8").splitlines()[:2])
    kommune = first_row[header.index("kommunenr")]  # a code the file carries (no copy here)
    rows = []
    for i, day in enumerate(("2022-02-30", "2021-13-01")):
        values = {"person": f"P-PLANTET-{i + 1}", "kommunenr": kommune, "samtale_nr": "1",
                  "dato": day, "skala": "0=kan ikke utføre", "aktivitet_1": "Gå tur",
                  "poeng_1": "4"}  # fmt: skip
        rows.append(";".join(values.get(h, "") for h in header))
    _append_lines(psfs, rows)  # impossible dates
    _append_parquet_row(
        out / "npr_episodes.parquet",
        episode_id=999_999_001,
        inndato=dt.date(2020, 3, 10),
        utdato=dt.date(2020, 3, 1),
    )
    return {
        "kuhr_claims": {"key:regning_id+takst": 6, "komnr.kommunenummer_known": 2},
        "psfs_forms": {"dato.type": 2},
        "npr_episodes": {"discharge_after_admission": 1},
    }
