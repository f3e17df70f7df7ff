"""Interview records, a codebook and coded segments as MAXQDA exports them.

Each interview has each code with a planted probability (coder A); the «Ledergrep» codes are
coded in the 44 leader interviews only (as in the evaluation). A few interviews carry no code
at all, and a few were coded by coder B alone, so the denominator and the reference coder are
tested. A double-coded subset (~15 %) is coded again by coder B with planted
sensitivity/false-positive rates, so the expected Cohen's kappa is known.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.sample.municipalities import PILOT_NAMES
from pipeline.sample.qdpx import write_qdpx

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
    ("Ledergrep", "Strukturer og rutiner", 0.50),
    ("Ledergrep", "Planer og rapportering", 0.35),
    ("Ledergrep", "Relasjoner og informasjonsflyt", 0.40),
    ("Ledergrep", "Koordinatorrekruttering, ansvar og roller", 0.55),
    ("Ledergrep", "Rekruttering utenfor helse og omsorg", 0.25),
    ("Ledergrep", "Koordinatorkompetanse og opplæring", 0.40),
)
LEADER_THEME = "Ledergrep"  # coded in leader interviews only (prevalence above: among them)
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
ROLE_SHARES = [0.2, 0.08, 0.05, 0.07, 0.17, 0.15, 0.10]  # of the non-leaders, in ROLES order
N_INTERVIEWS = 264
N_LEADERS = 44  # the evaluation's leader interviews (DOMAIN.md)
N_UNCODED = 6  # interviews in the list that no coder gave a code
N_CODED_BY_B_ONLY = 5
DOUBLE_CODED_SHARE = 0.15
SENSITIVITY = 0.90  # P(coder B codes it | coder A did)
FALSE_POSITIVE = 0.05  # P(coder B codes it | coder A did not)


def interviews(rng: np.random.Generator, out: Path) -> dict[str, Any]:
    n = N_INTERVIEWS
    ids = [f"INT-{i:03d}" for i in range(1, n + 1)]
    start = dt.date(2019, 3, 1)
    days = rng.integers(0, (dt.date(2023, 11, 30) - start).days, n)
    others = rng.choice(ROLES[1:], n - N_LEADERS, p=np.divide(ROLE_SHARES, sum(ROLE_SHARES)))
    roles = rng.permutation(np.concatenate([[ROLES[0]] * N_LEADERS, others]))
    records = pd.DataFrame(
        {
            "intervju_id": ids,
            "kommune": rng.choice(PILOT_NAMES, n),
            "rolle": roles,
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
    is_leader = (records.rolle == ROLES[0]).to_numpy()
    leader_code = np.array([g == LEADER_THEME for g, _, _ in CODEBOOK])
    latent = rng.random((n, len(CODEBOOK))) < prevalence
    latent &= is_leader[:, None] | ~leader_code[None, :]  # ledergrep: leader interviews only
    # interviews with no code at all, and interviews only coder B coded (non-leaders)
    spare = rng.permutation(np.flatnonzero(~is_leader))
    uncoded = np.isin(np.arange(n), spare[:N_UNCODED])
    b_only = np.isin(np.arange(n), spare[N_UNCODED : N_UNCODED + N_CODED_BY_B_ONLY])
    latent[uncoded] = False
    coded_a = latent & ~b_only[:, None]
    double = (rng.random(n) < DOUBLE_CODED_SHARE) & ~uncoded & ~b_only
    coded_b = np.where(
        latent, rng.random(latent.shape) < SENSITIVITY, rng.random(latent.shape) < FALSE_POSITIVE
    )
    coded_b &= is_leader[:, None] | ~leader_code[None, :]
    coded_b[b_only] = latent[b_only]  # the reference coding of those interviews
    rows = []
    for coder, matrix, mask in (("A", coded_a, ~b_only), ("B", coded_b, double | b_only)):
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
    write_qdpx(records, codebook, segments, out / "interviews.qdpx")

    pooled_prevalence = float(prevalence.mean())
    coded_share = 1 - N_UNCODED / n  # uncoded interviews are in every denominator
    return {
        "n_interviews": n,
        "n_leader_interviews": N_LEADERS,
        "n_uncoded": N_UNCODED,
        "n_coded_by_b_only": N_CODED_BY_B_ONLY,
        "n_double_coded": int(double.sum()),
        # planted probability of each code in a coded interview (ledergrep: a leader interview)
        "theme_prevalence": {f"{g}\\{c}": p for g, c, p in CODEBOOK},
        # what the share over its denominator should be: uncoded interviews count (none is a
        # leader interview), so the share is diluted by their share of the denominator
        "theme_share_expected": {
            f"{g}\\{c}": p * (1.0 if g == LEADER_THEME else coded_share) for g, c, p in CODEBOOK
        },
        "coder_b_sensitivity": SENSITIVITY,
        "coder_b_false_positive": FALSE_POSITIVE,
        # pooled over all (interview, code) pairs: prevalence mixes, so use the pooled table
        **_expected_agreement(
            prevalence, leader_code, N_LEADERS / (n - N_UNCODED - N_CODED_BY_B_ONLY)
        ),
        "pooled_prevalence": pooled_prevalence,
    }


def _expected_agreement(
    prevalence: np.ndarray, leader_code: np.ndarray, leader_share: float
) -> dict[str, float]:
    """Kappa of the expected 2x2 table over all (interview, code) units the coders compare
    (every code in a leader interview, every code but the leader codes in the others), and
    the large-sample limit of nominal alpha for two coders: Scott's pi, chance agreement
    from the coders' pooled marginals."""
    cells = np.zeros(4)  # both, first only, second only, neither
    for weight, codes in ((leader_share, prevalence),
                          (1 - leader_share, prevalence[~leader_code])):  # fmt: skip
        for p in codes:
            both, first = p * SENSITIVITY, p * (1 - SENSITIVITY)
            second = (1 - p) * FALSE_POSITIVE
            cells += weight * np.array([both, first, second, 1 - both - first - second])
    cells /= cells.sum()
    p_o = cells[0] + cells[3]
    p_a, p_b = cells[0] + cells[1], cells[0] + cells[2]
    p_e = p_a * p_b + (1 - p_a) * (1 - p_b)
    pooled = (p_a + p_b) / 2
    p_pi = pooled**2 + (1 - pooled) ** 2
    return {
        "pooled_kappa": float((p_o - p_e) / (1 - p_e)),
        "pooled_alpha": float((p_o - p_pi) / (1 - p_pi)),
    }
