"""The horizon check's verdict on synthetic evidence, and the long scenario it runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from swapsim.experiments.sizing import rs
from swapsim.experiments.sizing.horizon import ConfigAtHorizon, HorizonCheck, TargetAtHorizon, long_data, span_h
from swapsim.experiments.sizing.space import Config, Target
from swapsim.scenario import load_scenario, scenario_to_dict

WAIT = Target("swaps.wait_min.p95", "<=", 5.0)


def _at(role: str, values: list[float], short: float) -> ConfigAtHorizon:
    decision, bound = rs.decide(values, WAIT.value, WAIT.upper, 0.05)
    shift = rs.paired(values, [short] * len(values))
    t = TargetAtHorizon(WAIT, short, bound, decision, shift)
    return ConfigAtHorizon(role, Config(0, (1,), {}, 1.0), f"{role} config", len(values), (t,))


def _check(best: ConfigAtHorizon, cheaper: ConfigAtHorizon | None) -> HorizonCheck:
    return HorizonCheck(4.0, 144.0, 576.0, len(best.targets), 0.05, best, cheaper)


def test_the_decision_stands_when_the_answer_holds_and_the_cheaper_one_misses():
    h = _check(_at("best", [2.0, 2.2, 1.9, 2.1], 2.0), _at("cheaper", [8.0, 8.5, 7.9, 8.2], 6.0))
    assert h.best_holds and h.stands
    assert h.verdict().startswith("the decision stands at 4x the horizon (24 d measured")
    assert h.verdict().endswith("the next cheaper one (cheaper config) still misses swaps.wait_min.p95<=5")


def test_an_answer_that_fails_at_the_long_horizon_changes_with_the_horizon():
    h = _check(_at("best", [8.0, 9.0, 8.5, 8.7], 2.3), None)  # the factory's 7 d vs 30 d
    assert not h.best_holds and not h.stands
    assert "CHANGES WITH THE HORIZON" in h.verdict() and "fails swaps.wait_min.p95<=5" in h.verdict()
    doubt = _check(_at("best", [3.0, 7.0, 4.0, 6.5], 2.3), None)  # not shown either way: not feasible
    assert not doubt.best_holds and "is not shown to meet" in doubt.verdict()


def test_a_cheaper_configuration_holding_at_the_long_horizon_is_reported():
    h = _check(_at("best", [2.0, 2.2, 1.9, 2.1], 2.0), _at("cheaper", [3.0, 3.2, 2.9, 3.1], 6.0))
    assert h.best_holds and not h.stands
    assert "over-sized" in h.verdict()


def test_long_data_keeps_the_warmup_and_multiplies_the_measured_span():
    path = Path(__file__).resolve().parents[2] / "scenarios" / "factory.yaml"
    data = scenario_to_dict(load_scenario(path, ["horizon=7 d", "warmup=1 d"]))
    assert span_h(data) == pytest.approx((24.0, 144.0))
    assert span_h(long_data(data, 4.0)) == pytest.approx((24.0, 576.0))
