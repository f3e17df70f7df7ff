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


def _audit(table: pd.DataFrame, threshold: int, totals_too: bool = True) -> None:
    """No shown small count, and no hidden cell (with totals_too, no hidden total either)
    that the published cells and totals determine."""
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
        if not totals_too and TOTAL in cell:
            continue  # a total hidden by policy that follows from the others names nobody
        c = np.zeros(len(index))
        c[i] = 1
        low = linprog(c, A_eq=equations, b_eq=rhs, bounds=(0, None)).fun
        top = linprog(-c, A_eq=equations, b_eq=rhs, bounds=(0, None))
        high = float("inf") if top.status == 3 else -top.fun  # 3: unbounded above
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


def _audit_one_dim(table: pd.DataFrame, threshold: int) -> None:
    shown = table[table["shown"].notna()]
    assert not ((shown["n"] > 0) & (shown["n"] < threshold)).any()
    hidden = table[table["shown"].isna()]
    assert TOTAL not in set(hidden["c"]) or len(hidden) > 1
    cells = hidden[hidden["c"] != TOTAL]
    # one equation: the total is the sum of the cells; one hidden cell alone would follow
    assert len(cells) != 1, f"{cells['c'].tolist()} follows from the total"


@pytest.mark.parametrize("seed", range(8))
def test_one_dimension_tables_pass_the_audit(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    counts = {f"b{j}": int(rng.choice([0, 1, 3, 4, 6, 9, 15])) for j in range(rng.integers(2, 6))}
    data = pd.DataFrame([{"c": c, "n": n} for c, n in counts.items()])
    out = protect_counts(data, ["c"], "n", 5)
    assert out.loc[out["c"] == TOTAL, "n"].item() == sum(counts.values())
    _audit_one_dim(out, 5)


def test_engine_leaves_no_files_behind(tmp_path, monkeypatch) -> None:
    """Tau-Argus writes the units as microdata and its logs into the working directory:
    nothing of it may stay on disk (neither in the working directory nor in the temp dir)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    protect_counts(_table({("A", "x"): 3, ("A", "y"): 9, ("B", "x"): 7, ("B", "y"): 8}),
                   ["r", "c"], "n", 5)  # fmt: skip
    assert list(tmp_path.rglob("*")) == [tmp_path / "tmp"]


@pytest.mark.parametrize("seed", range(10))
def test_row_by_row_tables_pass_the_audit_and_match_each_row_alone(seed: int) -> None:
    """Every row hidden exactly as the row alone (the municipality's quarterly report), and
    the whole table with its shown totals still passes the linear-programming audit."""
    from pipeline.disclosure import protect_by_row

    rng = np.random.default_rng(200 + seed)
    rows, cols = rng.integers(2, 6), rng.integers(2, 5)
    counts = {
        (f"k{i}", f"b{j}"): int(rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40]))
        for i in range(rows)
        for j in range(cols)
    }
    table = protect_by_row(_table(counts), ["r", "c"], "n", 5)
    _audit(table, 5, totals_too=False)
    for row, part in _table(counts).groupby("r"):
        alone = protect_counts(part, ["c"], "n", 5)
        mine = table[table["r"] == row]
        assert dict(zip(alone["c"], alone["shown"].isna(), strict=True)) == dict(
            zip(mine["c"], mine["shown"].isna(), strict=True)
        )
