"""Pseudonymised person-level registry extracts 2017-2022: persons, population, KPR, KUHR, NPR.

Vectorised with numpy so that `scale` can grow towards national size. Every row carries the
municipality code of its own year's vintage (pre-2020 codes for 2017-2019), as real
extracts do. Planted: emergency admissions fall by `EFFECT_PER_1000` per 1,000 person-years
in a pilot municipality in each year its pilot was running, from 2019. Beside the national
year shocks every municipality-year has a shock of its own (normal, sd
`MUNICIPALITY_YEAR_SD_PER_1000`): real municipalities do not move in parallel, and without it
the sample would make few-cluster inference look better than it is. An optional differential
trend of the pilots (`pre_trend_per_1000` per year, 0 by default) violates parallel trends on
purpose. Both are in truth.json.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.sample.municipalities import COMPONENTS, code_on

YEARS = tuple(range(2017, 2023))
REGISTRY_FRACTION = 0.04  # share of residents in the extract at scale 1.0
# pilot years with the intervention running (the pilot started 1 Sep 2018; Asker and
# Steinkjer left in 2021)
PILOT_LAST_YEAR = {
    "Senja": 2023,
    "Kinn": 2023,
    "Bø": 2023,
    "Suldal": 2023,
    "Asker": 2021,
    "Steinkjer": 2021,
}
FIRST_TREATED_YEAR = 2019
EFFECT_PER_1000 = -12.0
# emergency admissions per person-year by age band in 2017 (frailty), and additive year shocks
ADMISSION_BASE = ((0, 0.025), (18, 0.045), (67, 0.13), (80, 0.30))
YEAR_SHOCK = {2017: 0.0, 2018: 0.002, 2019: 0.003, 2020: -0.006, 2021: -0.002, 2022: 0.001}
# sd of the municipality × year shock to the emergency admission rate, per 1,000 person-years
MUNICIPALITY_YEAR_SD_PER_1000 = 4.0
# GP consultations per person-year by age (2023, DOMAIN.md) and year level relative to 2023
GP_RATE = (
    (0, 1.9),
    (6, 1.4),
    (16, 2.4),
    (20, 2.6),
    (30, 3.2),
    (50, 3.5),
    (67, 3.9),
    (80, 4.8),
    (90, 3.5),
)
GP_YEAR = {2017: 0.92, 2018: 0.92, 2019: 0.92, 2020: 0.86, 2021: 0.9, 2022: 0.95}
LEGEVAKT_RATE = 0.235
CONTACT_CODES = {
    "fysisk": ["2ad", "2ak", "2ed", "2fk"],
    "e-konsultasjon": ["2ae", "2aek"],
    "sykebesok": ["11ad", "11ak"],
    "enkel": ["1ad", "1ak"],
    "brev_telefon": ["1bd", "1bk", "1g"],
}
# per 100 inhabitants (physical, e-consultation, home visit from DOMAIN.md; other assumed)
CONTACT_MIX = {
    2017: (268, 3, 1.7, 40, 60),
    2018: (267, 4, 1.7, 40, 60),
    2019: (266, 8, 1.6, 40, 60),
    2020: (222, 66, 2.2, 35, 75),
    2021: (220, 83, 1.8, 35, 70),
    2022: (231, 76, 1.5, 38, 65),
}
EXTRA_CODES = ["2cd", "2dd"]
KPR_SERVICES = [
    "hjemmesykepleie",
    "praktisk_bistand",
    "langtidsopphold",
    "korttidsopphold",
    "dagaktivitet",
    "brukerstyrt_personlig_assistanse",
]
# NPR episodes and KUHR rows are drawn for this many of a year's persons at a time (NPR sorted
# within the block): every sample up to about 6·10⁶ KUHR rows is drawn in one block a year,
# the same draws as before blocks existed; national size (10⁸) in 16 blocks a year, so that
# the generator's memory stays under 2 GiB
BLOCK_PERSONS = 250_000
KUHR_ROWS_PER_SCALE = 339_304  # KUHR rows the sample writes at scale 1.0 (before defects)
NATIONAL_KUHR_ROWS = 100_000_000  # `--scale national`: a national 2017-2022 KUHR extract
HDIAG = ["I21", "I50", "J18", "J44", "S72", "N39", "F10", "F32", "R07", "E11", "K35", "A09"]


def _lookup(table: tuple[tuple[int, float], ...], age: np.ndarray) -> np.ndarray:
    bounds = np.array([b for b, _ in table])
    values = np.array([v for _, v in table])
    return values[np.searchsorted(bounds, age, side="right") - 1]


def mean_admission_rate() -> float:
    """The extract's average emergency admission rate per person-year in 2017 (age mix ×
    frailty by age), before municipality, year and treatment: what a panel-level simulation
    of the same design starts from."""
    ages = np.arange(101)
    return float(_age_weights() @ _lookup(ADMISSION_BASE, ages))


def _age_weights() -> np.ndarray:
    ages = np.arange(101)
    w = np.where(ages < 65, 1.0, np.exp(-0.075 * (ages - 65)))
    return w / w.sum()


def _arrow(df: pd.DataFrame) -> pa.Table:
    """Arrow table with day-resolution timestamps stored as dates, as extracts carry them."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    for i, f in enumerate(table.schema):
        if pa.types.is_timestamp(f.type):
            table = table.set_column(i, f.name, table.column(i).cast(pa.date32()))
    return table


class _Out:
    """One extract written part by part (a year, or a block of persons of a year), so that no
    table is ever whole in memory: national size (10⁸ KUHR rows) in bounded memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        self._writer: pq.ParquetWriter | pacsv.CSVWriter | None = None

    def write(self, df: pd.DataFrame) -> None:
        table = _arrow(df)
        if self._writer is None:
            self._writer = (
                pacsv.CSVWriter(
                    self.path, table.schema, write_options=pacsv.WriteOptions(delimiter=";")
                )
                if self.path.suffix == ".csv"
                else pq.ParquetWriter(self.path, table.schema)
            )
        self._writer.write_table(table)
        self.rows += len(df)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def _write(df: pd.DataFrame, path: Path) -> None:
    """A small extract in one part (the same writer as the national-size ones)."""
    whole = _Out(path)
    whole.write(df)
    whole.close()


def registries(
    rng: np.random.Generator,
    out: Path,
    scale: float,
    changes: list[tuple[str, str, dt.date]],
    pre_trend_per_1000: float = 0.0,
) -> dict[str, Any]:
    comp_codes = np.array([c.code_2017 for c in COMPONENTS])
    # code per component and year, derived from the change list
    code_by_year = {
        int(y): np.array([code_on(c, dt.date(int(y), 7, 1), changes) for c in comp_codes])
        for y in YEARS
    }
    muni_names = np.array([c.municipality for c in COMPONENTS])
    n_per = np.array([max(20, round(c.population * REGISTRY_FRACTION * scale)) for c in COMPONENTS])
    comp = np.repeat(np.arange(len(COMPONENTS)), n_per)
    n = comp.size
    lnr = rng.permutation(n) + 100_000  # pseudonyms carry no order
    age17 = rng.choice(101, n, p=_age_weights())
    birth_year = 2017 - age17
    sex = rng.choice([1, 2], n)
    # deaths: Gompertz hazard by age, drawn per year
    death_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    alive = np.ones(n, bool)
    for y in YEARS:
        age = y - birth_year
        hazard = np.minimum(0.5, 0.00005 * np.exp(0.095 * age))
        dies = alive & (rng.random(n) < hazard)
        day = rng.integers(0, 365, n)
        death_date[dies] = np.datetime64(f"{y}-01-01") + day[dies]
        alive &= ~dies

    # municipality effect on frailty (constant over time, absorbed by municipality FE)
    muni_unique = np.unique(muni_names)
    muni_mult = rng.uniform(0.85, 1.15, muni_unique.size)
    muni_index = np.searchsorted(muni_unique, muni_names)[comp]  # per person
    frailty = _lookup(ADMISSION_BASE, age17) * muni_mult[muni_index]
    is_pilot = np.array([c.pilot for c in COMPONENTS])[comp]
    last_year = np.array([PILOT_LAST_YEAR.get(m, 0) for m in muni_names])[comp]
    # drawn from a stream of their own, so that every other draw of the sample stays the same
    shocks = municipality_year_shocks(rng.spawn(1)[0], muni_unique)

    persons_out = _Out(out / "registry_persons.parquet")
    npr_out = _Out(out / "npr_episodes.parquet")
    kuhr_out = _Out(out / "kuhr_claims.csv")
    claim_offset = 1
    for y in YEARS:
        start = np.datetime64(f"{y}-01-01")
        end = np.datetime64(f"{y + 1}-01-01")
        present = np.isnat(death_date) | (death_date >= start)
        idx = np.flatnonzero(present)
        komnr = code_by_year[y][comp[idx]]
        exit_day = np.where(
            np.isnat(death_date[idx]) | (death_date[idx] >= end), end, death_date[idx]
        )
        exposure = (exit_day - start).astype(int) / 365.0
        persons_out.write(
            pd.DataFrame(
                {
                    "lopenr": lnr[idx],
                    "aar": y,
                    "fodselsaar": birth_year[idx],
                    "kjonn": sex[idx],
                    "komnr": komnr,
                    "dodsdato": death_date[idx],
                }
            )
        )
        age = y - birth_year[idx]
        treated = is_pilot[idx] & (y >= FIRST_TREATED_YEAR) & (y <= last_year[idx])
        trend = is_pilot[idx] * pre_trend_per_1000 / 1000 * (y - (FIRST_TREATED_YEAR - 1))
        rate = (
            frailty[idx]
            + YEAR_SHOCK[y]
            + shocks[muni_index[idx], YEARS.index(y)]
            + trend
            + treated * EFFECT_PER_1000 / 1000
        )
        year = YearSlice(y, start, lnr[idx], komnr, age, sex[idx], exposure)
        for block, part in year.blocks(BLOCK_PERSONS):  # one block below national size
            npr = _npr_year(rng, part, np.maximum(rate[block], 0))
            npr.insert(0, "episode_id", np.arange(npr_out.rows + 1, npr_out.rows + len(npr) + 1))
            npr_out.write(npr)
            del npr
            kuhr, claim_offset = _kuhr_year(rng, part, claim_offset)
            kuhr_out.write(kuhr)
            del kuhr

    for written in (persons_out, npr_out, kuhr_out):
        written.close()
    today = {c.municipality: code_on(c.code_2017, dt.date(2024, 1, 1), changes) for c in COMPONENTS}
    kpr = _kpr(rng, lnr, birth_year, comp, code_by_year, death_date)
    _write(kpr, out / "kpr_services.parquet")
    population = _population(code_by_year)
    _write(population, out / "registry_population.csv")
    return {
        "n_persons": int(n),
        "rows": {
            "registry_persons": persons_out.rows,
            "npr_episodes": npr_out.rows,
            "kuhr_claims": kuhr_out.rows,
            "kpr_services": len(kpr),
            "registry_population": len(population),
        },
        "emergency_admissions_did_per_1000": EFFECT_PER_1000,
        "municipality_year_shock_sd_per_1000": MUNICIPALITY_YEAR_SD_PER_1000,
        # by the municipality's code on 1 January 2024 (the panel's default vintage)
        "municipality_year_shocks_per_1000": {
            today[m]: {str(y): round(float(shocks[i, j]) * 1000, 4) for j, y in enumerate(YEARS)}
            for i, m in enumerate(muni_unique)
        },
        "pilot_differential_trend_per_1000_per_year": pre_trend_per_1000,
        "first_treated_year": FIRST_TREATED_YEAR,
        "pilot_last_year": PILOT_LAST_YEAR,
        "definition": (
            "emergency admission = NPR episode with omsorgsniva 1 (døgn) and "
            "innmateHast 1-3; rate per 1,000 person-years of the extract"
        ),
    }


def municipality_year_shocks(rng: np.random.Generator, municipalities: np.ndarray) -> np.ndarray:
    """Additive shocks to the admission rate (per person-year), municipality × year."""
    sd = MUNICIPALITY_YEAR_SD_PER_1000 / 1000
    return rng.normal(0.0, sd, (municipalities.size, len(YEARS)))


@dataclass(frozen=True)
class YearSlice:
    """The persons resident in one year (aligned arrays) and their exposure that year."""

    year: int
    start: np.datetime64
    lopenr: np.ndarray
    komnr: np.ndarray
    age: np.ndarray
    sex: np.ndarray
    exposure: np.ndarray  # years at risk within the year

    def blocks(self, size: int) -> list[tuple[slice, YearSlice]]:
        """The year's persons in consecutive blocks of at most `size` (one block if fewer),
        each with its slice of the year's arrays."""
        parts = []
        for i in range(0, max(self.lopenr.size, 1), size):
            block = slice(i, i + size)
            parts.append((block, dataclasses.replace(
                self, lopenr=self.lopenr[block], komnr=self.komnr[block], age=self.age[block],
                sex=self.sex[block], exposure=self.exposure[block],
            )))  # fmt: skip
        return parts


def _npr_year(rng: np.random.Generator, ys: YearSlice, rate: np.ndarray) -> pd.DataFrame:
    n, exposure = ys.lopenr.size, ys.exposure
    parts = []
    # (kind, per-person rate, omsorgsniva, innmateHast choices)
    kinds = (
        ("akutt", rate, 1, ([1, 2, 3], [0.6, 0.3, 0.1])),
        ("planlagt", np.full(n, 0.03), 1, ([4], [1.0])),
        ("dag", np.full(n, 0.04), 2, ([4], [1.0])),
        ("poliklinikk", np.full(n, 0.35), 3, ([4], [1.0])),
        ("overforing", np.full(n, 0.004), 1, ([5], [1.0])),
    )
    for _kind, lam, niva, (hast, p) in kinds:
        count = rng.poisson(lam * exposure)
        who = np.repeat(np.arange(n), count)
        inn = ys.start + (rng.random(who.size) * exposure[who] * 365).astype(int)
        los = rng.geometric(0.3, who.size) if niva == 1 else np.zeros(who.size, int)
        parts.append(
            pd.DataFrame(
                {
                    "lopenr": ys.lopenr[who],
                    "inndato": inn,
                    "utdato": inn + los,
                    "komnr": ys.komnr[who],
                    "alder": ys.age[who],
                    "kjonn": ys.sex[who],
                    "hdiag": rng.choice(HDIAG, who.size),
                    "omsorgsniva": niva,
                    "innmateHast": rng.choice(hast, who.size, p=p),
                }
            )
        )
    return pd.concat(parts, ignore_index=True).sort_values(["inndato", "lopenr"], ignore_index=True)


def _kuhr_year(
    rng: np.random.Generator, ys: YearSlice, claim_offset: int
) -> tuple[pd.DataFrame, int]:
    y, n, exposure = ys.year, ys.lopenr.size, ys.exposure
    gp = rng.poisson(_lookup(GP_RATE, ys.age) * GP_YEAR[y] * exposure)
    lv = rng.poisson(LEGEVAKT_RATE * exposure)
    who = np.concatenate([np.repeat(np.arange(n), gp), np.repeat(np.arange(n), lv)])
    service = np.concatenate([np.full(gp.sum(), "fastlege"), np.full(lv.sum(), "legevakt")])
    m = who.size
    claim = np.arange(claim_offset, claim_offset + m)
    date = ys.start + (rng.random(m) * exposure[who] * 365).astype(int)
    mix = np.array(CONTACT_MIX[y], float)
    kind = rng.choice(list(CONTACT_CODES), m, p=mix / mix.sum())
    contact = np.empty(m, dtype=object)
    for k, codes in CONTACT_CODES.items():
        sel = kind == k
        contact[sel] = rng.choice(codes, sel.sum())
    extra = rng.random(m) < 0.5
    claims = pd.DataFrame(
        {
            "regning_id": np.concatenate([claim, claim[extra]]),
            "lopenr": np.concatenate([ys.lopenr[who], ys.lopenr[who][extra]]),
            "dato": np.concatenate([date, date[extra]]),
            "komnr": np.concatenate([ys.komnr[who], ys.komnr[who][extra]]),
            "tjenestetype": np.concatenate([service, service[extra]]),
            "takst": np.concatenate([contact, rng.choice(EXTRA_CODES, extra.sum())]),
        }
    ).sort_values(["regning_id", "takst"], ignore_index=True)
    return claims, claim_offset + m


def _kpr(
    rng: np.random.Generator,
    lnr: np.ndarray,
    birth_year: np.ndarray,
    comp: np.ndarray,
    code_by_year: dict[int, np.ndarray],
    death_date: np.ndarray,
) -> pd.DataFrame:
    age17 = 2017 - birth_year
    p = np.where(age17 >= 80, 0.5, np.where(age17 >= 67, 0.2, 0.03))
    who = np.flatnonzero(rng.random(lnr.size) < p)
    start = np.datetime64("2017-01-01") + rng.integers(0, 6 * 365, who.size)
    dur = rng.integers(14, 900, who.size)
    stop = start + dur
    dead = ~np.isnat(death_date[who])
    # services end at death at the latest
    stop = np.where(dead & (death_date[who] < stop), death_date[who], stop)
    keep = stop >= start
    who, start, stop = who[keep], start[keep], stop[keep]
    ongoing = stop > np.datetime64("2022-12-31")
    year = start.astype("datetime64[Y]").astype(int) + 1970
    komnr = np.array([code_by_year[int(y)][c] for y, c in zip(year, comp[who], strict=True)])
    service = rng.choice(KPR_SERVICES, who.size, p=[0.4, 0.25, 0.1, 0.1, 0.1, 0.05])
    hours = np.round(rng.gamma(2.0, 3.0, who.size), 1)
    hours[np.isin(service, ["langtidsopphold", "korttidsopphold"])] = np.nan
    return pd.DataFrame(
        {
            "lopenr": lnr[who],
            "komnr": komnr,
            "tjeneste": service,
            "fra_dato": start,
            "til_dato": np.where(ongoing, np.datetime64("NaT"), stop),
            "timer_per_uke": hours,
            "bistandsbehov": rng.choice(
                [1, 2, 3, 4, 5, 9], who.size, p=[0.1, 0.25, 0.3, 0.2, 0.1, 0.05]
            ),
        }
    ).sort_values(["fra_dato", "lopenr"], ignore_index=True)


def _population(code_by_year: dict[int, np.ndarray]) -> pd.DataFrame:
    weights = _age_weights()
    rows = []
    for y, codes in code_by_year.items():
        by_code: dict[str, float] = {}
        for c, code in zip(COMPONENTS, codes, strict=True):
            by_code[code] = by_code.get(code, 0) + c.population * (1 + 0.004 * (y - 2020))
        for code, pop in sorted(by_code.items()):
            for sex in (1, 2):
                counts = np.round(pop / 2 * weights).astype(int)
                rows.append(
                    pd.DataFrame(
                        {
                            "region": code,
                            "aar": y,
                            "alder": np.arange(101),
                            "kjonn": sex,
                            "personer": counts,
                        }
                    )
                )
    return pd.concat(rows, ignore_index=True)
