"""Redraw the example figures of docs/figures-and-reports.md from the shipped scenarios (about a minute).

    .venv/bin/python docs/make_figures.py        # or: make docs-figures

Writes ``docs/figures/<kind>-<figure>.png``: the run figures of the factory (its own horizon and
seed), the month-by-month figure of a 90-day hospital run, a small factory sweep (robots x charged packs at hall-A,
3 replications of 7 days), the factory's power strategies compared (7 days) and a warm-up analysis of
the factory (3 pilot runs of 3 days). Each figure is drawn by swapsim.output from the saved results, as
``swapsim plot`` would.

Also writes ``docs/figures/run-summary.txt``: the factory's run summary and what taking its lever (more
packs at hall-A) does, with the same seed. docs/figures-and-reports.md quotes no number of its own: the
numbers live in that file, regenerated with the figures, so they always match the code that made them.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from swapsim.engine import simulate  # noqa: E402
from swapsim.results import write_run  # noqa: E402
from swapsim.scenario import load_scenario  # noqa: E402

OUT = ROOT / "docs" / "figures"
FACTORY = ROOT / "scenarios" / "factory.yaml"
HOSPITAL = ROOT / "scenarios" / "hospital.yaml"


def _keep(src: Path, prefix: str, stems: tuple[str, ...] | None = None) -> None:
    for png in sorted(src.glob("*.png")):
        if stems is None or png.stem in stems:
            shutil.copyfile(png, OUT / f"{prefix}-{png.stem}.png")


def main() -> None:
    from swapsim.experiments import run_sweep, sweep_from_scenario
    from swapsim.experiments.compare import run_compare, write_compare
    from swapsim.experiments.warmup import advise_warmup, pilot_series, write_warmup
    from swapsim.output import plot_run, plot_sweep

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sc = load_scenario(FACTORY, [])
        base = simulate(sc, None)
        plot_run(write_run(base, work / "factory"))
        _keep(work / "factory", "run")
        _write_summary(work, sc, base)
        plot_run(write_run(simulate(load_scenario(HOSPITAL, ["horizon=90 d", "output.bin_width=1 h"]), None),
                           work / "hospital"))
        _keep(work / "hospital", "run", ("monthly",))
        sweep = sweep_from_scenario(FACTORY, {"fleet.robots": [24, 30, 36], "stations[0].charged_packs": [11, 13, 15]},
                                    overrides=["horizon=7 d"], replications=3, seed=1)
        run_sweep(sweep, work / "sweep", jobs=1)
        plot_sweep(work / "sweep")
        _keep(work / "sweep", "sweep", ("sweep_fleet.utilisation", "heatmap_fleet.utilisation"))
        short = load_scenario(FACTORY, ["horizon=7 d"])
        write_compare(run_compare(short, ["hot_swap", "cold_swap", "plug_in"], 1), work / "compare",
                      scenario_file=FACTORY, overrides=["horizon=7 d"])
        _keep(work / "compare", "compare")
        pilot = load_scenario(FACTORY, ["horizon=3 d"])
        write_warmup(advise_warmup(pilot_series(pilot, replications=3, bin_width_h=0.25, jobs=1)), work / "warmup",
                     source="scenarios/factory.yaml")
        _keep(work / "warmup", "warmup")
    sys.stdout.write(f"figures written to {OUT}\n")


LEVER = ["stations[0].bays=19", "stations[0].charged_packs=16"]
"""The lever the factory's summary points at: more packs at hall-A."""


def _write_summary(work: Path, sc, base) -> None:
    """run-summary.txt: the factory's summary, then the same seed with the lever taken."""
    from swapsim.output.findings import summary_text

    lever = simulate(load_scenario(FACTORY, LEVER), None)
    write_run(lever, work / "factory-lever")

    def line(r) -> str:
        s = r.summary
        return (
            f"stock-outs {s['swaps']['stockouts']:,}, mean swap wait {s['swaps']['wait_min']['mean']:.2f} min, "
            f"utilisation {s['fleet']['utilisation']:.1%}"
        )

    text = [
        f"$ swapsim run scenarios/factory.yaml   (seed {base.seed})",
        summary_text(work / "factory"),
        "",
        f"Taking the lever, same seed: --set {' --set '.join(repr(x) for x in LEVER)}",
        f"  as shipped:  {line(base)}",
        f"  with lever:  {line(lever)}",
        "",
        summary_text(work / "factory-lever"),
    ]
    (OUT / "run-summary.txt").write_text("\n".join(text) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
