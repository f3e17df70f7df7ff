"""Team registers (one .xlsx per pilot municipality, as a KE keeps it) and PSFS forms.

Senja's register is built so that its active teams by age band on the two snapshot dates
are exactly the published table in DOMAIN.md; the other registers are random.
PSFS: each person's mean score improves by a planted amount from first to last conversation.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.errors import UserError
from pipeline.sample.pinned import pin_xlsx
from pipeline.settings import Evaluation

# Senja, active teams per age band on the two snapshot dates of the config (DOMAIN.md seed
# table: 2021-03-31 and 2023-10-04, bands 0-17, 18-66, 67-79, 80+); dates, bands and pilot
# codes are read from the settings, never kept here
SENJA_A = (11, 35, 3, 1)
SENJA_B = (33, 64, 4, 1)
SENJA_BOTH = (7, 20, 2, 1)  # active on both dates: a construction choice, not published
OLDEST = 100  # upper age of the last band, for drawing birth dates
REGISTERS = {  # pilot (as named in the config): (export date, random teams, code as exported)
    "Senja": (dt.date(2024, 1, 5), 0, None),
    "Kinn": (dt.date(2024, 1, 8), 95, None),
    "Bø": (dt.date(2024, 1, 3), 30, None),
    "Suldal": (dt.date(2024, 1, 4), 35, None),
    # exported in 2021, it carries Asker's code of 2020-2023 (the pipeline harmonises it)
    "Asker": (dt.date(2021, 12, 20), 120, "3025"),
    "Steinkjer": (dt.date(2021, 12, 15), 60, None),
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


def _planted_dimensions(ev: Evaluation) -> tuple[dt.date, dt.date, list[tuple[int, int]]]:
    """The config's two snapshot dates and four age bands, which the planted table fills."""
    if len(ev.team_snapshots) != 2 or len(ev.age_bands) != len(SENJA_A):
        raise UserError(
            "The sample plants Senja's published team table: it needs exactly two "
            f"[evaluation] team_snapshots and {len(SENJA_A)} age_bands",
            found=f"{len(ev.team_snapshots)} dates and {len(ev.age_bands)} age bands",
            hint="Use the default config for the sample, or set [sample] enabled = false",
        )
    a, b = sorted(ev.team_snapshots)
    bounds = [*ev.age_bands, OLDEST]
    return a, b, list(itertools.pairwise(bounds))


def _senja(rng: np.random.Generator, ev: Evaluation) -> list[dict[str, Any]]:
    teams = []
    snapshot_a, snapshot_b, bands = _planted_dimensions(ev)
    pilot_start, last = dt.date(2018, 10, 1), dt.date(2023, 12, 31)
    after_b = snapshot_b + dt.timedelta(days=1)
    for band, (lo, hi) in enumerate(bands):
        for _ in range(SENJA_BOTH[band]):  # active on both: age band the same on both dates
            birth = _birth(rng, snapshot_a, lo + 0.1, min(hi, 96) - 3.0)
            end = None if rng.random() < 0.7 else _day(rng, after_b, last)
            teams.append(_team(rng, _day(rng, pilot_start, snapshot_a), end, birth))
        for _ in range(SENJA_A[band] - SENJA_BOTH[band]):  # ended between the snapshots
            birth = _birth(rng, snapshot_a, lo + 0.1, min(hi, 96) - 0.1)
            end = _day(rng, snapshot_a + dt.timedelta(days=1), snapshot_b - dt.timedelta(days=1))
            teams.append(_team(rng, _day(rng, pilot_start, snapshot_a), end, birth))
        for _ in range(SENJA_B[band] - SENJA_BOTH[band]):  # started after the first snapshot
            birth = _birth(rng, snapshot_b, lo + 0.1, min(hi, 96) - 0.1)
            start = _day(rng, snapshot_a + dt.timedelta(days=1), snapshot_b)
            end = None if rng.random() < 0.8 else _day(rng, after_b, last)
            teams.append(_team(rng, start, end, birth))
    # teams active on neither date: must not be counted
    for lo_d, hi_d in ((pilot_start, dt.date(2020, 12, 31)),):
        for _ in range(15):
            start = _day(rng, lo_d, hi_d)
            end = _day(rng, start, snapshot_a - dt.timedelta(days=1))
            teams.append(_team(rng, start, end, _birth(rng, start, 1, 85)))
    for _ in range(12):
        start = _day(rng, snapshot_a + dt.timedelta(days=1), dt.date(2022, 12, 31))
        end = _day(rng, start, snapshot_b - dt.timedelta(days=1))
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


def team_registers(
    rng: np.random.Generator, out: Path, ev: Evaluation
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Write one register per municipality; return truth and the teams (for PSFS)."""
    all_teams = []
    person_no = 1
    snapshot_a, snapshot_b, _ = _planted_dimensions(ev)
    for muni, (export, n_random, exported_code) in REGISTERS.items():
        code = exported_code or ev.pilot_code(muni)
        teams = _senja(rng, ev) if muni == "Senja" else _random(rng, n_random, export)
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
            snapshot_a.isoformat(): dict(zip(ev.age_band_labels, SENJA_A, strict=True)),
            snapshot_b.isoformat(): dict(zip(ev.age_band_labels, SENJA_B, strict=True)),
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
