"""Regression test of bit identity: every data file of 36 short runs equals its stored fingerprint.

REGRESSION, NOT VALIDATION. The stored SHA-256s in ``data/golden/`` are what the model wrote when they
were last recorded; nothing says those outputs are right. The test tells you that a change moved an
output by even one bit, so that a change meant to preserve behaviour (a refactoring, a speed-up) is
checked on the four shipped scenarios x hot_swap, cold_swap, plug_in x seeds 1, 2, 3 (2 days; seeds 1
and 2 with a 12 h warm-up, seed 3 without), every file ``write_run`` writes (``summary.json`` without
the machine-dependent manifest entries), no figures. Correctness is tested elsewhere (``tests/unit``,
``tests/property``, ``tests/validation``). Bit identity holds on one machine and platform; the stored
copy was recorded on Linux x86-64.

When a change alters outputs on purpose (a new KPI, a fixed defect), re-record in one command and
commit the data with the change, saying in the message which files moved and why::

    python -m tests.regression.golden --record

(``python -m tests.regression.golden`` compares and lists the moved files and summary keys.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.regression.golden import case_names, differences, run_case, stored_path  # noqa: E402


@pytest.mark.parametrize("name", case_names())
def test_golden_outputs_are_bit_identical_to_the_stored_copy(name: str, tmp_path: Path) -> None:
    """Regression (bit identity, not validation): every output file of the case hashes as stored."""
    assert stored_path(name).exists(), f"no stored copy for {name}: python -m tests.regression.golden --record"
    moved = differences(name, run_case(name, tmp_path))
    assert not moved, "outputs moved (re-record with python -m tests.regression.golden --record if intended):\n" + (
        "\n".join(moved)
    )


def test_golden_cases_cover_scenarios_strategies_and_queues() -> None:
    """Regression guard: the golden is only useful while its cases swap, queue and plug in."""
    from tests.regression.golden import load_stored

    names = case_names()
    assert len(names) == 36
    swaps = sum(load_stored(n)["summary"].get("swaps.count", 0) for n in names if "plug_in" not in n)
    assert swaps > 1000
    assert all("packs.csv" in load_stored(n)["sha256"] for n in names)
