"""`make bench`: the registry path at growing KUHR row counts, beside the bound (one
hand-written DuckDB query, bench/bound.sql) and the pandas baseline (bench/pandas_panel.py),
on the same files, with the three panels checked equal.

For each size a project of its own under bench/work/<rows>/ gets the sample at the scale that
gives that many KUHR rows; `ot-eval evaluate` runs on it in a child process (stage times and
peak memory from meta.run); the bound and the baseline each run in a child process of their
own (wall time and peak resident memory). Writes bench/results.json and reports/bench.html.

    python bench/registry_bench.py [--rows 1e6 1e7] [--pandas-max 1e7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipeline.sample.registries import KUHR_ROWS_PER_SCALE

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
PANEL = ["kommune", "year", "persons", "days_at_risk", "emergency_admissions", "gp_contacts",
         "legevakt_contacts"]  # fmt: skip
TO_PANEL = ("ingest", "validate", "transform")  # what the bound replaces
MEMORY_LIMIT = "3GB"  # [duckdb] memory_limit of the runs, and the bound's: the 4 GiB target


def project(rows: int) -> Path:
    """bench/work/<rows>/: the default config at the scale that gives `rows` KUHR rows."""
    folder = HERE / "work" / str(rows)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("data_contracts", "sql", "reference"):
        link = folder / name
        if not link.exists():
            link.symlink_to(PROJECT / name)
    text = (PROJECT / "ot-eval.toml").read_text(encoding="utf-8")
    scale = rows / KUHR_ROWS_PER_SCALE
    for line, value in (
        (r"scale = .*", f"scale = {scale:.6f}"),
        (r"enabled = .*", "enabled = false  # written apart, measured on its own"),
        (r"# memory_limit = .*", f'memory_limit = "{MEMORY_LIMIT}"'),
    ):
        text, n = re.subn(rf"(?m)^{line}$", value, text, count=1)
        assert n == 1, f"no line `{line}` in ot-eval.toml"
    (folder / "ot-eval.toml").write_text(text, encoding="utf-8")
    return folder / "ot-eval.toml"


def inputs(config: Path) -> dict[str, Any]:
    from pipeline.settings import load_settings

    s = load_settings(config)
    ev = s.evaluation

    def path(source: str) -> str:
        return str(s.resolve(s.sources[source].path))

    return {
        "persons": path("registry_persons"),
        "npr": path("npr_episodes"),
        "kuhr": path("kuhr_claims"),
        "codes": str(PROJECT / "reference" / "kommuner_1994_2024.csv"),
        "municipalities": [p.code for p in ev.pilots] + list(ev.comparison),
        "first_year": ev.first_year,
        "last_year": ev.last_year,
    }


def bound(args: dict[str, Any]) -> pd.DataFrame:
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT})
    for name, value in args.items():
        con.execute(f"set variable {name} = ?", [value])
    return con.execute((HERE / "bound.sql").read_text(encoding="utf-8")).df()


def baseline(args: dict[str, Any]) -> pd.DataFrame:
    sys.path.insert(0, str(HERE))
    from pandas_panel import panel

    return panel(
        Path(args["persons"]), Path(args["npr"]), Path(args["kuhr"]), Path(args["codes"]),
        args["municipalities"], (args["first_year"], args["last_year"]),
    )  # fmt: skip


def child(which: str, config: Path, out: Path) -> dict[str, Any]:
    """Run the bound or the baseline in a process of its own: its time (from the panel's
    first read to the panel, as the child measured it), its peak memory (measured from
    outside, as for every child here) and its panel (written to `out`)."""
    _, peak = timed(sys.executable, __file__, "--measure", which, "--config", str(config),
                    "--panel", str(out))  # fmt: skip
    seconds = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["seconds"]
    return {"seconds": seconds, "peak_rss_mb": peak}


def measure(which: str, config: Path, out: Path) -> None:
    args = inputs(config)
    started = time.perf_counter()
    frame = (bound if which == "bound" else baseline)(args)
    seconds = time.perf_counter() - started
    frame[PANEL].to_parquet(out)
    out.with_suffix(".json").write_text(json.dumps({"seconds": seconds}), encoding="utf-8")


def timed(*command: str) -> tuple[float, int]:
    """Run a command in a child process: its wall seconds and peak resident memory (MB)."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_OF_CHILD, *command], check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    seconds, peak = done.stdout.strip().splitlines()[-1].split()
    return float(seconds), round(int(peak) / 1024)


PEAK_OF_CHILD = (  # runs argv[1:], prints its seconds and peak RSS (kB) on the last line
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def sample(config: Path) -> dict[str, Any]:
    """`ot-eval sample` at this size, timed and measured on its own."""
    seconds, peak = timed(sys.executable, "-m", "pipeline", "sample", "--quiet", "--config",
                          str(config))  # fmt: skip
    return {"seconds": seconds, "peak_rss_mb": peak}


def pipeline_run(config: Path) -> dict[str, Any]:
    from pipeline.settings import load_settings

    wall, _ = timed(sys.executable, "-m", "pipeline", "evaluate", "--quiet", "--config",
                    str(config))  # fmt: skip
    s = load_settings(config)
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        text, peak = con.execute("select stage_seconds, peak_rss_mb from meta.run").fetchall()[0]
        rows = con.execute(
            "select sum(rows_read) from meta.ingest_files where source = 'kuhr_claims'"
        ).fetchall()[0][0]
        panel = con.execute(
            f"select {', '.join(PANEL)} from marts.fct_registry_municipality_year "
            "order by kommune, year"
        ).df()
    stages = {k: float(v) for k, v in re.findall(r"(\w+): ([\d.]+) s", text)}
    return {"wall": wall, "stages": stages, "peak_rss_mb": peak, "kuhr_rows": int(rows),
            "panel": panel}  # fmt: skip


def one_size(rows: int, pandas_max: int, log: Any) -> dict[str, Any]:
    config = project(rows)
    log(f"{rows:,} KUHR rows: the sample …")
    written = sample(config)
    log("  the pipeline …")
    pipe = pipeline_run(config)
    pipe["sample"] = written
    folder = config.parent
    log("  the bound …")
    low = child("bound", config, folder / "bound.parquet")
    reference = pd.read_parquet(folder / "bound.parquet")
    mine = pipe.pop("panel")[PANEL].astype(reference.dtypes.to_dict())
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), reference)
    from pipeline.provenance import code_version

    result: dict[str, Any] = {
        "target_rows": rows, "pipeline": pipe, "bound": low,
        "code_version": code_version(PROJECT),
        "measured_at_utc": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }  # fmt: skip
    if rows <= pandas_max:
        log("  pandas …")
        result["pandas"] = child("pandas", config, folder / "pandas.parquet")
        other = pd.read_parquet(folder / "pandas.parquet").astype(reference.dtypes.to_dict())
        pd.testing.assert_frame_equal(other, reference)
    to_panel = sum(pipe["stages"].get(s, 0.0) for s in TO_PANEL)
    result["pipeline_to_panel_seconds"] = to_panel
    result["ratio_pipeline_to_bound"] = to_panel / low["seconds"]
    if "pandas" in result:
        result["ratio_pandas_to_pipeline"] = result["pandas"]["seconds"] / to_panel
    result["panels_agree"] = True  # (assert_frame_equal above, else no result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", nargs="+", type=float, default=[1e6, 1e7])
    parser.add_argument("--pandas-max", type=float, default=1e7)
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--html", type=Path, default=PROJECT / "reports" / "bench.html")
    parser.add_argument("--measure", choices=("bound", "pandas"), help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--panel", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.config, args.panel)
        return

    def log(message: str) -> None:
        print(message, flush=True)

    results = {int(n): one_size(int(n), int(args.pandas_max), log) for n in args.rows}
    if args.out.exists():  # sizes measured before (`make bench-national` adds 10⁸) are kept
        for size in json.loads(args.out.read_text(encoding="utf-8"))["sizes"]:
            results.setdefault(int(size["target_rows"]), size)
    from pipeline.provenance import code_version

    report = {
        "code_version": code_version(PROJECT),
        "written_at_utc": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "machine": {"cores": _cores(), "memory_gb": _memory_gb()},
        "sizes": [results[n] for n in sorted(results)],
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {args.out}")
    from bench_report import write_html

    write_html(report, args.html)
    log(f"wrote {args.html}")


def _cores() -> int:
    import os

    return os.cpu_count() or 0


def _memory_gb() -> float:
    import os

    return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
