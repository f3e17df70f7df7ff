"""The sample's registry design at the level the DiD sees it — municipality × year emergency
admission rates — drawn directly, so that inference can be checked over hundreds of
replications in minutes (`ot-eval validate-stats`).

Same municipalities and sizes, same pilot years, same year shocks, municipality × year
shocks and planted effect as `registries.py` (its constants, one source); the person level is
summed out: a municipality-year's admissions are Poisson with mean rate × person-years (a
sum of persons' Poisson counts is Poisson). Deaths and moves are left out (they change
person-years by a few per cent). Years are used as the default config uses them: a pilot's
partly run first year (2018) and the years after it ended are not in the panel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.sample.municipalities import COMPONENTS
from pipeline.sample.registries import (
    EFFECT_PER_1000,
    FIRST_TREATED_YEAR,
    PILOT_LAST_YEAR,
    REGISTRY_FRACTION,
    YEAR_SHOCK,
    YEARS,
    mean_admission_rate,
    municipality_year_shocks,
)


@dataclass(frozen=True)
class Design:
    """What a simulated panel plants: the effect, the pilots' differential trend (both per
    1,000 person-years) and the registry's size (`scale` as in [sample])."""

    effect_per_1000: float = EFFECT_PER_1000
    pre_trend_per_1000: float = 0.0
    scale: float = 1.0


def municipalities() -> pd.DataFrame:
    """Today's municipalities of the sample: name, population, pilot."""
    rows: dict[str, list] = {}
    for c in COMPONENTS:
        row = rows.setdefault(c.municipality, [c.municipality, 0, c.pilot])
        row[1] += c.population
    return pd.DataFrame(list(rows.values()), columns=["kommune", "population", "pilot"])


def simulated_panel(rng: np.random.Generator, design: Design) -> pd.DataFrame:
    """One draw of the panel: kommune, year, person_years, admissions, rate (per 1,000),
    is_treated, relative_year (year − the pilot's start year 2018, missing elsewhere)."""
    munis = municipalities()
    names = munis["kommune"].to_numpy()
    shocks = municipality_year_shocks(rng, names)
    level = rng.uniform(0.85, 1.15, names.size) * mean_admission_rate()
    frame = pd.DataFrame([(i, y) for i in range(names.size) for y in YEARS], columns=["i", "year"])
    i, year = frame["i"].to_numpy(), frame["year"].to_numpy()
    pilot = munis["pilot"].to_numpy()[i]
    last = np.array([PILOT_LAST_YEAR.get(n, 0) for n in names])[i]
    treated = pilot & (year >= FIRST_TREATED_YEAR) & (year <= last)
    person_years = np.maximum(
        20, np.round(munis["population"].to_numpy()[i] * REGISTRY_FRACTION * design.scale)
    )
    rate = (
        level[i]
        + np.array([YEAR_SHOCK[y] for y in year])
        + shocks[i, year - YEARS[0]]
        + pilot * design.pre_trend_per_1000 / 1000 * (year - (FIRST_TREATED_YEAR - 1))
        + treated * design.effect_per_1000 / 1000
    )
    admissions = rng.poisson(np.maximum(rate, 0) * person_years)
    frame = pd.DataFrame(
        {
            "kommune": names[i],
            "year": year,
            "person_years": person_years.astype(float),
            "admissions": admissions,
            "rate": admissions / person_years * 1000,
            "is_treated": treated.astype(float),
            "relative_year": np.where(pilot, year - (FIRST_TREATED_YEAR - 1), np.nan),
        }
    )
    partial = pilot & (year == FIRST_TREATED_YEAR - 1)
    after_exit = pilot & (year > last)
    return frame[~(partial | after_exit)].reset_index(drop=True)
