"""Interview records, a codebook and coded segments as MAXQDA exports them.

Each interview has each code with a planted probability (coder A). A double-coded subset
(~15 %) is coded again by coder B with planted sensitivity/false-positive rates, so the
expected Cohen's kappa is known.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.sample.municipalities import PILOT_NAMES

# (theme group, code, planted prevalence per interview)
CODEBOOK: tuple[tuple[str, str, float], ...] = (
    ("Tiltaket", "Strukturert arbeidsform", 0.55),
    ("Tiltaket", "Fleksibilitet og tilpasning", 0.40),
    ("Tiltaket", "Individuell plan", 0.35),
    ("Omgivelser og kontekst", "Lederskap", 0.45),
    ("Omgivelser og kontekst", "Kapasitet og ressurser", 0.60),
    ("Omgivelser og kontekst", "Kultur og samarbeidsklima", 0.30),
    ("Implementeringsprosess", "Organisering", 0.50),
    ("Implementeringsprosess", "Forankring", 0.40),
    ("Implementeringsprosess", "Opplæring", 0.35),
    ("Implementeringsprosess", "Veiledning og støtte", 0.25),
    ("Ledergrep", "Strukturer og rutiner", 0.20),
    ("Ledergrep", "Planer og rapportering", 0.15),
    ("Ledergrep", "Relasjoner og informasjonsflyt", 0.18),
    ("Ledergrep", "Koordinatorrekruttering, ansvar og roller", 0.22),
    ("Ledergrep", "Rekruttering utenfor helse og omsorg", 0.10),
    ("Ledergrep", "Koordinatorkompetanse og opplæring", 0.17),
)
ROLES = [
    "Leder",
    "Koordinator",
    "Koordinerende enhet",
    "Prosjektleder",
    "Fastlege",
    "Teammedlem",
    "Bruker",
    "Pårørende",
]
ROLE_SHARES = [0.18, 0.2, 0.08, 0.05, 0.07, 0.17, 0.15, 0.10]
N_INTERVIEWS = 264
DOUBLE_CODED_SHARE = 0.15
SENSITIVITY = 0.90  # P(coder B codes it | coder A did)
FALSE_POSITIVE = 0.05  # P(coder B codes it | coder A did not)


def expected_kappa(prevalence: float, sens: float, fpos: float) -> float:
    """Cohen's kappa expected for a 2x2 table built from these rates."""
    p_b = prevalence * sens + (1 - prevalence) * fpos
    p_o = prevalence * sens + (1 - prevalence) * (1 - fpos)
    p_e = prevalence * p_b + (1 - prevalence) * (1 - p_b)
    return (p_o - p_e) / (1 - p_e)


def interviews(rng: np.random.Generator, out: Path) -> dict[str, Any]:
    n = N_INTERVIEWS
    ids = [f"INT-{i:03d}" for i in range(1, n + 1)]
    start = dt.date(2019, 3, 1)
    days = rng.integers(0, (dt.date(2023, 11, 30) - start).days, n)
    records = pd.DataFrame(
        {
            "intervju_id": ids,
            "kommune": rng.choice(PILOT_NAMES, n),
            "rolle": rng.choice(ROLES, n, p=ROLE_SHARES),
            "dato": [(start + dt.timedelta(days=int(d))).isoformat() for d in days],
            "modus": rng.choice(["Fysisk", "Video", "Telefon"], n, p=[0.5, 0.35, 0.15]),
        }
    )
    records.to_csv(out / "interviews.csv", index=False, sep=";", encoding="utf-8")

    codebook = pd.DataFrame(
        {
            "kode": [f"{group}\\{code}" for group, code, _ in CODEBOOK],
            "tema": [group for group, _, _ in CODEBOOK],
            "beskrivelse": [code for _, code, _ in CODEBOOK],
        }
    )
    codebook.to_csv(out / "interview_codebook.csv", index=False, sep=";", encoding="utf-8")

    prevalence = np.array([p for _, _, p in CODEBOOK])
    coded_a = rng.random((n, len(CODEBOOK))) < prevalence
    double = rng.random(n) < DOUBLE_CODED_SHARE
    coded_b = np.where(
        coded_a, rng.random(coded_a.shape) < SENSITIVITY, rng.random(coded_a.shape) < FALSE_POSITIVE
    )
    rows = []
    for coder, matrix, mask in (("A", coded_a, np.ones(n, bool)), ("B", coded_b, double)):
        for i, j in zip(*np.nonzero(matrix & mask[:, None]), strict=True):
            for _ in range(int(rng.integers(1, 4))):  # one to three segments per code
                begin = int(rng.integers(1, 400))
                rows.append(
                    (
                        records.kommune[i],
                        ids[i],
                        codebook.kode[j],
                        begin,
                        begin + int(rng.integers(0, 12)),
                        coder,
                    )
                )
    segments = pd.DataFrame(
        rows, columns=["Dokumentgruppe", "Dokumentname", "Code", "Anfang", "Ende", "Coder"]
    )
    segments = segments.sort_values(["Coder", "Dokumentname", "Code", "Anfang"], ignore_index=True)
    segments.to_csv(out / "interview_segments.csv", index=False, sep=";", encoding="utf-8")

    pooled_prevalence = float(prevalence.mean())
    return {
        "n_interviews": n,
        "n_double_coded": int(double.sum()),
        "theme_prevalence": {f"{g}\\{c}": p for g, c, p in CODEBOOK},
        "coder_b_sensitivity": SENSITIVITY,
        "coder_b_false_positive": FALSE_POSITIVE,
        # pooled over all (interview, code) pairs: prevalence mixes, so use the pooled table
        "pooled_kappa": _pooled_kappa(prevalence),
        "pooled_prevalence": pooled_prevalence,
    }


def _pooled_kappa(prevalence: np.ndarray) -> float:
    p = float(prevalence.mean())
    return expected_kappa(p, SENSITIVITY, FALSE_POSITIVE)
