"""Metamorphic: on the factory, utilisation of hot_swap >= cold_swap >= plug_in.

The ordering follows from the model only where swaps do not wait for charging: then a hot swap costs
the walk plus about 3 min, a cold swap 2 min more (boot), a plug-in charge about an hour per 1.6 packs.
The shipped factory stocks out at hall-A (about a quarter of its swaps wait for a pack to turn green);
there a hot-swap robot's next swap clock keeps running on its second pack while it waits, whereas a
cold-swap robot's starts after the swap, so congestion feeds back less on cold swap, and the order of
hot and cold swap flips with the horizon (hot ahead over the first days, cold ahead by about 0.3 points
over 10 to 30 days). The test therefore gives hall-A enough spares (20 bays, 16 charged packs) so that
stations keep up, which is the regime the comparison is about.

Robustness, measured with common random numbers on 3-day runs (2 days after warm-up), 10 seeds:
hot - cold = 0.99 +- 0.10 points (smallest 0.74), cold - plug-in = 11.5 +- 0.15 points (smallest 11.3).
One replication of 3 days is therefore about 7 standard deviations away from a false failure.
"""

from __future__ import annotations

from pathlib import Path

from swapsim.experiments.compare import run_compare
from swapsim.scenario import load_scenario

FACTORY = Path(__file__).resolve().parents[2] / "scenarios" / "factory.yaml"


def test_hot_swap_then_cold_swap_then_plug_in_on_the_factory():
    sc = load_scenario(FACTORY, ["horizon=3 d", "stations[0].bays=20", "stations[0].charged_packs=16"])
    results = run_compare(sc, ["hot_swap", "cold_swap", "plug_in"])
    u = {k: r.summary["fleet"]["utilisation"] for k, r in results.items()}
    assert u["hot_swap"] >= u["cold_swap"] >= u["plug_in"], u
    # where the time goes: swapping takes longer cold (boot), plug-in robots spend it charging
    frac = {k: r.summary["fleet"]["state_fraction"] for k, r in results.items()}
    assert frac["cold_swap"]["swapping"] > frac["hot_swap"]["swapping"]
    assert frac["plug_in"]["charging"] > 0.1 and frac["plug_in"]["swapping"] == 0.0
    assert all(r.summary["fleet"]["strandings"] == 0 for r in results.values())
