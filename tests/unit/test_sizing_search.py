"""The search's bookkeeping on synthetic evidence: monotonicity violations are flagged, binding targets."""

from __future__ import annotations

from swapsim.experiments.sizing import rs
from swapsim.experiments.sizing.search import Evaluated, binding_targets, monotonicity
from swapsim.experiments.sizing.space import Config, Dimension, Target
from swapsim.experiments.sizing.spec import SizeSpec

DIMS = (Dimension("stations[*].positions", 1, 3),)
TARGET = Target("swaps.wait_min.mean", "<=", 2.0)


def _spec() -> SizeSpec:
    return SizeSpec(source="t", base_data={}, dims=DIMS, targets=(TARGET,))


def _ev(c: int, waits: list[float], status: str) -> Evaluated:
    ev = Evaluated(Config(c - 1, (c,), {}, float(c)), status=status)
    ev.runs = {r: {"swaps.wait_min.mean": w, "costs.total_per_year": float(c)} for r, w in enumerate(waits)}
    ev.decisions[str(TARGET)] = rs.FAILS if status == "infeasible" else rs.HOLDS
    ev.bounds[TARGET.kpi] = rs.one_sided(waits, 0.05)
    return ev


def test_more_resources_doing_significantly_worse_is_flagged():
    one = _ev(1, [1.0, 1.1, 0.9, 1.0, 1.05], "feasible")
    two = _ev(2, [3.0, 3.1, 2.9, 3.0, 3.05], "infeasible")  # more positions, longer waits: a violation
    violations, checks, observed = monotonicity(_spec(), [one, two])
    assert checks == 1 and observed == {}
    assert len(violations) == 2
    assert any(v.startswith("swaps.wait_min.mean worse with more positions: #1") for v in violations)
    assert any("is infeasible but" in v for v in violations)


def test_monotone_evidence_is_not_flagged_and_noise_is_not_a_violation():
    one = _ev(1, [3.0, 3.1, 2.9, 3.0, 3.05], "infeasible")
    two = _ev(2, [1.0, 1.1, 0.9, 1.0, 1.05], "feasible")
    three = _ev(3, [1.0, 1.2, 0.8, 1.1, 0.95], "feasible")  # no better than two, within noise
    violations, checks, observed = monotonicity(_spec(), [one, two, three])
    assert violations == [] and checks == 3 and observed == {}


def test_binding_target_is_the_one_the_cheaper_configuration_failed():
    one = _ev(1, [3.0, 3.1, 2.9, 3.0, 3.05], "infeasible")
    two = _ev(2, [1.0, 1.1, 0.9, 1.0, 1.05], "feasible")
    assert binding_targets(_spec(), two, [one, two]) == [str(TARGET)]


def test_a_kpi_not_assumed_monotone_is_observed_not_a_violation():
    share = Target("swaps.stockout_share", "<=", 0.02)  # a robot waiting for a position is not a stock-out
    spec = SizeSpec(source="t", base_data={}, dims=DIMS, targets=(share,))

    def ev(c: int, shares: list[float], status: str) -> Evaluated:
        e = Evaluated(Config(c - 1, (c,), {}, float(c)), status=status)
        e.runs = {r: {share.kpi: v, "costs.total_per_year": float(c)} for r, v in enumerate(shares)}
        e.decisions[str(share)] = rs.FAILS if status == "infeasible" else rs.HOLDS
        return e

    one = ev(1, [0.01, 0.012, 0.009, 0.011, 0.010], "feasible")
    two = ev(2, [0.05, 0.052, 0.049, 0.051, 0.050], "infeasible")  # more positions, more stock-outs
    violations, checks, observed = monotonicity(spec, [one, two])
    assert violations == [] and checks == 1
    assert observed == {"swaps.stockout_share worse with more positions": 1,
                        "feasible below infeasible (positions)": 1}
