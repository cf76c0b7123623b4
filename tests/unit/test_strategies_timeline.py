"""Exact timelines of the cold-swap and plug-in strategies for one robot with fixed durations."""

from __future__ import annotations

import pytest
import simpy

from swapsim.engine import simulate
from swapsim.metrics import Recorder
from swapsim.model.fleet import build_fleet
from swapsim.model.pack import ChargeCurve
from swapsim.scenario import scenario_from_dict
from swapsim.streams import Streams


def one_robot(kind, **over):
    data = {
        "name": "strategy",
        "horizon": "12 h",
        "fleet": {"robots": 1, "initial_soc": "full"},
        "pack": {"capacity": "1000 Wh", "usable_fraction": 1.0},
        "power": {"activities": {"walk": "200 W", "stand": "100 W", "idle": "50 W"}, "at_station": "50 W"},
        "workload": {"cycle": [{"activity": "stand", "duration": "100 h"}]},
        "policy": {"swap_trigger": 0.2, "go": "after_activity", "ready_threshold": 0.95},
        "strategy": {"kind": kind, "boot_time": "2 min"},
        "stations": [
            {"name": "A", "distance": "360 m", "bays": 3, "charged_packs": 2, "swap_duration": "6 min", "docks": 1}
        ],
        "travel": {"walking_speed": "1 m/s"},
        "output": {"trace_events": 1000},
        "battery": {"ageing": False},  # exact timelines: packs keep their nominal energy
        "health": {"fault_rate_per_cycle": 0.0},
    }
    data.update(over)
    return scenario_from_dict(data)


def run(sc, until):
    env = simpy.Environment()
    rec = Recorder(1, [("A", 1)], sc.horizon, 0.25, trace_limit=1000, strategy=sc.strategy.kind)
    fleet = build_fleet(env, sc, Streams(1), rec)
    env.run(until=until)
    fleet.robots[0].settle()
    return rec, fleet


def timeline(rec):
    return [(round(e.time_h, 9), e.detail) for e in rec.trace if e.kind == "state"]


def expect(*pairs):
    return [(round(t, 9), s) for t, s in pairs]


def test_cold_swap_goes_at_once_powers_down_and_boots():
    # one 1000 Wh pack at 100 W: the trigger (20 %) after 8 h, even though policy.go says after_activity
    rec, fleet = run(one_robot("cold_swap"), 9.0)
    robot = fleet.robots[0]
    assert len(robot.packs) == 1
    walk = 360 / 3600  # 0.1 h each way
    assert timeline(rec) == expect(
        (8.0, "travelling"),
        (8.0 + walk, "swapping"),  # 6 min powered down, then 2 min boot
        (8.0 + walk + 0.1 + 2 / 60, "travelling"),
        (8.0 + 2 * walk + 0.1 + 2 / 60, "working"),
    )
    # energy: the walk there from the old pack; nothing while powered down; boot at 50 W and the
    # walk back from the fresh pack, then standing at 100 W
    t_back = 8.0 + 2 * walk + 0.1 + 2 / 60
    fresh = robot.packs[0]
    used = 50 * 2 / 60 + 200 * walk + 100 * (9.0 - t_back)
    assert fresh.soc == pytest.approx(1.0 - used / 1000.0)
    dropped = [p for p in fleet.packs if p is not fresh and p.cycles == 1]
    assert len(dropped) == 1 and dropped[0].location.startswith("station:A")


def test_hot_swap_keeps_working_on_the_second_pack():
    rec, fleet = run(one_robot("hot_swap"), 9.0)
    # after_activity and a 100 h activity: it runs on the second pack and does not leave before 9 h
    assert timeline(rec) == []
    robot = fleet.robots[0]
    assert robot.body.needs_swap and robot.body.active == 1


def test_plug_in_charges_both_packs_in_parallel_at_a_dock():
    # two 1000 Wh packs at 100 W: pack 0 to the trigger after 8 h, pack 1 after 16 h; the robot
    # charges only when both are at the trigger, and goes at once
    sc = one_robot("plug_in", horizon="24 h", policy={"swap_trigger": 0.2, "go": "immediately"})
    rec, fleet = run(sc, 24.0)
    walk = 0.1
    curve = ChargeCurve(0.8, 0.85, 0.05)
    charge_h = curve.time_to_soc_h(0.2, 0.95)
    t_go = 16.0
    # the walk to the dock draws 200 W x 0.1 h = 20 Wh from the active pack: it docks at 0.18
    charge_h = curve.time_to_soc_h(0.18, 0.95)
    assert timeline(rec)[:4] == expect(
        (t_go, "travelling"),
        (t_go + walk, "charging"),
        (t_go + walk + charge_h, "travelling"),
        (t_go + 2 * walk + charge_h, "working"),
    )
    assert len(fleet.packs) == 2  # no packs in the bays with plug_in


def test_plug_in_charge_time_is_that_of_the_emptier_pack():
    sc = one_robot("plug_in", horizon="30 h", policy={"swap_trigger": 0.2, "go": "immediately"})
    res = simulate(sc, keep_entities=True)
    charging = res.summary["charging"]
    assert charging["sessions"] == 1
    curve = ChargeCurve(0.8, 0.85, 0.05)
    # at the dock: pack 1 (active, walked on) at 0.2 - 200 W x 0.1 h / 1000 Wh = 0.18, pack 0 at 0.2
    assert charging["duration_min_mean"] == pytest.approx(60 * curve.time_to_soc_h(0.18, 0.95))
    # grid energy: both packs from their charge to the curve's value after that time, at 90 % efficiency
    hours = curve.time_to_soc_h(0.18, 0.95)
    grid = sum((curve.soc_after(s, hours) - s) * 1000 / 0.9 for s in (0.18, 0.2))
    assert res.summary["energy"]["stations_kwh"] == pytest.approx(grid / 1000)
