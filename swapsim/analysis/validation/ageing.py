"""BLAST-Lite cross-check of pack ageing on the duty packs really see (helper, not a test module).

For a duty (a scenario) and a cell preset, :func:`crosscheck` runs swapsim for one simulated year with
a bounded trace of a few packs' state of charge and temperature (:class:`swapsim.model.stressors.PackTrace`),
turns each path into BLAST-Lite's ``input_timeseries`` (:func:`swapsim.model.stressors.blast_input`,
one sample a minute), runs BLAST-Lite's own cell model on it (``simulate_battery_life`` with
``is_conserve_energy_throughput=False``: the SOC series is already that of the ageing pack, as
swapsim's state of charge is a fraction of the pack's present usable energy) and puts its capacity
beside swapsim's for the same pack.

Both sides extrapolate to 80 % the same way (:func:`swapsim.model.degradation.years_to_health`): the
calendar and cycle losses after one year continued on their own power laws, EFC growing with time.

Pack-to-pack variation is off in these runs (``battery.wear_sigma=0``, ``initial_capacity_sd=0``):
BLAST-Lite's ``degradation_scalar`` scales its state increments (an effective time scale, loss
proportional to ``s ** p``), swapsim's wear multiplier scales the rate (loss proportional to ``s``);
the cross-check is about the stressors. Safety faults are off and the retirement thresholds lowered
so that the traced packs serve the whole year.

``python -m swapsim.analysis.validation.ageing`` (needs the ``dev`` extra) runs every duty and preset, writes the
numbers to ``docs/validation-ageing.json`` and redraws ``docs/validation.md`` from saved data, whose
section 8 (:func:`section`) is drawn from that file. The test in tests/validation/test_pack_life.py runs
the same check on two packs per duty and preset.
"""

from __future__ import annotations

import importlib
import json
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from swapsim._version import __version__
from swapsim.engine import simulate
from swapsim.model.degradation import CHEMISTRIES, years_to_health
from swapsim.model.stressors import PackTrace
from swapsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[3]  # the repository (scenarios/ are not installed with the package)
"""The checkout (scenario files are read from ``ROOT / scenarios``)."""

BLAST_CLASSES = {
    "nmc811": ("blast.models.nmc811_grSi_LGMJ1_4Ah_2020", "Nmc811_GrSi_LGMJ1_4Ah_Battery"),
    "lfp": ("blast.models.lfp_gr_250AhPrismatic_2019", "Lfp_Gr_250AhPrismatic"),
}
"""The BLAST-Lite classes the presets are fitted from (same coefficients, see degradation.CHEMISTRIES)."""

YEAR_H = 365.0 * 24.0
COMMON = [
    "horizon=365 d",
    "warmup=0 h",
    "battery.wear_sigma=0",
    "battery.initial_capacity_sd=0",
    "health.fault_rate_per_cycle=0",
    "health.warn_below=0.5",
    "health.retire_below=0.5",
    "health.retire_resistance_ratio=10",
    "output.bin_width=1 d",
]
"""Overrides for every duty: one year, no pack-to-pack variation, no safety faults, and packs kept in
service below 80 % (so that every traced pack sees the whole year)."""

DUTIES: dict[str, tuple[str, list[str]]] = {
    # Standing-heavy: the shipped factory (stand 105 W at the workstation most of the time), 10 robots
    # and two smaller halls so that a year runs in a few seconds.
    "factory (standing)": (
        "scenarios/factory.yaml",
        [
            "fleet.robots=10",
            "stations[0].bays=6",
            "stations[0].charged_packs=4",
            "stations[1].bays=6",
            "stations[1].charged_packs=4",
        ],
    ),
    # Walking-heavy: the factory floor with a walking cycle (carry totes between racks, short picks),
    # 6 robots, one 4-bay hall each side.
    "walking cycle": (
        "scenarios/factory.yaml",
        [
            "fleet.robots=6",
            "stations[0].bays=4",
            "stations[0].charged_packs=2",
            "stations[1].bays=4",
            "stations[1].charged_packs=2",
            "workload.cycle=[{activity: walk, duration: {dist: uniform, low: 20 min, high: 60 min}},"
            " {activity: stand, duration: {dist: exponential, mean: 8 min}},"
            " {activity: idle, duration: {dist: exponential, mean: 4 min}}]",
        ],
    ),
}
"""Duty name -> (scenario file, overrides)."""


def blast_input(
    points: list[tuple[float, float, float]], step_s: float = 60.0, end_h: float | None = None
) -> dict[str, np.ndarray]:
    """BLAST-Lite's ``input_timeseries`` (``Time_s``, ``SOC``, ``Temperature_C``) from a traced path.

    The path is sampled every ``step_s`` seconds from its first point to ``end_h`` (default: its last):
    SOC interpolated linearly between points (the path is linear or finely sampled between them),
    temperature held from the last point at or before each sample. Times start at 0.
    """
    arr = np.asarray(points, dtype=float)
    t_h, soc, temp = arr[:, 0], arr[:, 1], arr[:, 2]
    t0 = t_h[0]
    t1 = t_h[-1] if end_h is None else end_h
    grid_s = np.arange(0.0, (t1 - t0) * 3600.0 + 0.5 * step_s, step_s)
    grid_h = t0 + grid_s / 3600.0
    soc_g = np.interp(grid_h, t_h, soc)
    idx = np.searchsorted(t_h, grid_h, side="right") - 1
    temp_g = temp[np.clip(idx, 0, len(temp) - 1)]
    return {"Time_s": grid_s, "SOC": soc_g, "Temperature_C": temp_g}


def traced_packs(robots: int, full: bool = True, packs_per_robot: int = 2, stock: bool = True) -> tuple[int, ...]:
    """Packs followed: robots' packs (0, 3, 8) and the station stock's first and fourth (robots carry
    packs 0 to ``robots x packs_per_robot - 1``; ``stock=False``: no stock, as with plug-in docks).
    ``full=False``: one of each (0 and the first stock pack)."""
    n = robots * packs_per_robot
    own = [p for p in ((0, 3, 8) if full else (0,)) if p < n]
    return tuple(own + ([n, n + 3] if full else [n]) if stock else own)


@dataclass(frozen=True)
class PackResult:
    """One pack's capacity after one year (fraction of initial) and years to 80 %, on both sides."""

    duty: str
    preset: str
    pack: int
    swapsim_q: float
    blast_q: float
    swapsim_years_80: float
    blast_years_80: float
    efc: float


def blast_model(preset: str):
    """A fresh BLAST-Lite cell model of ``preset`` (raises ImportError without blast-lite)."""
    module, cls = BLAST_CLASSES[preset]
    return getattr(importlib.import_module(module), cls)()


def run_blast(preset: str, points: list[tuple[float, float, float]], end_h: float, step_s: float = 60.0):
    """BLAST-Lite's own simulation of one traced path; returns the cell model after it."""
    cell = blast_model(preset)
    series = blast_input(points, step_s=step_s, end_h=end_h)
    cell.simulate_battery_life(series, is_conserve_energy_throughput=False)
    return cell


def crosscheck(duty: str, preset: str, full: bool = True, root: Path = ROOT) -> list[PackResult]:
    """Swapsim and BLAST-Lite side by side for the traced packs after one year of ``duty`` with ``preset``.

    ``root``: the directory holding ``scenarios/`` (default: the checkout this module is in; a test of an
    installed swapsim passes its own)."""
    path, extra = DUTIES[duty]
    scenario = load_scenario(root / path, [*COMMON, *extra, f"battery.chemistry={preset}"])
    packs = traced_packs(
        scenario.fleet.robots, full, scenario.strategy.packs_per_robot, scenario.strategy.kind != "plug_in"
    )
    trace = PackTrace(packs)
    result = simulate(scenario, pack_trace=trace)
    model = CHEMISTRIES[preset]
    rows = {r["pack"]: r for r in result.packs}
    out = []
    for pid in packs:
        row = rows[pid]
        assert row["status"] in ("in_robot", "in_bay") and pid not in trace.truncated, (pid, row["status"])
        q_cal, q_cyc = row["calendar_loss"], row["cycle_loss"]
        cell = run_blast(preset, trace.points[pid], end_h=YEAR_H)
        days = float(cell.stressors["t_days"][-1])
        b_cal = float(cell.states[list(cell.states)[0]][-1])
        b_cyc = float(cell.states[list(cell.states)[1]][-1])
        years = days / 365.0
        out.append(
            PackResult(
                duty=duty,
                preset=preset,
                pack=pid,
                swapsim_q=1.0 - q_cal - q_cyc,
                blast_q=float(cell.outputs["q"][-1]),
                swapsim_years_80=years_to_health(q_cal, q_cyc, 1.0, model.p_cal, model.p_cyc),
                blast_years_80=years_to_health(b_cal, b_cyc, years, model.p_cal, model.p_cyc),
                efc=float(cell.stressors["efc"][-1]),
            )
        )
    return out


def summarise(results: list[PackResult]) -> list[dict[str, Any]]:
    """One row per (duty, preset): means over the traced packs and the worst pack's differences."""
    rows = []
    for duty in DUTIES:
        for preset in BLAST_CLASSES:
            rs = [r for r in results if r.duty == duty and r.preset == preset]
            if not rs:
                continue
            rows.append(
                {
                    "duty": duty,
                    "preset": preset,
                    "packs": [r.pack for r in rs],
                    "blast_q": float(np.mean([r.blast_q for r in rs])),
                    "swapsim_q": float(np.mean([r.swapsim_q for r in rs])),
                    "worst_q_pp": max(abs(r.swapsim_q - r.blast_q) for r in rs) * 100,
                    "blast_years_80": float(np.mean([r.blast_years_80 for r in rs])),
                    "swapsim_years_80": float(np.mean([r.swapsim_years_80 for r in rs])),
                    "worst_years_rel": max(abs(r.swapsim_years_80 / r.blast_years_80 - 1) for r in rs),
                    "efc": float(np.mean([r.efc for r in rs])),
                }
            )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m swapsim.analysis.validation.ageing [--out docs/validation-ageing.json] [--no-page]``."""
    import argparse
    from importlib.metadata import version

    parser = argparse.ArgumentParser(
        prog="python -m swapsim.analysis.validation.ageing",
        description="Pack ageing against BLAST-Lite on a year of real duty.",
    )
    parser.add_argument("--out", default="docs/validation-ageing.json", help="the saved numbers")
    parser.add_argument("--no-page", action="store_true", help="do not redraw docs/validation.md")
    args = parser.parse_args(argv)
    results: list[PackResult] = []
    for duty in DUTIES:
        for preset in BLAST_CLASSES:
            for r in crosscheck(duty, preset):
                print(
                    f"{r.duty:20s} {r.preset:7s} pack {r.pack:3d} EFC {r.efc:7.1f}  q BLAST {r.blast_q:.4f} "
                    f"swapsim {r.swapsim_q:.4f}  y80 BLAST {r.blast_years_80:.2f} "
                    f"swapsim {r.swapsim_years_80:.2f}",
                    flush=True,
                )
                results.append(r)
    data = {
        "swapsim_version": __version__,
        "python": platform.python_version(),
        "blast_lite": version("blast-lite"),
        "packs": [asdict(r) for r in results],
        "rows": summarise(results),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1), encoding="utf-8")
    from swapsim.analysis.validation.ageing_page import section

    print("\n".join(section(data)))
    if not args.no_page:
        from swapsim.analysis.validation.__main__ import main as validation_main

        validation_main(["--from-data", "--out", str(out.with_name("validation.md"))])
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
