"""Student-t quantiles and confidence intervals of swapsim.validation (no SciPy at run time)."""

from __future__ import annotations

import math

import pytest

from swapsim.analysis.validation import mean_ci, student_t_cdf, student_t_quantile

# two-sided 95 % and 99 % critical values from printed tables
TABLE = [(1, 0.975, 12.706), (2, 0.975, 4.303), (5, 0.975, 2.571), (10, 0.975, 2.228), (30, 0.975, 2.042),
         (3, 0.995, 5.841), (9, 0.995, 3.250), (4, 0.9995, 8.610)]


@pytest.mark.parametrize("df, p, value", TABLE)
def test_quantiles_match_tables(df: int, p: float, value: float) -> None:
    assert student_t_quantile(p, df) == pytest.approx(value, abs=1.5e-3)
    assert student_t_quantile(1 - p, df) == pytest.approx(-value, abs=1.5e-3)


def test_cdf_and_quantile_are_inverse_and_match_scipy() -> None:
    for df in (1, 2.5, 7, 40):
        for p in (0.6, 0.9, 0.99, 0.9999):
            assert student_t_cdf(student_t_quantile(p, df), df) == pytest.approx(p, abs=1e-10)
    stats = pytest.importorskip("scipy.stats")
    for df in (1, 3, 12, 100):
        for p in (0.75, 0.975, 0.9995):
            assert student_t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-8)


def test_large_df_tends_to_normal() -> None:
    assert student_t_quantile(0.975, 1e6) == pytest.approx(1.959964, abs=1e-5)


def test_mean_ci() -> None:
    ci = mean_ci([1.0, 2.0, 3.0, 4.0], level=0.95)
    assert ci.mean == 2.5 and ci.n == 4
    assert ci.half_width == pytest.approx(3.182446 * math.sqrt(1.6666667 / 4), rel=1e-6)
    assert ci.contains(2.5) and not ci.contains(5.0)
    with pytest.raises(ValueError):
        mean_ci([1.0])
