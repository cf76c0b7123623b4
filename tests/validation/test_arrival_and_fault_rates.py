"""Task arrivals and robot faults happen at their configured rates (Poisson counts within 99.9 %).

Each count below is Poisson with a known mean; the test accepts |count - mean| <= 3.29 sqrt(mean)
(two-sided 99.9 % normal approximation, means >= 100), so a correct model fails one check in a
thousand; the seeds are fixed, so a run either passes or fails deterministically.
"""

from __future__ import annotations

import math

import simpy

from swapsim.engine import simulate
from swapsim.metrics import Recorder
from swapsim.model.workload import TaskBoard
from swapsim.scenario import scenario_from_dict
from swapsim.streams import Streams

Z = 3.29
PROFILE = [
    {"start": "0 h", "rate_per_h": 5},
    {"start": "6 h", "rate_per_h": 40},
    {"start": "9.5 h", "rate_per_h": 0},
    {"start": "12 h", "rate_per_h": 15},
]


def within(count: int, mean: float) -> bool:
    return abs(count - mean) <= Z * math.sqrt(mean)


def test_task_arrivals_follow_the_daily_profile():
    sc = scenario_from_dict(
        {
            "name": "arrivals",
            "horizon": "40 d",
            "fleet": {"robots": 1},
            "workload": {
                "tasks": {
                    "arrivals": {"profile": PROFILE, "scale": 1.5},
                    "steps": [{"activity": "walk", "duration": "1 min"}],
                }
            },
            "stations": [{"name": "A", "distance": "10 m", "bays": 2, "charged_packs": 1}],
        }
    )
    env = simpy.Environment()
    rec = Recorder(1, [("A", 1)], sc.horizon, 1.0, tasks=True)
    board = TaskBoard(env, sc, Streams(17), rec, [])  # no robots: every task stays in the queue
    env.process(board.generate())
    env.run(until=sc.horizon)
    days = sc.horizon / 24
    phases = [t.arrived_h % 24 for t in board.queue]
    bounds = [(0, 6, 5), (6, 9.5, 40), (9.5, 12, 0), (12, 24, 15)]
    for lo, hi, rate in bounds:
        count = sum(lo <= p < hi for p in phases)
        mean = 1.5 * rate * (hi - lo) * days
        if rate == 0:
            assert count == 0
        else:
            assert within(count, mean), (lo, hi, count, mean)
    assert rec.demand.tasks_arrived == len(board.queue)


def test_emergency_stops_strike_at_their_rate_per_working_day():
    # robots that only ever stand (huge packs, no swaps): all their time is exposure
    sc = scenario_from_dict(
        {
            "name": "estops",
            "horizon": "60 d",
            "fleet": {"robots": 5, "initial_soc": "full"},
            "pack": {"capacity": "1 MWh"},
            "workload": {"cycle": [{"activity": "stand", "duration": "1 h"}]},
            "faults": {
                "estop": {"rate_per_day": 0.5, "duration": "10 min"},
                "breakdown": {"rate_per_day": 0.4, "repair": "1 h"},
            },
            "stations": [{"name": "A", "distance": "10 m", "bays": 2, "charged_packs": 1}],
        }
    )
    res = simulate(sc, 5)
    f = res.summary["faults"]
    assert res.summary["swaps"]["count"] == 0
    # exposure: robot-days not already down (a fault arriving at a halted robot passes)
    exposure_days = 5 * 60 - f["down_h"] / 24
    assert within(f["estops"], 0.5 * exposure_days), f
    assert within(f["breakdowns"], 0.4 * exposure_days), f
    assert f["down_h"] == res.summary["fleet"]["state_fraction"]["down"] * 5 * 60 * 24
