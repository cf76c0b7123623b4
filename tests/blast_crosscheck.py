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

Run ``python tests/blast_crosscheck.py`` for the table in docs/validation.md.
"""

from __future__ import annotations

import importlib
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from swapsim.config import load_scenario  # noqa: E402
from swapsim.engine import simulate  # noqa: E402
from swapsim.model.degradation import CHEMISTRIES, years_to_health  # noqa: E402
from swapsim.model.stressors import PackTrace, blast_input  # noqa: E402

BLAST_CLASSES = {
    "nmc811": ("blast.models.nmc811_grSi_LGMJ1_4Ah_2020", "Nmc811_GrSi_LGMJ1_4Ah_Battery"),
    "lfp": ("blast.models.lfp_gr_250AhPrismatic_2019", "Lfp_Gr_250AhPrismatic"),
}
"""The BLAST-Lite classes the presets are fitted from (same coefficients, see degradation.CHEMISTRIES)."""

YEAR_H = 365.0 * 24.0
COMMON = [
    "horizon=365 d", "warmup=0 h", "battery.wear_sigma=0", "battery.initial_capacity_sd=0",
    "health.fault_rate_per_cycle=0", "health.warn_below=0.5", "health.retire_below=0.5",
    "health.retire_resistance_ratio=10", "output.bin_width=1 d",
]
"""Overrides for every duty: one year, no pack-to-pack variation, no safety faults, and packs kept in
service below 80 % (so that every traced pack sees the whole year)."""

DUTIES: dict[str, tuple[str, list[str]]] = {
    # Standing-heavy: the shipped factory (stand 105 W at the workstation most of the time), 10 robots
    # and two smaller halls so that a year runs in a few seconds.
    "factory (standing)": ("scenarios/factory.yaml", [
        "fleet.robots=10", "stations[0].bays=6", "stations[0].charged_packs=4",
        "stations[1].bays=6", "stations[1].charged_packs=4"]),
    # Walking-heavy: the factory floor with a walking cycle (carry totes between racks, short picks),
    # 6 robots, one 4-bay hall each side.
    "walking cycle": ("scenarios/factory.yaml", [
        "fleet.robots=6", "stations[0].bays=4", "stations[0].charged_packs=2",
        "stations[1].bays=4", "stations[1].charged_packs=2",
        "workload.cycle=[{activity: walk, duration: {dist: uniform, low: 20 min, high: 60 min}},"
        " {activity: stand, duration: {dist: exponential, mean: 8 min}},"
        " {activity: idle, duration: {dist: exponential, mean: 4 min}}]"]),
}
"""Duty name -> (scenario file, overrides)."""

def traced_packs(robots: int, full: bool = True) -> tuple[int, ...]:
    """Packs followed: robots' packs (0, 3, 8) and the station stock's first and fourth (robots carry
    packs 0 to 2 x robots - 1). ``full=False``: one of each (0 and the first stock pack)."""
    return (0, 3, 8, 2 * robots, 2 * robots + 3) if full else (0, 2 * robots)


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


def crosscheck(duty: str, preset: str, full: bool = True) -> list[PackResult]:
    """Swapsim and BLAST-Lite side by side for the traced packs after one year of ``duty`` with ``preset``."""
    path, extra = DUTIES[duty]
    scenario = load_scenario(ROOT / path, [*COMMON, *extra, f"battery.chemistry={preset}"])
    packs = traced_packs(scenario.fleet.robots, full)
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
        out.append(PackResult(
            duty=duty, preset=preset, pack=pid,
            swapsim_q=1.0 - q_cal - q_cyc, blast_q=float(cell.outputs["q"][-1]),
            swapsim_years_80=years_to_health(q_cal, q_cyc, 1.0, model.p_cal, model.p_cyc),
            blast_years_80=years_to_health(b_cal, b_cyc, years, model.p_cal, model.p_cyc),
            efc=float(cell.stressors["efc"][-1]),
        ))
    return out


def table(results: list[PackResult]) -> str:
    """Markdown table: means over the traced packs per duty and preset, and the worst pack."""
    lines = ["| duty | preset | BLAST-Lite capacity after 1 y | swapsim | worst pack diff (pp) "
             "| years to 80 % BLAST / swapsim | worst pack diff |",
             "|---|---|---|---|---|---|---|"]
    keys = sorted({(r.duty, r.preset) for r in results}, key=lambda k: (list(DUTIES).index(k[0]), k[1]))
    for duty, preset in keys:
        rs = [r for r in results if r.duty == duty and r.preset == preset]
        bq = np.mean([r.blast_q for r in rs])
        sq = np.mean([r.swapsim_q for r in rs])
        dq = max(abs(r.swapsim_q - r.blast_q) for r in rs) * 100
        by = np.mean([r.blast_years_80 for r in rs])
        sy = np.mean([r.swapsim_years_80 for r in rs])
        dy = max(abs(r.swapsim_years_80 / r.blast_years_80 - 1) for r in rs) * 100
        lines.append(f"| {duty} | {preset} | {bq:.2%} | {sq:.2%} | {dq:.2f} | {by:.2f} / {sy:.2f} | {dy:.1f} % |")
    return "\n".join(lines)


if __name__ == "__main__":
    everything = []
    for duty in DUTIES:
        for preset in BLAST_CLASSES:
            rs = crosscheck(duty, preset)
            for r in rs:
                print(f"{r.duty:20s} {r.preset:7s} pack {r.pack:3d} EFC {r.efc:7.1f}  q BLAST {r.blast_q:.4f} "
                      f"swapsim {r.swapsim_q:.4f}  y80 BLAST {r.blast_years_80:.2f} swapsim {r.swapsim_years_80:.2f}",
                      flush=True)
            everything += rs
    print(table(everything))
    if math.isnan(0.0):  # pragma: no cover
        pass
