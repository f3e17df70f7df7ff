"""Command line: `ot-eval <verb>`. Every verb reads the same config (default ./ot-eval.toml).

Errors a user can fix, including faults of the machine (disk full, permission denied), are
printed as one line that also says what is live afterwards; `--debug` shows the traceback.
Exit codes: 0 done, 2 fix the input/config/machine, 3 a fault in ot-eval, 4 done but more was
quarantined than allowed, 75 busy (another run or a read-write session), 130/143 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from pipeline import __version__
from pipeline.errors import Interrupted, environment_fault

DESCRIPTION = """\
ot-eval: the evaluation pipeline for strukturert tverrfaglig oppfølgingsteam (OT).

  sample -> ingest -> validate -> transform -> metrics -> report
  (`evaluate` runs them all; with [sample] enabled it first regenerates the built-in sample)
"""


ACCEPT_HELP = (
    "exit 0 even if more than [validation] max_quarantine_share of a source's rows were "
    "quarantined (the reports still carry the warning)"
)
QUARANTINE_EXIT = 4


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        default="ot-eval.toml",
        type=Path,
        help="config file (default: ./ot-eval.toml); paths in it are relative to the file",
    )
    common.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    common.add_argument(
        "--quiet",
        action="store_true",
        help="no progress display (it is off anyway when the output is not a terminal or CI "
        "is set)",
    )
    common.add_argument(
        "--wait",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="if another run holds the warehouse, wait for it (default: [run] wait, else stop)",
    )
    parser = argparse.ArgumentParser(
        prog="ot-eval",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ot-eval {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    s = verbs.add_parser(
        "sample",
        parents=[common],
        help="write the deterministic synthetic sample (and truth.json)",
        description="Write synthetic data for every source, in the formats "
        "real extracts arrive in, with planted effects in truth.json.",
    )
    s.add_argument("--seed", type=int, help="random seed (default: [sample] seed)")
    s.add_argument("--out", type=Path, help="output folder (default: [sample] dir)")
    size = s.add_mutually_exclusive_group()
    size.add_argument(
        "--scale",
        type=_scale,
        help="registry size: a number (1.0 = 4 %% of residents, about 340,000 KUHR rows) or "
        "'national' (about 10^8 KUHR rows, written in bounded memory); default [sample] scale",
    )
    size.add_argument(
        "--rows",
        type=_kuhr_rows,
        dest="scale",
        metavar="N",
        help="registry size as the number of KUHR rows, e.g. 1e7 (about: truth.json says how "
        "many were written)",
    )
    verbs.add_parser(
        "ingest",
        parents=[common],
        help="read every source into raw.<source>",
        description="Read every configured source into a fresh warehouse "
        "(raw.<source>, with _source_file and _source_row).",
    )
    v = verbs.add_parser(
        "validate",
        parents=[common],
        help="run the data contracts; quarantine failing rows",
        description="Run data_contracts/<source>.yml through Great "
        "Expectations; failing rows go to quarantine.<source>; prints rows "
        "read = accepted + quarantined.",
    )
    v.add_argument("--source", help="validate only this source")
    v.add_argument("--accept-quarantine", action="store_true", help=ACCEPT_HELP)
    verbs.add_parser(
        "transform",
        parents=[common],
        help="build staging, intermediate, marts",
        description="Run sql/staging, sql/intermediate, sql/marts in order.",
    )
    verbs.add_parser(
        "metrics",
        parents=[common],
        help="compute every metrics.<name> table",
        description="Compute the tidy metric tables (n, estimate, CI, method).",
    )
    verbs.add_parser(
        "report",
        parents=[common],
        help="write the HTML reports",
        description="Write reports/evaluation.html and reports/index.html "
        "from the warehouse (read-only).",
    )
    verbs.add_parser(
        "checksum",
        parents=[common],
        help="print a content checksum per warehouse table",
        description="Print, per table of the live warehouse, its row count and an "
        "order-independent checksum of its content. Two runs on the same inputs give the "
        "same checksums (but for meta.run and meta.ingest_files). Reads the warehouse "
        "read-only.",
    )
    t = verbs.add_parser(
        "trace",
        parents=[common],
        help="show the source rows behind one row of a metrics table",
        description="Print one row of metrics.<table>, its definition (numerator, "
        "denominator, filters, method), its units by role and its source rows by file, the "
        "estimate recomputed from them, and the source rows themselves (always for a count; "
        "with --rows for a share, mean or estimate). Reads the warehouse read-only. "
        "Example: ot-eval trace team_counts kommune=5530 snapshot_date=2023-10-04 "
        "age_band=80+",
    )
    t.add_argument("table", help="the metrics table, e.g. team_counts")
    t.add_argument("selectors", nargs="*", metavar="column=value", help="pick the row")
    t.add_argument("--format", choices=("table", "csv"), default="table", dest="fmt")
    t.add_argument("--rows", action="store_true", help="list the source rows of any estimate")
    t.add_argument("--limit", type=int, default=100, help="rows listed (0 = all; default 100)")
    t.add_argument(
        "--out",
        type=Path,
        help="write to this file instead of the terminal (person-level rows: keep it inside "
        "the secure environment)",
    )
    tm = verbs.add_parser(
        "teams",
        parents=[common],
        help="active teams on a date, straight from the team register files",
        description="Count active teams by municipality and age band on --at, reading the "
        "team register files through the same contract and SQL as a full run (in memory; the "
        "warehouse is not touched). A register exported before the date gives no count.",
    )
    tm.add_argument("--at", required=True, type=dt.date.fromisoformat, help="YYYY-MM-DD")
    tm.add_argument("--kommune", help="only this municipality (kommunenummer)")
    tm.add_argument(
        "--register", nargs="+", type=Path, default=[], help="register files (default: config)"
    )
    tm.add_argument("--format", choices=("table", "csv"), default="table", dest="fmt")
    qr = verbs.add_parser(
        "quarterly",
        parents=[common],
        help="the quarterly report to Statsforvalteren (HTML + Excel)",
        description="Write reports/quarterly/<kommune>_<quarter>.html and .xlsx from the team "
        "register and PSFS files (in memory, the same contracts and SQL as a full run; the "
        "warehouse is not touched): teams, KE, coordinators and PSFS for the quarter, against "
        "the previous quarter and the same quarter last year, small counts suppressed. "
        "Without --kommune/--quarter: the latest complete quarter of every municipality.",
    )
    qr.add_argument("--kommune", help="kommunenummer (default: every municipality in the files)")
    qr.add_argument("--quarter", help="e.g. 2023Q4 (default: the latest complete quarter)")
    qr.add_argument("--team-register", nargs="+", type=Path, default=[], metavar="FILE")
    qr.add_argument("--psfs", nargs="+", type=Path, default=[], metavar="FILE")
    qr.add_argument("--out", type=Path, help="folder (default: [paths] reports/quarterly)")
    tp = verbs.add_parser(
        "template",
        parents=[common],
        help="write an Excel template for a team register or PSFS forms",
        description="Write an .xlsx with the contract's columns, drop-down lists of allowed "
        "values and a Norwegian instructions sheet; ot-eval reads it with no mapping.",
    )
    tp.add_argument("which", choices=("team-register", "psfs"))
    tp.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    vs = verbs.add_parser(
        "validate-stats",
        parents=[common],
        help="check the registry DiD's inference by simulation (coverage, rejection)",
        description="Simulate the sample's registry design (municipality × year panels) "
        "with the planted effect and with none, estimate each with every kind of inference "
        "the registry metric reports, and write reports/validation.html and "
        "validation.json: coverage, rejection at 5 %, power, minimum detectable effect. "
        "Stops with an error when the default method (wild) misses coverage 93–97 % or "
        "rejection ≤ 6 %.",
    )
    vs.add_argument("--replications", type=int, default=1000, help="panels per scenario")
    vs.add_argument("--draws", type=int, default=999, help="bootstrap / placebo draws")
    vs.add_argument("--jobs", type=int, default=None, help="processes (default: all cores)")
    sq = verbs.add_parser(
        "sql",
        parents=[common],
        help="ad hoc SQL on the warehouse, read-only (interactive without -c/-f)",
        description="Run SQL on the published warehouse, read-only. Without -c or -f: an "
        "interactive session (harlequin). With them: every statement runs and each result "
        "prints as an aligned table (or CSV); --out writes the last one to a file. A session "
        "never blocks a run, and a run never breaks a session.",
    )
    source = sq.add_mutually_exclusive_group()
    source.add_argument("-c", "--command", help="the SQL to run")
    source.add_argument("-f", "--file", type=Path, help="a .sql file to run (- : stdin)")
    sq.add_argument("--format", dest="fmt", choices=("table", "csv", "parquet"), default=None)
    sq.add_argument("--out", type=Path, help="write the last result here (.csv or .parquet)")
    ex = verbs.add_parser(
        "export",
        parents=[common],
        help="write one warehouse table as Parquet, CSV, Excel, Stata or SPSS",
        description="Write TABLE (schema.table, or a name one schema has) to --out. metrics.* "
        "tables go through the reports' disclosure control (small cells blanked, with a "
        "`suppressed` column); any other table is refused unless --allow-person-level. Stata "
        "and SPSS files keep variable and value labels; names are made legal for the format "
        "and every rename is listed.",
    )
    ex.add_argument("table")
    ex.add_argument("--format", dest="fmt", choices=("parquet", "csv", "xlsx", "dta", "sav"))
    ex.add_argument("--out", type=Path, required=True, help="the file to write")
    ex.add_argument(
        "--csv-style",
        choices=("norwegian", "international"),
        default="norwegian",
        help="norwegian: semicolons and decimal commas (default); international: , and .",
    )
    ex.add_argument(
        "--allow-person-level",
        action="store_true",
        help="write a table that is not disclosure-controlled (for use inside the secure "
        "environment: the file is readable by you only)",
    )
    cat = verbs.add_parser(
        "catalogue",
        parents=[common],
        help="write the warehouse catalogue (docs/catalogue.md) from its comments",
        description="Every table and column of valid, staging, intermediate, marts and "
        "metrics with its type, description (the warehouse's COMMENTs), where that "
        "description comes from, and each table's lineage, as Markdown. Every run also "
        "writes the same catalogue as reports/catalogue.html.",
    )
    cat.add_argument("--out", type=Path, help="the .md file (default: docs/catalogue.md)")
    verbs.add_parser(
        "notebooks",
        parents=[common],
        help="execute notebooks/*.py on the warehouse into reports/notebooks/*.html",
        description="Run every jupytext notebook of notebooks/ top to bottom against the "
        "published warehouse (read-only) and write each as HTML to reports/notebooks/.",
    )
    e = verbs.add_parser(
        "evaluate",
        parents=[common],
        help="run every stage end to end",
        description="sample (if enabled) -> ingest -> validate -> transform -> "
        "metrics -> report. The warehouse is replaced only if all succeed.",
    )
    e.add_argument("--accept-quarantine", action="store_true", help=ACCEPT_HELP)
    return parser


_SIGNALLED: list[int] = []


def _scale(text: str) -> float:
    """--scale: a positive number, or 'national'."""
    from pipeline.sample.registries import KUHR_ROWS_PER_SCALE, NATIONAL_KUHR_ROWS

    if text.strip().lower() == "national":
        return NATIONAL_KUHR_ROWS / KUHR_ROWS_PER_SCALE
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number above 0 or 'national', not {text!r}")
    return value


def _kuhr_rows(text: str) -> float:
    """--rows: KUHR rows (1e7, 10000000), as the scale that writes about that many."""
    from pipeline.sample.registries import KUHR_ROWS_PER_SCALE

    try:
        rows = float(text)
    except ValueError:
        rows = 0.0
    if not 1000 <= rows < float("inf"):
        raise argparse.ArgumentTypeError(f"expected 1000 rows or more (e.g. 1e7), not {text!r}")
    return rows / KUHR_ROWS_PER_SCALE


def _run(args: argparse.Namespace, settings: Any, log: Callable[[str], None]) -> Any:
    """Carry out the verb; return the RunResult of verbs that validate (None otherwise)."""
    from pipeline import stages

    if args.verb == "sample":
        out = args.out.resolve() if args.out else None
        if args.scale is not None:
            import dataclasses

            sized = dataclasses.replace(settings.sample, scale=args.scale)
            settings = dataclasses.replace(settings, sample=sized)
        stages.sample(settings, log, seed=args.seed, out=out, wait=args.wait)
    elif args.verb == "evaluate":
        return stages.evaluate(settings, log, wait=args.wait)
    elif args.verb == "checksum":
        from pipeline.checksum import as_text, table_checksums
        from pipeline.warehouse import connect_read_only

        with connect_read_only(settings) as con:
            log(as_text(table_checksums(con)))
    elif args.verb == "teams":
        from pipeline import teams

        counts, registers, held = teams.count_at(settings, args.at, args.kommune, args.register)
        if args.fmt == "csv":
            log(counts.to_csv(index=False).rstrip("\n"))
        else:
            log(teams.as_text(counts, registers, held, args.at))
    elif args.verb == "quarterly":
        _quarterly(args, settings, log)
    elif args.verb == "template":
        from pipeline.template_xlsx import write_template

        log(f"wrote {write_template(settings, args.which, args.out)}")
    elif args.verb == "trace":
        from pipeline import trace
        from pipeline.warehouse import connect_read_only

        with connect_read_only(settings) as con:
            text = trace.run(con, args.table, args.selectors, args.fmt, args.rows, args.limit)
        if args.out:
            args.out.write_text(text, encoding="utf-8")
            log(f"wrote {args.out}")
        else:
            log(text.rstrip("\n"))
    elif args.verb == "export":
        _export(args, settings, log)
    elif args.verb == "catalogue":
        from pipeline.catalogue.build import catalogue, coverage
        from pipeline.catalogue.write import write_markdown
        from pipeline.warehouse import connect_read_only

        with connect_read_only(settings) as con:
            tables = catalogue(con, settings)
        out = args.out or settings.root / "docs" / "catalogue.md"
        described, total = coverage(tables)
        log(f"wrote {write_markdown(tables, out)} ({described} of {total} tables and columns "
            "described)")  # fmt: skip
    elif args.verb == "notebooks":
        from pipeline.notebook_run import run_all

        run_all(settings, log)
    elif args.verb == "sql":
        return _sql(args, settings, log)
    elif args.verb == "report":
        stages.report(settings, log, wait=args.wait)
    elif args.verb == "validate-stats":
        _validate_stats(args, settings, log)
    elif args.verb == "validate":
        return stages.run_stage(settings, "validate", log, wait=args.wait, only=args.source)
    else:
        stages.run_stage(settings, args.verb, log, wait=args.wait)
    return None


def _export(args: argparse.Namespace, settings: Any, log: Callable[[str], None]) -> None:
    from pipeline.export.run import export
    from pipeline.warehouse import connect_read_only

    with connect_read_only(settings) as con:
        done = export(con, settings, args.table, args.fmt, args.out, args.csv_style,
                      args.allow_person_level)  # fmt: skip
    for old, new in done.renames:
        log(f"renamed {old} -> {new} (not a legal name in this format)")
    if done.suppressed:
        log(f"{done.suppressed} rows blanked by disclosure control (column `suppressed`)")
    log(f"wrote {done.path} ({done.rows} rows)")
    if done.person_level:
        print(
            f"ot-eval: WARNING: {done.path} holds rows that are not disclosure-controlled "
            "(person-level). It is readable by you only; keep it inside the secure environment.",
            file=sys.stderr,
        )


def _sql(args: argparse.Namespace, settings: Any, log: Callable[[str], None]) -> None:
    from pipeline import adhoc_sql
    from pipeline.warehouse import connect_read_only

    if args.command is None and args.file is None:
        connect_read_only(settings).close()  # a clear error when there is none
        adhoc_sql.interactive(settings.warehouse)
        return
    fmt = adhoc_sql.output_format(args.fmt, args.out)
    script = adhoc_sql.read_script(args.command, args.file)
    with connect_read_only(settings) as con:
        adhoc_sql.run(con, script, fmt, args.out, log)


def _validate_stats(args: argparse.Namespace, settings: Any, log: Callable[[str], None]) -> None:
    import time

    from pipeline.errors import UserError
    from pipeline.report.validation import verdict, write
    from pipeline.sample.panels import Design
    from pipeline.stats.did_validation import Plan, simulate, summarise

    if args.replications < 2 or args.draws < 19:
        raise UserError(
            "validate-stats needs at least 2 replications and 19 draws",
            hint="make validate-stats uses 1000 replications of 999 draws",
        )
    plan = Plan(
        replications=args.replications,
        seed=settings.evaluation.seed,
        draws=args.draws,
        design=Design(
            scale=settings.sample.scale, pre_trend_per_1000=settings.sample.pre_trend_per_1000
        ),
    )
    started = time.perf_counter()
    summary = summarise(simulate(plan, args.jobs))
    seconds = time.perf_counter() - started
    for path in write(settings, plan, summary, seconds):
        log(f"wrote {path}")
    ok, text = verdict(summary)
    log(text)
    if not ok:
        raise UserError(
            "The registry DiD's default inference does not hold on the sample's design: " + text,
            file=settings.reports_dir / "validation.html",
        )


def _quarterly(args: argparse.Namespace, settings: Any, log: Callable[[str], None]) -> None:
    from pipeline.quarterly import run
    from pipeline.quarterly.period import Quarter

    wanted = Quarter.parse(args.quarter) if args.quarter else None  # before the work
    con = run.in_memory(settings, args.team_register, args.psfs)
    prov = run.standalone_prov(con, settings)
    folder = args.out.resolve() if args.out else settings.reports_dir / "quarterly"
    for path in run.quarterly_reports(con, settings, folder, prov, args.kommune, wanted):
        log(f"wrote {path}")
    con.close()


def _quarantine_alert(alerts: list[str]) -> int:
    for alert in alerts:
        print(
            "ot-eval: the run was published, but more rows were quarantined than allowed – "
            + alert,
            file=sys.stderr,
        )
    print(
        "ot-eval: the reports carry a warning; check data_quality.html, fix the files and run "
        "again, or accept it with --accept-quarantine ([validation] accept_quarantine = true)",
        file=sys.stderr,
    )
    return QUARANTINE_EXIT


def _in_finalizer(frame: FrameType | None) -> bool:
    """Whether the signal arrived inside a `__del__` (an exception raised there is ignored:
    the run would go on after Ctrl-C or SIGTERM)."""
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    """Ctrl-C and SIGTERM: stop the running query, then unwind so that every cleanup runs."""
    from pipeline.warehouse import interrupt_active

    if _in_finalizer(_frame):  # raised here, Python would print it and carry on: deliver later
        threading.Timer(0.05, os.kill, (os.getpid(), signum)).start()
        return
    _SIGNALLED.append(signum)
    interrupt_active()
    if signum == signal.SIGTERM:
        raise Interrupted("terminated (SIGTERM)")
    raise KeyboardInterrupt


def _line(exc: BaseException, text: str) -> str:
    """The message and the notes the failure collected (what is live now) as one line."""
    notes = " ".join(getattr(exc, "__notes__", []))
    return " ".join((f"{text.rstrip('.')}. {notes}" if notes else text).split())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    def log(message: str) -> None:
        print(message, flush=True)

    from pipeline import progress

    progress.configure(getattr(args, "quiet", False))
    _SIGNALLED.clear()
    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        from pipeline.settings import load_settings

        settings = load_settings(args.config)
        result = _run(args, settings, log)
        accepted = settings.validation.accept_quarantine or getattr(
            args, "accept_quarantine", False
        )
        if result is not None and result.alerts and not accepted:
            return _quarantine_alert(result.alerts)
    except (KeyboardInterrupt, Interrupted) as exc:
        return _interrupted(exc)
    except BrokenPipeError:  # the reader stopped reading (`ot-eval sql … | head`): as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 128 + signal.SIGPIPE
    except Exception as exc:
        if _SIGNALLED:  # DuckDB reports a query stopped by the signal as its own error
            return _interrupted(exc)
        fault = environment_fault(exc)
        if args.debug:
            raise
        if fault is not None:
            print(f"ot-eval: error: {_line(exc, str(fault))}", file=sys.stderr)
            return fault.exit_code
        # a bug, not the user's input: still no traceback by default
        text = (
            f"internal error ({type(exc).__name__}): {exc}. This is a fault in ot-eval, not in "
            "your files. Run the same command with --debug and report the traceback"
        )
        print(f"ot-eval: {_line(exc, text)}", file=sys.stderr)
        return 3
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


def _interrupted(exc: BaseException) -> int:
    terminated = signal.SIGTERM in _SIGNALLED or isinstance(exc, Interrupted)
    how = "terminated (SIGTERM)" if terminated else "interrupted"
    print(f"ot-eval: {_line(exc, how)}", file=sys.stderr)
    return 143 if terminated else 130
