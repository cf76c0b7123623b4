"""Exact scripted timelines for faults: an e-stop interrupts a robot mid-activity, a failed swap is
retried, a station outage makes a queued robot re-route. One robot, fixed durations, no randomness
that matters (every duration is a fixed value)."""

from __future__ import annotations

import pytest
import simpy

from swapsim.metrics import Recorder
from swapsim.model.faults import Fault, SwapFaults
from swapsim.model.fleet import build_fleet
from swapsim.scenario import scenario_from_dict
from swapsim.streams import Streams


def base(**over):
    data = {
        "name": "timeline",
        "horizon": "10 h",
        "fleet": {"robots": 1, "initial_soc": "full"},
        "pack": {"capacity": "1000 Wh", "usable_fraction": 1.0},
        "power": {"activities": {"walk": "200 W", "stand": "100 W", "idle": "50 W"}, "at_station": "50 W"},
        "workload": {"cycle": [{"activity": "stand", "duration": "100 h"}]},
        "policy": {"swap_trigger": 0.2, "go": "immediately"},
        "stations": [{"name": "A", "distance": "0 m", "bays": 3, "charged_packs": 2, "swap_duration": "6 min"}],
        "output": {"trace_events": 1000},
        "battery": {"ageing": False},  # exact timelines: packs keep their nominal energy
        "health": {"fault_rate_per_cycle": 0.0},
    }
    for k, v in over.items():
        data[k] = v
    return scenario_from_dict(data)


def build(sc, seed=1):
    env = simpy.Environment()
    rec = Recorder(
        sc.fleet.robots,
        [(s.name, s.positions) for s in sc.stations],
        sc.horizon,
        0.25,
        trace_limit=1000,
        tasks=sc.workload.tasks is not None,
        strategy=sc.strategy.kind,
    )
    fleet = build_fleet(env, sc, Streams(seed), rec)
    return env, rec, fleet


def states(rec, robot=0):
    return [(round(e.time_h, 9), e.detail) for e in rec.trace if e.kind == "state" and e.robot == robot]


def test_estop_halts_mid_activity_and_energy_stops_while_down():
    env, rec, fleet = build(base())
    robot = fleet.robots[0]

    def press_estop():
        yield env.timeout(1.0)
        assert robot.body.strikeable and robot.state == "working"
        robot.process.interrupt(Fault("estop", 0.5))

    env.process(press_estop())
    env.run(until=3.0)
    robot.settle()
    assert states(rec) == [(1.0, "down"), (1.5, "working")]
    # 100 W for 2.5 h of work; nothing drawn while down (faults.down_power defaults to 0 W)
    assert robot.packs[0].soc == pytest.approx(1.0 - 250.0 / 1000.0)
    assert rec.faults.counts["estops"] == 1
    rec.finalise(env.now)
    assert rec.robot_hours(0)["down"] == pytest.approx(0.5)
    assert rec.robot_hours(0)["working"] == pytest.approx(2.5)


def test_estop_resumes_the_rest_of_the_activity_and_keeps_the_swap_timing():
    # 100 W from a 1000 Wh pack: the trigger (20 %) is reached after 8 h of standing. A 0.5 h halt at
    # 0 W moves it to 8.5 h exactly.
    env, rec, fleet = build(base(policy={"swap_trigger": 0.2, "go": "immediately"}))
    robot = fleet.robots[0]

    def press_estop():
        yield env.timeout(2.0)
        robot.process.interrupt(Fault("breakdown", 0.5))

    env.process(press_estop())
    env.run(until=9.0)
    timeline = states(rec)
    # a free position is taken at once: no queueing spell
    assert timeline[:4] == [(2.0, "down"), (2.5, "working"), (8.5, "swapping"), (8.6, "working")]
    assert rec.faults.counts["breakdowns"] == 1


def test_down_power_draws_energy_while_halted():
    env, rec, fleet = build(base(faults={"down_power": "40 W"}))
    robot = fleet.robots[0]

    def press_estop():
        yield env.timeout(1.0)
        robot.process.interrupt(Fault("estop", 1.0))

    env.process(press_estop())
    env.run(until=3.0)
    robot.settle()
    assert robot.packs[0].soc == pytest.approx(1.0 - (2.0 * 100 + 1.0 * 40) / 1000.0)


def test_failed_swap_attempts_cost_the_retry_time_in_down_then_succeed():
    sc = base(faults={"failed_swap": {"probability": 0.5, "retry": "2 min"}})
    env, rec, fleet = build(sc, seed=3)
    env.run(until=9.0)
    failures = rec.faults.counts["failed_swaps"]
    timeline = states(rec)
    # trigger at 8 h, a free position: one 2-min 'down' per failed attempt, then the 6-min swap
    assert failures >= 1, "seed 3 should give at least one failed attempt"
    assert timeline[0] == (8.0, "down")  # consecutive failures stay in one 'down' spell
    swap_start = [t for t, s in timeline if s == "swapping"][0]
    assert swap_start == pytest.approx(8.0 + failures * 2 / 60)
    # reproduce the draws: the same stream decides the same failures
    faults = SwapFaults(0.5, sc.faults.failed_swap.retry, Streams(3))
    n = 0
    while faults.attempt_fails(0):
        faults.retry_h(0)
        n += 1
    assert n == failures


def test_station_outage_reroutes_a_queued_robot_to_the_open_station():
    sc = base(
        fleet={"robots": 2, "initial_soc": "full"},
        stations=[
            {"name": "A", "distance": "0 m", "bays": 3, "charged_packs": 2, "swap_duration": "1 h"},
            {"name": "B", "distance": "360 m", "bays": 3, "charged_packs": 2, "swap_duration": "1 h"},
        ],
        faults={"station_outage": {"rate_per_day": 1e-9, "repair": "1 h"}},  # outages on, none drawn in 10 h
    )
    env, rec, fleet = build(sc)
    a, b = fleet.stations

    # both robots reach the trigger at 8 h and go to A (nearest); robot 1 queues behind robot 0
    def outage():
        yield env.timeout(8.5)
        a.go_down()
        yield env.timeout(1.0)
        a.come_up()

    env.process(outage())
    env.run(until=10.0)
    r1 = states(rec, 1)
    assert (8.0, "queueing") in r1
    # at 8.5 h robot 1 leaves A and walks to B through the work area: 0 + 360 m at 1 m/s = 0.1 h
    assert (8.5, "travelling") in r1
    assert (8.6, "queueing") in r1 or (8.6, "swapping") in r1
    assert rec.faults.counts["reroutes"] == 1
    assert rec.faults.counts["station_outages"] == 1
    # robot 0 was already swapping at A: it finishes its swap during the outage
    r0 = states(rec, 0)
    assert (8.0, "swapping") in r0 and (9.0, "working") in r0
    assert a.positions.count == 0 and len(a.positions.queue) == 0
