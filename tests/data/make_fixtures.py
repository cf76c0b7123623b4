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

import itertools
import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np
from scipy import stats

from swapsim import __version__
from swapsim.config import load_scenario
from swapsim.engine import simulate
from swapsim.io import flatten, write_csv, write_run

HERE = Path(__file__).resolve().parent
BASE = Path(__file__).resolve().parents[2] / "scenarios" / "factory.yaml"
SMALL = [
    "name=factory-small", "fleet.robots=10", "horizon=2 d", "warmup=6 h",
    "stations[0].positions=1", "stations[0].bays=4", "stations[0].charged_packs=3",
    "stations[1].bays=4", "stations[1].charged_packs=3", "output.bin_width=30 min",
]
SEED = 11


def make_run() -> None:
    sc = load_scenario(BASE, SMALL)
    write_run(simulate(sc, SEED), HERE / "run_small", figures=False)


def make_sweep() -> None:
    out = HERE / "sweep_small"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    factors = {"fleet.robots": [8, 12], "stations[0].positions": [1, 2]}
    reps = 3
    seeds = np.random.SeedSequence(SEED).generate_state(reps).tolist()
    runs, points = [], []
    for p, values in enumerate(itertools.product(*factors.values())):
        sets = SMALL + [f"{k}={v}" for k, v in zip(factors, values)]
        sc = load_scenario(BASE, sets)
        kpis_by_rep = []
        for r in range(reps):
            res = simulate(sc, int(seeds[r]))
            kpis = {k: v for k, v in flatten(res.summary).items() if isinstance(v, (int, float))}
            kpis_by_rep.append(kpis)
            runs.append({"point": p, **dict(zip(factors, values)), "replication": r, "seed": int(seeds[r]),
                         **kpis, "wall_time_s": res.manifest["wall_time_s"]})
        row = {"point": p, **dict(zip(factors, values)), "n": reps}
        t = stats.t.ppf(0.975, reps - 1)
        for k in kpis_by_rep[0]:
            x = np.array([kp[k] for kp in kpis_by_rep], dtype=float)
            sd = float(x.std(ddof=1))
            row[f"{k}.mean"] = float(x.mean())
            row[f"{k}.sd"] = sd
            row[f"{k}.ci95"] = float(t * sd / math.sqrt(reps))
        points.append(row)
    write_csv(out / "runs.csv", runs)
    write_csv(out / "points.csv", points)
    spec = {"base_scenario": {"path": "scenarios/factory.yaml", "name": "factory-small"},
            "factors": factors, "design": "factorial", "replications": reps, "seed": SEED,
            "swapsim_version": __version__}
    (out / "sweep.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")


def make_compare() -> None:
    from swapsim.compare import run_compare, write_compare

    out = HERE / "compare_small"
    shutil.rmtree(out, ignore_errors=True)
    results = run_compare(load_scenario(BASE, SMALL), ["hot_swap", "cold_swap", "plug_in"], SEED)
    write_compare(results, out, scenario_file=BASE, overrides=SMALL, figures=False)


if __name__ == "__main__":
    make_run()
    make_sweep()
    make_compare()
    sys.stdout.write(f"fixtures written under {HERE}\n")
