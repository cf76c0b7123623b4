"""Property test (hypothesis): reading the model during a run never changes it (eager vs lazy).

The model computes much of its state lazily: a bay's charge milestones are applied when the station is
next looked at, a robot in a quiet stretch takes its legs' draws when it is next looked at, a pack's
charge during a session is answered in closed form (``Pack.soc_at``). "One set of rules" means a
reader sees the same state whenever it looks and its look changes nothing. So each shipped scenario is
run under each power strategy twice with the same seed: lazily (nobody looks) and eagerly observed (at
random times an observer reads every station, robot and pack, as a recorder, a writer, a health check
or the API's ``keep_entities`` would). Every output must be the same, and every read must be one the
rules allow: a pack's charge never falls while it charges in a bay, never leaves [0, 1], and a
robot's energy is its packs' charge read at that time.

Tolerance: the fleet-state log receives a quiet stretch's intervals when the robot is looked at, so
its sums (``timeseries.csv``, ``robots.csv`` hours and the fleet-state fractions) may differ in the
last bits (docs/architecture.md, quiet stretches); those floats are compared to a relative 1e-9.
Everything else must be equal.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import simpy
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from swapsim.engine import simulate
from swapsim.model.fleet import Fleet
from swapsim.results import flatten
from swapsim.scenario import load_scenario

pytestmark = pytest.mark.slow  # every shipped scenario x strategy run twice (about 9 s of CPU)
# (in `make test` and CI, not in `make test-fast`)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
HORIZON_H = 18.0


def _observer(times: list[float], reads: list[str]):
    """An observer that, at each of ``times``, reads every station, robot and pack and checks the reads."""

    def start(env: simpy.Environment, fleet: Fleet) -> None:
        env.process(_look(env, fleet, sorted(times), reads))

    return start


def _look(env: simpy.Environment, fleet: Fleet, times: list[float], reads: list[str]):
    last: dict[tuple[str, int], float] = {}  # (bay, its session) -> charge of its pack read last
    for t in times:
        yield env.timeout(t - env.now)
        now = env.now
        view = fleet.observe(now)  # the one accessor: every lazy part caught up, every value at now
        assert view.now == now
        sessions = {(s.name, b.label): b.session for s in fleet.stations for b in s.bays}
        for bay in view.bays:
            if bay.pack is None:
                continue
            assert bay.soc is not None and 0.0 <= bay.soc <= 1.0
            assert bay.soc == view.pack(bay.pack).soc, f"{bay.label}: the bay and the pack read different charges"
            key = (bay.label, sessions[(bay.station, bay.label)])
            assert bay.soc >= last.get(key, -math.inf), f"{bay.label}: charge fell while in the bay {last.get(key)} -> {bay.soc} at {now}"
            last[key] = bay.soc
        for robot, rv in zip(fleet.robots, view.robots):
            assert all(0.0 <= s <= 1.0 for s in rv.socs)
            held = [(slot, p) for slot, p in enumerate(robot.body.packs) if p is not None]
            for slot, p in held:  # a pack in a robot reads the robot's energy rule, unsettled draw included
                assert view.pack(p.id).soc == rv.socs[slot]
            assert rv.energy_wh == pytest.approx(sum(rv.socs[slot] * p.usable_wh for slot, p in held), rel=1e-12)
            # the live readers agree with the view (one set of rules)
            assert robot.energy_wh() == pytest.approx(rv.energy_wh, rel=1e-12, abs=1e-9)
            assert robot.lowest_soc() == min(rv.socs)
        for pv in view.packs:
            assert 0.0 <= pv.soc <= 1.0
        reads.append(f"{now:.6f}")


LAST_BITS = ("timeseries.", "robots.", "fleet.state_fraction", "fleet.utilisation", "fleet.")


def _outputs(result: Any) -> dict[str, Any]:
    out = flatten({k: v for k, v in result.summary.items()})
    for name in ("robots", "packs"):
        for i, row in enumerate(getattr(result, name)):
            for k, v in row.items():
                out[f"{name}.{i}.{k}"] = v
    for k, v in result.timeseries.items():
        for i, x in enumerate(list(v)):
            out[f"timeseries.{k}.{i}"] = float(x)
    for k, v in result.health.items():
        out[f"health.{k}"] = list(map(float, v))
    out["swap_waits"] = result.swap_wait_table() if result.wait_histogram is not None else None
    out["alerts"] = result.alerts
    return out


def _same(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    moved = []
    assert sorted(a) == sorted(b)
    for key, x in a.items():
        y = b[key]
        if x == y or (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y)):
            continue
        if key.startswith(LAST_BITS) and isinstance(x, float) and isinstance(y, float):
            if math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12):
                continue
        moved.append(f"{key}: lazy {x!r}, observed {y!r}")
    return moved


CASES = [(sc, kind) for sc in ("factory", "warehouse", "airport", "hospital") for kind in ("hot_swap", "cold_swap", "plug_in")]


@pytest.mark.parametrize(("scenario_name", "kind"), CASES, ids=[f"{s}-{k}" for s, k in CASES])
@settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a failing case is printed, not shrunk (runs are slow)
)
@given(
    seed=st.integers(1, 10_000),
    times=st.lists(st.floats(0.0, HORIZON_H - 0.01, allow_nan=False), min_size=1, max_size=12),
    warmup=st.sampled_from(["0 h", "2 h"]),
)
def test_observing_the_model_changes_nothing(
    scenario_name: str, kind: str, seed: int, times: list[float], warmup: str
) -> None:
    scenario = load_scenario(
        SCENARIOS / f"{scenario_name}.yaml", [f"horizon={HORIZON_H} h", f"warmup={warmup}", f"strategy.kind={kind}"]
    )
    lazy = simulate(scenario, seed=seed)
    reads: list[str] = []
    eager = simulate(scenario, seed=seed, observer=_observer(times, reads))
    assert len(reads) == len(times)
    moved = _same(_outputs(lazy), _outputs(eager))
    assert not moved, "observing the run changed it:\n" + "\n".join(moved[:20])


def test_the_comparison_sees_a_change() -> None:
    """The check can fail: one moved pack charge, or a fleet-state sum moved past its last bits."""
    scenario = load_scenario(SCENARIOS / "hospital.yaml", ["horizon=6 h", "warmup=0 h"])
    out = _outputs(simulate(scenario, seed=1))
    moved = dict(out)
    moved["packs.0.soc"] = out["packs.0.soc"] + 1e-15
    assert _same(out, moved)
    key = next(k for k in out if k.startswith("timeseries.") and isinstance(out[k], float) and out[k] > 0)
    assert not _same(out, {**out, key: out[key] * (1 + 1e-12)})
    assert _same(out, {**out, key: out[key] * (1 + 1e-6)})
