"""A failed swap attempt while a robot's only powered slot is empty must not crash the run.

Regression test of a crash (issue 23's class "a scenario that validates never crashes"): with a
station power cap, cold-swap robots at the airport meet stock-outs; a robot that has already put its
drained pack in a bay then holds no powered pack, and a failed swap attempt charged the station's
draw to that empty slot (AttributeError: 'NoneType' object has no attribute 'soc'). The robot is off
while it waits there, and so while it retries: its draw is 0 (``Trip.station_draw_w``).
"""

from __future__ import annotations

from pathlib import Path

from swapsim import load_scenario, simulate

AIRPORT = Path(__file__).resolve().parents[2] / "scenarios" / "airport.yaml"


def test_cold_swap_with_power_cap_and_swap_faults_runs_through_stockouts() -> None:
    sc = load_scenario(AIRPORT, ["strategy.kind=cold_swap", "stations[0].power_cap=1.2 kW", "horizon=3 d"])
    result = simulate(sc, 5)
    swaps = result.summary["swaps"]
    assert swaps["stockouts"] > 0, "the case must still reach a stock-out to exercise the path"
    assert result.summary["faults"]["failed_swaps"] > 0, "and failed swap attempts"
