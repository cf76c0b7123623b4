"""``size.png``: the cost of each simulated configuration against every target's KPI (one panel each).

One marker per simulated configuration, coloured by its status over all targets (feasible, infeasible,
undecided; Okabe-Ito colours with distinct shapes, so it reads in grey and for colour-blind readers): a
point failing any target is never drawn as feasible. A horizontal bar to the one-sided bound used in
the decision, the target as a dashed line, the cost frontier through the feasible configurations only
(the cheapest at each level of service) and the recommendation as a star (hollow when the horizon
check does not confirm it). At most 1280 px wide. Drawn on a
:class:`matplotlib.figure.Figure` without pyplot, from a :class:`~swapsim.experiments.sizing.search.SizeResult` only.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from swapsim.metrics.catalogue import entry_for, quantity
from swapsim.output.style import plain_text

if TYPE_CHECKING:
    from swapsim.experiments.sizing.search import SizeResult

__all__ = ["draw_size_figure"]

_STYLE = {
    "feasible": ("#0072B2", "o", "feasible"),
    "infeasible": ("#D55E00", "X", "infeasible"),
    "undecided": ("#E69F00", "^", "undecided (not shown feasible)"),
}


def draw_size_figure(res: SizeResult, path: str | Path, fmt: str = "png") -> Path:
    """Draw and save the figure to ``path`` (PNG, or ``fmt``; at most 1280 px wide): one panel per target;
    names are drawn as plain text."""
    with plain_text():
        return _draw_size_figure(res, path, fmt)


def _draw_size_figure(res: SizeResult, path: str | Path, fmt: str) -> Path:
    spec = res.spec
    targets = list(spec.targets)
    k = len(targets)
    fig = Figure(figsize=(min(10.6, 0.8 + 3.5 * k), 4.4), layout="constrained")
    axes = fig.subplots(1, k, sharey=True, squeeze=False)[0]
    for i, (ax, target) in enumerate(zip(axes, targets)):
        _panel(res, ax, target, legend=i == 0)
    objective = entry_for(spec.objective)
    axes[0].set_ylabel(str(objective.as_label) if objective else f"{spec.objective} (per year)")
    axes[0].yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    confirmed = res.horizon is None or res.horizon.best_holds
    fig.suptitle(
        f"{spec.source}: cost against every target"
        + ("" if confirmed else " (the recommendation does NOT hold at the longer horizon)"),
        fontsize=10,
    )
    path = Path(path)
    fig.savefig(path, format=fmt, dpi=120)
    return path


def _panel(res: SizeResult, ax, target, legend: bool) -> None:
    """One target: every simulated configuration (coloured by its status over *all* targets, so a point
    failing any target is never drawn as feasible), bars to the bound, the target, the frontier of the
    feasible configurations only, and the recommendation."""
    spec = res.spec
    pts = []
    for ev in res.evaluated:
        if ev.status not in _STYLE or target.kpi not in ev.bounds or ev.n == 0:
            continue
        b = ev.bounds[target.kpi]
        cost = ev.mean(spec.objective)
        if not (math.isfinite(b.mean) and math.isfinite(cost)):
            continue
        pts.append((b.mean, cost, ev, b))
    held = res.horizon is None or res.horizon.best_holds
    if not held:  # an answer the horizon check overturned is not drawn as feasible (only as the hollow star)
        pts = [p for p in pts if p[2] is not res.best]
    for status, (colour, marker, label) in _STYLE.items():
        sel = [p for p in pts if p[2].status == status]
        if not sel:
            continue
        ax.scatter([p[0] for p in sel], [p[1] for p in sel], c=colour, marker=marker, s=36, label=label, zorder=3)
        for x, y, _ev, b in sel:
            edge = b.upper if target.upper else b.lower
            if math.isfinite(edge):
                ax.plot([x, edge], [y, y], color=colour, lw=1.0, alpha=0.7, zorder=2)
    # frontier through feasible configurations only: cheapest first, each serving better than every cheaper one
    better = (lambda a, b: a < b) if target.upper else (lambda a, b: a > b)
    front: list[tuple[float, float]] = []
    for x, y, _ev, _b in sorted((p for p in pts if p[2].status == "feasible"), key=lambda p: (p[1], p[0])):
        if not front or better(x, front[-1][0]):
            front.append((x, y))
    if len(front) > 1:
        front.sort()
        ax.plot([p[0] for p in front], [p[1] for p in front], color="#666666", lw=1.2, label="frontier (feasible)")
    ax.axvline(target.value, color="#000000", ls="--", lw=1.0, label="target")
    best = res.best
    if best is not None and target.kpi in best.bounds:
        bx, by = best.bounds[target.kpi].mean, best.mean(spec.objective)
        ax.scatter(
            [bx],
            [by],
            marker="*",
            s=220,
            c="#009E73" if held else "#FFFFFF",
            edgecolors="#000000",
            linewidths=0.8,
            label="recommended" if held else "answer (not confirmed at 4x)",
            zorder=4,
        )
    tag = " (guard)" if target.guard else ""
    ax.set_xlabel(f"{quantity(target.kpi)}\n{target.op} {target.value:g}{tag}; bar: one-sided bound", fontsize=8)
    ax.tick_params(labelsize=8)
    ax.grid(True, alpha=0.3)
    if str(target) in res.binding:
        ax.set_title("binding", fontsize=8)
    if legend:
        ax.legend(fontsize=7, loc="best")
