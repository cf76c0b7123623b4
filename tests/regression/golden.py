"""The bit-identity golden: run the shipped scenarios and fingerprint every data file a run writes.

REGRESSION, NOT VALIDATION. This module runs each case of :data:`CASES` (the four shipped scenarios x
the three power strategies x three seeds, at a short horizon), writes it with
:func:`swapsim.results.write_run` (no figures) and takes the SHA-256 of every file of the run directory.
``summary.json`` is hashed without the manifest entries that describe the machine or the moment
(:data:`VOLATILE`). The stored copy, one JSON file per case in ``data/golden/``, holds those hashes
and the case's flattened summary (for a readable diff when a hash moves).

Re-record after an intended change of outputs (and commit the data with the change, saying why)::

    python -m tests.regression.golden --record

``python -m tests.regression.golden`` without ``--record`` compares and prints what moved.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from swapsim.engine import simulate
from swapsim.results import flatten, write_run
from swapsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
STORED = Path(__file__).parent / "data" / "golden"

SCENARIO_NAMES = ("factory", "warehouse", "airport", "hospital")
STRATEGY_KINDS = ("hot_swap", "cold_swap", "plug_in")
SEEDS = (1, 2, 3)
HORIZON = "2 d"
WARMUP = {1: "12 h", 2: "12 h", 3: "0 h"}
"""Seeds 1 and 2 run with a warm-up (the statistics reset); seed 3 without (the defect of issue 24 shows there)."""

VOLATILE = ("wall_time_s", "swapsim_version", "python", "simpy", "numpy")
"""Manifest entries of summary.json that describe the machine or the moment, not the results."""


def case_names() -> list[str]:
    """Every case, as ``<scenario>-<strategy>-s<seed>``."""
    return [f"{sc}-{st}-s{seed}" for sc in SCENARIO_NAMES for st in STRATEGY_KINDS for seed in SEEDS]


@contextmanager
def _uncapped() -> Iterator[None]:
    """Without the test suite's horizon cap (``SWAPSIM_MAX_HORIZON``), so every case runs as stored."""
    saved = os.environ.pop("SWAPSIM_MAX_HORIZON", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["SWAPSIM_MAX_HORIZON"] = saved


def _stable_summary(path: Path) -> dict[str, Any]:
    summary = json.loads(path.read_text(encoding="utf-8"))
    summary["manifest"] = {k: v for k, v in summary["manifest"].items() if k not in VOLATILE}
    return summary


def run_case(name: str, work: Path) -> dict[str, Any]:
    """Run one case into ``work``; returns ``{"sha256": {file: hash}, "summary": flattened summary}``."""
    scenario_name, kind, seed_text = name.rsplit("-", 2)
    seed = int(seed_text[1:])
    overrides = [f"horizon={HORIZON}", f"warmup={WARMUP[seed]}", f"strategy.kind={kind}"]
    with _uncapped():
        scenario = load_scenario(SCENARIOS / f"{scenario_name}.yaml", overrides)
    out = write_run(simulate(scenario, seed=seed), work / name)
    hashes: dict[str, str] = {}
    for path in sorted(out.iterdir()):
        if path.name == "summary.json":
            data = json.dumps(_stable_summary(path), sort_keys=True).encode("utf-8")
        else:
            data = path.read_bytes()
        hashes[path.name] = hashlib.sha256(data).hexdigest()
    return {"sha256": hashes, "summary": flatten(_stable_summary(out / "summary.json"))}


def stored_path(name: str) -> Path:
    return STORED / f"{name}.json"


def load_stored(name: str) -> dict[str, Any]:
    return json.loads(stored_path(name).read_text(encoding="utf-8"))


def differences(name: str, got: dict[str, Any]) -> list[str]:
    """What moved in case ``name`` against its stored copy: files whose hash changed, then the summary's keys."""
    want = load_stored(name)
    lines = []
    for file in sorted(set(want["sha256"]) | set(got["sha256"])):
        if want["sha256"].get(file) != got["sha256"].get(file):
            lines.append(f"{name}: {file} differs")
    for key in sorted(set(want["summary"]) | set(got["summary"])):
        if want["summary"].get(key, "<absent>") != got["summary"].get(key, "<absent>"):
            lines.append(
                f"{name}:   summary {key}: stored {want['summary'].get(key, '<absent>')!r},"
                f" now {got['summary'].get(key, '<absent>')!r}"
            )
    return lines


def record(names: list[str]) -> None:
    """Run ``names`` and write their stored copies (and remove stored cases no longer in :data:`CASES`)."""
    STORED.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for name in names:
            got = run_case(name, Path(work))
            text = json.dumps(got, indent=1, sort_keys=True) + "\n"
            stored_path(name).write_text(text, encoding="utf-8")
    for path in STORED.glob("*.json"):
        if path.stem not in case_names():
            path.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", action="store_true", help="write the stored copies instead of comparing")
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    args = parser.parse_args(argv)
    names = args.cases or case_names()
    if args.record:
        record(names)
        print(f"recorded {len(names)} cases in {STORED.relative_to(ROOT)}")
        return 0
    moved = []
    with tempfile.TemporaryDirectory() as work:
        for name in names:
            moved += differences(name, run_case(name, Path(work)))
    print("\n".join(moved) if moved else f"all {len(names)} cases identical")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
