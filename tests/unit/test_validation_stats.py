"""Confidence intervals of swapsim.analysis.validation: Student-t intervals on swapsim.experiments.mean_ci."""

from __future__ import annotations

import math

import pytest

from swapsim.analysis.validation import CI, mean_ci

# two-sided 95 % and 99 % critical values from printed tables: (replications, level, t)
TABLE = [
    (2, 0.95, 12.706),
    (3, 0.95, 4.303),
    (6, 0.95, 2.571),
    (11, 0.95, 2.228),
    (31, 0.95, 2.042),
    (4, 0.99, 5.841),
    (10, 0.99, 3.250),
    (5, 0.999, 8.610),
]


@pytest.mark.parametrize("n, level, t", TABLE)
def test_half_width_uses_the_student_t_quantile(n: int, level: float, t: float) -> None:
    values = [float(i % 3) for i in range(n - 1)] + [5.0]
    ci = mean_ci(values, level)
    sd = math.sqrt(math.fsum((v - ci.mean) ** 2 for v in values) / (n - 1))
    assert ci.half_width == pytest.approx(t * sd / math.sqrt(n), abs=1.5e-3 * sd / math.sqrt(n))
    assert ci.sd == pytest.approx(sd, rel=1e-12)
    assert ci.se == pytest.approx(sd / math.sqrt(n), rel=1e-12)
    assert ci.n == n and ci.level == level


def test_mean_ci() -> None:
    ci = mean_ci([1.0, 2.0, 3.0, 4.0], level=0.95)
    assert ci.mean == 2.5 and ci.n == 4
    assert ci.half_width == pytest.approx(3.182446 * math.sqrt(1.6666667 / 4), rel=1e-6)
    assert ci.contains(2.5) and not ci.contains(5.0)
    assert ci.fmt(2) == f"2.50 ± {ci.half_width:.2f}"
    with pytest.raises(ValueError):
        mean_ci([1.0])


def test_ci_without_sd_has_no_standard_error() -> None:
    assert math.isnan(CI(1.0, math.nan, 1, 0.95).se)
