"""The pandas baseline: the panel of bench/bound.sql as a researcher would write it in plain
pandas — every file read whole into memory, then merged and grouped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

CONTACT_CODES = {
    "2ad", "2ak", "2ed", "2fk", "074a", "074b", "074d", "615", "2ae", "2aef", "2aek", "074ae",
    "074be", "11ad", "11ak", "1ad", "1ak", "1e", "618", "701a", "1bd", "1bk", "1g", "1i",
    "612a", "612b", "1f", "14", "l36", "l36d",
}  # fmt: skip


def panel(
    persons: Path,
    npr: Path,
    kuhr: Path,
    codes: Path,
    municipalities: list[str],
    years: tuple[int, int],
) -> pd.DataFrame:
    code_list = pd.read_csv(codes, sep=";", dtype=str)
    four = code_list["code_2024"].fillna("").str.fullmatch(r"\d{4}")
    to_2024 = dict(zip(code_list["code"], code_list["code_2024"].where(four), strict=True))

    def harmonise(codes: pd.Series) -> pd.Series:
        return codes.map(to_2024).fillna(codes)

    p = pd.read_parquet(persons)
    start = pd.to_datetime(p["aar"].astype(str) + "-01-01")
    end = pd.to_datetime((p["aar"] + 1).astype(str) + "-01-01")
    death = pd.to_datetime(p["dodsdato"])
    p = p[death.isna() | (death >= start)]
    stop = np.minimum((death + pd.Timedelta(days=1)).fillna(end), end)[p.index]
    p = p.assign(kommune=harmonise(p["komnr"]), year=p["aar"], days=(stop - start[p.index]).dt.days)
    person_years = p.groupby(["kommune", "year"]).agg(
        persons=("lopenr", "size"), days_at_risk=("days", "sum")
    )

    e = pd.read_parquet(npr)
    e = e[(e["omsorgsniva"] == 1) & e["innmateHast"].between(1, 3) & (e["utdato"] >= e["inndato"])]
    e = e.assign(kommune=harmonise(e["komnr"]), year=pd.to_datetime(e["inndato"]).dt.year)
    admissions = e.groupby(["kommune", "year"]).size().rename("emergency_admissions")

    k = pd.read_csv(kuhr, sep=";", dtype={"komnr": str, "takst": str})
    copies = k.groupby(["regning_id", "takst"])["takst"].transform("size")
    k = k[(copies == 1) & k["takst"].str.lower().isin(CONTACT_CODES)]
    claims = k.groupby("regning_id").agg(
        komnr=("komnr", "first"), dato=("dato", "first"), service=("tjenestetype", "first")
    )
    claims = claims.assign(
        kommune=harmonise(claims["komnr"]), year=pd.to_datetime(claims["dato"]).dt.year
    )
    contacts = (
        claims.groupby(["kommune", "year", "service"]).size().unstack(fill_value=0)
        .reindex(columns=["fastlege", "legevakt"], fill_value=0)
        .rename(columns={"fastlege": "gp_contacts", "legevakt": "legevakt_contacts"})
    )  # fmt: skip

    out = person_years.join(admissions).join(contacts).fillna(0).reset_index()
    out = out[out["kommune"].isin(municipalities) & out["year"].between(*years)]
    numbers = ["emergency_admissions", "gp_contacts", "legevakt_contacts"]
    out[numbers] = out[numbers].astype("int64")
    return out.sort_values(["kommune", "year"]).reset_index(drop=True)
