"""The sample is written beside its folder and swapped in, so no run reads a half-written sample.

Callers hold the warehouse's run lock. A folder ot-eval did not write (no truth.json) is never
replaced: `--out ~/Documents` must not swap away someone's files.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.errors import UserError, environment_fault
from pipeline.sample import generate
from pipeline.settings import Settings
from pipeline.warehouse import private_files

MARK = "truth.json"  # a folder holding it was written by ot-eval and may be replaced


def recover_sample(target: Path) -> None:
    """Clear a killed run's partial sample; restore the old one if the swap was cut short."""
    for partial in target.parent.glob(f".{target.name}.building-*"):
        shutil.rmtree(partial, ignore_errors=True)
    for old in sorted(target.parent.glob(f".{target.name}.old-*")):
        if not target.exists():
            os.rename(old, target)  # killed between the two renames of a sample swap
        else:
            shutil.rmtree(old, ignore_errors=True)


def write_sample(
    settings: Settings, log: Callable[[str], None], seed: int | None, out: Path | None
) -> dict[str, Any]:
    """Write the sample into a new folder beside the target, then swap it in (lock held)."""
    target = out or settings.sample.dir
    if target.exists() and (
        not target.is_dir() or (any(target.iterdir()) and not (target / MARK).exists())
    ):
        raise UserError(
            "The sample folder holds files that ot-eval did not write; it will not replace them",
            file=target,
            hint="Choose an empty or new folder ([sample] dir or --out)",
        )
    tmp = target.with_name(f".{target.name}.building-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    with private_files():
        tmp.mkdir(parents=True)
        try:
            truth = generate(
                tmp,
                seed if seed is not None else settings.sample.seed,
                settings.sample.scale,
                settings.resolve(settings.sources["municipality_changes"].path),
                settings.evaluation,
                settings.sample.pre_trend_per_1000,
            )
        except BaseException as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            fault = environment_fault(exc) if isinstance(exc, Exception) else None
            if fault is not None and fault.file is None:  # pyarrow does not say where
                fault.file = target
                raise fault from exc
            raise
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.rename(target, old)
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)
    log(f"sample written to {target} (truth in {target / MARK})")
    return truth
