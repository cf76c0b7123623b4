"""The sizing answers of docs/sizing.md's worked examples, and of the shipped warehouse with a coverage
target, hold at 4x the horizon over 10 seeds: the one-sided bound of every target, from 10 replications
with a measured span four times the searched one, is on the right side of it (Bonferroni over the
targets at 95 %). Marked long (tens of minutes on 2 cores): ``pytest -m long tests/validation``.

This is what ``swapsim size``'s horizon check does after every search; the test asserts that the
documented questions are asked at a horizon long enough for their answers to stand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from swapsim.experiments.sizing import rs
from swapsim.experiments.sizing.report import format_summary
from swapsim.experiments.sizing.search import run_size
from swapsim.experiments.sizing.space import parse_objective_target, parse_search
from swapsim.experiments.sizing.spec import make_spec
from swapsim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

CASES = {
    # docs/sizing.md, worked example: the factory, asked as written (7-day runs): the steady-state pilot
    # finds the swap waves' weeks-long transient and lengthens the warm-up
    "factory": (
        "factory.yaml",
        ["horizon=7 d", "costs.energy_per_kwh=0.2"],
        ["stations[*].positions=1..3", "stations[*].charged_packs=4..15"],  # 13 is not enough at steady state
        ["swaps.wait_min.p95<=5", "swaps.stockout_share<=0.02"],
    ),
    # docs/sizing.md, second example: the warehouse fleet
    "warehouse-fleet": (
        "warehouse.yaml",
        ["horizon=3 d", "warmup=12 h"],
        ["fleet.robots=40..80/10", "stations[*].positions=1..3"],
        ["tasks.wait_min.p95<=30", "swaps.wait_min.p95<=5"],
    ),
    # docs/sizing.md, third example: the shipped warehouse with a coverage target (and the guards)
    "warehouse-coverage": (
        "warehouse.yaml",
        ["horizon=3 d", "warmup=12 h"],
        ["fleet.robots=40..70/10", "stations[*].positions=1..3"],
        ["tasks.served_share>=0.98"],
    ),
}


@pytest.mark.long
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_answer_holds_at_4x_the_horizon_over_10_seeds(case, tmp_path):
    name, sets, search, targets = CASES[case]
    sc = load_scenario(SCENARIOS / name, sets)
    spec = make_spec(
        sc,
        name,
        [parse_search(s) for s in search],
        [parse_objective_target(t) for t in targets],
        guards=True,
        horizon_factor=4.0,
        horizon_replications=10,
    )
    res = run_size(spec, tmp_path / case, jobs=2)
    print(f"\n--- {case}\n{format_summary(res)}")  # what the terminal shows (pytest -s): docs/sizing.md
    assert res.best is not None, f"{case}: no feasible configuration"
    h = res.horizon
    assert h is not None and h.replications == 10 and h.long_span_h == pytest.approx(4 * h.span_h)
    for t in h.best.targets:  # every target's one-sided bound on the right side at 4x
        assert t.decision == rs.HOLDS, f"{case}: {h.verdict()}"
        assert (t.bound <= t.target.value) if t.target.upper else (t.bound >= t.target.value)
    assert res.holds
