"""Exact timeline: busy positions and queue length are recorded when SimPy hands a position over.

Two robots start with full packs and walk at the same power, so both reach the swap trigger at the
same moment T. One swap position, a fixed 1 h swap, the station at 0 m, no draw at the station:
robot A swaps during [T, T+1), robot B queues during [T, T+1) and swaps during [T+1, T+2).
"""

from __future__ import annotations

import math

import pytest

from swapsim.engine import simulate
from swapsim.scenario import scenario_from_dict


def two_robot_scenario(horizon_h: float) -> dict:
    return {
        "name": "handover",
        "horizon": f"{horizon_h} h",
        "fleet": {"robots": 2, "initial_soc": "full"},
        "battery": {"ageing": False},
        "health": {"fault_rate_per_cycle": 0.0},  # new packs, exactly nominal
        "pack": {"capacity": "1000 Wh", "usable_fraction": 1.0},
        "power": {"activities": {"walk": "400 W", "idle": "0 W"}, "at_station": "0 W"},
        "workload": {"cycle": [{"activity": "walk", "duration": "10000 h"}]},
        "policy": {"swap_trigger": 0.2, "ready_threshold": 1.0, "go": "immediately"},
        "stations": [
            {"name": "S", "distance": "0 m", "positions": 1, "bays": 6, "charged_packs": 4, "swap_duration": "1 h"}
        ],
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


def test_a_robot_waiting_for_a_green_pack_gets_it_when_it_turns_green_despite_rounding() -> None:
    """Charge milestones cost no event; a robot that starts waiting after a pack began charging gets
    a wake-up timeout at the pack's green time. Here ``now + (t_green - now)`` rounds to just below
    ``t_green``: the wake-up must still find the pack green (a timeout one bit early would leave the
    robot waiting for whatever event came next)."""
    import numpy as np
    import simpy

    from swapsim.metrics import Recorder
    from swapsim.model.pack import Pack
    from swapsim.model.station import Station

    sc = scenario_from_dict(two_robot_scenario(10.0))
    env = simpy.Environment()
    rec = Recorder(n_robots=1, stations=[("S", 1)], horizon_h=10.0, bin_width_h=1.0)
    station = Station(env, 0, sc.stations[0], 1.0, 1.0, 400.0, rec, np.random.default_rng(0))
    inserted_h, waits_from_h = 0.002, 0.1664
    env.run(until=inserted_h)
    station.charger.insert(station.bays[0], Pack(0, 1000.0, 1.0, soc=0.2))
    t_green = station.bays[0].t_green
    env.run(until=waits_from_h)
    assert waits_from_h + (t_green - waits_from_h) < t_green  # the case this test is about
    green = station.wait_green()
    env.run()
    assert green.triggered and green.value is station.bays[0]
    assert env.now == math.nextafter(t_green, math.inf) or env.now == t_green
