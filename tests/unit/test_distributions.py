"""Unit tests for swapsim.scenario.distributions: parsing, means, sample bounds and sample means."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from swapsim.scenario.distributions import (
    DurationDist,
    Empirical,
    Exponential,
    Fixed,
    LogNormal,
    Normal,
    Triangular,
    Uniform,
)

DIST = TypeAdapter(DurationDist)
MIN = 1 / 60  # one minute in hours
N = 20_000


def rng(seed: int = 7) -> np.random.Generator:
    return np.random.default_rng(seed)


def draws(dist, n: int = N, seed: int = 7) -> np.ndarray:
    g = rng(seed)
    return np.array([dist.sample(g) for _ in range(n)])


def test_plain_quantity_is_a_fixed_duration() -> None:
    d = DIST.validate_python("3 min")
    assert isinstance(d, Fixed)
    assert d.value == pytest.approx(3 * MIN)
    assert d.mean == pytest.approx(3 * MIN)
    assert all(d.sample(rng(s)) == d.value for s in range(5))


def test_explicit_fixed_equals_the_shorthand() -> None:
    assert DIST.validate_python({"dist": "fixed", "value": "3 min"}) == DIST.validate_python("3 min")


def test_shorthand_still_needs_a_unit() -> None:
    with pytest.raises(ValidationError, match="bare number has no unit"):
        DIST.validate_python(3)


@pytest.mark.parametrize(
    "spec, cls, mean_h",
    [
        ({"dist": "uniform", "low": "2 min", "high": "4 min"}, Uniform, 3 * MIN),
        ({"dist": "triangular", "low": "2 min", "mode": "3 min", "high": "7 min"}, Triangular, 4 * MIN),
        ({"dist": "exponential", "mean": "3 min"}, Exponential, 3 * MIN),
        ({"dist": "normal", "mean": "3 min", "sd": "0 s"}, Normal, 3 * MIN),
        ({"dist": "lognormal", "mean": "3 min", "sd": "1 min"}, LogNormal, 3 * MIN),
        (
            {"dist": "empirical", "values": ["2 min", "3 min", "5 min"], "weights": [1, 2, 1]},
            Empirical,
            (2 + 6 + 5) / 4 * MIN,
        ),
        ({"dist": "empirical", "values": ["2 min", "3 min", "7 min"]}, Empirical, 4 * MIN),
    ],
)
def test_each_distribution_parses_and_knows_its_mean(spec: dict, cls: type, mean_h: float) -> None:
    d = DIST.validate_python(spec)
    assert isinstance(d, cls)
    assert d.mean == pytest.approx(mean_h, rel=1e-12)


def test_truncated_normal_mean_is_the_mean_of_the_truncated_distribution() -> None:
    # N(mu, sd) truncated at 0: mean = mu + sd * phi(a) / (1 - Phi(a)), a = -mu / sd.
    d = Normal(dist="normal", mean="1 min", sd="2 min")
    a = -0.5
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    tail = 1 - 0.5 * (1 + math.erf(a / math.sqrt(2)))
    assert d.mean == pytest.approx((1 + 2 * phi / tail) * MIN, rel=1e-12)
    assert d.mean > d.mean_


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "uniform", "low": "2 min", "high": "4 min"},
        {"dist": "triangular", "low": "2 min", "mode": "3 min", "high": "7 min"},
        {"dist": "exponential", "mean": "3 min"},
        {"dist": "normal", "mean": "3 min", "sd": "1 min"},
        {"dist": "normal", "mean": "1 min", "sd": "2 min"},  # heavily truncated
        {"dist": "lognormal", "mean": "3 min", "sd": "1 min"},
        {"dist": "empirical", "values": ["2 min", "3 min", "5 min"], "weights": [1, 2, 1]},
    ],
)
def test_sample_mean_matches_the_stated_mean(spec: dict) -> None:
    d = DIST.validate_python(spec)
    x = draws(d)
    se = x.std(ddof=1) / math.sqrt(len(x))
    assert abs(x.mean() - d.mean) < 4.5 * se


def test_lognormal_matches_its_stated_sd() -> None:
    d = LogNormal(dist="lognormal", mean="3 min", sd="1 min")
    x = draws(d, n=40_000)
    assert x.std(ddof=1) == pytest.approx(1 * MIN, rel=0.05)


@pytest.mark.parametrize(
    "spec, low, high",
    [
        ({"dist": "uniform", "low": "2 min", "high": "4 min"}, 2 * MIN, 4 * MIN),
        ({"dist": "triangular", "low": "2 min", "mode": "2 min", "high": "7 min"}, 2 * MIN, 7 * MIN),
        ({"dist": "exponential", "mean": "3 min"}, 0.0, math.inf),
        ({"dist": "normal", "mean": "0 s", "sd": "5 min"}, 0.0, math.inf),
        ({"dist": "lognormal", "mean": "3 min", "sd": "10 min"}, 0.0, math.inf),
        ({"dist": "uniform", "low": "3 min", "high": "3 min"}, 3 * MIN, 3 * MIN),
    ],
)
def test_samples_stay_within_bounds(spec: dict, low: float, high: float) -> None:
    x = draws(DIST.validate_python(spec), n=5000)
    assert x.min() >= low
    assert x.max() <= high


def test_empirical_draws_only_listed_values_in_proportion_to_weights() -> None:
    d = Empirical(dist="empirical", values=["1 min", "2 min", "4 min"], weights=[0, 1, 3])
    x = draws(d)
    assert set(np.round(x / MIN, 9)) <= {2.0, 4.0}
    share_4 = np.mean(np.isclose(x, 4 * MIN))
    assert share_4 == pytest.approx(0.75, abs=4.5 * math.sqrt(0.75 * 0.25 / N))


def test_sampling_uses_only_the_generator_given() -> None:
    d = Exponential(dist="exponential", mean="3 min")
    assert draws(d, 50, seed=3).tolist() == draws(d, 50, seed=3).tolist()
    assert draws(d, 50, seed=3).tolist() != draws(d, 50, seed=4).tolist()


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ({"dist": "uniform", "low": "4 min", "high": "2 min"}, "must be >= low"),
        ({"dist": "triangular", "low": "2 min", "mode": "8 min", "high": "7 min"}, "low <= mode <= high"),
        ({"dist": "triangular", "low": "2 min", "mode": "2 min", "high": "2 min"}, "low < high"),
        ({"dist": "exponential", "mean": "0 s"}, "greater than 0"),
        ({"dist": "normal", "mean": "3 min", "sd": "-1 min"}, "greater than or equal to 0"),
        ({"dist": "empirical", "values": []}, "at least 1 item"),
        ({"dist": "empirical", "values": ["1 min", "-1 min"]}, "durations must be >= 0"),
        ({"dist": "empirical", "values": ["1 min"], "weights": [1, 2]}, "one entry per value"),
        ({"dist": "empirical", "values": ["1 min", "2 min"], "weights": [0, 0]}, "positive sum"),
        ({"dist": "gamma", "mean": "3 min"}, "does not match any of the expected tags"),
        ({"dist": "uniform", "low": "2 min", "high": "4 min", "mode": "3 min"}, "Extra inputs"),
        ({"low": "2 min"}, "Unable to extract tag"),
    ],
)
def test_invalid_distributions_are_rejected(spec: dict, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        DIST.validate_python(spec)
    assert fragment in str(info.value)


def test_distributions_are_frozen() -> None:
    d = DIST.validate_python("3 min")
    with pytest.raises(ValidationError):
        d.value = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "spec",
    [
        "3 min",
        {"dist": "uniform", "low": "1 min", "high": "5 min"},
        {"dist": "triangular", "low": "1 min", "mode": "2 min", "high": "5 min"},
        {"dist": "exponential", "mean": "3 min"},
        {"dist": "normal", "mean": "1 min", "sd": "2 min"},  # about 30 % of raw draws negative: redrawn
        {"dist": "lognormal", "mean": "3 min", "sd": "1 min"},
        {"dist": "empirical", "values": ["1 min", "2 min"], "weights": [1, 3]},
    ],
)
def test_sampler_gives_exactly_the_draws_of_repeated_sample_calls(spec) -> None:
    """A sampler may draw ahead in blocks, but over a stream of its own it yields the very numbers
    that one sample() call at a time would (across several blocks, truncation redraws included)."""
    d = DIST.validate_python(spec)
    block = d.sampler(rng(11))
    one_by_one = rng(11)
    assert [block() for _ in range(1_000)] == [d.sample(one_by_one) for _ in range(1_000)]


NUMPY_METHOD = {
    "uniform": lambda d, g: g.uniform(d.low, d.high),
    "triangular": lambda d, g: g.triangular(d.low, d.mode, d.high),
    "exponential": lambda d, g: g.exponential(d.mean_),
    "normal": lambda d, g: g.normal(d.mean_, d.sd),
    "lognormal": lambda d, g: g.lognormal(*d._params()),
}


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "uniform", "low": "2 min", "high": "6 min"},
        {"dist": "uniform", "low": "0 min", "high": "1 min"},
        {"dist": "triangular", "low": "15 min", "mode": "25 min", "high": "45 min"},
        {"dist": "triangular", "low": "1 min", "mode": "1 min", "high": "5 min"},  # mode at the low end
        {"dist": "triangular", "low": "1 min", "mode": "5 min", "high": "5 min"},  # mode at the high end
        {"dist": "exponential", "mean": "3 min"},
        {"dist": "normal", "mean": "3 min", "sd": "30 s"},
        {"dist": "lognormal", "mean": "3 min", "sd": "1 min"},
    ],
)
def test_a_draw_is_numpys_own_draw_and_moves_the_stream_as_far(spec) -> None:
    """sample() applies numpy's formula to one standard draw instead of calling numpy's method
    (which costs more per call): the numbers are numpy's, bit for bit, and the stream ends in the same
    state, so a scenario gives the same results as with numpy's methods. The normal is checked
    before truncation (its redraws only repeat the same step)."""
    d = DIST.validate_python(spec)
    ours, theirs = rng(3), rng(3)
    method = NUMPY_METHOD[d.dist]
    if d.dist == "normal":  # compare the untruncated draw: mean + sd * standard normal
        mine = [d.mean_ + d.sd * ours.standard_normal() for _ in range(N)]
    else:
        mine = [d.sample(ours) for _ in range(N)]
    assert mine == [float(method(d, theirs)) for _ in range(N)]
    assert ours.bit_generator.state == theirs.bit_generator.state


def test_a_truncated_normal_draw_is_numpys_first_non_negative_draw() -> None:
    d = DIST.validate_python({"dist": "normal", "mean": "1 min", "sd": "2 min"})
    ours, theirs = rng(5), rng(5)
    for _ in range(2_000):
        x = float(theirs.normal(d.mean_, d.sd))
        while x < 0:
            x = float(theirs.normal(d.mean_, d.sd))
        assert d.sample(ours) == x
    assert ours.bit_generator.state == theirs.bit_generator.state
