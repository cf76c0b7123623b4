"""Exact timeline: busy positions and queue length are recorded when SimPy hands a position over.

Two robots start with full packs and walk at the same power, so both reach the swap trigger at the
same moment T. One swap position, a fixed 1 h swap, the station at 0 m, no draw at the station:
robot A swaps during [T, T+1), robot B queues during [T, T+1) and swaps during [T+1, T+2).
"""

from __future__ import annotations

import pytest

from swapsim.config import scenario_from_dict
from swapsim.engine import simulate



def two_robot_scenario(horizon_h: float) -> dict:
    return {
        "name": "handover",
        "horizon": f"{horizon_h} h",
        "fleet": {"robots": 2, "initial_soc": "full"},
        "battery": {"ageing": False}, "health": {"fault_rate_per_cycle": 0.0},  # new packs, exactly nominal
        "pack": {"capacity": "1000 Wh", "usable_fraction": 1.0},
        "power": {"activities": {"walk": "400 W", "idle": "0 W"}, "at_station": "0 W"},
        "workload": {"cycle": [{"activity": "walk", "duration": "10000 h"}]},
        "policy": {"swap_trigger": 0.2, "ready_threshold": 1.0, "go": "immediately"},
        "stations": [{"name": "S", "distance": "0 m", "positions": 1, "bays": 6, "charged_packs": 4,
                      "swap_duration": "1 h"}],
    }


def test_busy_and_queue_follow_the_handover() -> None:
    trigger_h = 1000.0 * 0.8 / 400.0  # 2 h: full pack down to the 20 % trigger at 400 W
    horizon = trigger_h + 3.0
    result = simulate(scenario_from_dict(two_robot_scenario(horizon)), seed=1)
    station = result.summary["stations"][0]
    assert station["swaps"] == 2
    # one position busy for 2 h (A then B) and one robot queueing for 1 h, over the horizon
    assert station["swap_utilisation"] * horizon == pytest.approx(2.0, abs=1e-9)
    assert station["mean_queue_length"] * horizon == pytest.approx(1.0, abs=1e-9)
    assert result.summary["swaps"]["wait_min"]["mean"] == pytest.approx(30.0, abs=1e-9)  # (0 + 60) / 2
