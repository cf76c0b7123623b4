"""Property tests (hypothesis): invariants of the model that hold for every small scenario.

Each example is a random small scenario (1-8 robots, 1-3 stations with random positions, bays,
charged packs, distances, chargers and power caps, random activity cycles, swap policies and pack
sizes down to packs that strand robots) run for a few simulated hours.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import scenarios

from swapsim.engine import simulate
from swapsim.metrics import ON_DUTY_STATES, ROBOT_STATES
from swapsim.scenario import dump_scenario, scenario_from_dict

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(data: dict):
    sc = scenario_from_dict(data, "hypothesis")
    return sc, simulate(sc, keep_entities=True)


@SETTINGS
@given(scenarios())
def test_model_invariants(data: dict) -> None:
    sc, r = run(data)
    fleet = r.fleet
    span = sc.horizon - sc.warmup

    # State of charge stays in [0, 1] for every pack, in robots and (as charged so far) in bays.
    for pack in fleet.packs:
        assert 0.0 <= pack.soc <= 1.0, (pack.id, pack.soc)
    for station in fleet.stations:
        for bay in station.bays:
            if bay.pack is not None:
                assert 0.0 <= station.charger.bay_soc(bay) <= 1.0

    # Packs are conserved: each is in exactly one robot or one bay.
    in_robots = [p.id for robot in fleet.robots for p in robot.packs if p is not None]
    in_bays = [p.id for station in fleet.stations for p in station.packs()]
    assert sorted(in_robots + in_bays) == list(range(sc.total_packs))
    assert len(fleet.packs) == sc.total_packs
    assert {k: r.summary["packs"][k] for k in ("total", "robots", "bays")} == {
        "total": sc.total_packs,
        "robots": len(in_robots),
        "bays": len(in_bays),
    }
    for robot in fleet.robots:
        assert sum(p is None for p in robot.packs) <= 1
        for p in robot.packs:
            if p is not None:
                assert p.location == f"robot:{robot.id}"

    # Per robot, the state times add up to the horizon after warm-up.
    for row in r.robots:
        assert sum(row[f"{s}_h"] for s in ROBOT_STATES) == pytest.approx(span, rel=1e-9, abs=1e-9)
        assert all(row[f"{s}_h"] >= -1e-12 for s in ROBOT_STATES)
        assert sum(row[f"{s}_fraction"] for s in ON_DUTY_STATES) == pytest.approx(1.0, rel=1e-12)

    # The summary's state fractions (of on-duty time) sum to 1, and utilisation is the working share.
    fr = r.summary["fleet"]["state_fraction"]
    assert set(fr) == set(ON_DUTY_STATES)
    assert sum(fr.values()) == pytest.approx(1.0, rel=1e-12)
    assert r.summary["fleet"]["utilisation"] == pytest.approx(fr["working"], rel=1e-12)

    # Busy swap positions never exceed a station's positions; queues and stock are sane.
    for spec, st_kpi in zip(sc.stations, r.summary["stations"]):
        assert st_kpi["max_busy_positions"] <= spec.positions
        assert -1e-12 <= st_kpi["swap_utilisation"] <= 1.0 + 1e-12
        assert st_kpi["mean_queue_length"] >= -1e-12
        assert st_kpi["max_queue_length"] <= sc.fleet.robots
        assert -1e-12 <= st_kpi["charged_packs_mean"] <= spec.bays + 1e-12
        assert st_kpi["stockouts"] <= st_kpi["swaps"]
    for station in fleet.stations:
        assert station.positions.count <= station.spec.positions
        assert sum(b.pack is not None for b in station.bays) <= station.spec.bays
        # The station's free list is exactly its empty, unreserved bays (it hands out the lowest first).
        assert station.bank.free_indices() == [b.index for b in station.bays if b.pack is None and not b.reserved]
        assert station.positions.count + len(station.positions.queue) == station.busy + station.queued
        # A view's next green time (read off the station's heap) is the earliest among its charging bays.
        for _ in range(2):  # the first view builds the heap, the second reads it
            due = [b.t_green for b in station.bays if b.pack is not None and b.charging and not b.green]
            expected = max(0.0, min(due) - station.env.now) if due else math.inf
            assert station.view().next_green_h == expected

    # Counts agree between the fleet, the stations and the robots.
    swaps = r.summary["swaps"]
    assert swaps["count"] == sum(s["swaps"] for s in r.summary["stations"]) == sum(x["swaps"] for x in r.robots)
    wait = swaps["wait_min"]
    assert 0.0 <= wait["mean"] <= wait["max"] + 1e-9
    assert 0.0 <= wait["p95"] <= wait["max"] + 1e-9
    assert r.summary["energy"]["grid_kwh"] >= 0.0

    # The time series accounts for every robot in every bin.
    total = sum(np.asarray(r.timeseries[f"robots_{s}"]) for s in ROBOT_STATES)
    assert np.allclose(total, sc.fleet.robots, rtol=1e-9, atol=1e-9)
    assert len(r.timeseries["time_h"]) == math.ceil(sc.horizon / sc.output.bin_width - 1e-9)


@settings(max_examples=20, deadline=None)
@given(scenarios())
def test_same_seed_gives_identical_results(data: dict) -> None:
    sc = scenario_from_dict(data, "hypothesis")
    a = simulate(sc)
    b = simulate(sc)
    assert a.summary == b.summary
    assert a.robots == b.robots
    assert a.packs == b.packs
    for key in a.timeseries:
        assert np.array_equal(a.timeseries[key], b.timeseries[key])


@settings(max_examples=40, deadline=None)
@given(scenarios(), st.floats(1e-3, 1e4, allow_nan=False), st.floats(0.0, 5e3, allow_nan=False))
def test_scenario_dump_load_round_trip(data: dict, horizon_h: float, distance_m: float) -> None:
    data = dict(data, horizon=f"{horizon_h!r} h", warmup="0 s")
    data["stations"] = [dict(data["stations"][0], distance=f"{distance_m!r} m"), *data["stations"][1:]]
    sc = scenario_from_dict(data, "hypothesis")
    again = scenario_from_dict(yaml.safe_load(dump_scenario(sc)), "resolved")
    assert again == sc


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.sampled_from([0.7, 0.9, 1.0]))
def test_energy_is_conserved(data: dict, efficiency: float) -> None:
    # Every pack starts full (no warm-up, so the statistics cover the whole run). The energy the packs
    # lost equals what robots drew minus what chargers (grid x efficiency) and rescues put back;
    # sessions still charging at the horizon are not yet counted on either side.
    # Packs must not age here: fading capacity changes the energy a pack holds without any flow.
    data = dict(
        data,
        warmup="0 s",
        fleet=dict(data["fleet"], initial_soc="full"),
        battery={"ageing": False},
        health={"fault_rate_per_cycle": 0.0},
    )
    data["stations"] = [dict(s, charger=dict(s.get("charger", {}), efficiency=efficiency)) for s in data["stations"]]
    sc, r = run(data)
    packs = r.fleet.packs
    lost_wh = sum(p.usable_wh * (1.0 - p.soc) for p in packs)
    drawn_wh = sum(p.throughput_wh for p in packs)
    charged_wh = sum(s["grid_kwh"] for s in r.summary["stations"]) * 1000 * efficiency
    rescued_wh = r.summary["energy"]["rescue_kwh"] * 1000
    assert lost_wh == pytest.approx(drawn_wh - charged_wh - rescued_wh, rel=1e-9, abs=1e-6)
    assert r.summary["energy"]["grid_kwh"] == pytest.approx(
        charged_wh / efficiency / 1000 + rescued_wh / 1000, rel=1e-12, abs=1e-12
    )
