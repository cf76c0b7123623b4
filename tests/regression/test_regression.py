"""Regression test: the KPIs of one small fixed scenario and seed, compared with a stored copy.

REGRESSION, NOT VALIDATION. The stored numbers in ``data/small_factory.summary.json`` are simply what
the model produced when they were last regenerated; nothing says they are right. The test only tells
you that a change moved the results, so that a change meant to be behaviour-preserving (refactoring,
speed-ups, new optional features) can be checked, and a change meant to alter behaviour is noticed
and its effect looked at. Correctness is checked elsewhere: exact timelines in ``tests/unit``,
invariants in ``tests/property``, agreement with queueing theory in ``tests/validation``.

When a change alters the results on purpose, regenerate the stored copy and commit it with the
change, saying why the numbers moved::

    SWAPSIM_REGEN=1 python -m pytest tests/regression

The run goes through the on-disk format (``swapsim.results.write_run`` -> ``summary.json``). Integers must
match exactly and floats to a relative 1e-9 (the same code and seed give bit-identical results on
one machine; the tolerance only absorbs platform floating-point differences).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from swapsim.engine import simulate
from swapsim.results import flatten, write_json, write_run
from swapsim.scenario import load_scenario

DATA = Path(__file__).parent / "data"
SCENARIO = DATA / "small_factory.yaml"
STORED = DATA / "small_factory.summary.json"
VOLATILE = ("wall_time_s", "swapsim_version", "python", "simpy", "numpy")
"""Manifest entries that describe the machine or the moment, not the results."""


def _comparable(summary: dict) -> dict:
    manifest = {k: v for k, v in summary["manifest"].items() if k not in VOLATILE}
    return flatten({**summary, "manifest": manifest})


def test_regression_small_factory_summary_matches_stored_copy(tmp_path: Path) -> None:
    """Regression (not validation): summary.json of the fixed scenario and seed equals the stored copy."""
    result = simulate(load_scenario(SCENARIO))
    write_run(result, tmp_path / "run")
    summary = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))

    if os.environ.get("SWAPSIM_REGEN") == "1":
        stored = {**summary, "manifest": {k: v for k, v in summary["manifest"].items() if k not in VOLATILE}}
        write_json(STORED, stored)
        pytest.skip(f"regenerated {STORED.relative_to(DATA.parent.parent.parent)}; review and commit it")

    assert STORED.exists(), "no stored copy: run once with SWAPSIM_REGEN=1 and commit the file"
    expected = _comparable(json.loads(STORED.read_text(encoding="utf-8")))
    got = _comparable(summary)
    assert sorted(got) == sorted(expected), "the set of KPIs changed"
    moved = []
    for key, want in expected.items():
        have = got[key]
        if isinstance(want, float) or isinstance(have, float):
            same = math.isclose(have, want, rel_tol=1e-9, abs_tol=1e-12)
        else:
            same = have == want
        if not same:
            moved.append(f"{key}: stored {want!r}, now {have!r}")
    assert not moved, "KPIs moved (regenerate with SWAPSIM_REGEN=1 if intended):\n" + "\n".join(moved)


def test_regression_scenario_still_exercises_queues_and_stockouts() -> None:
    """Regression guard: the stored run is only useful while it covers queueing and stock-outs."""
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    assert stored["swaps"]["count"] > 100
    assert stored["swaps"]["stockouts"] > 0
    assert any(s["mean_queue_length"] > 0.1 for s in stored["stations"])
