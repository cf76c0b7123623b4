"""Text for the terminal: what the command line prints after a run, a comparison, a sweep or a warm-up
analysis.

Every function here returns plain text (lines joined with newlines, no trailing newline) composed from
results the caller already has (a run's summary, a comparison's rows, a sweep directory's saved
tables); nothing here runs a simulation, reads a scenario file or prints. :mod:`swapsim.cli` prints
these strings; a notebook can print them as well. Durations are shown with
:func:`swapsim.scenario.units.format_duration`, fractions as percentages, waits in minutes. (The text
of ``swapsim estimate`` is :func:`swapsim.analysis.format_estimate`, beside the estimate, so that its
path imports no plotting library.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swapsim.metrics.glossary import plural
from swapsim.results import read_csv, read_json
from swapsim.scenario.units import format_duration

if TYPE_CHECKING:
    from swapsim.engine import RunResult
    from swapsim.experiments import SweepReport
    from swapsim.experiments.warmup import WarmupAdvice
    from swapsim.scenario import Scenario

__all__ = [
    "run_banner",
    "headline",
    "battery_headline",
    "realistic_work_lines",
    "compare_banner",
    "compare_table",
    "format_ci",
    "sweep_table",
    "sweep_summary",
    "warmup_summary",
]


def _aligned(lines: Sequence[tuple[str, str]]) -> str:
    """``label  value`` lines, the values aligned two spaces after the longest label."""
    width = max(len(k) for k, _ in lines)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in lines)


# ---------------------------------------------------------------------------------------------
# swapsim run


def run_banner(result: RunResult) -> str:
    """One line on what a run was: fleet, stations, simulated time, warm-up, seed and wall time (s)."""
    sc, man = result.scenario, result.manifest
    return (
        f"{sc.name}: {plural(sc.fleet.robots, 'robot')}, {plural(len(sc.stations), 'station')}, "
        f"{format_duration(man['horizon_h'])} simulated, statistics after "
        f"{format_duration(man['warmup_h'])} of warm-up, "
        f"seed {man['seed']} ({man['wall_time_s']:.2f} s)"
    )


def headline(summary: Mapping[str, Any]) -> str:
    """The headline KPIs of a run's summary (``summary.json`` without the manifest), one aligned line
    each: fleet utilisation and states, swaps and their waits (min), stock-outs, strandings, grid energy
    (kWh), then the lines of :func:`realistic_work_lines`, one line per station and the lines of
    :func:`battery_headline`."""
    fleet = summary["fleet"]
    swaps = summary["swaps"]
    docked = bool(summary.get("charging"))  # plug-in charging: no swaps, stock-outs or green packs (n/a)
    na = "n/a (robots charge at a dock)"
    lines = [
        ("fleet utilisation (working / on duty)", f"{fleet['utilisation']:.1%}"),
        *[(f"  {state}", f"{frac:.1%}") for state, frac in fleet["state_fraction"].items() if frac > 0],
        ("swaps", na if docked else f"{swaps['count']:,} ({swaps['per_robot_per_day']:.2f} per robot per day)"),
        (
            "swap wait, mean / p95 / max (min)",
            na
            if docked
            else f"{swaps['wait_min']['mean']:.2f} / {swaps['wait_min']['p95']:.2f} / {swaps['wait_min']['max']:.2f}",
        ),
        ("stock-outs (no green pack on arrival)", na if docked else f"{swaps['stockouts']:,}"),
        ("strandings", f"{fleet['strandings']:,}"),
        ("grid energy (kWh)", f"{summary['energy']['grid_kwh']:,.1f}"),
    ]
    lines += realistic_work_lines(summary)
    for st in summary["stations"]:
        if docked:
            lines.append(
                (
                    f"station {st['name']}: docks busy / queue",
                    f"{st['swap_utilisation']:.1%} / {st['mean_queue_length']:.2f}",
                )
            )
        else:
            lines.append(
                (
                    f"station {st['name']}: positions busy / queue / green",
                    f"{st['swap_utilisation']:.1%} / {st['mean_queue_length']:.2f} / {st['charged_packs_mean']:.2f}",
                )
            )
    lines += battery_headline(summary)
    return _aligned(lines)


def battery_headline(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Pack health and technician lines of the headline as (label, value) pairs (none when the run
    has no pack health)."""
    packs, alerts, tech = summary.get("packs", {}), summary.get("alerts"), summary.get("technicians")
    if alerts is None or tech is None or "mean_health_end" not in packs:
        return []
    mean, low = packs["mean_health_end"], packs["min_health_end"]
    return [
        ("pack health at the end, mean / min", f"{mean:.1%} / {low:.1%}" if mean is not None else "no pack in service"),
        ("packs retired / replaced", f"{packs['retired']} / {packs['replaced']}"),
        (
            "alerts: warnings / retirements / faults",
            f"{alerts['warnings']} / {alerts['retirements']} / {alerts['faults']}",
        ),
        (
            "technicians: utilisation / jobs / mean response (min)",
            f"{tech['utilisation']:.1%} / {tech['jobs']} / {tech['mean_response_min']:.1f}",
        ),
    ]


def realistic_work_lines(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Headline lines for shifts, tasks, plug-in charging and faults (only those that apply), as
    (label, value) pairs."""
    fleet = summary["fleet"]
    lines = []
    if fleet.get("off_duty_fraction", 0.0) > 0:
        lines.append(
            (
                "off duty (share of all robot time)",
                f"{fleet['off_duty_fraction']:.1%} (mean {fleet['on_duty_mean']:.1f} robots on duty)",
            )
        )
    tasks = summary.get("tasks")
    if tasks:
        lines += [
            (
                "tasks done of arrived",
                f"{tasks['done']:,} of {tasks['arrived']:,} ({tasks.get('served_share', 1.0):.1%}; "
                f"{tasks['per_day']:,.0f} per day)",
            ),
            (
                "task wait, mean / p95 / max (min)",
                f"{tasks['wait_min']['mean']:.2f} / {tasks['wait_min']['p95']:.2f} / {tasks['wait_min']['max']:.2f}",
            ),
            ("tasks waiting at the horizon", f"{tasks['waiting_at_horizon']}"),
        ]
    charging = summary.get("charging")
    if charging:
        lines += [
            (
                "plug-in charges",
                f"{charging['sessions']:,} ({charging['per_robot_per_day']:.2f} per robot per day, "
                f"{charging['duration_min_mean']:.0f} min each)",
            ),
            ("dock wait, mean / p95 (min)", f"{charging['wait_min']['mean']:.2f} / {charging['wait_min']['p95']:.2f}"),
        ]
    faults = summary.get("faults")
    if faults and any(faults[k] for k in ("estops", "breakdowns", "station_outages", "failed_swaps")):
        lines += [
            (
                "faults: e-stops / breakdowns / failed swaps",
                f"{faults['estops']} / {faults['breakdowns']} / {faults['failed_swaps']}",
            ),
            ("station outages (hours down)", f"{faults['station_outages']} ({faults['station_down_h']:.1f} h)"),
            ("robot-hours down", f"{faults['down_h']:.1f}"),
        ]
    return lines


# ---------------------------------------------------------------------------------------------
# swapsim compare


def compare_banner(scenario: Scenario, seed: int) -> str:
    """One line on what a comparison ran: fleet, horizon (d), warm-up (h), seed."""
    return (
        f"{scenario.name}: {scenario.fleet.robots} robots, horizon {scenario.horizon / 24:.1f} d after "
        f"{scenario.warmup:.1f} h warm-up, seed {seed}, common random numbers"
    )


def compare_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """One line per strategy (the rows of :func:`swapsim.experiments.compare.compare_rows`) under a
    header: utilisation, swaps per robot per day, mean station wait (min), tasks done and the task
    wait's p95 (min) when the runs have tasks, and the wall time (s)."""
    tasks = "tasks_done" in rows[0]
    head = f"{'strategy':<10} {'utilisation':>11} {'swaps/robot/d':>13} {'station wait':>12}"
    head += f" {'tasks done':>10} {'task p95':>9}" if tasks else ""
    lines = [head + f" {'run time':>9}"]
    for row in rows:
        line = (
            f"{row['strategy']:<10} {row['utilisation']:>11.1%} {row['swaps_per_robot_per_day']:>13.2f} "
            f"{row['wait_min_mean']:>8.2f} min"
        )
        if tasks:
            line += f" {row['tasks_done']:>10} {row['task_wait_min_p95']:>5.1f} min"
        lines.append(line + f" {row['wall_time_s']:>7.1f} s")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# swapsim sweep


def format_ci(mean: float, half: float, scale: float = 1.0, digits: int = 2) -> str:
    """``mean ± half`` (both times ``scale``, to ``digits`` decimals); ``-`` for a mean that is not a
    finite number, the mean alone for a half-width that is not."""
    if not math.isfinite(mean):
        return "-"
    text = f"{mean * scale:.{digits}f}"
    return text + (f" ± {half * scale:.{digits}f}" if math.isfinite(half) else "")


def sweep_table(out: Path, targets: Mapping[str, float]) -> str:
    """The table of a sweep directory ``out`` (its sweep.json and points.csv): per point, the factor
    values, n and the headline KPIs (mean ± 95 % half-width), with the KPIs of ``targets`` (the
    sweep's ``target_ci``) added."""
    meta = read_json(out / "sweep.json")
    pts = read_csv(out / "points.csv")
    factors = list(meta["factors"])
    kpis = [
        ("fleet.utilisation", "utilisation %", 100.0, 1),
        ("swaps.wait_min.mean", "wait min", 1.0, 2),
        ("swaps.per_robot_per_day", "swaps/robot/day", 1.0, 2),
    ]
    kpis += [(k, k, 1.0, 4) for k in targets if k not in {x[0] for x in kpis}]
    kpis = [k for k in kpis if f"{k[0]}.mean" in pts]
    header = ["point", *factors, "n", *[k[1] for k in kpis]]
    rows = []
    for i in range(len(pts["point"])):
        rows.append(
            [
                str(pts["point"][i]),
                *[str(pts[f][i]) for f in factors],
                str(pts["n"][i]),
                *[format_ci(pts[f"{k}.mean"][i], pts[f"{k}.ci95"][i], s, d) for k, _, s, d in kpis],
            ]
        )
    widths = [max(len(h), *(len(r[j]) for r in rows)) for j, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def sweep_summary(
    out: Path, report: SweepReport, target_ci: Mapping[str, float], max_replications: int, figures: Sequence[Path] = ()
) -> str:
    """What a finished sweep in ``out`` did: runs and wall time, :func:`sweep_table`, with ``target_ci``
    the targets and the replications per point (and the points short of them, at most
    ``max_replications``), what the intervals are, and the figure files drawn."""
    lines = [
        f"{report.runs_planned} runs ({report.runs_new} new, {report.runs_resumed} already on disk) "
        f"in {report.wall_time_s:.1f} s {report.executor}",
        sweep_table(out, target_ci),
    ]
    if target_ci:
        goal = ", ".join(f"{k} within {v:.1%} of |mean|" for k, v in target_ci.items())
        short = [p for p, ok in report.target_met.items() if not ok]
        lines.append(
            f"target: 95 % half-width of {goal}; replications per point: "
            + ", ".join(f"{p}: {n}" for p, n in sorted(report.replications.items()))
        )
        if short:
            lines.append(
                f"not reached at point(s) {', '.join(map(str, short))} "
                f"(max {max_replications} replications or failed runs)"
            )
    lines.append("mean ± 95 % confidence half-width (Student t) over the replications")
    if figures:
        lines.append(f"figures: {', '.join(p.name for p in figures)}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# swapsim warmup


def warmup_summary(advice: WarmupAdvice, scenario: Scenario, replications: int) -> str:
    """MSER-5's truncation point of each pilot series (h; per replication, flagged when at the search
    limit) and the suggested warm-up beside the scenario's own, over ``replications`` pilots."""
    bin_h = advice.series.bin_width_h
    lines = []
    for name, res in advice.results.items():
        per = advice.per_replication_h[name]
        flag = "" if res.reliable else "  (minimum at the search limit: lengthen the horizon)"
        lines.append(
            f"MSER-5 on {name}: truncate {res.truncation * bin_h:.1f} h "
            f"(per replication: {min(per):.1f} to {max(per):.1f} h){flag}"
        )
    lines.append(
        f"suggested warm-up: {format_duration(advice.suggested_h) if advice.suggested_h else '0 h'} "
        f"(scenario has {format_duration(scenario.warmup) if scenario.warmup else '0 h'}); "
        f"{replications} pilot replications over {format_duration(scenario.horizon)}"
    )
    return "\n".join(lines)
