"""Small scenario builders shared by the test tiers (not a test module).

``scenario_dict`` returns plain data as it would be read from YAML, with defaults chosen so that a
timeline can be worked out by hand: one robot, one station 60 m away, a fixed 3 min swap, packs
starting full. ``build_entities`` wires stations and robots directly (no engine), so a test controls
each robot's starting step and the packs' starting charge exactly.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import simpy

from swapsim._compiled import compiled_modules
from swapsim.metrics import Recorder
from swapsim.model.fleet import Fleet, charger_power_w
from swapsim.model.pack import Pack
from swapsim.model.robot import build_robot
from swapsim.model.station import Station
from swapsim.scenario import Scenario, scenario_from_dict
from swapsim.streams import Streams

PATCHES_THE_MODEL = pytest.mark.skipif(
    bool(compiled_modules()),
    reason="patches or spies on a model class, which the compiled (mypyc) build does not see: pure build only",
)
"""Marks a white-box test that replaces a model class's method or flag (``monkeypatch.setattr(Body, ...)``)
or reads its callers' Python frames: compiled code calls its own methods directly and has no frames, so
there the patch is never called and the test would fail or pass for nothing. It runs in the pure build."""


SUBCLASSES_A_MODEL_CLASS = pytest.mark.xfail(
    bool(compiled_modules()),
    raises=TypeError,
    strict=True,
    reason="known limit of the compiled build: an interpreted class cannot subclass a compiled model class "
    "(mypyc would need @mypyc_attr(allow_interpreted_subclasses=True) on it)",
)
"""Marks a test whose plug-in class subclasses a model class (a power strategy built on ``HotSwap``): it
runs in the pure build; in the compiled build it is expected to fail, strictly, until that is lifted."""


def scenario_dict(**overrides: Any) -> dict[str, Any]:
    """A minimal scenario as YAML data; ``overrides`` replace top-level keys (deep-copied).

    Packs do not age and have no random safety faults unless a test asks: exact timelines need packs
    whose usable energy is exactly the nominal one.
    """
    data: dict[str, Any] = {
        "name": "scripted",
        "horizon": "4 h",
        "seed": 1,
        "battery": {"ageing": False},
        "health": {"fault_rate_per_cycle": 0.0},
        "fleet": {"robots": 1, "initial_soc": "full", "rescue_time": "30 min"},
        "workload": {"cycle": [{"activity": "walk", "duration": "1000 h"}]},
        "stations": [{"name": "A", "distance": "60 m", "bays": 2, "charged_packs": 1, "swap_duration": "3 min"}],
        "output": {"trace_events": 1000},
    }
    for key, value in overrides.items():
        data[key] = copy.deepcopy(value)
    return data


def make_scenario(**overrides: Any) -> Scenario:
    """``scenario_dict(**overrides)`` validated into a Scenario."""
    return scenario_from_dict(scenario_dict(**overrides), "test")


def build_entities(
    scenario: Scenario,
    start_steps: list[int] | None = None,
    socs: list[tuple[float, float]] | None = None,
    trace: int = 1000,
) -> tuple[simpy.Environment, Recorder, Fleet]:
    """Build the model by hand: robot ``i`` starts at the beginning of ``start_steps[i]`` (default 0)
    with packs at ``socs[i]`` (default full). Returns the environment (not yet run), recorder, fleet."""
    env = simpy.Environment()
    streams = Streams(scenario.seed)
    rec = Recorder(
        scenario.fleet.robots,
        [(s.name, s.positions) for s in scenario.stations],
        scenario.horizon,
        scenario.output.bin_width,
        trace_limit=trace,
    )
    packs: list[Pack] = []

    def new_pack() -> Pack:
        p = Pack(id=len(packs), capacity_wh=scenario.pack.capacity, usable_fraction=scenario.pack.usable_fraction)
        packs.append(p)
        return p

    robot_packs = [(new_pack(), new_pack()) for _ in range(scenario.fleet.robots)]
    stations = []
    for i, spec in enumerate(scenario.stations):
        st = Station(
            env,
            i,
            spec,
            scenario.policy.ready_threshold,
            scenario.travel.walking_speed,
            charger_power_w(scenario, i),
            rec,
            streams.get("swap_duration", i),
        )
        for _ in range(spec.charged_packs):
            st.stock(new_pack())
        stations.append(st)
    robots = []
    for i, (a, b) in enumerate(robot_packs):
        if socs is not None:
            a.soc, b.soc = socs[i]
        step = start_steps[i] if start_steps is not None else 0
        robot = build_robot(
            env, i, scenario, (a, b), stations, rec, streams.get("workload", i), start_step=step, start_elapsed=0.0
        )
        robots.append(robot)
        env.process(robot.operate())
    return env, rec, Fleet(robots=robots, stations=stations, packs=packs)


def states(trace: list, robot: int = 0) -> list[tuple[float, str]]:
    """(time, state) of every state change of ``robot`` in a trace."""
    return [(e.time_h, e.detail) for e in trace if e.kind == "state" and e.robot == robot]


def events(trace: list, kind: str, robot: int | None = None) -> list:
    """Trace events of one kind (optionally for one robot)."""
    return [e for e in trace if e.kind == kind and (robot is None or e.robot == robot)]
