"""Known answers for design-weighted shares: a hand-computed case, statsmodels' WLS with HC1
errors (the same linearised variance), invariance to the weights' scale, Kish's effective n at
a share of 0, coverage of the interval in a simulated stratified survey; and the margins file
the config names for raking, with the errors a wrong one gets."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.stats.proportion import proportion_confint

from pipeline.errors import UserError
from pipeline.margins import read_margins
from pipeline.settings import load_settings
from pipeline.stats.proportions import Share, share, share_change
from tests.conftest import make_project


def _share(w: np.ndarray, y: np.ndarray) -> Share:
    w, y = np.asarray(w, float), np.asarray(y, bool)
    return Share(int(y.sum()), len(w), w.sum(), w[y].sum(), (w * w).sum(), (w * w)[y].sum())


def test_hand_computed_weighted_share() -> None:
    # w = 1, 2, 3, 4; y = 1, 0, 1, 1: p = 8/10; Σw²(y−p)² = .04 + 2.56 + .36 + .64 = 3.6;
    # v = 4/3 · 3.6 / 100 = 0.048; n_eff = p(1−p)/v = 0.16/0.048 = 10/3, x_eff = 8/3
    s = _share([1, 2, 3, 4], [1, 0, 1, 1])
    assert s.variance() == pytest.approx(0.048, rel=1e-12)
    x, n_eff = s.effective()
    assert (x, n_eff) == (pytest.approx(8 / 3), pytest.approx(10 / 3))
    e = share(s)
    low, high = proportion_confint(8 / 3, 10 / 3, method="wilson")
    assert (e.n, e.estimate, e.ci_low, e.ci_high) == (
        4,
        0.8,
        pytest.approx(low),
        pytest.approx(high),
    )
    assert "design-weighted" in e.method


def test_variance_is_statsmodels_wls_intercept_with_hc1() -> None:
    rng = np.random.default_rng(7)
    for n in (5, 40, 300):
        w, y = rng.gamma(2.0, 3.0, n), rng.random(n) < 0.3
        fit = sm.WLS(y.astype(float), np.ones(n), weights=w).fit(cov_type="HC1")
        s = _share(w, y)
        assert s.swy / s.sw == pytest.approx(fit.params[0], rel=1e-12)
        assert s.variance() == pytest.approx(fit.bse[0] ** 2, rel=1e-10)


def test_scale_of_the_weights_changes_nothing_and_equal_weights_give_n_minus_1() -> None:
    rng = np.random.default_rng(3)
    w, y = rng.uniform(0.5, 4, 60), rng.random(60) < 0.4
    a, b = share(_share(w, y)), share(_share(w * 250.0, y))
    assert (a.estimate, a.ci_low, a.ci_high) == pytest.approx((b.estimate, b.ci_low, b.ci_high))
    equal = _share(np.full(60, 2.0), y)
    p = y.mean()
    assert equal.variance() == pytest.approx(p * (1 - p) / 59)
    assert share(Share(int(y.sum()), 60)).method == "Wilson score 95%"  # unweighted stays


def test_a_share_of_zero_uses_kishs_effective_n() -> None:
    w = np.array([1.0, 1.0, 2.0, 4.0])
    s = _share(w, np.zeros(4))
    kish = w.sum() ** 2 / (w * w).sum()
    assert s.effective() == (0.0, pytest.approx(kish))
    e = share(s)
    assert e.estimate == 0.0 and e.ci_low == 0.0
    assert e.ci_high == pytest.approx(proportion_confint(0, kish, method="wilson")[1])


def test_weighted_interval_covers_a_stratified_population_share() -> None:
    # two strata, the small one (p = .7) sampled 5 times as heavily as the large (p = .2):
    # population share .2·.8 + .7·.2 = .30; weights are N_h / n_h
    rng = np.random.default_rng(11)
    covered, biased = 0, 0
    reps = 400
    for _ in range(reps):
        y = np.concatenate([rng.random(100) < 0.2, rng.random(100) < 0.7])
        w = np.concatenate([np.full(100, 8.0), np.full(100, 2.0)])
        e = share(_share(w, y))
        covered += e.ci_low <= 0.30 <= e.ci_high
        biased += abs(y.mean() - 0.30) > abs(e.estimate - 0.30)
    assert 0.92 <= covered / reps <= 0.98
    assert biased / reps > 0.95  # the unweighted share (.45 expected) is farther off


def test_weighted_change_combines_the_two_design_based_intervals() -> None:
    rng = np.random.default_rng(5)
    w1, y1 = rng.uniform(1, 3, 80), rng.random(80) < 0.5
    w2, y2 = rng.uniform(1, 3, 90), rng.random(90) < 0.3
    a, b = _share(w1, y1), _share(w2, y2)
    c = share_change(a, b)
    ea, eb = share(a), share(b)
    d = ea.estimate - eb.estimate
    # Newcombe's hybrid interval (method 10) built from the two weighted Wilson intervals
    low = d - np.hypot(ea.estimate - ea.ci_low, eb.ci_high - eb.estimate)
    high = d + np.hypot(ea.ci_high - ea.estimate, eb.estimate - eb.ci_low)
    assert (c.estimate.estimate, c.estimate.ci_low, c.estimate.ci_high) == pytest.approx(
        (d, low, high)
    )
    assert c.estimate.n == 170 and "design-weighted" in c.estimate.method
    pooled = Share.pooled([a, b])
    assert (pooled.n, pooled.sw) == (170, pytest.approx(w1.sum() + w2.sum()))


def _config(tmp_path: Path, block: str, margins: str | None) -> Path:
    config = make_project(tmp_path / "p")
    if margins is not None:
        (tmp_path / "p" / "margins.csv").write_text(margins, encoding="utf-8")
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[[evaluation.pilots]]", block + "\n[[evaluation.pilots]]", 1))
    return config


GOOD = (
    "wave;dimension;group;total\n2023;rolle;Leder;10\n2023;rolle;Koordinator;5,5\n"
    "2023;kommune;5530;15.5\n"
)


def test_margins_file_is_read_exactly(tmp_path: Path) -> None:
    block = '[evaluation.survey_weights.survey_staff]\nmargins = "margins.csv"\n'
    s = load_settings(_config(tmp_path, block, GOOD))
    (w,) = s.evaluation.survey_weights
    assert w.column is None and w.margins_file == tmp_path / "p" / "margins.csv"
    assert s.sources["survey_staff"].required == ()
    margins, sha = read_margins(tmp_path / "p" / "margins.csv")
    assert len(margins) == 3 and len(sha) == 64
    assert sum(m.total for m in margins if m.dimension == "rolle") == Fraction(31, 2)


def test_weight_column_is_mapped_and_required(tmp_path: Path) -> None:
    block = '[evaluation.survey_weights.survey_users]\ncolumn = "Vekt 2"\n'
    s = load_settings(_config(tmp_path, block, None))
    src = s.sources["survey_users"]
    assert src.columns["Vekt 2"] == "vekt" and src.required == ("vekt",)


@pytest.mark.parametrize(
    ("margins", "message"),
    [
        ("wave,dim,group,total\n", "wrong columns"),
        ("wave;dimension;group;total\n2023;rolle;Leder;0\n", "unusable total on row 2"),
        ("wave;dimension;group;total\n23;rolle;Leder;4\n", "unusable wave on row 2"),
        ("wave;dimension;group;total\n2023;sektor;Helse;4\n", "unusable dimension on row 2"),
        (GOOD + "2023;rolle;Leder;3\n", "unusable group on row 5"),
        (GOOD.replace("15.5", "15.4"), "do not describe one staff"),
        ("wave;dimension;group;total\n", "has no totals"),
    ],
)
def test_a_wrong_margins_file_is_named_with_its_row(
    tmp_path: Path, margins: str, message: str
) -> None:
    path = tmp_path / "margins.csv"
    path.write_text(margins, encoding="utf-8")
    with pytest.raises(UserError, match=message) as err:
        read_margins(path)
    assert "margins.csv" in str(err.value)
    with pytest.raises(UserError, match="not found"):
        read_margins(tmp_path / "none.csv")


def test_a_weight_block_for_an_unknown_survey_or_with_raking_for_users_is_refused(
    tmp_path: Path,
) -> None:
    bad = '[evaluation.survey_weights.survey_users]\nmargins = "margins.csv"\n'
    with pytest.raises(UserError, match="Unknown key 'margins'"):
        load_settings(_config(tmp_path, bad, GOOD))
    empty = "[evaluation.survey_weights.survey_staff]\n"
    with pytest.raises(UserError, match="weights nothing"):
        load_settings(_config(tmp_path / "e", empty, None))


def test_weighting_makes_the_weight_column_required_on_every_row() -> None:
    from pipeline.settings import PROJECT
    from pipeline.validate.contracts import load_contract

    plain = load_contract(PROJECT / "data_contracts/survey_users.yml")
    strict = plain.with_required(("vekt",), "weighted")
    assert not plain.columns["vekt"].required and strict.columns["vekt"].required
    (rule,) = [r for r in strict.rules if r.name == "vekt.not_null"]
    assert rule.severity == "quarantine" and "weighted" in rule.reason
    assert not any(r.name == "vekt.not_null" for r in plain.rules)
    with pytest.raises(UserError, match="requires column"):
        plain.with_required(("vekt2",), "weighted")
