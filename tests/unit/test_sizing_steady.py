"""The steady-state pilot of ``swapsim size``: when it lengthens the warm-up, what it says, and the
scenario it searches at (swapsim.experiments.sizing.steady)."""

from __future__ import annotations

from pathlib import Path

import pytest

from swapsim.experiments.sizing.horizon import span_h
from swapsim.experiments.sizing.steady import Steady, with_warmup
from swapsim.scenario import load_scenario, scenario_to_dict


def _steady(warmup_h: float, settled: bool = True, searched: float = 24.0) -> Steady:
    return Steady("p=1", 5, 1344.0, {"stockouts": warmup_h}, settled, warmup_h, searched, 144.0)


def test_a_warmup_far_beyond_the_searched_one_calls_for_a_new_search():
    s = _steady(720.0)  # the factory: swap waves form over 3 to 4 weeks
    assert s.lengthens
    assert s.verdict().startswith("warm-up lengthened from 24 h to 30 d (p=1, 5 replications of 56 d")


def test_a_small_cut_of_a_steady_series_does_not():
    # MSER-5 cuts a little off a stationary series too: under a quarter of the searched horizon is noise
    assert not _steady(24.0 + 0.24 * 168.0).lengthens
    assert _steady(24.0 + 0.26 * 168.0).lengthens
    assert _steady(30.0).verdict().startswith("steady after the searched warm-up of 24 h")


def test_a_series_that_never_settles_is_reported_as_a_trend_not_a_steady_state():
    v = _steady(672.0, settled=False).verdict()
    assert v.startswith("NOT STEADY") and "not for a steady state" in v


def test_with_warmup_keeps_the_measured_span():
    path = Path(__file__).resolve().parents[2] / "scenarios" / "factory.yaml"
    data = scenario_to_dict(load_scenario(path, ["horizon=7 d", "warmup=1 d"]))
    assert span_h(with_warmup(data, 720.0, 144.0)) == pytest.approx((720.0, 144.0))
