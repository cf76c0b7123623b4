"""The findings of a run a manager reads in a minute, computed from a run's saved files by stated rules.

:func:`run_findings` reads a run directory (``summary.json``, ``timeseries.csv``) or the same data
already in memory and returns a short list of :class:`Finding`; :func:`summary_text` renders them as
plain text (the end of ``swapsim run``) and the report shows them at the top of ``report.html``. The
findings answer four questions, always in this order:

1. **Is the work covered?** Continuous work (no task demand): the fleet utilisation, the share of
   on-duty robot time spent working. Task demand: tasks done of tasks arrived, the mean and 95th
   percentile task wait and the backlog. The demand counts as *not covered* when the backlog at the
   end exceeds both twice its mean and one hour of arrivals (:data:`BACKLOG_HOURS`): it was growing.
2. **Where does robot time go?** The three largest shares of on-duty time, the energy cycle
   (travelling + queueing + swapping + charging at a dock) as one share, and the off-duty share of
   all time when robots work shifts.
3. **What binds?** Each candidate constraint has a measure and a threshold (:data:`THRESHOLDS`); its
   *pressure* is measure / threshold. The candidate with the highest pressure of at least 1 binds;
   others of at least 1 are named as well. The candidates:

   * *green packs*: the largest share of a station's swaps that found no green pack on arrival
     (stock-outs / swaps at that station), threshold 2 %;
   * *swap positions*: the largest share of time a station's swap positions are busy, threshold 70 %
     (past it, queues grow quickly);
   * *travel*: travelling share of on-duty time, threshold 5 %;
   * *technicians*: share of rostered technician time busy, threshold 80 %; any job that found no new
     pack on the shelf raises the pressure to at least 1;
   * *shifts (robots on duty)*, task demand only: share of on-duty time not idle, threshold 95 % (no
     slack left to take tasks); a growing backlog raises the pressure to at least 1;
   * *faults*: down and stranded share of on-duty time, threshold 2 %; any stranding raises the
     pressure to at least 1.

4. **What would change it?** One lever per binding constraint (add packs to the station, a swap
   position, a nearer station, a technician, robots on duty, faster repair). For green packs the
   station's green-pack series (``<station>_green`` after warm-up) is tested for swap *waves*: its
   autocorrelation's first peak after it turns negative, if at least :data:`WAVE_ACF`, gives the
   period (as in docs/validation.md, section 6). With nothing binding, the lever is swapping instead
   of plug-in charging when robots charge at a dock at least 5 % of on-duty time, else the fleet size
   when robots are idle at least 10 % of on-duty time, else none: the energy cycle sets the ceiling.

Pure functions of the saved data: nothing here draws or simulates.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from swapsim.metrics.glossary import ON_DUTY_STATES, STATE_WORDS

__all__ = [
    "Finding",
    "run_findings",
    "summary_text",
    "run_epilogue",
    "headline_rows",
    "detect_waves",
    "load_run_data",
    "THRESHOLDS",
    "WAVE_ACF",
    "BACKLOG_HOURS",
]

THRESHOLDS: dict[str, float] = {
    "green packs": 0.02,
    "swap positions": 0.70,
    "travel": 0.05,
    "technicians": 0.80,
    "shifts": 0.95,
    "faults": 0.02,
}
"""Threshold of each candidate constraint's measure (shares of 1; see the module docstring)."""

WAVE_ACF = 0.3
"""Smallest autocorrelation at the first peak that counts as waves."""

BACKLOG_HOURS = 1.0
"""A backlog at the end above this many hours of arrivals (and twice its mean) counts as growing."""

IDLE_SLACK = 0.10
"""With nothing binding, an idle share at least this large suggests fewer robots would do the work."""

ENERGY_STATES = ("travelling", "queueing", "swapping", "charging")


@dataclass(frozen=True)
class Finding:
    """One sentence of the summary. ``topic``: ``work``, ``time``, ``constraint``, ``lever``;
    ``level``: ``ok``, ``watch`` (a constraint that also presses) or ``act`` (the binding one, or work
    not covered)."""

    topic: str
    text: str
    level: str = "ok"


def load_run_data(run_dir: Path) -> dict[str, Any]:
    """``summary`` (summary.json) and ``timeseries`` (timeseries.csv, when present) of a run directory."""
    from swapsim.results import read_csv
    from swapsim.results.reader import read_json

    run_dir = Path(run_dir)
    data: dict[str, Any] = {"summary": read_json(run_dir / "summary.json")}
    if os.path.lexists(run_dir / "timeseries.csv"):
        data["timeseries"] = read_csv(run_dir / "timeseries.csv")
    return data


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %" if abs(x) < 0.9995 or x == 1 else f"{x * 100:.0f} %"


def _num(x: float) -> str:
    if abs(x - round(x)) < 1e-9:
        return f"{x:,.0f}"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.1f}"


def detect_waves(series: Any, bin_h: float, start_h: float = 0.0) -> tuple[float, float] | None:
    """(period in hours, autocorrelation at it) of a binned series from ``start_h`` on, or None.

    The period is the lag of the autocorrelation's first local maximum after it first turns
    negative; it counts as waves when the autocorrelation there is at least :data:`WAVE_ACF` and the
    series spans at least three periods.
    """
    y = np.asarray(series, dtype=float)
    y = y[int(math.ceil(start_h / bin_h - 1e-9)) :] if bin_h > 0 else y
    y = y[np.isfinite(y)]
    if y.size < 12:
        return None
    y = y - y.mean()
    denom = float(np.dot(y, y))
    if denom <= 0:
        return None
    max_lag = y.size // 3
    acf = np.array([float(np.dot(y[:-k], y[k:])) / denom for k in range(1, max_lag + 1)])
    negative = np.flatnonzero(acf < 0)
    if not negative.size:
        return None
    for i in range(int(negative[0]) + 1, len(acf) - 1):
        if acf[i] >= acf[i - 1] and acf[i] >= acf[i + 1]:
            return ((i + 1) * bin_h, float(acf[i])) if acf[i] >= WAVE_ACF else None
    return None


def _bin_width(ts: Mapping[str, Any] | None) -> float:
    t = (ts or {}).get("time_h") or []
    return float(t[1] - t[0]) if len(t) > 1 else 0.0


def _work(s: Mapping[str, Any], span_h: float) -> tuple[Finding, bool]:
    fleet = s.get("fleet", {})
    util = float(fleet.get("utilisation") or 0.0)
    tasks = s.get("tasks")
    if not tasks:
        return Finding(
            "work",
            f"Work: robots worked {_pct(util)} of on-duty time (continuous work, no task "
            "demand: utilisation is the output).",
        ), False
    arrived, done = int(tasks.get("arrived") or 0), int(tasks.get("done") or 0)
    wait = tasks.get("wait_min", {})
    end, mean_backlog = float(tasks.get("waiting_at_horizon") or 0), float(tasks.get("waiting_mean") or 0)
    per_h = arrived / span_h if span_h > 0 else 0.0
    growing = end > max(2 * mean_backlog, BACKLOG_HOURS * per_h) and end > 0
    share = done / arrived if arrived else 1.0
    text = (
        f"{done:,} of {arrived:,} tasks done ({_pct(share)}); task wait mean {wait.get('mean', 0):.1f} min, "
        f"95th percentile {wait.get('p95', 0):.1f} min; backlog {mean_backlog:.1f} tasks on average, "
        f"{end:.0f} at the end. Robots worked {_pct(util)} of on-duty time."
    )
    if growing:
        return Finding(
            "work",
            f"Work NOT covered: the backlog was growing ({end:.0f} tasks at the end, "
            f"{end / per_h:.1f} h of arrivals). " + text,
            "act",
        ), True
    return Finding("work", "Work covered: " + text), False


def _time(s: Mapping[str, Any]) -> Finding:
    fleet = s.get("fleet", {})
    fr = {k: float(v) for k, v in (fleet.get("state_fraction") or {}).items() if k in ON_DUTY_STATES}
    top = sorted(fr, key=lambda k: -fr[k])[:3]
    parts = ", ".join(f"{STATE_WORDS.get(k, k).split(' (')[0]} {_pct(fr[k])}" for k in top if fr[k] > 0)
    energy = sum(fr.get(k, 0.0) for k in ENERGY_STATES)
    text = (
        f"Robot time (share of on-duty time): {parts}; the energy cycle (travel, queue, swap"
        f"{', charge' if fr.get('charging') else ''}) takes {_pct(energy)}."
    )
    off = float(fleet.get("off_duty_fraction") or 0.0)
    if off > 0:
        text += f" Off duty (shifts): {_pct(off)} of all robot time."
    return Finding("time", text)


def _candidates(s: Mapping[str, Any], growing: bool) -> list[dict[str, Any]]:
    """Each candidate constraint: name, measure, pressure, the station it concerns and a sentence."""
    fleet = s.get("fleet", {})
    fr = fleet.get("state_fraction") or {}
    stations = [st for st in s.get("stations", []) if isinstance(st, Mapping)]
    out: list[dict[str, Any]] = []
    swaps_total = int(s.get("swaps", {}).get("count") or 0)
    stock_total = int(s.get("swaps", {}).get("stockouts") or 0)
    shares = [(st["stockouts"] / st["swaps"] if st.get("swaps") else 0.0, st) for st in stations]
    if shares:
        share, st = max(shares, key=lambda t: t[0])
        fleet_share = stock_total / swaps_total if swaps_total else 0.0
        out.append(
            {
                "name": "green packs",
                "measure": share,
                "station": st.get("name"),
                "text": f"green packs: {st.get('name')} ran out in {_pct(share)} of its swaps "
                f"({st.get('stockouts', 0)} stock-outs; {_pct(fleet_share)} of all swaps)",
            }
        )
        util, st = max(((float(st.get("swap_utilisation") or 0.0), st) for st in stations), key=lambda t: t[0])
        out.append(
            {
                "name": "swap positions",
                "measure": util,
                "station": st.get("name"),
                "text": f"swap positions: {st.get('name')}'s positions are busy {_pct(util)} of the time "
                f"(mean queue {float(st.get('mean_queue_length') or 0):.2f} robots)",
            }
        )
    travel = float(fr.get("travelling") or 0.0)
    out.append(
        {
            "name": "travel",
            "measure": travel,
            "text": f"travel: robots spend {_pct(travel)} of on-duty time travelling to stations and back",
        }
    )
    tech = s.get("technicians") or {}
    if tech.get("crew"):
        util = float(tech.get("utilisation") or 0.0)
        waits = int(tech.get("stock_waits") or 0)
        text = f"technicians: busy {_pct(util)} of rostered time"
        if waits:
            text += f"; {waits} job(s) found no new pack on the shelf"
        out.append({"name": "technicians", "measure": util, "floor": 1.0 if waits else 0.0, "text": text})
    if s.get("tasks"):
        busy = 1.0 - float(fr.get("idle") or 0.0)
        out.append(
            {
                "name": "shifts",
                "measure": busy,
                "floor": 1.0 if growing else 0.0,
                "text": f"shifts (robots on duty): robots are busy {_pct(busy)} of on-duty time, idle {_pct(1 - busy)}",
            }
        )
    down = float(fr.get("down") or 0.0) + float(fr.get("stranded") or 0.0)
    strandings = int(fleet.get("strandings") or 0)
    out.append(
        {
            "name": "faults",
            "measure": down,
            "floor": 1.0 if strandings else 0.0,
            "text": f"faults: robots are down or stranded {_pct(down)} of on-duty time ({strandings} strandings)",
        }
    )
    for c in out:
        c["pressure"] = max(c["measure"] / THRESHOLDS[c["name"]], c.get("floor", 0.0))
    return out


def _lever(c: Mapping[str, Any], s: Mapping[str, Any], ts: Mapping[str, Any] | None) -> str:
    name, station = c["name"], c.get("station")
    if name == "green packs":
        waves = ""
        col = (ts or {}).get(f"{station}_green")
        warmup_h = float(s.get("manifest", {}).get("warmup_h") or 0.0)
        found = detect_waves(col, _bin_width(ts), warmup_h) if col is not None and _bin_width(ts) else None
        if found:
            waves = (
                f", clustered in waves every ~{found[0]:.1f} h (its green-pack count repeats with an "
                f"autocorrelation of {found[1]:.2f} at that lag)"
            )
        return (
            f"{station} ran out of green packs in {_pct(c['measure'])} of its swaps{waves}; adding packs "
            f"(stations[].bays and charged_packs) to {station} is the first lever."
        )
    if name == "swap positions":
        return (
            f"a swap position more at {station}, or sending robots to the least busy station "
            f"(policy.station_choice: shortest_wait), shortens the queue."
        )
    if name == "travel":
        return (
            "a station nearer the work, or swapping at a lower charge (policy.swap_trigger: fewer trips), "
            "cuts the travel."
        )
    if name == "technicians":
        return (
            "another technician (technicians.crew), longer technician shifts or more new packs on the shelf free "
            "the blocked bays."
        )
    if name == "shifts":
        return "more robots on duty in the busy shifts (shifts, or a larger fleet.robots) take the backlog."
    return "fewer faults or faster repair and rescue win back the time robots are down."


def run_findings(source: Path | str | Mapping[str, Any]) -> list[Finding]:
    """The summary of a run as findings, by the rules of the module docstring.

    Args:
        source: a run directory, or a mapping with ``summary`` (summary.json as data) and optionally
            ``timeseries`` (timeseries.csv as columns).
    """
    data = load_run_data(Path(source)) if isinstance(source, (str, Path)) else source
    s = data["summary"]
    ts = data.get("timeseries")
    man = s.get("manifest", {})
    span_h = float(man.get("horizon_h") or 0.0) - float(man.get("warmup_h") or 0.0)
    work, growing = _work(s, span_h)
    findings = [work, _time(s)]
    cands = sorted(_candidates(s, growing), key=lambda c: -c["pressure"])
    binding = [c for c in cands if c["pressure"] >= 1.0]
    if binding:
        first = binding[0]
        findings.append(
            Finding(
                "constraint",
                f"Binding constraint: {first['text']} (threshold {_pct(THRESHOLDS[first['name']])}).",
                "act",
            )
        )
        for c in binding[1:]:
            findings.append(
                Finding(
                    "constraint", f"Also above its threshold ({_pct(THRESHOLDS[c['name']])}): {c['text']}.", "watch"
                )
            )
        findings.append(Finding("lever", "What would change it: " + _lever(first, s, ts)))
        return findings
    fr = s.get("fleet", {}).get("state_fraction") or {}
    idle = float(fr.get("idle") or 0.0)
    near = cands[0] if cands else None
    findings.append(
        Finding(
            "constraint",
            "No constraint binds: every candidate is below its threshold"
            + (
                f"; the nearest is {near['text']} ({near['pressure']:.0%} of its threshold "
                f"{_pct(THRESHOLDS[near['name']])})."
                if near
                else "."
            ),
        )
    )
    charging = float(fr.get("charging") or 0.0)
    if charging >= THRESHOLDS["travel"]:
        findings.append(
            Finding(
                "lever",
                f"What would change it: robots charge at a dock {_pct(charging)} of on-duty "
                "time; swapping packs instead (strategy.kind: hot_swap; compare them with swapsim "
                "compare) would give most of it back to work.",
            )
        )
    elif idle >= IDLE_SLACK:
        findings.append(
            Finding(
                "lever",
                f"What would change it: robots are idle {_pct(idle)} of on-duty time, "
                "so the same work needs fewer robots (try a sweep over fleet.robots).",
            )
        )
    else:
        findings.append(
            Finding(
                "lever",
                "What would change it: little; utilisation is near the ceiling the "
                "energy cycle allows (a lower-power or longer-lasting pack would raise it).",
            )
        )
    return findings


def summary_text(source: Path | str | Mapping[str, Any], findings: list[Finding] | None = None) -> str:
    """The findings as plain text, one bullet each, under a line naming the run."""
    data = load_run_data(Path(source)) if isinstance(source, (str, Path)) else source
    man = data["summary"].get("manifest", {})
    horizon, warmup = float(man.get("horizon_h") or 0.0), float(man.get("warmup_h") or 0.0)
    head = (
        f"Summary: {man.get('scenario', 'run')}, {_num((horizon - warmup) / 24)} d after "
        f"{_num(warmup)} h of warm-up, seed {man.get('seed', '?')}"
    )
    marks = {"act": "!", "watch": "~", "ok": "-"}
    lines = [head]
    for f in findings if findings is not None else run_findings(data):
        lines.append(f"{marks.get(f.level, '-')} {f.text}")
    return "\n".join(lines)


def headline_rows(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The headline numbers of a run as (label, value) rows, labels from the glossary: utilisation, tasks
    (when there is task demand), fleet, swaps, waits, stock-outs, strandings, and grid energy with every
    part (stations + rescues + parking). The report's first table; a CLI can print the same rows."""
    from swapsim.metrics.glossary import kpi_label
    from swapsim.output.report_tables import fmt_value
    from swapsim.results import flatten

    flat = flatten({k: v for k, v in summary.items() if k in ("fleet", "swaps", "tasks")})
    keys = [
        "fleet.utilisation",
        "fleet.robots",
        "swaps.count",
        "swaps.per_robot_per_day",
        "swaps.stockouts",
        "fleet.strandings",
    ]
    if "tasks.done" in flat:
        keys[1:1] = ["tasks.done", "tasks.wait_min.p95"]
    rows = [(kpi_label(k), fmt_value(k, flat[k])) for k in keys if k in flat]
    wait = summary.get("swaps", {}).get("wait_min", {})
    if wait:
        rows.insert(
            5,
            (
                "swap wait, mean / p95 / longest (min)",
                " / ".join(fmt_value("", wait.get(k)) for k in ("mean", "p95", "max")),
            ),
        )
    energy = summary.get("energy", {})
    if energy:
        parts = [("stations", "stations_kwh"), ("rescues", "rescue_kwh"), ("parking", "parking_kwh")]
        parts = [(name, energy[k]) for name, k in parts if k in energy]
        total = float(energy.get("grid_kwh") or 0.0)
        digits = 0 if total >= 10_000 else 1  # one precision for the total and its parts, so the sum reads right
        rows.append(
            (
                f"grid energy, total = {' + '.join(n for n, _ in parts)} (kWh)",
                f"{total:,.{digits}f} = " + " + ".join(f"{float(v):,.{digits}f}" for _, v in parts),
            )
        )
    return rows


def run_epilogue(run_dir: Path | str) -> str:
    """What ``swapsim run`` prints after its headline: the summary, the files written and the next
    command to try (``swapsim report DIR``)."""
    run_dir = Path(run_dir)
    files = sorted(p.name for p in run_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    lines = [
        "",
        summary_text(run_dir),
        f"Files in {run_dir}/: {', '.join(files)}",
        f"Next: swapsim report {run_dir}   (writes {run_dir / 'report.html'}, this summary first)",
    ]
    return "\n".join(lines)
