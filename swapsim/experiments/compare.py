"""Power strategies side by side: one scenario run under several strategies with common random numbers.

:func:`run_compare` runs a scenario once per strategy (``hot_swap``, ``cold_swap``, ``plug_in``) with
the same root seed. Every source of variation has its own named stream (:mod:`swapsim.streams`), so
the runs see the same tasks, activity durations, starting charges and fault arrivals; the differences
between them come from the strategies, not from sampling noise (common random numbers). Strategy-only
streams (cold-swap boot times) are new streams and shift nothing else.

:func:`write_compare` writes the compare directory (formats agreed across swapsim's tools):

=================  ================================================================================
``compare.csv``    one row per strategy: ``strategy``, ``utilisation``, one column per on-duty state
                   fraction named ``<state>``, ``tasks_done`` (task demand only),
                   ``swaps_per_robot_per_day``, ``wait_min_mean`` (mean wait at a station before the
                   swap; ``plug_in``: before docking), then ``off_duty_fraction``,
                   ``charges_per_robot_per_day``, ``task_wait_min_mean``, ``task_wait_min_p95`` (task
                   demand only), ``strandings``, ``down_h``, ``grid_kwh``, ``wall_time_s``
``compare.json``   ``scenario`` (name), ``scenario_file``, ``seed``, ``strategies``, ``overrides``,
                   horizon and warm-up, swapsim version, ``common_random_numbers: true``
``<strategy>/``    a normal run directory per strategy (see :mod:`swapsim.results`)
``compare.png``    the grouped bar chart (:func:`swapsim.output.plot_compare`)
=================  ================================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from swapsim._version import __version__
from swapsim.engine import RunResult, simulate
from swapsim.metrics import ON_DUTY_STATES
from swapsim.model.registries import POWER_STRATEGIES
from swapsim.scenario import Scenario, ScenarioError, scenario_from_dict, scenario_to_dict

__all__ = ["parse_strategies", "with_strategy", "run_compare", "compare_rows", "write_compare"]


def parse_strategies(text: str) -> list[str]:
    """Read a comma-separated list of strategy names; raises ScenarioError on a wrong or repeated name."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    strategies = POWER_STRATEGIES.names()
    if not names:
        raise ScenarioError(f"--strategies: give at least one of {', '.join(strategies)} (got {text!r})")
    for name in names:
        if name not in strategies:
            raise ScenarioError(
                f"--strategies: unknown strategy {name!r} (expected a comma-separated list of {', '.join(strategies)})"
            )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ScenarioError(f"--strategies: {', '.join(repeated)} given more than once (got {text!r})")
    return names


def with_strategy(scenario: Scenario, kind: str) -> Scenario:
    """``scenario`` with ``strategy.kind`` set to ``kind``, validated again."""
    data = scenario_to_dict(scenario)
    data["strategy"] = {**data.get("strategy", {}), "kind": kind}
    return scenario_from_dict(data, f"{scenario.name} (strategy {kind})")


def run_compare(scenario: Scenario, strategies: Sequence[str], seed: int | None = None) -> dict[str, RunResult]:
    """Run ``scenario`` under each strategy with the same seed; returns the results by strategy name."""
    seed = scenario.seed if seed is None else int(seed)
    return {kind: simulate(with_strategy(scenario, kind), seed) for kind in strategies}


def compare_rows(results: dict[str, RunResult]) -> list[dict[str, Any]]:
    """One row of headline KPIs per strategy (the columns of ``compare.csv``)."""
    tasks_used = any("tasks" in r.summary for r in results.values())
    rows = []
    for kind, res in results.items():
        s = res.summary
        fleet = s["fleet"]
        row: dict[str, Any] = {"strategy": kind, "utilisation": fleet["utilisation"]}
        for state in ON_DUTY_STATES:
            row[state] = fleet["state_fraction"][state]
        if tasks_used:
            row["tasks_done"] = s["tasks"]["done"]
        row["swaps_per_robot_per_day"] = s["swaps"]["per_robot_per_day"]
        charging = s.get("charging")
        row["wait_min_mean"] = charging["wait_min"]["mean"] if charging else s["swaps"]["wait_min"]["mean"]
        row["off_duty_fraction"] = fleet["off_duty_fraction"]
        row["charges_per_robot_per_day"] = charging["per_robot_per_day"] if charging else 0.0
        if tasks_used:
            row["task_wait_min_mean"] = s["tasks"]["wait_min"]["mean"]
            row["task_wait_min_p95"] = s["tasks"]["wait_min"]["p95"]
        row["strandings"] = fleet["strandings"]
        row["down_h"] = s["faults"]["down_h"]
        row["grid_kwh"] = s["energy"]["grid_kwh"]
        row["wall_time_s"] = res.manifest["wall_time_s"]
        rows.append(row)
    return rows


def write_compare(
    results: dict[str, RunResult],
    out_dir: Path,
    *,
    scenario_file: str | Path | None = None,
    overrides: Sequence[str] = (),
    figures: bool = True,
    fmt: str = "png",
) -> Path:
    """Write the compare directory atomically (run directories, ``compare.csv``, ``compare.json``, figure)."""
    from swapsim.output import plot_compare, plot_run
    from swapsim.results import atomic_dir, write_csv, write_json, write_run

    first = next(iter(results.values()))
    out_dir = Path(out_dir)
    with atomic_dir(out_dir, "compare") as tmp:
        for kind, res in results.items():
            write_run(res, tmp / kind)
            if figures:
                plot_run(tmp / kind, fmt=fmt)
        write_csv(tmp / "compare.csv", compare_rows(results))
        write_json(
            tmp / "compare.json",
            {
                "scenario": first.scenario.name,
                "scenario_file": str(scenario_file) if scenario_file is not None else None,
                "seed": first.seed,
                "strategies": list(results),
                "overrides": list(overrides),
                "horizon_h": first.scenario.horizon,
                "warmup_h": first.scenario.warmup,
                "swapsim_version": __version__,
                "common_random_numbers": True,
            },
        )
        if figures:
            plot_compare(tmp, fmt=fmt)
    return out_dir
