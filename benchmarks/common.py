"""Shared pieces of the benchmarks: an event-counting environment, timing, tables, the machine.

:class:`CountingEnvironment` is a subclass of swapsim's environment (:class:`swapsim.engine.Environment`,
SimPy's with a cheaper clock read) whose ``step()`` counts the events it processes (``Environment.run``
calls ``step()`` once per event); it is handed to :func:`swapsim.engine.simulate` through its ``env``
argument. Timed runs use each model's own environment (swapsim's for swapsim, a plain
``simpy.Environment`` for the bare model); events are counted in a separate, identical run (same
scenario, same seed, so the same events), so the counter's own cost never enters a timing.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import simpy

from swapsim.engine import Environment

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "benchmarks" / "results"


class CountingEnvironment(Environment):
    """A SimPy environment that counts the events it processes (``events_processed``)."""

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self.events_processed = 0

    def step(self) -> None:
        super().step()
        self.events_processed += 1


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def mean_ci(samples: Sequence[float], confidence: float = 0.99) -> tuple[float, float]:
    """Mean and Student-t half-width of independent replication results (infinite with fewer than two),
    from :func:`swapsim.experiments.stats.mean_ci`, the package's one statistics function."""
    from swapsim.experiments.stats import mean_ci as mean_sd_half

    mean, _, half = mean_sd_half(samples, confidence)
    return mean, (half if len(samples) >= 2 else math.inf)


# --------------------------------------------------------------------------------------- tables

@dataclass
class Table:
    """A result table: a title, column headers, rows of already formatted cells, and notes."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: Any) -> None:
        self.rows.append([str(c) for c in cells])

    def text(self) -> str:
        widths = [max(len(h), *(len(r[i]) for r in self.rows)) if self.rows else len(h)
                  for i, h in enumerate(self.columns)]
        line = "  ".join(h.rjust(w) for h, w in zip(self.columns, widths))
        out = [self.title, "=" * len(self.title), line, "-" * len(line)]
        out += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in self.rows]
        out += [f"  {n}" for n in self.notes]
        return "\n".join(out)

    def markdown(self) -> str:
        out = [f"### {self.title}", "", "| " + " | ".join(self.columns) + " |",
               "|" + "|".join("---:" for _ in self.columns) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in self.rows]
        if self.notes:
            out.append("")
            out += [f"- {n}" for n in self.notes]
        return "\n".join(out)


# --------------------------------------------------------------------------------------- machine

def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    """CPU, cores, memory, OS and the versions that decide the numbers."""
    import numpy

    import swapsim

    try:
        mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        mem_gib = float("nan")
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(mem_gib, 1),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "simpy": simpy.__version__,
        "numpy": numpy.__version__,
        "swapsim": swapsim.__version__,
    }


def peak_rss_mib() -> float:
    """Peak resident set size of this process's address space so far (MiB).

    On Linux this is ``VmHWM`` from /proc/self/status: it starts afresh when a process execs, whereas
    ``ru_maxrss`` is inherited over fork and kept over exec (a child started by a big parent would
    report the parent's peak). Elsewhere, ``resource.getrusage(...).ru_maxrss`` (KiB on Linux, bytes on
    macOS).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def run_child(job: dict[str, Any], timeout_s: float = 3600) -> dict[str, Any]:
    """Run one job in a fresh interpreter (``python -m benchmarks.child``) and return its JSON reply.

    A fresh process per run makes the peak RSS belong to that run alone.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    proc = subprocess.run([sys.executable, "-m", "benchmarks.child"], input=json.dumps(job), text=True,
                          capture_output=True, cwd=REPO, env=env, timeout=timeout_s)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({proc.returncode}) for {job}:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt(x: float, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, no exponent for everyday magnitudes."""
    if x == 0 or not math.isfinite(x):
        return str(x)
    mag = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - mag)
    return f"{x:,.{decimals}f}"
