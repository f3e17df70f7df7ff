"""`reports/validation.html` and `validation.json`: the DiD inference checked by simulation
(`pipeline.stats.did_validation`), written for the reader who must defend the intervals."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.metrics.registry import INFERENCE
from pipeline.provenance import standalone
from pipeline.report.write import environment
from pipeline.sample.registries import MUNICIPALITY_YEAR_SD_PER_1000
from pipeline.settings import Settings
from pipeline.stats.did_validation import DEFAULT_METHOD, MIN_REPLICATIONS, Plan

SHARES = ("coverage", "rejection", "power")  # exact fractions in the summary


def _number(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}".replace(".", ",").replace("-", "−")


def _percent(share: Any, mcse: float | None = None) -> str:
    text = f"{_number(float(share) * 100)} %"
    return text if mcse is None else f"{text} ± {_number(mcse * 100)}"


def verdict(summary: pd.DataFrame) -> tuple[bool, str]:
    """Whether the default method meets the band (judged from `MIN_REPLICATIONS` on), said
    in a sentence."""
    row = summary[summary["inference"] == DEFAULT_METHOD].iloc[0]
    figures = (
        f"{INFERENCE[DEFAULT_METHOD]}: dekning {_percent(row['coverage'])}, forkastning uten "
        f"effekt {_percent(row['rejection'])}"
    )
    if row["replications"] < MIN_REPLICATIONS:
        return True, (
            f"{figures} — {row['replications']} replikasjoner er for få til å avgjøre om "
            f"kravet holder (minst {MIN_REPLICATIONS})."
        )
    ok = bool(row["meets_band"])
    return ok, f"{figures} — " + (
        "innenfor kravet." if ok else "UTENFOR kravet (93–97 % dekning, høyst 6 %)."
    )


def write(
    settings: Settings, plan: Plan, summary: pd.DataFrame, seconds: float
) -> tuple[Path, Path]:
    """Write the HTML page and the JSON figures into the reports folder."""
    folder = settings.reports_dir
    folder.mkdir(parents=True, exist_ok=True)
    _ok, text = verdict(summary)
    rows = [
        {
            "inference": r["inference"],
            "label": INFERENCE[r["inference"]],
            "coverage": _percent(r["coverage"], r["coverage_mcse"]),
            "rejection": _percent(r["rejection"], r["rejection_mcse"]),
            "power": _percent(r["power"]),
            "bias": _number(r["bias"], 2),
            "sd": _number(r["sd"], 2),
            "mean_width": _number(r["mean_width"], 2),
            "mde": _number(r["mde"], 1),
            "meets": "Ja" if r["meets_band"] else "Nei",
        }
        for r in summary.to_dict("records")
    ]
    prov = standalone("validate-stats", "ot-eval validate-stats", settings,
                      stage_seconds=f"{seconds:.0f} s")  # fmt: skip
    html = (
        environment()
        .get_template("validation.html.j2")
        .render(
            lang="nb",
            title="Validering av inferensen i registeranalysen",
            subtitle="Forskjell-i-forskjeller på utvalgets design: dekning, forkastning, styrke",
            prov=prov,
            verdict=text,
            rows=rows,
            replications=plan.replications,
            draws=plan.draws,
            seed=plan.seed,
            truth=_number(plan.design.effect_per_1000, 0),
            shock_sd=_number(MUNICIPALITY_YEAR_SD_PER_1000, 0),
            default_label=INFERENCE[DEFAULT_METHOD],
            seconds=_number(seconds, 0),
        )
    )
    page = folder / "validation.html"
    page.write_text(html, encoding="utf-8")
    figures = {
        "plan": dataclasses.asdict(plan),
        "default_method": DEFAULT_METHOD,
        "code_version": prov["code_version"],
        "methods": [
            r | {k: float(r[k]) for k in SHARES} | {f"{k}_fraction": str(r[k]) for k in SHARES}
            for r in summary.to_dict("records")
        ],
    }
    data = folder / "validation.json"
    data.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str) + "\n")
    return page, data
