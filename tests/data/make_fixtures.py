"""Write the small stored results that the figure and report tests draw from.

Fixtures, not golden numbers: no test compares a KPI with these values; tests only need files in the
agreed formats (see results/README.md and the sweep / compare formats in the docs) with realistic
content. Regenerate after a change of the run format with

    PYTHONPATH=. python tests/data/make_fixtures.py

It writes, next to this file:

* ``run_small/``: one run of a small factory (10 robots, 2 days after 6 h warm-up, 30 min bins,
  starved bays so that some swaps wait), without figures;
* ``sweep_small/``: a 2 x 2 factorial sweep of that scenario (robots x swap positions at hall-A), 3 replications
  per point: ``sweep.json``, ``runs.csv``, ``points.csv`` (mean, sd, Student-t 95 % half-width);
* ``compare_small/``: the scenario under the three power strategies with the same seed (``swapsim
  compare``): ``compare.json``, ``compare.csv`` and one run directory per strategy.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from swapsim.engine import simulate
from swapsim.results import write_run
from swapsim.scenario import load_scenario

HERE = Path(__file__).resolve().parent
BASE = Path(__file__).resolve().parents[2] / "scenarios" / "factory.yaml"
SMALL = [
    "name=factory-small",
    "fleet.robots=10",
    "horizon=2 d",
    "warmup=6 h",
    "stations[0].positions=1",
    "stations[0].bays=4",
    "stations[0].charged_packs=3",
    "stations[1].bays=4",
    "stations[1].charged_packs=3",
    "output.bin_width=30 min",
]
SEED = 11


def make_run() -> None:
    sc = load_scenario(BASE, SMALL)
    write_run(simulate(sc, SEED), HERE / "run_small")


def make_sweep() -> None:
    from swapsim.experiments import run_sweep, sweep_from_scenario

    out = HERE / "sweep_small"
    shutil.rmtree(out, ignore_errors=True)
    sweep = sweep_from_scenario(
        BASE, {"fleet.robots": [8, 12], "stations[0].positions": [1, 2]}, overrides=SMALL, replications=3, seed=SEED
    )
    run_sweep(sweep, out, jobs=1)
    for extra in [*out.glob("*.png"), *out.glob("*.parquet")]:  # figures are redrawn by the tests
        extra.unlink()


def make_compare() -> None:
    from swapsim.experiments.compare import run_compare, write_compare

    out = HERE / "compare_small"
    shutil.rmtree(out, ignore_errors=True)
    results = run_compare(load_scenario(BASE, SMALL), ["hot_swap", "cold_swap", "plug_in"], SEED)
    write_compare(results, out, scenario_file=BASE, overrides=SMALL)


if __name__ == "__main__":
    make_run()
    make_sweep()
    make_compare()
    sys.stdout.write(f"fixtures written under {HERE}\n")
