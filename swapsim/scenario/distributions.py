"""Probability distributions of durations, as they appear in scenario files.

A duration parameter is either a plain quantity (``"3 min"``: always that value) or a mapping with
a ``dist`` key::

    {dist: fixed, value: 3 min}
    {dist: uniform, low: 2 min, high: 4 min}
    {dist: triangular, low: 2 min, mode: 3 min, high: 6 min}
    {dist: exponential, mean: 3 min}
    {dist: normal, mean: 3 min, sd: 30 s}          # truncated at 0 (redrawn while negative)
    {dist: lognormal, mean: 3 min, sd: 1 min}      # mean and sd of the duration itself
    {dist: empirical, values: [2 min, 3 min, 5 min], weights: [1, 2, 1]}

All values are parsed to hours. Each distribution knows its mean (in hours) and draws from a
generator it is given; it holds no random state of its own.

One draw (:meth:`sample`) gives exactly the number numpy's own method gives and advances the stream
exactly as much. Where numpy's method is a formula on one standard draw (``uniform``, ``triangular``,
``normal``, ``lognormal``), that formula is applied here, in numpy's order of operations, to
``rng.random()`` or ``rng.standard_normal()``: this skips numpy's per-call argument handling (a
uniform draw costs a quarter of the time). ``tests/unit/test_distributions.py`` checks the numbers
and the stream state against numpy's methods.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from swapsim.scenario.limits import Real
from swapsim.scenario.units import Duration
from swapsim.streams import BlockDraws, uniform

__all__ = [
    "DurationDist",
    "Fixed",
    "Uniform",
    "Triangular",
    "Exponential",
    "Normal",
    "LogNormal",
    "Empirical",
    "DIST_NAMES",
]


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def sample(self, rng: np.random.Generator) -> float:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def sampler(self, rng: np.random.Generator) -> Callable[[], float]:
        """A function returning successive draws, the same sequence as repeated ``sample(rng)`` calls,
        for a stream that feeds this distribution alone (it may draw ahead, in blocks)."""
        block = self._block(rng)
        if block is None:
            return lambda: self.sample(rng)
        return block.next

    def _block(self, rng: np.random.Generator) -> BlockDraws | None:
        return None


class Fixed(_Dist):
    """Always the same duration."""

    dist: Literal["fixed"] = "fixed"
    value: Duration = Field(ge=0)

    @property
    def mean(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator) -> float:
        return self.value

    def sampler(self, rng: np.random.Generator) -> Callable[[], float]:
        value = self.value
        return lambda: value


class Uniform(_Dist):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: Duration = Field(ge=0)
    high: Duration

    @field_validator("high")
    @classmethod
    def _high_above_low(cls, v: float, info) -> float:
        low = info.data.get("low")
        if low is not None and v < low:
            raise ValueError("must be >= low")
        return v

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    def sample(self, rng: np.random.Generator) -> float:
        return uniform(rng, self.low, self.high)

    def _block(self, rng: np.random.Generator) -> BlockDraws:
        return BlockDraws(lambda n: rng.uniform(self.low, self.high, n))


class Triangular(_Dist):
    """Triangular on [low, high] with peak at ``mode``."""

    dist: Literal["triangular"]
    low: Duration = Field(ge=0)
    mode: Duration
    high: Duration

    @model_validator(mode="after")
    def _ordered(self) -> "Triangular":
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError("needs low <= mode <= high and low < high")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    def sample(self, rng: np.random.Generator) -> float:
        # numpy's triangular(low, mode, high): inversion of one standard uniform, same operations
        low, mode, high = self.low, self.mode, self.high
        base = high - low
        left = mode - low
        u = rng.random()
        if u <= left / base:
            return low + math.sqrt(u * (left * base))
        return high - math.sqrt((1.0 - u) * ((high - mode) * base))

    def _block(self, rng: np.random.Generator) -> BlockDraws:
        return BlockDraws(lambda n: rng.triangular(self.low, self.mode, self.high, n))


class Exponential(_Dist):
    """Exponential with the given mean."""

    dist: Literal["exponential"]
    mean_: Duration = Field(alias="mean", gt=0)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    @property
    def mean(self) -> float:
        return self.mean_

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.exponential(self.mean_))

    def _block(self, rng: np.random.Generator) -> BlockDraws:
        return BlockDraws(lambda n: rng.exponential(self.mean_, n))


class Normal(_Dist):
    """Normal with ``mean`` and ``sd``, truncated at zero by redrawing negative values.

    ``mean`` reports the mean of the truncated distribution.
    """

    dist: Literal["normal"]
    mean_: Duration = Field(alias="mean", ge=0)
    sd: Duration = Field(ge=0)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    @property
    def mean(self) -> float:
        if self.sd == 0:
            return self.mean_
        a = -self.mean_ / self.sd
        phi = math.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
        tail = 0.5 * math.erfc(a / math.sqrt(2))
        return self.mean_ + self.sd * phi / tail

    def sample(self, rng: np.random.Generator) -> float:
        mean, sd = self.mean_, self.sd
        while True:
            x = mean + sd * rng.standard_normal()  # numpy's normal(mean, sd)
            if x >= 0:
                return x

    def _block(self, rng: np.random.Generator) -> BlockDraws:
        return BlockDraws(lambda n: rng.normal(self.mean_, self.sd, n), nonnegative=True)


@functools.lru_cache(maxsize=256)
def _lognormal_params(mean: float, sd: float) -> tuple[float, float]:
    """(mu, sigma) of the underlying normal of a lognormal duration with this ``mean`` and ``sd``
    (cached: a draw would otherwise compute three logarithms and a root)."""
    sigma2 = math.log1p((sd / mean) ** 2)
    return math.log(mean) - 0.5 * sigma2, math.sqrt(sigma2)


class LogNormal(_Dist):
    """Lognormal given by the mean and standard deviation of the duration itself."""

    dist: Literal["lognormal"]
    mean_: Duration = Field(alias="mean", gt=0)
    sd: Duration = Field(ge=0)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    @property
    def mean(self) -> float:
        return self.mean_

    def _params(self) -> tuple[float, float]:
        return _lognormal_params(self.mean_, self.sd)

    def sample(self, rng: np.random.Generator) -> float:
        mu, sigma = self._params()
        return math.exp(mu + sigma * rng.standard_normal())  # numpy's lognormal(mu, sigma)

    def _block(self, rng: np.random.Generator) -> BlockDraws:
        mu, sigma = self._params()
        return BlockDraws(lambda n: rng.lognormal(mu, sigma, n))


class Empirical(_Dist):
    """One of the listed ``values``, with optional relative ``weights``."""

    dist: Literal["empirical"]
    values: list[Duration] = Field(min_length=1)
    weights: list[Real] | None = None

    @field_validator("values")
    @classmethod
    def _non_negative(cls, v: list[float]) -> list[float]:
        if any(x < 0 for x in v):
            raise ValueError("durations must be >= 0")
        return v

    @model_validator(mode="after")
    def _weights_match(self) -> "Empirical":
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("weights must have one entry per value")
            if any(w < 0 for w in self.weights) or not 0 < sum(self.weights) < math.inf:
                raise ValueError("weights must be >= 0 with a positive sum (a finite one)")
        return self

    def _p(self) -> np.ndarray | None:
        if self.weights is None:
            return None
        w = np.asarray(self.weights, dtype=float)
        return w / w.sum()

    @property
    def mean(self) -> float:
        p = self._p()
        v = np.asarray(self.values, dtype=float)
        return float(v.mean() if p is None else v @ p)

    def sample(self, rng: np.random.Generator) -> float:
        return float(self.values[int(rng.choice(len(self.values), p=self._p()))])


DIST_NAMES = ("fixed", "uniform", "triangular", "exponential", "normal", "lognormal", "empirical")


def _shorthand(value: object) -> object:
    """A plain quantity string means a fixed duration."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    return value


DurationDist = Annotated[
    Fixed | Uniform | Triangular | Exponential | Normal | LogNormal | Empirical,
    Field(discriminator="dist"),
    BeforeValidator(_shorthand),
]
"""A duration distribution (hours), written as a quantity or a ``{dist: ...}`` mapping."""
