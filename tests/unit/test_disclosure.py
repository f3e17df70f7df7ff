"""Disclosure control: no published count below the threshold, and no hidden cell that the
published cells and totals determine (audited by linear programming, independently of
Tau-Argus: each hidden cell's minimum and maximum given everything shown must differ)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from pipeline.disclosure import TOTAL, protect_counts

pytest.importorskip("pytauargus")


def _audit(table: pd.DataFrame, threshold: int) -> None:
    shown = table[table["shown"].notna()]
    assert not ((shown["n"] > 0) & (shown["n"] < threshold)).any()
    hidden = table[table["shown"].isna()].reset_index(drop=True)
    if hidden.empty:
        return
    index = {(r.r, r.c): i for i, r in enumerate(hidden.itertuples())}
    value = {(r.r, r.c): r.n for r in table.itertuples()}
    rows = sorted(set(table["r"]) - {TOTAL})
    cols = sorted(set(table["c"]) - {TOTAL})
    equations, rhs = [], []
    for line, members in [
        *(((x, TOTAL), [(x, c) for c in cols]) for x in rows),
        *(((TOTAL, c), [(x, c) for x in rows]) for c in cols),
        (((TOTAL, TOTAL)), [(TOTAL, c) for c in cols]),
    ]:  # total = sum of its cells, hidden ones as unknowns
        a = np.zeros(len(index))
        b = 0.0
        for cell in [*members]:
            if cell in index:
                a[index[cell]] += 1
            else:
                b -= value[cell]
        if line in index:
            a[index[line]] -= 1
        else:
            b += value[line]
        equations.append(a)
        rhs.append(b)
    for i, cell in enumerate(index):
        c = np.zeros(len(index))
        c[i] = 1
        low = linprog(c, A_eq=equations, b_eq=rhs, bounds=(0, None)).fun
        high = -linprog(-c, A_eq=equations, b_eq=rhs, bounds=(0, None)).fun
        assert high - low > 0.5, f"{cell} = {value[cell]} is determined by the published table"


def _table(counts: dict[tuple[str, str], int]) -> pd.DataFrame:
    return pd.DataFrame([{"r": r, "c": c, "n": n} for (r, c), n in counts.items()])


def test_hand_table_primary_and_secondary() -> None:
    counts = {
        ("A", "0-17"): 11, ("A", "18-66"): 35, ("A", "67-79"): 3, ("A", "80+"): 1,
        ("B", "0-17"): 4, ("B", "18-66"): 11, ("B", "67-79"): 0, ("B", "80+"): 2,
    }  # fmt: skip
    out = protect_counts(_table(counts), ["r", "c"], "n", 5)
    status = {(r.r, r.c): r.status for r in out.itertuples()}
    for cell in [("A", "67-79"), ("A", "80+"), ("B", "0-17"), ("B", "80+")]:
        assert status[cell] == "primary"
    assert status[("B", "67-79")] == "zero"
    assert "secondary" in status.values()
    assert out.loc[(out.r == TOTAL) & (out.c == TOTAL), "shown"].item() == 67
    _audit(out, 5)


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_pass_the_audit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(2, 6), rng.integers(2, 5)
    counts = {
        (f"k{i}", f"b{j}"): int(rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40]))
        for i in range(rows)
        for j in range(cols)
    }
    _audit(protect_counts(_table(counts), ["r", "c"], "n", 5), 5)


def test_all_zero_table_is_shown() -> None:
    out = protect_counts(_table({("A", "x"): 0, ("B", "x"): 0}), ["r", "c"], "n", 5)
    assert set(out["status"]) == {"zero"} and out["shown"].eq(0).all()
