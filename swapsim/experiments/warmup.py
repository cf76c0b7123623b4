"""Warm-up length from pilot runs, by MSER-5 on the run's own time series.

A run starts from an artificial state (every robot working, packs staggered, bays full), so its
early statistics are biased. The engine drops everything before ``warmup`` (one
``recorder.reset()``); this module helps choose that length. It runs a few pilot replications with
no warm-up and a fine time series (``engine.simulate(...).timeseries``; no hooks in the model),
forms three series per bin, averaged over the replications,

* fleet utilisation: robots working / robots on duty (the run's KPI),
* robots queueing at the stations (all stations together), and
* green (ready) packs in the stations' bays (all stations together): the slowest state to settle,
  as the full bays of the start are drawn down to their working level,

and applies MSER-5 (White 1997; Franklin & White 2008): cut the series into batch means of 5 bins,
Z_1..Z_m, and choose the number of leading batches d (0 <= d <= m/2) that minimises

    MSER(d) = sum_{j>d} (Z_j - mean(Z_{d+1..m}))^2 / (m - d)^2 ,

the squared standard error of the truncated mean. A minimiser at the m/2 limit means the series is
too short to tell (the pilot's horizon should grow). The suggested warm-up is the longest of the
series' truncation points, rounded up to a whole hour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from swapsim.scenario import Scenario, ScenarioError, scenario_from_dict, scenario_to_dict
from swapsim.scenario.units import format_duration

__all__ = [
    "MserResult",
    "mser",
    "PilotSeries",
    "pilot_series",
    "WarmupAdvice",
    "advise_warmup",
    "write_warmup",
    "parse_bin_width",
    "check_bin_width",
]

SERIES = {
    "utilisation": "fleet utilisation (robots working / robots on duty)",
    "queue": "robots queueing at the stations",
    "green": "green (ready) packs in the stations' bays",
}


@dataclass(frozen=True)
class MserResult:
    """MSER-b on one series. Counts are in observations (bins) unless named ``batches``."""

    batch: int
    truncation: int
    """Observations to delete from the start (a multiple of ``batch``)."""
    batches_deleted: int
    batch_means: np.ndarray
    statistic: np.ndarray
    """MSER(d) for d = 0 .. len(statistic) - 1 (the searched range, d <= m/2)."""
    reliable: bool
    """False when the minimum sits at the m/2 limit: the series is too short to settle."""


def mser(series: Any, batch: int = 5) -> MserResult:
    """MSER-``batch`` truncation point of ``series`` (MSER-5 by default).

    Raises:
        ValueError: fewer than 4 whole batches.
    """
    y = np.asarray(series, dtype=float)
    m = y.size // batch
    if m < 4:
        raise ValueError(f"MSER-{batch} needs at least {4 * batch} observations (got {y.size})")
    z = y[: m * batch].reshape(m, batch).mean(axis=1)
    # Tail sums from each d to the end: S1(d) = sum z[d:], S2(d) = sum z[d:]^2.
    s1 = np.cumsum(z[::-1])[::-1]
    s2 = np.cumsum((z * z)[::-1])[::-1]
    k = np.arange(m, 0, -1, dtype=float)
    ss = np.maximum(s2 - s1 * s1 / k, 0.0)
    stat = ss / (k * k)
    limit = m // 2
    searched = stat[: limit + 1]
    # Ties (e.g. a constant series) resolve to the smallest truncation.
    d = int(np.flatnonzero(searched <= searched.min() * (1 + 1e-12) + 1e-300)[0])
    return MserResult(
        batch=batch, truncation=d * batch, batches_deleted=d, batch_means=z, statistic=searched, reliable=d < limit
    )


@dataclass(frozen=True)
class PilotSeries:
    """Pilot runs' series, one row per replication, one column per bin starting at ``time_h``."""

    scenario: Scenario
    """The pilot scenario (the original with no warm-up and the pilot's bins)."""
    seeds: list[int]
    bin_width_h: float
    original_warmup_h: float
    """The warm-up the scenario file asks for (h), to compare with the suggestion."""
    time_h: np.ndarray
    utilisation: np.ndarray
    queue: np.ndarray
    green: np.ndarray


def _pilot_run(args: tuple[dict[str, Any], int]) -> dict[str, list[float]]:
    from swapsim.engine import simulate

    data, seed = args
    sc = scenario_from_dict(data, "pilot")
    ts = simulate(sc, seed).timeseries
    queue = np.zeros_like(ts["time_h"])
    green = np.zeros_like(ts["time_h"])
    on_duty = sc.fleet.robots - np.asarray(ts.get("robots_off_duty", np.zeros_like(ts["time_h"])), dtype=float)
    for st in sc.stations:
        queue = queue + ts[f"{st.name}_queue"]
        green = green + ts[f"{st.name}_green"]
    return {
        "time_h": ts["time_h"].tolist(),
        # working / on-duty robots, as the run's KPI (a bin with every robot off duty counts as 0)
        "utilisation": np.divide(
            ts["robots_working"],
            on_duty,
            out=np.zeros_like(on_duty, dtype=float),
            where=on_duty > 0,
        ).tolist(),
        "queue": queue.tolist(),
        "green": green.tolist(),
    }


def pilot_series(
    scenario: Scenario,
    replications: int = 5,
    seed: int | None = None,
    bin_width_h: float = 5 / 60,
    jobs: int | None = 1,
    executor: str = "local",
    scheduler: str | None = None,
) -> PilotSeries:
    """Run ``replications`` pilots of ``scenario`` with no warm-up and bins of ``bin_width_h`` hours.

    Seeds are those of a sweep's replications with the same root seed (default: the scenario's).
    """
    from swapsim.experiments.executors import make_executor
    from swapsim.experiments.sweep import replication_seed

    data = scenario_to_dict(scenario)
    data["warmup"] = "0 h"
    data["output"]["bin_width"] = format_duration(bin_width_h)
    pilot = scenario_from_dict(data, f"{scenario.name} (pilot, no warm-up)")
    root = scenario.seed if seed is None else int(seed)
    seeds = [replication_seed(root, r) for r in range(replications)]
    ex = make_executor(executor, jobs, scheduler, runs=replications)
    rows: dict[int, dict[str, list[float]]] = {}
    aborted = True
    try:
        for (r, _), out in ex.map_unordered(_pilot_task, [(r, (data, seeds[r])) for r in range(replications)]):
            if isinstance(out, BaseException):
                raise RuntimeError(f"pilot replication {r} was lost: {out}")
            rows[r] = out
        aborted = False
    finally:
        ex.close(abort=aborted)
    return PilotSeries(
        scenario=pilot,
        seeds=seeds,
        bin_width_h=bin_width_h,
        original_warmup_h=scenario.warmup,
        time_h=np.asarray(rows[0]["time_h"]),
        utilisation=np.asarray([rows[r]["utilisation"] for r in range(replications)]),
        queue=np.asarray([rows[r]["queue"] for r in range(replications)]),
        green=np.asarray([rows[r]["green"] for r in range(replications)]),
    )


def _pilot_task(item: tuple[int, tuple[dict[str, Any], int]]) -> dict[str, list[float]]:
    return _pilot_run(item[1])


@dataclass(frozen=True)
class WarmupAdvice:
    """MSER-5 on each replication-averaged series and the suggested warm-up (hours)."""

    series: PilotSeries
    results: dict[str, MserResult]
    per_replication_h: dict[str, list[float]]
    suggested_h: float


def advise_warmup(series: PilotSeries, batch: int = 5) -> WarmupAdvice:
    """Apply MSER-``batch`` to the mean series (and to each replication, for the spread)."""
    results: dict[str, MserResult] = {}
    per_rep: dict[str, list[float]] = {}
    for name in SERIES:
        rows = getattr(series, name)
        results[name] = mser(rows.mean(axis=0), batch)
        per_rep[name] = [mser(row, batch).truncation * series.bin_width_h for row in rows]
    longest = max(r.truncation for r in results.values()) * series.bin_width_h
    suggested = float(math.ceil(longest - 1e-9)) if longest > 0 else 0.0
    return WarmupAdvice(series=series, results=results, per_replication_h=per_rep, suggested_h=suggested)


def write_warmup(
    advice: WarmupAdvice, out_dir: Path, source: str, figures: bool = True, fmt: str = "png"
) -> list[Path]:
    """Write ``warmup.json``, ``warmup_series.csv``, ``warmup_mser.csv`` and the figure, atomically."""
    from swapsim.results import atomic_dir, write_csv, write_json

    advise = advice
    ps = advice.series
    out_dir = Path(out_dir)
    with atomic_dir(out_dir, "warmup") as tmp:
        cols: dict[str, Any] = {"time_h": ps.time_h}
        for name in SERIES:
            rows = getattr(ps, name)
            cols[f"{name}_mean"] = rows.mean(axis=0)
            for r, row in enumerate(rows):
                cols[f"{name}_r{r}"] = row
        write_csv(tmp / "warmup_series.csv", cols)
        batch = next(iter(advise.results.values())).batch
        m = max(r.batch_means.size for r in advise.results.values())
        mcols: dict[str, Any] = {"batches_deleted": np.arange(m), "truncation_h": np.arange(m) * batch * ps.bin_width_h}
        for name, res in advise.results.items():
            stat = np.full(m, np.nan)
            stat[: res.statistic.size] = res.statistic  # NaN beyond the m/2 search limit
            mcols[f"{name}_batch_mean"] = res.batch_means
            mcols[f"{name}_mser"] = stat
        write_csv(tmp / "warmup_mser.csv", mcols)
        write_json(
            tmp / "warmup.json",
            {
                "scenario": ps.scenario.name,
                "source": source,
                "method": f"MSER-{batch} on the replication-mean series",
                "replications": len(ps.seeds),
                "seeds": ps.seeds,
                "horizon_h": ps.scenario.horizon,
                "bin_width_h": ps.bin_width_h,
                "scenario_warmup_h": ps.original_warmup_h,
                "suggested_warmup_h": advise.suggested_h,
                "suggested_warmup": format_duration(advise.suggested_h) if advise.suggested_h else "0 h",
                "series": {
                    name: {
                        "description": SERIES[name],
                        "truncation_h": res.truncation * ps.bin_width_h,
                        "batches_deleted": res.batches_deleted,
                        "batches": int(res.batch_means.size),
                        "reliable": res.reliable,
                        "per_replication_truncation_h": advise.per_replication_h[name],
                    }
                    for name, res in advise.results.items()
                },
            },
        )
        if figures:
            from swapsim.output import plot_warmup

            plot_warmup(tmp, fmt=fmt)
    return sorted(out_dir.iterdir())


def parse_bin_width(text: str, flag: str = "--bin") -> float:
    """The pilots' time-series bin (h) parsed from ``text`` (a duration, e.g. ``"5 min"``); a value that
    is not a positive duration raises :class:`ScenarioError` naming ``flag``."""
    from swapsim.scenario.units import UnitError, parse_duration_h

    try:
        bin_h = parse_duration_h(text)
    except UnitError as exc:
        raise ScenarioError(f"{flag} {text}: {exc}") from None
    if bin_h <= 0:
        raise ScenarioError(f"{flag} {text}: must be > 0")
    return bin_h


def check_bin_width(bin_h: float, horizon_h: float, text: str, flag: str = "--bin") -> None:
    """Refuse a bin of ``bin_h`` hours (given as ``text``) unless the horizon (h) holds 40 to 100,000 of
    them: MSER-5 needs enough batches, and a finer series would not fit in memory."""
    if horizon_h / bin_h > 100_000:
        raise ScenarioError(
            f"{flag} {text}: the horizon ({format_duration(horizon_h)}) would hold "
            f"{horizon_h / bin_h:,.0f} bins per pilot; at most 100,000 (choose a wider bin)"
        )
    if horizon_h / bin_h < 40:
        raise ScenarioError(
            f"{flag} {text}: the horizon ({format_duration(horizon_h)}) holds fewer than "
            f"40 bins; MSER-5 needs a longer horizon or a finer bin"
        )
