"""Property test (hypothesis): the indexed station choice is the lazy scan's, on real stations.

Random scripts drive a few real :class:`~swapsim.model.station.Station` objects (robots arriving,
queueing, swapping and leaving, robots heading there, outages, bays charging while time passes, some
stations under a power cap or with instant swaps, walks from a small set so that ties are common). At
each choice a robot's :meth:`~swapsim.model.robot.trip.Trip.pick_station` must return
:func:`~swapsim.model.policies.choose_station` on the views of the open stations, and it may build only
views the lazy scan builds, in the same order, among them every view that applies a due milestone
(so a run is bit-identical with or without the index).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from swapsim.metrics import Recorder
from swapsim.model.fleet import charger_power_w
from swapsim.model.pack import Pack
from swapsim.model.policies import choose_station, choose_station_lazily
from swapsim.model.robot import Robot, build_robot
from swapsim.model.station import Station
from swapsim.model.station_index import StationChoiceIndex, indexed
from swapsim.scenario import Scenario, scenario_from_dict

DISTANCES_M = [0, 40, 80, 120]
WAITS_H = [0.0, 0.001, 0.01, 0.05, 0.2, 0.6, 1.5]
OPS = [
    "arrive",
    "swap",
    "swap",
    "swap",
    "leave",
    "leave",
    "head",
    "unhead",
    "wait",
    "wait",
    "wait",
    "pick",
    "pick",
    "pick",
    "pick_avoid",
    "down",
    "up",
    "up",
]


@st.composite
def setups(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(3, 7))
    stations = []
    for i in range(n):
        bays = draw(st.integers(2, 5))
        stations.append(
            {
                "name": f"S{i}",
                "distance": f"{draw(st.sampled_from(DISTANCES_M))} m",
                "positions": draw(st.integers(1, 2)),
                "bays": bays,
                "charged_packs": draw(st.integers(0, bays - 1)),
                "swap_duration": draw(st.sampled_from(["3 min", "3 min", "0 s"])),
            }
        )
    data = {
        "name": "choice",
        "horizon": "30 d",
        "warmup": "0 h",
        "fleet": {"robots": 1},
        "pack": {"capacity": "500 Wh", "usable_fraction": 1.0},
        "power": {"activities": {"walk": "200 W", "idle": "0 W"}, "at_station": "0 W"},
        "workload": {"cycle": [{"activity": "walk", "duration": "1 h"}]},
        "policy": {
            "station_choice": draw(st.sampled_from(["shortest_wait", "shortest_wait", "nearest"])),
            "ready_threshold": draw(st.sampled_from([0.8, 0.95])),
        },
        "travel": {"walking_speed": "1 m/s"},
        "faults": {"station_outage": {"rate_per_day": 0.1}},
        "stations": stations,
    }
    capped = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    ops = draw(
        st.lists(
            st.tuples(st.sampled_from(OPS), st.integers(0, n - 1), st.sampled_from(WAITS_H)), min_size=1, max_size=80
        )
    )
    return {"data": data, "capped": capped, "ops": ops}


def build(setup: dict[str, Any]) -> tuple[simpy.Environment, Scenario, list[Station], Robot]:
    data = setup["data"]
    sc = scenario_from_dict(data)
    for spec, cap in zip(data["stations"], setup["capped"]):
        if cap:  # room for one charger
            spec["power_cap"] = f"{1.5 * charger_power_w(sc, 0):.3f} W"
    sc = scenario_from_dict(data)
    env = simpy.Environment()
    rec = Recorder(n_robots=1, stations=[(s.name, s.positions) for s in sc.stations], horizon_h=720.0, bin_width_h=1.0)
    keep = indexed(sc.policy.station_choice, "hot_swap", len(sc.stations))
    cls = Station
    stations = [
        cls(env, i, spec, sc.policy.ready_threshold, 1.0, charger_power_w(sc, i), rec, np.random.default_rng(i))
        for i, spec in enumerate(sc.stations)
    ]
    if keep:
        StationChoiceIndex(stations)
    for station, spec in zip(stations, sc.stations):
        for k in range(spec.charged_packs):
            station.stock(Pack(1000 * station.index + k, 500.0, 1.0))
    robot = build_robot(env, 0, sc, [Pack(-1, 500.0, 1.0), Pack(-2, 500.0, 1.0)], stations, rec, np.random.default_rng(0))
    return env, sc, stations, robot


@contextmanager
def recording_views(built: list[tuple[int, bool]]) -> Iterator[None]:
    """Note every view built: (station index, whether a milestone was due, i.e. the view applies it)."""
    view = Station.view

    def noted(self: Station) -> Any:
        built.append((self.index, self.charger.next_milestone_h() <= self.env.now))
        return view(self)

    Station.view = noted  # type: ignore[method-assign]
    try:
        yield
    finally:
        Station.view = view  # type: ignore[method-assign]


def check_choice(env: simpy.Environment, stations: list[Station], robot: Robot, avoid: Station | None) -> None:
    index = stations[0].choice
    if isinstance(index, StationChoiceIndex):  # the free mask follows the stations
        free = [
            s.busy + s.queued + s.incoming < s.spec.positions and len(s.green) > s.queued + s.incoming for s in stations
        ]
        assert index.free == sum(index.bit[s.index] for s in stations if free[s.index])
    fast: list[tuple[int, bool]] = []
    with recording_views(fast):
        got = robot.pick_station(avoid)
    cands = [s for s in stations if s.up and s is not avoid] or [s for s in stations if s is not avoid]
    lazy: list[tuple[int, bool]] = []
    if len(cands) > 1:  # pick_station takes a lone candidate without a view, index or not
        with recording_views(lazy):  # the lazy scan's views, after the fast choice (its keys are the same)
            travel = [s.travel_h for s in cands]
            choose_station_lazily(robot.trip.station_rule, travel, lambda i: cands[i].view())
    views = [s.view() for s in cands]
    assert got is cands[choose_station(robot.trip.station_rule, views)]
    scanned = [i for i, _ in lazy]
    seen = [i for i, _ in fast]
    assert seen == [i for i in scanned if i in set(seen)], "only views the lazy scan builds, in its order"
    applied = {i for i, due in fast if due}
    missed = [i for i, due in lazy if due and i not in applied]
    assert not missed, f"the lazy scan would have applied milestones at {missed}"


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(setups())
def test_indexed_station_choice_is_the_lazy_scans(setup: dict[str, Any]) -> None:
    env, _sc, stations, robot = build(setup)
    holders = [0] * len(stations)
    queued: list[list[simpy.Event]] = [[] for _ in stations]
    heading = [0] * len(stations)
    drained = iter(range(10**6, 2 * 10**6))
    for op, k, wait_h in setup["ops"]:
        for j, reqs in enumerate(queued):  # a queued robot handed a position holds it
            holders[j] += sum(r.triggered for r in reqs)
            queued[j] = [r for r in reqs if not r.triggered]
        station = stations[k]
        if op == "arrive":
            req = station.request_position()
            if req is None:
                holders[k] += 1
            else:
                queued[k].append(req)
        elif op == "swap":  # at a held position (asked for now if none is held)
            if not holders[k]:
                req = station.request_position()
                if req is not None:
                    queued[k].append(req)
                    continue
                holders[k] += 1
            bay = station.take_green()
            if bay is not None:
                station.exchange(Pack(next(drained), 500.0, 1.0, soc=min(0.9, 0.3 + wait_h)), bay)
        elif op == "leave" and holders[k]:
            station.release_position()
            holders[k] -= 1
        elif op == "head":
            station.heading_here(1)
            heading[k] += 1
        elif op == "unhead" and heading[k]:
            station.heading_here(-1)
            heading[k] -= 1
        elif op == "wait":
            env.run(until=env.now + wait_h + 0.04)  # past the longest walk: the index answers
        elif op == "down" and station.up:
            station.go_down()
        elif op == "up" and not station.up:
            station.come_up()
        elif op in ("pick", "pick_avoid"):
            check_choice(env, stations, robot, station if op == "pick_avoid" else None)
    env.run(until=env.now + 0.05)
    check_choice(env, stations, robot, None)
