"""Team registers (one .xlsx per pilot municipality, as a KE keeps it) and PSFS forms.

Senja's register is built so that its active teams by age band on the two snapshot dates
are exactly the published table in DOMAIN.md; the other registers are random.
PSFS: each person's mean score improves by a planted amount from first to last conversation.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.sample.pinned import pin_xlsx

SNAPSHOT_A = dt.date(2021, 3, 31)
SNAPSHOT_B = dt.date(2023, 10, 4)
BANDS = ((0, 18), (18, 67), (67, 80), (80, 100))
BAND_LABELS = ("0-17", "18-66", "67-79", "80+")
# Senja, active teams per band (DOMAIN.md seed table)
SENJA_A = (11, 35, 3, 1)
SENJA_B = (33, 64, 4, 1)
SENJA_BOTH = (7, 20, 2, 1)  # active on both dates: a construction choice, not published
REGISTERS = {  # municipality: (kommunenummer at export, export date, random teams)
    "Senja": ("5530", dt.date(2024, 1, 5), 0),
    "Kinn": ("4602", dt.date(2024, 1, 8), 95),
    "Bø": ("1867", dt.date(2024, 1, 3), 30),
    "Suldal": ("1134", dt.date(2024, 1, 4), 35),
    "Asker": ("3025", dt.date(2021, 12, 20), 120),
    "Steinkjer": ("5006", dt.date(2021, 12, 15), 60),
}
SECTORS = ["Helse", "Omsorg", "Oppvekst", "NAV/velferd", "Annet"]
PSFS_MEAN_CHANGE = 2.0  # planted mean improvement, first to last conversation
PSFS_SHARE_REVERSED = 0.2
PSFS_ACTIVITIES = [
    "Gå tur",
    "Handle mat",
    "Lage middag",
    "Møte venner",
    "Gå på skolen",
    "Kle på seg",
    "Dusje",
    "Ta bussen",
    "Delta på trening",
    "Sove natta gjennom",
    "Være i jobb",
    "Lese lekser",
    "Rydde hjemme",
    "Hagearbeid",
]


def _day(rng: np.random.Generator, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))


def _birth(rng: np.random.Generator, on: dt.date, age_lo: float, age_hi: float) -> dt.date:
    age = rng.uniform(age_lo, age_hi)
    return on - dt.timedelta(days=int(age * 365.25))


def _team(
    rng: np.random.Generator, start: dt.date, end: dt.date | None, birth: dt.date
) -> dict[str, Any]:
    start = max(start, birth + dt.timedelta(days=1))  # no team before birth
    decision = max(birth, start - dt.timedelta(days=int(rng.integers(0, 30))))
    referral = max(birth, decision - dt.timedelta(days=int(rng.integers(0, 60))))
    return {"start": start, "end": end, "birth": birth, "decision": decision, "referral": referral}


def _senja(rng: np.random.Generator) -> list[dict[str, Any]]:
    teams = []
    pilot_start, last = dt.date(2018, 10, 1), dt.date(2023, 12, 31)
    after_b = SNAPSHOT_B + dt.timedelta(days=1)
    for band, (lo, hi) in enumerate(BANDS):
        for _ in range(SENJA_BOTH[band]):  # active on both: age band the same on both dates
            birth = _birth(rng, SNAPSHOT_A, lo + 0.1, min(hi, 96) - 3.0)
            end = None if rng.random() < 0.7 else _day(rng, after_b, last)
            teams.append(_team(rng, _day(rng, pilot_start, SNAPSHOT_A), end, birth))
        for _ in range(SENJA_A[band] - SENJA_BOTH[band]):  # ended between the snapshots
            birth = _birth(rng, SNAPSHOT_A, lo + 0.1, min(hi, 96) - 0.1)
            end = _day(rng, SNAPSHOT_A + dt.timedelta(days=1), SNAPSHOT_B - dt.timedelta(days=1))
            teams.append(_team(rng, _day(rng, pilot_start, SNAPSHOT_A), end, birth))
        for _ in range(SENJA_B[band] - SENJA_BOTH[band]):  # started after the first snapshot
            birth = _birth(rng, SNAPSHOT_B, lo + 0.1, min(hi, 96) - 0.1)
            start = _day(rng, SNAPSHOT_A + dt.timedelta(days=1), SNAPSHOT_B)
            end = None if rng.random() < 0.8 else _day(rng, after_b, last)
            teams.append(_team(rng, start, end, birth))
    # teams active on neither date: must not be counted
    for lo_d, hi_d in ((pilot_start, dt.date(2020, 12, 31)),):
        for _ in range(15):
            start = _day(rng, lo_d, hi_d)
            end = _day(rng, start, SNAPSHOT_A - dt.timedelta(days=1))
            teams.append(_team(rng, start, end, _birth(rng, start, 1, 85)))
    for _ in range(12):
        start = _day(rng, SNAPSHOT_A + dt.timedelta(days=1), dt.date(2022, 12, 31))
        end = _day(rng, start, SNAPSHOT_B - dt.timedelta(days=1))
        teams.append(_team(rng, start, end, _birth(rng, start, 1, 85)))
    for _ in range(5):
        teams.append(_team(rng, _day(rng, after_b, last), None, _birth(rng, after_b, 1, 85)))
    return teams


def _random(rng: np.random.Generator, n: int, export: dt.date) -> list[dict[str, Any]]:
    teams = []
    for _ in range(n):
        start = _day(rng, dt.date(2018, 10, 1), export - dt.timedelta(days=7))
        end = None
        if rng.random() < 0.45:
            end = _day(rng, start, export - dt.timedelta(days=1))
        age = float(
            rng.choice(
                [rng.uniform(1, 18), rng.uniform(18, 67), rng.uniform(67, 95)], p=[0.3, 0.55, 0.15]
            )
        )
        teams.append(_team(rng, start, end, start - dt.timedelta(days=int(age * 365.25))))
    return teams


def team_registers(rng: np.random.Generator, out: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """Write one register per municipality; return truth and the teams (for PSFS)."""
    all_teams = []
    person_no = 1
    for muni, (code, export, n_random) in REGISTERS.items():
        teams = _senja(rng) if muni == "Senja" else _random(rng, n_random, export)
        order = rng.permutation(len(teams))
        rows = []
        for i, k in enumerate(order, start=1):
            t = teams[k]
            rows.append(
                {
                    "Team-ID": f"{muni[:3].upper()}-{i:04d}",
                    "Person (pseudonym)": f"P{person_no:06d}",
                    "Fødselsdato": t["birth"],
                    "Koordinator": f"K{int(rng.integers(1, 40)):03d}",
                    "Koordinators sektor": str(
                        rng.choice(SECTORS, p=[0.35, 0.25, 0.25, 0.1, 0.05])
                    ),
                    "IP": "Ja" if rng.random() < 0.6 else "Nei",
                    "Henvist dato": t["referral"],
                    "KE-vedtak dato": t["decision"],
                    "Startdato": t["start"],
                    "Sluttdato": t["end"],
                    "Kommunenr": code,
                }
            )
            person_no += 1
        df = pd.DataFrame(rows)
        path = out / f"team_register_{muni.lower().replace('ø', 'o')}.xlsx"
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            # a title row above the header, as registers kept by hand often have
            pd.DataFrame(
                [[f"Oversikt oppfølgingsteam – {muni} kommune, eksportert {export}"]]
            ).to_excel(xl, sheet_name="Team", index=False, header=False)
            df.to_excel(xl, sheet_name="Team", index=False, startrow=2)
        pin_xlsx(path)
        df["kommune_navn"] = muni
        all_teams.append(df)
    truth = {
        "senja_active_by_age_band": {
            SNAPSHOT_A.isoformat(): dict(zip(BAND_LABELS, SENJA_A, strict=True)),
            SNAPSHOT_B.isoformat(): dict(zip(BAND_LABELS, SENJA_B, strict=True)),
        },
        "definition": (
            "active on date d: start <= d and (no end or end >= d); age in whole years on d"
        ),
    }
    return truth, pd.concat(all_teams, ignore_index=True)


def psfs_forms(rng: np.random.Generator, out: Path, teams: pd.DataFrame) -> dict[str, Any]:
    chosen = teams[rng.random(len(teams)) < 0.5]
    rows = []
    for _, t in chosen.iterrows():
        k = int(rng.integers(2, 6))  # activities at the first conversation
        acts = list(rng.choice(PSFS_ACTIVITIES, k + 1, replace=False))
        base = np.clip(rng.normal(3.5, 1.2, k + 1), 0.5, 9)
        gain = rng.normal(PSFS_MEAN_CHANGE, 1.5)
        convs = int(rng.integers(2, 6))
        reversed_scale = rng.random() < PSFS_SHARE_REVERSED
        day = t["Startdato"] + dt.timedelta(days=int(rng.integers(5, 40)))
        added_at = int(rng.integers(1, convs)) if rng.random() < 0.3 else None
        for c in range(convs):
            n_act = k + (1 if added_at is not None and c >= added_at else 0)
            true = base[:n_act] + gain * c / (convs - 1)
            score = np.clip(np.round(true + rng.normal(0, 0.7, n_act)), 0, 10).astype(int)
            if reversed_scale:
                score = 10 - score
            row: dict[str, Any] = {
                "person": t["Person (pseudonym)"],
                "kommunenr": t["Kommunenr"],
                "samtale_nr": c + 1,
                "dato": day.isoformat(),
                "skala": "0=ingen vansker" if reversed_scale else "0=kan ikke utføre",
            }
            for a in range(5):
                row[f"aktivitet_{a + 1}"] = acts[a] if a < n_act else None
                row[f"poeng_{a + 1}"] = int(score[a]) if a < n_act else None
            rows.append(row)
            day += dt.timedelta(days=int(rng.integers(60, 200)))
    df = pd.DataFrame(rows)
    for a in range(1, 6):
        df[f"poeng_{a}"] = df[f"poeng_{a}"].astype("Int64")
    df.to_csv(out / "psfs_forms.csv", index=False, sep=";", encoding="utf-8")
    return {
        "n_persons": int(chosen.shape[0]),
        "mean_change_first_to_last": PSFS_MEAN_CHANGE,
        "share_reversed_forms": PSFS_SHARE_REVERSED,
        "definition": (
            "change = mean score at the last conversation minus mean at the first, "
            "over activities scored at both; scale normalised so 10 = no difficulty"
        ),
    }
