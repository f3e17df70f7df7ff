"""Staff survey (SPSS .sav with value labels) and user/relative survey (.xlsx).

Calibrated to the published figures in DOMAIN.md; the planted values are returned as truth.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.sample.municipalities import PILOT_NAMES
from pipeline.sample.pinned import pin_xlsx, write_sav
from pipeline.settings import Evaluation

ROLES = {
    1: "Prosjektleder",
    2: "Leder",
    3: "Koordinerende enhet",
    4: "Koordinator",
    5: "Fastlege",
    6: "Teammedlem/annen ansatt",
}
ROLE_SHARES = [0.03, 0.25, 0.07, 0.25, 0.08, 0.32]
SECTORS = {
    1: "Helse",
    2: "Omsorg",
    3: "Oppvekst",
    4: "NAV/velferd",
    5: "Spesialisthelsetjenesten",
    6: "Annet",
}
SECTOR_SHARES = [0.30, 0.25, 0.20, 0.10, 0.08, 0.07]
KJENT = {
    1: "Svært dårlig kjent",
    2: "Dårlig kjent",
    3: "Middels kjent",
    4: "Godt kjent",
    5: "Svært godt kjent",
    9: "Vet ikke",
}
GRAD = {
    1: "I svært liten grad",
    2: "I liten grad",
    3: "I noen grad",
    4: "I stor grad",
    5: "I svært stor grad",
    9: "Vet ikke",
}
JANEI = {1: "Ja", 2: "Nei", 9: "Vet ikke"}
REKRUTTERING = {
    1: "Alltid lett",
    2: "Som oftest lett",
    3: "Av og til krevende",
    4: "Som oftest krevende",
    5: "Alltid vanskelig",
    9: "Vet ikke",
}
KOMMUNE_LABELS = {i + 1: name for i, name in enumerate(PILOT_NAMES)}
WAVES = {2019: 300, 2021: 330, 2023: 340}

# The published figures are taken to belong to the last wave (2023, the final report); the
# waves before are planted so that the tests have a change to find.
# P(not involved | role, wave), among those answering ja/nei. Leaders 2023: 32 % (seed).
NOT_INVOLVED = {1: 0.02, 2: 0.32, 3: 0.10, 4: 0.20, 5: 0.55, 6: 0.40}
LEADERS_NOT_INVOLVED_BY_WAVE = {2019: 0.50, 2021: 0.42, 2023: 0.32}
# P(answer is 4-5 "i stor/svært stor grad" | coordinator, valid answer). Seed (2023): time
# 32 %, training and leader support about half, most find the role fine. Time is planted
# rising from 2019 (the change the wave tests must find).
COORDINATOR_SUFFICIENT = {
    "k_tid": 0.32,
    "k_opplaering": 0.50,
    "k_lederstotte": 0.50,
    "k_rolle": 0.75,
}
COORDINATOR_TIME_BY_WAVE = {2019: 0.08, 2021: 0.20, 2023: 0.32}
P_VET_IKKE = 0.05
P_ITEM_NONRESPONSE = 0.04
# 2023 only: leaders' active measures (P of 4-5; «i liten/svært liten grad» = half the rest),
# and the "changed in the last three years" items, asked of leaders, coordinators and team
# members (N = 244 in the seed); the working-method item only of those who work with the
# target group often or sometimes (N = 236).
LEADER_MEASURES_HIGH = 0.40
CHANGE_ROLES = (2, 4, 6)
MALGRUPPE = {1: "Ofte", 2: "Av og til", 3: "Sjelden", 4: "Aldri", 9: "Vet ikke"}
P_MALGRUPPE = [0.62, 0.28, 0.07, 0.03]
P_NEW_GROUPS = 0.55
P_METHOD_CHANGED = 0.60
P_CHANGE_NONRESPONSE = 0.12
# The staff the survey was sent to (per wave), whose roles are spread otherwise than the
# answers: leaders and coordinators answer far more often than team members and GPs. The
# sample writes these as raking margins (role and municipality totals) and as design weights
# (`vekt` = staff of the role / respondents of the role, per wave), and plants the population
# share of "not involved" the weighted estimate must recover.
STAFF_BY_WAVE = {2019: 1500, 2021: 1650, 2023: 1700}
POPULATION_ROLE_SHARES = [0.02, 0.12, 0.04, 0.12, 0.15, 0.55]
KOMMUNE_SHARES = [0.22, 0.22, 0.2, 0.14, 0.11, 0.11]


def _binary_item(rng: np.random.Generator, p_yes: np.ndarray) -> np.ndarray:
    """Ja(1)/Nei(2) with P(Ja)=p_yes, then 'Vet ikke' (9) and item non-response (NaN)."""
    out = np.where(rng.random(p_yes.shape) < p_yes, 1.0, 2.0)
    return _add_missing(rng, out)


def _add_missing(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    u = rng.random(values.shape)
    values = values.astype(float)
    values[u < P_VET_IKKE] = 9
    values[(u >= P_VET_IKKE) & (u < P_VET_IKKE + P_ITEM_NONRESPONSE)] = np.nan
    return values


def _grad_item(rng: np.random.Generator, p_high: np.ndarray | float, n: int) -> np.ndarray:
    """1-5 answer with P(4 or 5) = p_high among valid answers."""
    high = rng.random(n) < p_high
    out = np.where(
        high, rng.choice([4, 5], n, p=[0.7, 0.3]), rng.choice([1, 2, 3], n, p=[0.15, 0.35, 0.5])
    )
    return _add_missing(rng, out)


def staff_survey(rng: np.random.Generator, out: Path, evaluation: Evaluation) -> dict[str, Any]:
    frames = []
    next_id = 1
    for wave, n in WAVES.items():
        role = rng.choice(list(ROLES), n, p=ROLE_SHARES)
        df = pd.DataFrame(
            {
                "respid": np.arange(next_id, next_id + n),
                "wave": wave,
                "kommune": rng.choice(list(KOMMUNE_LABELS), n, p=KOMMUNE_SHARES),
                "rolle": role,
                "sektor": rng.choice(list(SECTORS), n, p=SECTOR_SHARES),
            }
        )
        next_id += n
        not_involved = {**NOT_INVOLVED, 2: LEADERS_NOT_INVOLVED_BY_WAVE[wave]}
        p_inv = np.array([1 - not_involved[r] for r in role])
        df["involvert"] = _binary_item(rng, p_inv)
        df["kjent_pilot"] = _grad_item(rng, np.where(p_inv > 0.7, 0.65, 0.3), n)
        df["kjent_ot"] = _grad_item(rng, np.where(p_inv > 0.7, 0.75, 0.45), n)
        df["ny_arbeidsmaate"] = _grad_item(rng, 0.55, n)
        df["stotter_videreforing"] = _grad_item(rng, 0.7, n)
        is_coord = role == 4
        sufficient = {**COORDINATOR_SUFFICIENT, "k_tid": COORDINATOR_TIME_BY_WAVE[wave]}
        for item, p in sufficient.items():
            values = _grad_item(rng, p, n)
            values[~is_coord] = np.nan
            df[item] = values
        is_leader = role == 2
        rek = rng.choice([1, 2, 3, 4, 5], n, p=[0.05, 0.25, 0.4, 0.22, 0.08]).astype(float)
        rek = _add_missing(rng, rek)
        rek[~is_leader] = np.nan
        df["l_rekruttering"] = rek
        grep = _grad_item(rng, LEADER_MEASURES_HIGH, n)
        grep[~is_leader | (wave != 2023)] = np.nan
        df["l_aktive_grep"] = grep
        asked = np.isin(role, CHANGE_ROLES) & (wave == 2023)
        malgruppe = rng.choice([1, 2, 3, 4], n, p=P_MALGRUPPE).astype(float)
        works_with = asked & (malgruppe <= 2)
        malgruppe[~asked] = np.nan
        df["malgruppe"] = malgruppe
        for item, p, who in (
            ("endret_nye_grupper", P_NEW_GROUPS, asked),
            ("endret_arbeidsmaate", P_METHOD_CHANGED, works_with),
        ):
            values = np.where(rng.random(n) < p, 1.0, 2.0)
            values[rng.random(n) < P_CHANGE_NONRESPONSE] = np.nan
            values[~who] = np.nan
            df[item] = values
        frames.append(df)
    data = pd.concat(frames, ignore_index=True)
    data["vekt"] = _design_weights(data)
    labels: dict[str, dict[Any, str]] = {
        "kommune": KOMMUNE_LABELS,
        "rolle": ROLES,
        "sektor": SECTORS,
        "involvert": JANEI,
        "kjent_pilot": KJENT,
        "kjent_ot": KJENT,
        "l_rekruttering": REKRUTTERING,
        "malgruppe": MALGRUPPE,
        "endret_nye_grupper": JANEI,
        "endret_arbeidsmaate": JANEI,
    }
    for item in (
        "ny_arbeidsmaate",
        "stotter_videreforing",
        "l_aktive_grep",
        *COORDINATOR_SUFFICIENT,
    ):
        labels[item] = GRAD
    column_labels: dict[str, str | None] = {
        "respid": "Respondent-ID",
        "wave": "Undersøkelsesår",
        "kommune": "Kommune",
        "rolle": "Hvilken rolle har du?",
        "sektor": "Hvilken sektor jobber du i?",
        "involvert": "Har du vært involvert i eller informert om pilotprosjektet?",
        "kjent_pilot": "Hvor godt kjent er du med pilotprosjektet?",
        "kjent_ot": "Hvor godt kjent er du med oppfølgingsteam?",
        "ny_arbeidsmaate": "Er oppfølgingsteam blitt en ny arbeidsmåte?",
        "stotter_videreforing": "Støtter du videreføring?",
        "k_tid": "Har du tilstrekkelig tid til koordinatoroppgavene?",
        "k_opplaering": "Har du fått tilstrekkelig opplæring?",
        "k_lederstotte": "Har du tilstrekkelig støtte fra leder?",
        "k_rolle": "Trives du i koordinatorrollen?",
        "l_rekruttering": "Hvor lett er det å rekruttere koordinatorer?",
        "l_aktive_grep": "I hvilken grad har du tatt aktive grep for oppfølgingsteam?",
        "malgruppe": "Hvor ofte jobber du med målgruppen?",
        "endret_nye_grupper": "Får nye grupper IP/koordinator/oppfølgingsteam (siste tre år)?",
        "endret_arbeidsmaate": "Er måten du jobber med oppfølging av målgruppen endret?",
        "vekt": "Designvekt (ansatte i rollen / svar i rollen)",
    }
    missing: dict[str, list[Any]] = {
        c: [9] for c in labels if c not in ("kommune", "rolle", "sektor")
    }
    _write_margins(out / "survey_staff_margins.csv", evaluation)
    write_sav(
        data,
        out / "survey_staff.sav",
        column_labels=column_labels,
        variable_value_labels=labels,
        missing_ranges=missing,
    )
    leaders_2023 = data[(data.wave == 2023) & (data.rolle == 2)]
    asked_2023 = data[(data.wave == 2023) & data.rolle.isin(CHANGE_ROLES)]
    return {
        "n": len(data),
        "published_wave": 2023,
        "not_involved_by_role": {ROLES[r]: p for r, p in NOT_INVOLVED.items()},
        "leaders_not_involved_by_wave": {
            str(w): p for w, p in LEADERS_NOT_INVOLVED_BY_WAVE.items()
        },
        "coordinator_sufficient": COORDINATOR_SUFFICIENT,
        "coordinator_time_by_wave": {str(w): p for w, p in COORDINATOR_TIME_BY_WAVE.items()},
        "leader_measures_small_2023": (1 - LEADER_MEASURES_HIGH) * 0.5,
        "leaders_2023": len(leaders_2023),
        "new_groups_yes": P_NEW_GROUPS,
        "method_changed_yes": P_METHOD_CHANGED,
        # the published denominators' logic: who was asked and answered (not "Vet ikke")
        "n_new_groups_2023": int(asked_2023.endret_nye_grupper.isin([1, 2]).sum()),
        "n_method_changed_2023": int(asked_2023.endret_arbeidsmaate.isin([1, 2]).sum()),
        "definition": "share among valid answers; 'Vet ikke' and item non-response excluded",
        # the staff's share not involved (all roles), which weights to the margins recover
        "population_not_involved_by_wave": {
            str(w): float(
                sum(
                    a * ({**NOT_INVOLVED, 2: LEADERS_NOT_INVOLVED_BY_WAVE[w]}[r])
                    for r, a in zip(ROLES, POPULATION_ROLE_SHARES, strict=True)
                )
            )
            for w in WAVES
        },
    }


def _totals(total: int, shares: list[float]) -> list[int]:
    """Whole-number totals in these shares adding up to `total` exactly (largest remainder)."""
    exact = [total * a for a in shares]
    out = [int(x) for x in exact]
    for i in sorted(range(len(out)), key=lambda i: out[i] - exact[i])[: total - sum(out)]:
        out[i] += 1
    return out


def _design_weights(data: pd.DataFrame) -> np.ndarray:
    """Per wave and role: the role's staff over its respondents."""
    staff = {
        (w, r): t
        for w, total in STAFF_BY_WAVE.items()
        for r, t in zip(ROLES, _totals(total, POPULATION_ROLE_SHARES), strict=True)
    }
    answered = data.groupby(["wave", "rolle"])["respid"].transform("count")
    return np.array(
        [staff[(w, r)] / n for w, r, n in zip(data.wave, data.rolle, answered, strict=True)]
    )


def _write_margins(path: Path, evaluation: Evaluation) -> None:
    """The raking totals: staff per wave by role (labels) and by municipality (codes)."""
    codes = {name: evaluation.pilot_code(name) for name in PILOT_NAMES}
    rows = ["wave;dimension;group;total"]
    for wave, total in STAFF_BY_WAVE.items():
        rows += [
            f"{wave};rolle;{ROLES[r]};{t}"
            for r, t in zip(ROLES, _totals(total, POPULATION_ROLE_SHARES), strict=True)
        ]
        rows += [
            f"{wave};kommune;{codes[name]};{t}"
            for name, t in zip(PILOT_NAMES, _totals(total, KOMMUNE_SHARES), strict=True)
        ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


# user / relative survey -----------------------------------------------------------------
USER_YEARS = (2019, 2020, 2021, 2022, 2023)
P_COORDINATION = {"Ja": 0.50, "Nei": 0.23, "Vet ikke": 0.27}  # 27 % don't know (seed, 2023)
# the "vet ikke" share falls to the published 27 % in 2023
DONT_KNOW_BY_YEAR = {2019: 0.40, 2020: 0.36, 2021: 0.33, 2022: 0.30, 2023: 0.27}
P_TOO_LITTLE_INFO = 2 / 3  # two of three (seed)
GRAD_TEXT = [
    "I svært liten grad",
    "I liten grad",
    "I noen grad",
    "I stor grad",
    "I svært stor grad",
]
# Benefit is planted on the log-odds scale, with a confounder: relatives more often have
# OT/coordinator/IP and report less benefit, so the unadjusted difference Ja − Nei is smaller
# than the effect adjusted for respondent type (and age group, which matters for benefit only).
RESPONDENTS = {"Bruker": 0.6, "Pårørende": 0.4}
P_JA_GIVEN_KNOWN = {"Bruker": 0.60, "Pårørende": 0.85}  # P(Ja | knows, respondent type)
AGE_GROUPS = {"0-17": 0.25, "18-66": 0.45, "67-79": 0.18, "80+": 0.12}
P_AGE_MISSING = 0.02  # «Ikke oppgitt»: a category of its own in the adjusted model
LOG_ODDS = {
    "intercept": 0.0,  # Bruker, 18-66, Nei
    "Ja": 1.0,
    "Vet ikke": 0.3,
    "Pårørende": -1.0,
    "0-17": 0.3,
    "18-66": 0.0,
    "67-79": -0.3,
    "80+": -0.5,
}
ITEM_SHIFT = {"utbytte": 0.0, "fornoyd_behov": -0.2, "medvirkning": -0.4}


def _expit(x: np.ndarray | float) -> np.ndarray:
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


def _log_odds(status: np.ndarray, respondent: np.ndarray, age: np.ndarray) -> np.ndarray:
    return (
        LOG_ODDS["intercept"]
        + np.where(status == "Ja", LOG_ODDS["Ja"], 0.0)
        + np.where(status == "Vet ikke", LOG_ODDS["Vet ikke"], 0.0)
        + np.where(respondent == "Pårørende", LOG_ODDS["Pårørende"], 0.0)
        + np.array([LOG_ODDS.get(a, 0.0) for a in age])
    )


def _expected_high(status: str) -> float:
    """P(high benefit | status) over the planted respondent and age distributions (the age
    of a respondent whose age is missing still acts on the answer)."""
    total = weight = 0.0
    for r, p_r in RESPONDENTS.items():
        p_status = {"Ja": P_JA_GIVEN_KNOWN[r], "Nei": 1 - P_JA_GIVEN_KNOWN[r], "Vet ikke": 1}
        for a, p_a in AGE_GROUPS.items():
            w = p_r * p_status[status] * p_a
            lin = _log_odds(np.array([status]), np.array([r]), np.array([a]))
            total += w * float(_expit(lin)[0])
            weight += w
    return total / weight


def user_survey(rng: np.random.Generator, out: Path) -> dict[str, Any]:
    n = 480
    year = rng.choice(USER_YEARS, n)
    respondent = rng.choice(list(RESPONDENTS), n, p=list(RESPONDENTS.values()))
    age = rng.choice(list(AGE_GROUPS), n, p=list(AGE_GROUPS.values()))
    dont_know = np.array([DONT_KNOW_BY_YEAR[y] for y in year])
    p_ja = np.array([P_JA_GIVEN_KNOWN[r] for r in respondent])
    u, v = rng.random(n), rng.random(n)
    status = np.where(u < dont_know, "Vet ikke", np.where(v < p_ja, "Ja", "Nei"))
    lin = _log_odds(status, respondent, age)

    def grad_text(shift: float) -> list[str | None]:
        high = rng.random(n) < _expit(lin + shift)
        idx = np.where(
            high,
            rng.choice([3, 4], n, p=[0.65, 0.35]),
            rng.choice([0, 1, 2], n, p=[0.15, 0.3, 0.55]),
        )
        answers: list[str | None] = [GRAD_TEXT[i] for i in idx]
        for i in np.flatnonzero(rng.random(n) < 0.03):
            answers[i] = None
        return answers

    items = {item: grad_text(shift) for item, shift in ITEM_SHIFT.items()}
    age_shown = [
        None if missing else a
        for missing, a in zip(rng.random(n) < P_AGE_MISSING, age, strict=True)
    ]
    df = pd.DataFrame(
        {
            "Løpenummer": np.arange(1, n + 1),
            "År": year,
            "Kommune": rng.choice(PILOT_NAMES, n, p=[0.22, 0.22, 0.16, 0.14, 0.13, 0.13]),
            "Respondent": respondent,
            "Aldersgruppe": age_shown,
            "Har du oppfølgingsteam, koordinator eller IP?": status,
            "Utbytte av tjenestene": items["utbytte"],
            "Fornøyd med hvordan behovene dekkes": items["fornoyd_behov"],
            "Medvirkning": items["medvirkning"],
            "Informasjon om tilgjengelige tjenester": rng.choice(
                ["For lite", "Passe", "For mye"],
                n,
                p=[P_TOO_LITTLE_INFO, 1 - P_TOO_LITTLE_INFO - 0.03, 0.03],
            ),
        }
    )
    with pd.ExcelWriter(out / "survey_users.xlsx", engine="openpyxl") as xl:
        df.to_excel(xl, sheet_name="Svar", index=False)
    pin_xlsx(out / "survey_users.xlsx")
    # the adjusted difference a correct model estimates: the average, over the respondents
    # with Ja or Nei who answered, of P(high | Ja) − P(high | Nei) at their own covariates
    # (age as drawn; a missing age is a category of its own and leaves the average unbiased)
    known = np.isin(status, ["Ja", "Nei"]) & np.array([a is not None for a in items["utbytte"]])
    with_ot = _log_odds(np.full(n, "Ja"), respondent, age)
    without = _log_odds(np.full(n, "Nei"), respondent, age)
    adjusted = float(np.mean((_expit(with_ot) - _expit(without))[known]))
    high = {s: _expected_high(s) for s in ("Ja", "Nei", "Vet ikke")}
    return {
        "n": n,
        "share_dont_know_coordination": P_COORDINATION["Vet ikke"],
        "share_dont_know_by_year": {str(y): p for y, p in DONT_KNOW_BY_YEAR.items()},
        "high_benefit_by_coordination": high,
        "high_benefit_difference_ja_minus_nei": high["Ja"] - high["Nei"],
        "adjusted_log_odds_ja": LOG_ODDS["Ja"],
        "adjusted_difference_ja_minus_nei": adjusted,
        "planted_log_odds": LOG_ODDS,
        "share_too_little_information": P_TOO_LITTLE_INFO,
        "definition": "high benefit = 'I stor grad' or 'I svært stor grad' among valid answers; "
        "relatives more often have coordination and report less benefit (a confounder)",
    }
