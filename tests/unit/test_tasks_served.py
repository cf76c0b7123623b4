"""Tasks are counted by cohort: a task that arrived during the warm-up is not counted as done after it,
and ``tasks.served_share`` is done of arrived in the measured window (a scripted timeline)."""

from __future__ import annotations

import pytest

from swapsim.metrics.recorder import Recorder


def _recorder() -> Recorder:
    return Recorder(n_robots=2, stations=[("A", 1)], horizon_h=4.0, bin_width_h=1.0, tasks=True)


def test_warmup_arrivals_done_after_the_reset_are_not_counted_as_done() -> None:
    rec = _recorder()
    rec.task_arrived(0, 0.2)  # warm-up arrival, done in the warm-up: forgotten by the reset
    rec.task_started(0, 0, 0.2, 0.3)
    rec.task_done(0, 0, 0.2, 0.5)
    rec.task_arrived(1, 0.6)  # warm-up arrival, done after the reset
    rec.task_started(1, 1, 0.6, 0.9)
    rec.reset(1.0)
    rec.task_done(1, 1, 0.6, 1.5)
    rec.task_arrived(2, 1.2)  # measured arrivals: two done, one still in progress, one still waiting
    rec.task_started(2, 0, 1.2, 1.3)
    rec.task_done(2, 0, 1.2, 2.0)
    rec.task_arrived(3, 2.1)
    rec.task_started(3, 1, 2.1, 2.2)
    rec.task_done(3, 1, 2.1, 3.0)
    rec.task_arrived(4, 3.1)
    rec.task_started(4, 0, 3.1, 3.2)
    rec.task_arrived(5, 3.5)
    rec.finalise(4.0)
    t = rec.summary(4.0).tasks
    assert t is not None
    assert t.arrived == 4
    assert t.done == 2  # not 3: task 1 arrived in the warm-up
    assert t.done_from_warmup == 1
    assert t.served_share == pytest.approx(0.5)
    assert t.per_day == pytest.approx(2 / (3.0 / 24.0))
    assert t.waiting_at_horizon == 1 and t.in_progress_at_horizon == 1


def test_served_share_without_warmup_and_without_arrivals() -> None:
    rec = _recorder()
    rec.finalise(4.0)
    t = rec.summary(4.0).tasks
    assert t is not None and t.served_share == 1.0  # nothing asked, nothing missed
    rec = _recorder()
    for i in range(3):
        rec.task_arrived(i, 0.5 * i)
        rec.task_started(i, 0, 0.5 * i, 0.5 * i + 0.1)
        rec.task_done(i, 0, 0.5 * i, 0.5 * i + 0.2)
    rec.task_arrived(3, 3.9)
    rec.finalise(4.0)
    t = rec.summary(4.0).tasks
    assert t is not None
    assert (t.arrived, t.done, t.done_from_warmup) == (4, 3, 0)
    assert t.served_share == pytest.approx(0.75)


def test_done_never_exceeds_arrived_in_a_simulated_run() -> None:
    from pathlib import Path

    from swapsim.engine import simulate
    from swapsim.scenario import load_scenario

    path = Path(__file__).resolve().parents[2] / "scenarios" / "warehouse.yaml"
    t = simulate(load_scenario(path, ["horizon=1 d", "warmup=6 h"]), 1).kpis()["tasks"]
    assert t["done_from_warmup"] > 0  # the warm-up leaves tasks in the queue, finished after it
    assert t["done"] <= t["arrived"]
    assert t["served_share"] == pytest.approx(t["done"] / t["arrived"])
