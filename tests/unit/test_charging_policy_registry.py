"""Worked example: a charging policy added from a test module, without editing ``swapsim/model/``.

A charging policy decides which bay waiting for a charger (under a station power cap) gets the next
one free. The shipped one is ``fifo``. Here a toy policy, fullest pack first, is written as a class
with the two methods of :class:`swapsim.model.charging.ChargingPolicy` and registered in
:data:`swapsim.model.registries.CHARGING_POLICIES`; the scenario schema accepts its name at once
(``policy.charging: fullest_first``) and the fleet builder gives it to every station.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import simpy
from builders import make_scenario, scenario_dict
from simpy.resources.resource import Request

from swapsim.engine import simulate
from swapsim.metrics import Recorder
from swapsim.model.fleet import charger_power_w
from swapsim.model.pack import Pack
from swapsim.model.registries import CHARGING_POLICIES, POWER_STRATEGIES
from swapsim.model.station import Station
from swapsim.scenario import ScenarioError, scenario_from_dict


class FullestFirst:
    """Toy policy: the waiting bay whose pack holds the most charge gets the next charger."""

    def chargers(self, env: simpy.Environment, capacity: int) -> simpy.Resource:
        return simpy.PriorityResource(env, capacity=capacity)

    def request(self, chargers: simpy.Resource, pack: Pack) -> Request:
        assert isinstance(chargers, simpy.PriorityResource)
        return chargers.request(priority=-pack.soc)  # lowest priority value first: the fullest pack


@pytest.fixture
def fullest_first() -> Iterator[str]:
    CHARGING_POLICIES.register("fullest_first", FullestFirst)
    yield "fullest_first"
    CHARGING_POLICIES.unregister("fullest_first")


def _capped(policy: str, bays: int = 4) -> dict:
    """One station whose power cap runs one charger at a time (a charger draws 374.4 W)."""
    station = {"name": "A", "distance": "60 m", "bays": bays, "charged_packs": 1, "swap_duration": "3 min",
               "power_cap": "400 W"}
    return scenario_dict(stations=[station], policy={"charging": policy})


def _charging_order(policy: object, socs: list[float]) -> list[float]:
    """Drop packs at ``socs`` into a one-charger station in this order; the arrival charge of each pack
    in the order its charging starts."""
    scenario = scenario_from_dict(_capped("fifo", bays=len(socs) + 1), "test")
    env = simpy.Environment()
    rec = Recorder(1, [("A", 1)], horizon_h=100.0, bin_width_h=1.0)
    station = Station(env, 0, scenario.stations[0], 0.95, 1.0, charger_power_w(scenario, 0), rec,
                      np.random.default_rng(0), policy)  # type: ignore[arg-type]
    started: list[float] = []
    packs = []
    for i, soc in enumerate(socs):
        pack = Pack(i, capacity_wh=468.0, usable_fraction=0.9, soc=soc)
        packs.append(pack)
        bay = station.wait_empty_bay().value
        station.drop_off(pack, bay)
    for _ in range(200):
        env.run(until=env.now + 0.25)
        for pack, soc in zip(packs, socs):
            if soc not in started and pack.soc_at(env.now) != soc:
                started.append(soc)
    return started


def test_the_schema_accepts_a_registered_policy_and_rejects_an_unknown_one(fullest_first: str) -> None:
    assert make_scenario(policy={"charging": fullest_first}).policy.charging == "fullest_first"
    with pytest.raises(ScenarioError, match=r"policy\.charging: must be one of 'fifo', 'fullest_first'"):
        make_scenario(policy={"charging": "coldest_first"})


def test_an_unregistered_policy_is_rejected() -> None:
    with pytest.raises(ScenarioError, match=r"policy\.charging: must be one of 'fifo' \(got 'fullest_first'\)"):
        make_scenario(policy={"charging": "fullest_first"})


def test_fifo_charges_in_order_of_arrival_and_the_toy_policy_fullest_first() -> None:
    from swapsim.model.charging import FifoCharging

    socs = [0.1, 0.5, 0.3, 0.7]
    assert _charging_order(FifoCharging(), socs) == [0.1, 0.5, 0.3, 0.7]
    # the first pack takes the free charger at once; the others wait and are served fullest first
    assert _charging_order(FullestFirst(), socs) == [0.1, 0.7, 0.5, 0.3]


def test_a_run_uses_the_registered_policy(fullest_first: str) -> None:
    scenario = scenario_from_dict(_capped(fullest_first), "test")
    result = simulate(scenario, keep_entities=True)
    assert result.fleet is not None
    assert all(isinstance(s.charger.policy, FullestFirst) for s in result.fleet.stations)


class CountingFullestFirst(FullestFirst):
    """The toy policy, counting the requests it files and the bays that waited for a charger."""

    requests: list[float] = []
    waited = 0

    def request(self, chargers: simpy.Resource, pack: Pack) -> Request:
        CountingFullestFirst.requests.append(pack.soc)
        CountingFullestFirst.waited += chargers.count >= chargers.capacity
        return super().request(chargers, pack)


def test_a_whole_run_charges_through_the_toy_policy() -> None:
    """A run of a day (eight robots, one charger under the power cap) files every charge session
    through the toy policy, and bays do queue for the charger, so its order is the one applied (the
    order itself is checked on a scripted station above)."""
    CHARGING_POLICIES.register("counting_fullest_first", CountingFullestFirst)
    CountingFullestFirst.requests, CountingFullestFirst.waited = [], 0
    try:
        data = _capped("counting_fullest_first", bays=8)
        data["horizon"] = "1 d"
        data["fleet"]["robots"] = 8  # more drained packs than one charger keeps up with
        toy = simulate(scenario_from_dict(data, "test"), seed=1)
    finally:
        CHARGING_POLICIES.unregister("counting_fullest_first")
    assert len(CountingFullestFirst.requests) > 10
    assert CountingFullestFirst.waited > 0
    assert toy.summary["swaps"]["count"] > 0


def test_power_strategies_are_the_schema_vocabulary() -> None:
    assert POWER_STRATEGIES.names() == ("hot_swap", "cold_swap", "plug_in")
    with pytest.raises(ScenarioError, match=r"strategy\.kind: must be one of 'hot_swap', 'cold_swap', 'plug_in'"):
        make_scenario(strategy={"kind": "battery_swap"})
