"""Command line: `ot-eval <verb>`. Every verb reads the same config (default ./ot-eval.toml).

Errors a user can fix are printed as one message (exit 2); `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline import __version__
from pipeline.errors import UserError

DESCRIPTION = """\
ot-eval: the evaluation pipeline for strukturert tverrfaglig oppfølgingsteam (OT).

  sample -> ingest -> validate -> transform -> metrics -> report
  (`evaluate` runs them all; with [sample] enabled it first regenerates the built-in sample)
"""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        default="ot-eval.toml",
        type=Path,
        help="config file (default: ./ot-eval.toml); paths in it are relative to the file",
    )
    common.add_argument("--debug", action="store_true", help="show tracebacks on errors")
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
        "evaluate",
        parents=[common],
        help="run every stage end to end",
        description="sample (if enabled) -> ingest -> validate -> transform -> "
        "metrics -> report. The warehouse is replaced only if all succeed.",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    def log(message: str) -> None:
        print(message, flush=True)

    try:
        from pipeline import stages
        from pipeline.settings import load_settings

        settings = load_settings(args.config)
        if args.verb == "sample":
            stages.sample(
                settings, log, seed=args.seed, out=args.out.resolve() if args.out else None
            )
        elif args.verb == "evaluate":
            stages.evaluate(settings, log)
        elif args.verb == "report":
            stages.report(settings, log)
        elif args.verb == "validate":
            stages.run_stage(settings, "validate", log, only=args.source)
        else:
            stages.run_stage(settings, args.verb, log)
    except UserError as exc:
        if args.debug:
            raise
        print(f"ot-eval: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, not the user's input: still no traceback by default
        if args.debug:
            raise
        print(
            f"ot-eval: internal error ({type(exc).__name__}): {exc}\n"
            "This is a fault in ot-eval, not in your files; the warehouse was left as it was. "
            "Run the same command with --debug and report the traceback.",
            file=sys.stderr,
        )
        return 3
    except KeyboardInterrupt:
        print("ot-eval: interrupted; the warehouse was left as it was", file=sys.stderr)
        return 130
    return 0
