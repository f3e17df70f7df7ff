"""Deterministic synthetic data for every source, with planted effects written to truth.json.

`generate(out, seed, scale, changes_file, evaluation)` writes the files in the formats real
extracts arrive in. Each source draws from its own seeded stream, so adding a source never
changes the others.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.sample.defects import plant
from pipeline.sample.interviews import interviews
from pipeline.sample.municipalities import load_changes
from pipeline.sample.registries import registries
from pipeline.sample.surveys import staff_survey, user_survey
from pipeline.sample.teams import psfs_forms, team_registers
from pipeline.settings import Evaluation

STREAMS = {
    "survey_staff": 1,
    "survey_users": 2,
    "interviews": 3,
    "registries": 4,
    "teams": 5,
    "psfs": 6,
}


def generate(
    out: Path,
    seed: int,
    scale: float,
    changes_file: Path,
    evaluation: Evaluation,
    pre_trend_per_1000: float = 0.0,
) -> dict[str, Any]:
    """Write the sample to `out` and return the truth (also written to out/truth.json). Dates,
    age bands and pilot codes come from the settings' [evaluation]."""
    out.mkdir(parents=True, exist_ok=True)

    def rng(stream: str) -> np.random.Generator:
        return np.random.default_rng([seed, STREAMS[stream]])

    changes = load_changes(changes_file)
    truth: dict[str, Any] = {"seed": seed, "scale": scale}
    truth["survey_staff"] = staff_survey(rng("survey_staff"), out, evaluation)
    truth["survey_users"] = user_survey(rng("survey_users"), out)
    truth["interviews"] = interviews(rng("interviews"), out)
    truth["registries"] = registries(rng("registries"), out, scale, changes, pre_trend_per_1000)
    truth["team_register"], teams = team_registers(rng("teams"), out, evaluation)
    truth["psfs"] = psfs_forms(rng("psfs"), out, teams)
    truth["planted_defects"] = plant(out)
    (out / "truth.json").write_text(
        json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return truth
