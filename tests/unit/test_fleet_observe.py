"""``Fleet.observe(now)``: the one accessor readers use, and what a raw attribute read would miss.

A working robot draws from its active pack continuously, but the draw is settled into ``Pack.soc``
only at its next event; a pack charging in a bay holds its charge at the session's start. The view
must give each pack's charge by the rule of its place at ``now`` (checked here against the rule
computed by hand), and observing twice at one time must give the same view (it changes nothing).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import simpy

from swapsim.engine import simulate
from swapsim.model.fleet import Fleet
from swapsim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _run_with_observer(at_h: float, seen: list) -> None:
    def start(env: simpy.Environment, fleet: Fleet) -> None:
        def look():
            yield env.timeout(at_h)
            first = fleet.observe(env.now)
            second = fleet.observe(env.now)
            raw = {p.id: p.soc for p in fleet.packs}  # the attribute, stale between events
            drawing = []
            for robot in fleet.robots:
                body = robot.body
                if body.power_w > 0.0 and body.t_last < env.now:
                    pack = body.packs[body.active]
                    by_hand = max(0.0, pack.soc - body.power_w * (env.now - body.t_last) / pack.usable_wh)
                    drawing.append((pack.id, by_hand))
            charging = [(b.pack.id, b.pack.soc_at(env.now)) for s in fleet.stations for b in s.bays if b.pack is not None and b.charging]
            seen.append((first, second, raw, drawing, charging))

        env.process(look())

    scenario = load_scenario(SCENARIOS / "factory.yaml", ["horizon=6 h", "warmup=0 h"])
    simulate(scenario, seed=5, observer=start)


def test_the_view_reads_each_pack_by_the_rule_of_its_place() -> None:
    seen: list = []
    _run_with_observer(3.7, seen)
    (first, second, raw, drawing, charging) = seen[0]
    assert first == second, "observing twice at one time gave two views"
    assert drawing, "the case must have robots drawing between events"
    stale = 0
    for pack_id, by_hand in drawing:
        assert first.pack(pack_id).soc == pytest.approx(by_hand, abs=1e-12)
        stale += first.pack(pack_id).soc < raw[pack_id]
    assert stale == len(drawing), "every drawing robot's active pack is below its settled attribute"
    assert charging, "the case must have packs charging in bays"
    for pack_id, soc in charging:
        assert first.pack(pack_id).soc == soc
    moved = sum(soc > raw[pid] for pid, soc in charging)
    assert moved > 0, "some charging pack has gained charge since its session started"


def test_robot_energy_is_its_packs_charge_in_the_view() -> None:
    seen: list = []
    _run_with_observer(2.2, seen)
    view = seen[0][0]
    for rv in view.robots:
        assert 0.0 <= min(rv.socs) <= max(rv.socs) <= 1.0
        assert rv.energy_wh >= 0.0
