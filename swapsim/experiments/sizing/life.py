"""``swapsim size --life both``: the targets must hold with new packs and at the end of the packs' life.

Each replication of a configuration is two runs with the same seed: the scenario as given (packs new,
ageing) and the same with ``battery.life=end`` (every pack at the state it reaches at the retirement
threshold, held there; :attr:`swapsim.scenario.Scenario.end_of_life_health`). The second run's KPIs join
the first's under the prefix :data:`END_PREFIX`, and each ``--target`` is tested twice, on the KPI and
on its end-of-life twin (the Bonferroni split counts both). The objective (the cost of the deployment
over its life) comes from the first run. :func:`life_cost` says what meeting the targets at end of life
costs over the cheapest configuration shown to meet them with new packs alone.
"""

from __future__ import annotations

import copy
import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from swapsim.experiments.runner import RunTask, execute_run
from swapsim.experiments.sizing import rs
from swapsim.experiments.sizing.space import Target

if TYPE_CHECKING:
    from swapsim.experiments.sizing.search import Evaluated, SizeResult

__all__ = ["END_PREFIX", "end_targets", "execute_both_lives", "life_cost", "new_life_answer"]

END_PREFIX = "end_of_life."
"""KPIs of the end-of-life run of a replication, in the same flat record."""


def end_targets(targets: list[Target]) -> list[Target]:
    """``targets`` followed by each one's end-of-life twin."""
    return [*targets, *(Target(END_PREFIX + t.kpi, t.op, t.value) for t in targets)]


def execute_both_lives(task: RunTask) -> dict[str, Any]:
    """Run ``task`` with new packs, then with ``battery.life=end`` (same seed); one record, the second
    run's KPIs prefixed with :data:`END_PREFIX`."""
    rec = execute_run(task)
    if rec.get("status") != "ok":
        return rec
    data = copy.deepcopy(task.scenario)
    data["battery"] = {**data.get("battery", {}), "life": "end"}
    end = execute_run(replace(task, scenario=data))
    if end.get("status") != "ok":
        return {**end, "error": f"at end of life: {end.get('error')}"}
    rec["kpis"].update({END_PREFIX + k: v for k, v in end["kpis"].items()})
    rec["wall_time_s"] += end["wall_time_s"]
    return rec


def new_life_answer(res: "SizeResult") -> "Evaluated | None":
    """The cheapest simulated configuration (least mean objective) whose new-pack targets all hold,
    or None."""
    spec = res.spec
    new = [t for t in spec.targets if not t.kpi.startswith(END_PREFIX)]
    ok = [e for e in res.evaluated if e.n > 0 and all(e.decisions.get(str(t)) == rs.HOLDS for t in new)]
    ok = [e for e in ok if math.isfinite(e.mean(spec.objective))]
    return min(ok, key=lambda e: (e.mean(spec.objective), e.config.index), default=None)


def life_cost(res: "SizeResult") -> dict[str, Any] | None:
    """What holding the targets at end of life costs: the recommendation against the cheapest
    configuration shown to meet the targets with new packs (None when ``--life both`` was not asked or
    nothing is feasible). ``extra_per_year`` is the difference of their mean objectives."""
    if res.spec.life != "both" or res.best is None:
        return None
    spec, best = res.spec, res.best
    new = new_life_answer(res)
    dims = list(spec.dims)
    out: dict[str, Any] = {
        "recommendation": best.config.label(dims),
        "new_only": None if new is None else new.config.label(dims),
        "extra_per_year": None,
        "kpis": {
            t.kpi: {"new": _mean(best, t.kpi), "end": _mean(best, END_PREFIX + t.kpi)}
            for t in spec.targets
            if not t.kpi.startswith(END_PREFIX)
        },
    }
    if new is not None:
        out["extra_per_year"] = best.mean(spec.objective) - new.mean(spec.objective)
    return out


def _mean(ev: "Evaluated", kpi: str) -> float | None:
    v = ev.mean(kpi)
    return v if math.isfinite(v) else None


def format_life(res: "SizeResult") -> list[str]:
    """Terminal lines for ``--life both`` (none otherwise)."""
    lc = life_cost(res)
    if lc is None:
        return []
    lines = []
    for kpi, v in lc["kpis"].items():
        new, end = v["new"], v["end"]
        lines.append(f"  life        {kpi}: new packs {_fmt(new)}, end of life {_fmt(end)}")
    if lc["new_only"] is None:
        lines.append("  life        no configuration was shown to meet the targets with new packs alone")
    elif lc["new_only"] == lc["recommendation"]:
        lines.append(
            "  life        the same configuration meets the targets with new packs: end of life costs nothing more"
        )
    else:
        lines.append(
            f"  life        with new packs alone {lc['new_only']} would do: end of life costs "
            f"{lc['extra_per_year']:+,.0f} per year"
        )
    return lines


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.4g}"
