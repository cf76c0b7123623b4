"""Every figure kind keeps its text inside the canvas and its legends off the data.

Each figure is drawn from the stored results in tests/data (a run, a sweep, a comparison) and from a
small warm-up analysis and a two-month run's monthly table; the figure objects are caught as they are
saved and laid out again with the Agg canvas, then:

* every visible text artist (titles, labels, tick labels, annotations, legend text, offset text) must
  lie inside the figure canvas;
* no axis shows an offset text (the "1e-4" of a scaled axis, which floats by the title): the scale
  belongs in the axis label;
* no legend may cover plotted data of an axes: line vertices (sampled along each segment), bars and
  other patches, filled areas and scatter points. Spans marking the warm-up or outages carry the gid
  ``background`` and do not count as data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from swapsim.output import (
    figures_common,
    figures_compare,
    figures_health,
    figures_run,
    figures_stations,
    figures_sweep,
    figures_warmup,
)
from swapsim.output.style import FIGURE_WIDTH_IN

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]
TOL = 1.0  # px


@pytest.fixture
def caught(monkeypatch):
    figs: dict[str, object] = {}
    original = figures_common.save_figure

    def save(fig, out_dir, stem, fmt):
        figs[stem] = fig
        return original(fig, out_dir, stem, fmt)

    for mod in (figures_run, figures_stations, figures_health, figures_sweep, figures_compare, figures_warmup):
        monkeypatch.setattr(mod, "save_figure", save)
    return figs


def _texts(fig):
    """The text artists drawn: visible, not empty, and for tick labels only those of ticks in view."""
    hidden = set()
    for ax in fig.findobj(Axes):
        for axis in (ax.xaxis, ax.yaxis):
            every = {id(lab) for t in axis.get_major_ticks() + axis.get_minor_ticks() for lab in (t.label1, t.label2)}
            drawn = {id(lab) for t in axis._update_ticks() for lab in (t.label1, t.label2)}
            hidden |= every - drawn
    return [
        t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and _shown(t) and id(t) not in hidden
    ]


def _shown(artist) -> bool:
    """Drawn: the artist and its axes (if any) are visible."""
    return artist.get_visible() and (artist.axes is None or artist.axes.get_visible())


def _inside(xy: np.ndarray, box: Bbox) -> np.ndarray:
    return (xy[:, 0] > box.x0) & (xy[:, 0] < box.x1) & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1)


def _data_points(ax: Axes, box: Bbox) -> list[str]:
    """What data of ``ax`` the display box ``box`` covers (empty when none)."""
    hits = []
    inner = Bbox.from_extents(box.x0 + TOL, box.y0 + TOL, box.x1 - TOL, box.y1 - TOL)
    grid = np.array([(x, y) for x in np.linspace(inner.x0, inner.x1, 9) for y in np.linspace(inner.y0, inner.y1, 5)])
    for line in ax.get_lines():
        if not line.get_visible() or line.get_gid() == "background":
            continue
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
        xy = xy[np.isfinite(xy).all(axis=1)]
        if len(xy) > 1:
            t = np.linspace(0, 1, 25)[:, None, None]
            xy = (xy[:-1][None] * (1 - t) + xy[1:][None] * t).reshape(-1, 2)
        if len(xy) and _inside(xy, inner).any():
            hits.append(f"line {line.get_label()!r}")
    for patch in ax.patches:
        if patch.get_visible() and patch.get_gid() != "background" and patch.get_window_extent().overlaps(inner):
            hits.append(f"patch {patch.get_label()!r}")
    for coll in ax.collections:
        if not coll.get_visible() or coll.get_gid() == "background":
            continue
        if isinstance(coll, PathCollection) and len(coll.get_offsets()):
            xy = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), dtype=float))
            if _inside(xy, inner).any():
                hits.append(f"points {coll.get_label()!r}")
            continue
        trans = coll.get_transform()
        for path in coll.get_paths():
            if path.transformed(trans).contains_points(grid).any():
                hits.append(f"area {coll.get_label()!r}")
                break
    return hits


def check_figure(name: str, fig) -> list[str]:
    """Problems of one figure: text outside the canvas, legends over data."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    page = fig.bbox
    problems = []
    width = fig.get_size_inches()[0]
    if abs(width - FIGURE_WIDTH_IN) > 1e-9:  # docs/figures-and-reports.md: one width, 1800 px at 200 dpi
        problems.append(f"{name}: {width:g} in wide, not the report width {FIGURE_WIDTH_IN:g} in")
    for t in _texts(fig):
        e = t.get_window_extent(renderer)
        if e.x0 < page.x0 - TOL or e.y0 < page.y0 - TOL or e.x1 > page.x1 + TOL or e.y1 > page.y1 + TOL:
            problems.append(f"{name}: text {t.get_text()[:50]!r} outside the canvas ({e.bounds} in {page.bounds})")
    axes = [a for a in fig.findobj(Axes) if a.get_visible()]
    for ax in axes:  # an axis' offset text ("1e-4", "+8.8e1") floats by a title: the scale belongs in the label
        for axis in (ax.xaxis, ax.yaxis):
            off = axis.get_offset_text()
            if off.get_visible() and off.get_text().strip():
                problems.append(f"{name}: offset text {off.get_text()!r} on axes {ax.get_title()[:40]!r}")
    for legend in fig.findobj(Legend):
        if not legend.get_visible():
            continue
        box = legend.get_window_extent(renderer)
        owners = [legend.axes] if legend.axes is not None and legend.parent is legend.axes else axes
        for ax in owners:
            for hit in _data_points(ax, box):
                problems.append(f"{name}: legend covers {hit} of axes {ax.get_title()[:40]!r}")
    return problems


def _copy(name: str, tmp_path: Path) -> Path:
    dst = tmp_path / name
    shutil.copytree(DATA / name, dst)
    return dst


@pytest.mark.slow
def test_run_figures_fit(caught, tmp_path):
    figures_run.plot_run(_copy("run_small", tmp_path))
    assert {"fleet_state", "robot_breakdown", "stations", "swap_waits", "pack_health"} <= set(caught)
    problems = [p for name, fig in caught.items() for p in check_figure(name, fig)]
    assert not problems, "\n".join(problems)


def _write_paired(cmp: Path) -> None:
    from swapsim.experiments.paired import write_paired

    rows = []
    for kpi, base in (("fleet.utilisation", 0.87), ("swaps.per_robot_per_day", 8.0),
                      ("charging.per_robot_per_day", 3.4), ("station_wait_min", 3.1), ("energy.grid_kwh", 51.0)):
        for i, s in enumerate(("hot_swap", "cold_swap", "plug_in")):
            rows.append(dict(kind="mean", kpi=kpi, label=kpi, strategy=s, vs=None, n=3, mean=base * (1 - 0.05 * i),
                             half_width=0.01 * base, significant=None))
            if i:
                rows.append(dict(kind="difference", kpi=kpi, label=kpi, strategy=s, vs="hot_swap", n=3,
                                 mean=-0.05 * i * base, half_width=0.02 * base, significant=i == 2))
    write_paired(rows, cmp, {"scenario": "factory-small", "replications": 3, "seed": 11}, figure=False)


@pytest.mark.slow
def test_sweep_and_compare_figures_fit(caught, tmp_path):
    figures_sweep.plot_sweep(_copy("sweep_small", tmp_path), kpis=["swaps.stockouts"])
    cmp = _copy("compare_small", tmp_path)
    _write_paired(cmp)
    figures_compare.plot_compare(cmp)  # compare.png, and compare_paired.png from compare_paired.json
    assert any(k.startswith("heatmap_") for k in caught) and any(k.startswith("sweep_") for k in caught)
    assert {"compare", "compare_paired"} <= set(caught)
    problems = [p for name, fig in caught.items() for p in check_figure(name, fig)]
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_warmup_and_monthly_figures_fit(caught, tmp_path):
    from swapsim.engine import simulate
    from swapsim.experiments.warmup import advise_warmup, pilot_series, write_warmup
    from swapsim.results import write_run
    from swapsim.scenario import load_scenario

    sc = load_scenario(ROOT / "scenarios" / "factory.yaml", ["horizon=2 d", "fleet.robots=8"])
    write_warmup(
        advise_warmup(pilot_series(sc, replications=2, bin_width_h=0.25, jobs=1)), tmp_path / "w", source="factory.yaml"
    )
    sc = load_scenario(ROOT / "scenarios" / "hospital.yaml", ["horizon=62 d", "output.bin_width=2 h"])
    from swapsim.output import plot_run

    plot_run(write_run(simulate(sc, 1), tmp_path / "months"))
    assert {"warmup", "monthly"} <= set(caught)
    problems = [p for name, fig in caught.items() for p in check_figure(name, fig)]
    assert not problems, "\n".join(problems)


def test_the_check_finds_clipped_text_and_a_legend_over_data():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], label="diagonal")
    ax.legend(loc="center")
    fig.text(0.98, 0.5, "a label running off the right edge")
    ax2 = fig.add_axes((0.1, 0.1, 0.3, 0.3))
    ax2.plot([0, 1], [1e-5, 2e-5])
    ax2.set_title("MSER", loc="left")
    problems = check_figure("probe", fig)
    assert any("offset text" in p for p in problems)
    assert any("outside the canvas" in p for p in problems)
    assert any("legend covers line 'diagonal'" in p for p in problems)
