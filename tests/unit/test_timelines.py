"""Exact scripted timelines of the SimPy model (robots, packs, stations), worked out by hand.

Each test sets up a scenario small enough to follow on paper: walking at 210 W, standing at 105 W,
at a station 50 W unless said otherwise, packs of 468 Wh with 90 % usable (421.2 Wh), swap trigger
20 %, green at 95 %, fixed 3 min swaps. Times are hours; the event trace (``output.trace_events``)
gives the state changes, arrivals and swap starts with their times. Where a test needs a robot to
start at a chosen step or charge it builds the entities directly (``builders.build_entities``).
"""

from __future__ import annotations

import pytest
import simpy
from builders import build_entities, events, make_scenario, states

from swapsim.engine import simulate
from swapsim.model.pack import ChargeCurve

USABLE_WH = 468 * 0.9
WALK_W, STAND_W, IDLE_W = 210.0, 105.0, 50.0
SWAP_H = 3 / 60
T_WALK = 0.8 * 0.9 * 468 / 210  # full pack to the 20 % trigger, walking non-stop
CURVE = ChargeCurve(0.8, 0.85, 0.05)


def approx(x: float):
    return pytest.approx(x, rel=1e-12, abs=1e-12)


def station(**kw) -> list[dict]:
    st = {"name": "A", "distance": "60 m", "bays": 2, "charged_packs": 1, "swap_duration": "3 min"}
    st.update(kw)
    return [st]


# -- draining ------------------------------------------------------------------------------------


def test_walking_drains_a_full_pack_to_the_trigger_in_closed_form() -> None:
    r = simulate(make_scenario(horizon="2 h"))
    first = r.trace[0]
    assert (first.kind, first.robot, first.detail) == ("state", 0, "travelling")
    assert first.time_h == approx(0.8 * 0.9 * 468 / 210)


def test_standing_takes_twice_as_long() -> None:
    r = simulate(make_scenario(horizon="4 h", workload={"cycle": [{"activity": "stand", "duration": "1000 h"}]}))
    first = r.trace[0]
    assert (first.kind, first.detail) == ("state", "travelling")
    assert first.time_h == approx(2 * T_WALK)


def test_the_trigger_follows_pack_size_and_power() -> None:
    sc = make_scenario(
        horizon="4 h",
        pack={"capacity": "0.7 kWh", "usable_fraction": 0.8},
        power={"activities": {"walk": "300 W", "idle": "40 W"}},
    )
    first = simulate(sc).trace[0]
    assert first.time_h == approx(0.8 * 0.8 * 700 / 300)


# -- one swap, end to end ---------------------------------------------------------------------------


def test_a_swap_follows_its_exact_timeline() -> None:
    travel = 60 / 1.2 / 3600  # 60 m at 1.2 m/s
    arrive = T_WALK + travel
    swap_end = arrive + SWAP_H
    back = swap_end + travel
    horizon = back + 0.1
    sc = make_scenario(
        horizon=f"{horizon} h",
        travel={"walking_speed": "1.2 m/s"},
        power={"activities": {"walk": "210 W", "idle": "50 W"}, "at_station": "80 W"},
    )
    r = simulate(sc, keep_entities=True)
    # A free position and a green pack: no time in the queue, straight to swapping.
    assert states(r.trace) == [
        (approx(T_WALK), "travelling"),
        (approx(arrive), "swapping"),
        (approx(swap_end), "travelling"),
        (approx(back), "working"),
    ]
    (arr,) = events(r.trace, "arrive")
    (start,) = events(r.trace, "swap_start")
    (done,) = events(r.trace, "swap_done")
    assert arr.time_h == approx(arrive) and arr.station == 0
    assert start.time_h == approx(arrive)
    assert start.detail == {"wait_min": 0.0, "stockout": False}
    assert done.time_h == approx(swap_end)

    robot = r.fleet.robots[0]
    st = r.fleet.stations[0]
    # Travel, swap and the work since returning all came from pack 1, the pack switched to at the trigger.
    assert robot.body.active_pack.id == 1
    drawn = WALK_W * travel + 80 * SWAP_H + WALK_W * travel + WALK_W * 0.1
    assert robot.body.active_pack.soc == approx(1 - drawn / USABLE_WH)
    # The other slot holds the station's stocked pack (id 2), taken full.
    other = robot.packs[1 - robot.body.active]
    assert (other.id, other.soc, other.location) == (2, 1.0, "robot:0")
    # Pack 0 was dropped at exactly the trigger and has charged since the swap began.
    (bay,) = [b for b in st.bays if b.pack is not None]
    assert bay.pack.id == 0 and bay.pack.cycles == 1
    assert bay.soc0 == approx(0.2)
    assert st.charger.bay_soc(bay) == approx(CURVE.soc_after(0.2, horizon - arrive))
    assert r.summary["swaps"]["count"] == 1
    assert {k: r.summary["packs"][k] for k in ("total", "robots", "bays")} == {"total": 3, "robots": 2, "bays": 1}


def test_state_times_of_a_scripted_swap_are_exact() -> None:
    travel = 60 / 3600
    horizon = T_WALK + 2 * travel + SWAP_H + 0.25
    r = simulate(make_scenario(horizon=f"{horizon} h"))
    row = r.robots[0]
    assert row["travelling_h"] == approx(2 * travel)
    assert row["swapping_h"] == approx(SWAP_H)
    assert row["queueing_h"] == 0.0
    assert row["working_h"] == approx(T_WALK + 0.25)
    assert r.summary["fleet"]["utilisation"] == approx((T_WALK + 0.25) / horizon)


def test_a_second_robot_queues_for_the_only_position() -> None:
    travel = 60 / 3600
    arrive = T_WALK + travel
    horizon = arrive + 2 * SWAP_H + travel + 0.1
    sc = make_scenario(
        horizon=f"{horizon} h", fleet={"robots": 2, "initial_soc": "full"}, stations=station(bays=3, charged_packs=2)
    )
    r = simulate(sc, keep_entities=True)
    # Both robots trigger together and arrive together; robot 0 is served first.
    assert states(r.trace, 0)[:2] == [(approx(T_WALK), "travelling"), (approx(arrive), "swapping")]
    assert states(r.trace, 1) == [
        (approx(T_WALK), "travelling"),
        (approx(arrive), "queueing"),
        (approx(arrive + SWAP_H), "swapping"),
        (approx(arrive + 2 * SWAP_H), "travelling"),
        (approx(arrive + 2 * SWAP_H + travel), "working"),
    ]
    (start1,) = events(r.trace, "swap_start", robot=1)
    assert start1.detail["wait_min"] == approx(3.0)
    assert start1.detail["stockout"] is False
    # The queueing robot drew its queue, swap and travel energy from the pack it switched to.
    robot = r.fleet.robots[1]
    drawn = WALK_W * travel + IDLE_W * 2 * SWAP_H + WALK_W * travel + WALK_W * 0.1
    assert robot.body.active_pack.soc == approx(1 - drawn / USABLE_WH)
    st = r.summary["stations"][0]
    assert st["max_queue_length"] == 1
    assert st["max_busy_positions"] == 1
    assert r.summary["swaps"]["wait_min"]["max"] == approx(3.0)


def test_station_busy_positions_and_queue_are_time_averaged_exactly() -> None:
    # Same two robots: the position is busy from the first arrival for two swaps back to back; one
    # robot queues during the first swap. Averages over the whole run (no warm-up).
    travel = 60 / 3600
    arrive = T_WALK + travel
    horizon = arrive + 2 * SWAP_H + travel + 0.1
    sc = make_scenario(
        horizon=f"{horizon} h",
        fleet={"robots": 2, "initial_soc": "full"},
        stations=station(bays=3, charged_packs=2),
        output={"trace_events": 0, "bin_width": "1 h"},
    )
    r = simulate(sc)
    st = r.summary["stations"][0]
    assert st["swap_utilisation"] == approx(2 * SWAP_H / horizon)
    assert st["mean_queue_length"] == approx(SWAP_H / horizon)
    # ... and the time series (1 h bins) hold the same busy and queue time in the bin of the arrival.
    k = int(arrive)
    width = min(k + 1.0, horizon) - k
    assert r.timeseries["A_busy"][k] == approx(2 * SWAP_H / width)
    assert r.timeseries["A_queue"][k] == approx(SWAP_H / width)


# -- stock-out ---------------------------------------------------------------------------------------


def test_stockout_wait_ends_when_the_dropped_pack_turns_green() -> None:
    # No charged pack at the station: the robot leaves its drained pack (20 %) in the empty bay and
    # waits until that pack turns green (95 %), then takes it back.
    travel = 60 / 3600
    arrive = T_WALK + travel
    wait = CURVE.time_to_soc_h(0.2, 0.95)
    start = arrive + wait
    back = start + SWAP_H + travel
    horizon = back + 0.1
    sc = make_scenario(horizon=f"{horizon} h", stations=station(bays=1, charged_packs=0))
    r = simulate(sc, keep_entities=True)
    assert states(r.trace) == [
        (approx(T_WALK), "travelling"),
        (approx(arrive), "queueing"),
        (approx(start), "swapping"),
        (approx(start + SWAP_H), "travelling"),
        (approx(back), "working"),
    ]
    (ev,) = events(r.trace, "swap_start")
    assert ev.detail["stockout"] is True
    assert ev.detail["wait_min"] == approx(wait * 60)
    robot = r.fleet.robots[0]
    assert sorted(p.id for p in robot.packs) == [0, 1]
    back_pack = robot.packs[1 - robot.body.active]
    assert back_pack.id == 0 and back_pack.soc == approx(0.95)
    drawn = WALK_W * travel + IDLE_W * (wait + SWAP_H) + WALK_W * travel + WALK_W * 0.1
    assert robot.body.active_pack.soc == approx(1 - drawn / USABLE_WH)
    assert r.summary["stations"][0]["stockouts"] == 1
    assert {k: r.summary["packs"][k] for k in ("total", "robots", "bays")} == {"total": 2, "robots": 2, "bays": 0}


def test_stockout_robot_gets_the_first_pack_to_turn_green() -> None:
    # One charged pack, two robots: robot 0 takes it and leaves its drained pack; robot 1 finds no
    # green pack, leaves its own in the other bay and waits: both packs charge from 20 % at the same
    # moment, so robot 1 waits exactly the 20 -> 95 % time.
    travel = 60 / 3600
    arrive = T_WALK + travel
    wait = CURVE.time_to_soc_h(0.2, 0.95)
    horizon = arrive + wait + SWAP_H + travel + 0.1
    sc = make_scenario(
        horizon=f"{horizon} h",
        fleet={"robots": 2, "initial_soc": "full"},
        stations=station(bays=3, charged_packs=1, positions=2),
    )
    r = simulate(sc, keep_entities=True)
    (s0,) = events(r.trace, "swap_start", robot=0)
    (s1,) = events(r.trace, "swap_start", robot=1)
    assert s0.time_h == approx(arrive) and s0.detail["stockout"] is False
    assert s1.time_h == approx(arrive + wait) and s1.detail["stockout"] is True
    assert r.summary["stations"][0]["stockouts"] == 1
    ids = sorted(p.id for rb in r.fleet.robots for p in rb.packs)
    bay_ids = [p.id for p in r.fleet.stations[0].packs()]
    assert sorted(ids + bay_ids) == [0, 1, 2, 3, 4]
    assert len(bay_ids) == 1


def test_stockout_with_every_bay_full_waits_for_a_bay_then_for_its_own_pack() -> None:
    # Three positions, two bays, no charged pack, three robots arriving together: robots 0 and 1 leave
    # their packs in the two bays; robot 2 waits until robot 0 takes its pack back (a bay empties),
    # leaves its own pack there, and waits for it to charge from 20 % to 95 %.
    travel = 60 / 3600
    arrive = T_WALK + travel
    wait = CURVE.time_to_soc_h(0.2, 0.95)
    horizon = arrive + 2 * wait + SWAP_H + 0.01
    sc = make_scenario(
        horizon=f"{horizon} h",
        fleet={"robots": 3, "initial_soc": "full"},
        stations=station(bays=2, charged_packs=0, positions=3),
    )
    r = simulate(sc, keep_entities=True)
    starts = {e.robot: e for e in events(r.trace, "swap_start")}
    assert starts[0].time_h == approx(arrive + wait)
    assert starts[1].time_h == approx(arrive + wait)
    assert starts[2].time_h == approx(arrive + 2 * wait)
    assert all(e.detail["stockout"] for e in starts.values())
    robots = r.fleet.robots
    assert sorted(p.id for p in robots[2].packs) == [4, 5]  # its own pack came back
    assert {k: r.summary["packs"][k] for k in ("total", "robots", "bays")} == {"total": 6, "robots": 6, "bays": 0}


# -- when to go -------------------------------------------------------------------------------------


def test_go_after_activity_waits_for_the_end_of_the_activity() -> None:
    sc = make_scenario(
        horizon="3 h",
        policy={"go": "after_activity"},
        workload={"cycle": [{"activity": "walk", "duration": "2 h"}, {"activity": "stand", "duration": "1000 h"}]},
    )
    env, rec, fleet = build_entities(sc)
    env.run(until=2.0 + 1e-9)
    assert states(rec.trace) == [(approx(2.0), "travelling")]
    robot = fleet.robots[0]
    robot.settle()
    # Switched to pack 1 at the trigger and walked on with it until the activity ended.
    assert robot.body.active_pack.id == 1
    assert robot.body.active_pack.soc == pytest.approx(1 - WALK_W * (2.0 - T_WALK) / USABLE_WH, rel=1e-9)
    assert robot.packs[0].soc == approx(0.2)


def test_go_immediately_interrupts_and_then_resumes_the_activity() -> None:
    travel = 60 / 3600
    sc = make_scenario(
        horizon="8 h",
        policy={"go": "immediately"},
        workload={"cycle": [{"activity": "walk", "duration": "2 h"}, {"activity": "stand", "duration": "1000 h"}]},
    )
    env, rec, fleet = build_entities(sc)
    env.run(until=8.0)
    back = T_WALK + 2 * travel + SWAP_H
    s1 = 1 - (WALK_W * 2 * travel + IDLE_W * SWAP_H) / USABLE_WH  # pack 1 on return
    rest_walk = 2.0 - T_WALK  # the interrupted walk resumes
    left_wh = (s1 - 0.2) * USABLE_WH - WALK_W * rest_walk  # then standing until the trigger
    second = back + rest_walk + left_wh / STAND_W
    got = states(rec.trace)
    assert got[0] == (approx(T_WALK), "travelling")
    assert got[2] == (approx(back - travel), "travelling")
    assert got[3] == (approx(back), "working")
    assert got[4] == (pytest.approx(second, rel=1e-9), "travelling")


# -- stranding ---------------------------------------------------------------------------------------


def test_stranded_in_a_long_queue_for_exactly_the_rescue_time() -> None:
    # Tiny packs (100 Wh, 90 Wh usable), no walk to the station, 1 h swaps, 40 W at the station.
    # Robot 0 (packs 21 % and full) triggers first and swaps for an hour; robot 1 (22 % and 5 %) queues
    # behind it, runs both packs flat while queueing and is stranded until the rescue (15 min). The
    # rescue leaves both packs charged, so when the position frees it has nothing to swap and goes back
    # to work.
    sc = make_scenario(
        horizon="3 h",
        fleet={"robots": 2, "initial_soc": "full", "rescue_time": "15 min"},
        pack={"capacity": "100 Wh"},
        power={"activities": {"walk": "210 W", "idle": "50 W"}, "at_station": "40 W"},
        stations=station(distance="0 m", bays=3, charged_packs=2, swap_duration="1 h"),
    )
    env, rec, fleet = build_entities(sc, socs=[(0.21, 1.0), (0.22, 0.05)])
    env.run(until=3.0)
    t0 = 0.01 * 90 / 210
    t1 = 0.02 * 90 / 210
    stranded = t1 + 0.2 * 90 / 40 + 0.05 * 90 / 40
    assert states(rec.trace, 0)[:1] == [(approx(t0), "swapping")]
    assert states(rec.trace, 1)[:4] == [
        (approx(t1), "queueing"),
        (approx(stranded), "stranded"),
        (approx(stranded + 0.25), "queueing"),
        (approx(t0 + 1.0), "working"),
    ]
    (ev,) = events(rec.trace, "stranded")
    assert (ev.robot, ev.time_h) == (1, approx(stranded))
    rec.finalise(env.now)
    assert rec.robot_hours(1)["stranded"] == approx(0.25)
    assert rec.states.strandings[1] == 1
    assert rec.energy.rescue_wh == approx(2 * 90.0)  # the crew recharged both empty packs


def test_stranded_on_the_way_for_exactly_the_rescue_time() -> None:
    # 100 Wh packs and a 3 km walk: after the trigger the robot walks on its full pack, then on the
    # 20 % left in the drained one, and is stranded when both are empty.
    rescue = 0.5
    sc = make_scenario(
        horizon="2 h",
        pack={"capacity": "100 Wh"},  # ends before the walk back
        stations=station(distance="3 km"),
    )
    r = simulate(sc, keep_entities=True)
    trigger = 0.8 * 90 / 210
    stranded = trigger + (1.0 + 0.2) * 90 / 210
    arrive = trigger + 3000 / 3600 + rescue
    # Rescued with both packs charged, it has nothing to swap when it arrives: it walks straight back.
    assert states(r.trace)[:3] == [
        (approx(trigger), "travelling"),
        (approx(stranded), "stranded"),
        (approx(stranded + rescue), "travelling"),
    ]
    (arr,) = events(r.trace, "arrive")
    assert arr.time_h == approx(arrive)
    assert not events(r.trace, "swap_start")
    assert r.robots[0]["stranded_h"] == approx(rescue)
    assert r.summary["fleet"]["strandings"] == 1
    assert r.summary["energy"]["rescue_kwh"] == approx(2 * 90 / 1000)


def test_stranded_during_a_stockout_for_exactly_the_rescue_time() -> None:
    # No charged pack and 200 W drawn at the station: having left its drained pack to charge, the
    # robot runs its only pack flat while waiting, is stranded for the rescue time, then waits on
    # until its own pack turns green.
    rescue = 0.25
    sc = make_scenario(
        horizon="1.4 h",
        fleet={"robots": 1, "initial_soc": "full", "rescue_time": "15 min"},
        pack={"capacity": "100 Wh"},
        power={"activities": {"walk": "210 W", "idle": "50 W"}, "at_station": "200 W"},
        stations=station(distance="0 m", bays=1, charged_packs=0),
    )
    r = simulate(sc, keep_entities=True)
    trigger = 0.8 * 90 / 210
    stranded = trigger + 90 / 200
    start = trigger + CURVE.time_to_soc_h(0.2, 0.95)
    assert states(r.trace)[:4] == [
        (approx(trigger), "queueing"),
        (approx(stranded), "stranded"),
        (approx(stranded + rescue), "queueing"),
        (approx(start), "swapping"),
    ]
    assert r.robots[0]["stranded_h"] == approx(rescue)
    assert r.summary["energy"]["rescue_kwh"] == approx(90 / 1000)  # only the pack it still carried


# -- station choice and charger power cap --------------------------------------------------------------


@pytest.mark.parametrize("rule, expected", [("nearest", 0), ("shortest_wait", 1)])
def test_station_choice_weighs_the_queue_only_under_shortest_wait(rule: str, expected: int) -> None:
    # Robot 0 (21 %) triggers first and starts a 1 h swap at the near station. Robot 1 (30 %) triggers
    # at 0.2 h: the near station's position is taken for an expected hour, the far one is a 90 s walk.
    near = {"name": "near", "distance": "10 m", "bays": 3, "charged_packs": 2, "swap_duration": "1 h"}
    far = {"name": "far", "distance": "100 m", "bays": 3, "charged_packs": 2, "swap_duration": "1 h"}
    sc = make_scenario(
        horizon="1 h", fleet={"robots": 2, "initial_soc": "full"}, policy={"station_choice": rule}, stations=[near, far]
    )
    env, rec, fleet = build_entities(sc, socs=[(0.21, 1.0), (0.30, 1.0)])
    env.run(until=1.0)
    arrivals = {e.robot: e for e in events(rec.trace, "arrive")}
    assert arrivals[0].station == 0
    assert arrivals[1].station == expected
    t1 = 0.1 * USABLE_WH / WALK_W
    travel = (10 if expected == 0 else 100) / 3600
    assert arrivals[1].time_h == approx(t1 + travel)


def test_power_cap_charges_one_pack_at_a_time_in_arrival_order() -> None:
    # Charger power at the CC rate is 0.8 x 421.2 / 0.9 = 374.4 W, so a 400 W cap allows one charger.
    # Three robots arrive together at an empty station (stock-out) and leave their packs: the packs
    # charge one after the other, so the robots leave after one, two and three 20 -> 95 % times.
    travel = 60 / 3600
    arrive = T_WALK + travel
    wait = CURVE.time_to_soc_h(0.2, 0.95)
    horizon = arrive + 3 * wait + SWAP_H
    sc = make_scenario(
        horizon=f"{horizon} h",
        fleet={"robots": 3, "initial_soc": "full"},
        stations=station(bays=4, charged_packs=0, positions=3, power_cap="400 W"),
    )
    r = simulate(sc)
    starts = {e.robot: e.time_h for e in events(r.trace, "swap_start")}
    assert starts == {0: approx(arrive + wait), 1: approx(arrive + 2 * wait), 2: approx(arrive + 3 * wait)}
    # Each session ended at 95 % when its pack was taken: grid energy = 0.75 x 421.2 Wh / 0.9, three times.
    assert r.summary["energy"]["stations_kwh"] == approx(3 * 0.75 * USABLE_WH / 0.9 / 1000)


def test_the_engine_clock_is_simpys_clock() -> None:
    # swapsim.engine.Environment reads SimPy's private ``_now`` through a C-level getter; if a SimPy
    # release renamed it, this fails here instead of in a run.
    from swapsim.engine import Environment

    env = Environment(initial_time=2.5)
    seen = []

    def proc():
        yield env.timeout(1.25)
        seen.append(env.now)

    env.process(proc())
    env.run(until=10.0)
    assert seen == [3.75]
    assert env.now == 10.0 == simpy.Environment.now.fget(env)
    # SimPy's event shortcuts are bound to the instance, as on a plain simpy.Environment
    assert {"timeout", "event", "process", "any_of", "all_of"} <= set(vars(env))
