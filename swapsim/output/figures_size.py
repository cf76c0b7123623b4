"""``size.png``: the cost of each simulated configuration against the binding service KPI.

One marker per simulated configuration (feasible, infeasible, undecided; Okabe-Ito colours with
distinct shapes, so it reads in grey and for colour-blind readers), a horizontal bar to the one-sided
bound used in the decision, the target as a dashed line, the cost frontier (the cheapest configuration
at each level of service) as a step line and the recommendation as a star. Drawn on a
:class:`matplotlib.figure.Figure` without pyplot, from a :class:`~swapsim.experiments.sizing.search.SizeResult` only.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from swapsim.output.style import plain_text

if TYPE_CHECKING:
    from swapsim.experiments.sizing.search import SizeResult

__all__ = ["draw_size_figure"]

_STYLE = {
    "feasible": ("#0072B2", "o", "feasible"),
    "infeasible": ("#D55E00", "X", "infeasible"),
    "undecided": ("#E69F00", "^", "undecided (not shown feasible)"),
}


def draw_size_figure(res: SizeResult, path: str | Path) -> Path:
    """Draw and save the figure to ``path`` (PNG); names are drawn as plain text."""
    with plain_text():
        return _draw_size_figure(res, path)


def _draw_size_figure(res: SizeResult, path: str | Path) -> Path:
    spec = res.spec
    target = next((t for t in spec.targets if str(t) in res.binding), spec.targets[0])
    fig = Figure(figsize=(7.5, 4.8), layout="constrained")
    ax = fig.add_subplot()
    pts = []
    for ev in res.evaluated:
        if ev.status not in _STYLE or target.kpi not in ev.bounds or ev.n == 0:
            continue
        b = ev.bounds[target.kpi]
        cost = ev.mean(spec.objective)
        if not (math.isfinite(b.mean) and math.isfinite(cost)):
            continue
        pts.append((b.mean, cost, ev, b))
    for status, (colour, marker, label) in _STYLE.items():
        sel = [p for p in pts if p[2].status == status]
        if not sel:
            continue
        ax.scatter([p[0] for p in sel], [p[1] for p in sel], c=colour, marker=marker, s=42, label=label, zorder=3)
        for x, y, _ev, b in sel:
            edge = b.upper if target.upper else b.lower
            ax.plot([x, edge], [y, y], color=colour, lw=1.0, alpha=0.7, zorder=2)
    # frontier: the configurations no other beats on both cost and the KPI (cheapest first, each one
    # serving better than every cheaper one)
    better = (lambda a, b: a < b) if target.upper else (lambda a, b: a > b)
    front: list[tuple[float, float]] = []
    for x, y, _ev, _b in sorted(pts, key=lambda p: (p[1], p[0])):
        if not front or better(x, front[-1][0]):
            front.append((x, y))
    if len(front) > 1:
        front.sort()
        ax.plot(
            [p[0] for p in front],
            [p[1] for p in front],
            color="#666666",
            lw=1.2,
            ls="-",
            label="cost frontier",
            zorder=1,
        )
    ax.axvline(target.value, color="#000000", ls="--", lw=1.0, label=f"target {target}")
    if res.best is not None and target.kpi in res.best.bounds:
        bx, by = res.best.bounds[target.kpi].mean, res.best.mean(spec.objective)
        ax.scatter(
            [bx],
            [by],
            marker="*",
            s=260,
            c="#009E73",
            edgecolors="#000000",
            linewidths=0.8,
            label="recommended",
            zorder=4,
        )
        ax.annotate(
            res.best.config.label(list(spec.dims)), (bx, by), textcoords="offset points", xytext=(8, 8), fontsize=8
        )
    ax.set_xlabel(f"{target.kpi} (mean over replications; bar: one-sided bound of the last look)")
    ax.set_ylabel(f"{spec.objective} (per year)")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ax.set_title(f"{spec.source}: cost against the binding target")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    path = Path(path)
    fig.savefig(path, format="png", dpi=120)
    return path
