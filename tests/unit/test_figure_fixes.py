"""Figures as a reader sees them (issue 28, outputs), each defect with the check that would have caught it:
a plug-in run's stations figure draws docks (not 2 swap positions while 5-6 docks are busy) and no empty
green-pack panels; the fleet state of a shift run keeps parked robots out of the zoomed panel and names
states in words; a named robot stays clear of the axis; monthly bars start at zero; a heatmap of waits
has no negative colours; strategies carry one display name; every figure is the report width."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Annotation

from swapsim.output import figures_common, figures_compare, figures_health, figures_run, figures_stations
from swapsim.output.figures_sweep import heatmap_scale
from swapsim.output.style import FIGURE_WIDTH_IN

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


@pytest.fixture
def caught(monkeypatch):
    figs: dict[str, object] = {}
    original = figures_common.save_figure

    def save(fig, out_dir, stem, fmt):
        figs[stem] = fig
        return original(fig, out_dir, stem, fmt)

    for mod in (figures_run, figures_stations, figures_health, figures_compare):
        monkeypatch.setattr(mod, "save_figure", save)
    return figs


def _run(tmp_path: Path, scenario: str, sets: list[str]) -> Path:
    from swapsim.engine import simulate
    from swapsim.results import write_run
    from swapsim.scenario import load_scenario

    return write_run(simulate(load_scenario(ROOT / "scenarios" / scenario, sets)), tmp_path / "run")


def _titles(fig) -> list[str]:
    return [ax.get_title() for ax in fig.findobj(Axes) if ax.get_visible()]


def test_plug_in_stations_draw_docks(caught, tmp_path):
    run = _run(tmp_path, "factory.yaml", ["strategy.kind=plug_in", "horizon=2 d", "warmup=12 h", "fleet.robots=16"])
    figures_run.plot_run(run)
    fig = caught["stations"]
    titles = _titles(fig)
    assert "busy charging docks" in titles and "robots waiting for a dock" in titles
    assert not any("green" in t or "swap positions" in t for t in titles)
    assert len([t for t in titles if t]) == 2 * 2  # two panels per station, no zoom row of green packs
    for ax in fig.findobj(Axes):
        if ax.get_title() == "busy charging docks":
            dashed = [ln.get_ydata()[0] for ln in ax.get_lines() if ln.get_linestyle() == "--"]
            assert dashed == [8]  # bays 16 // 2 docks, not the 2 swap positions
            busy = max(float(np.max(ln.get_ydata())) for ln in ax.get_lines() if ln.get_linestyle() == "-")
            assert busy <= 8 + 1e-9


def test_shift_fleet_state_keeps_parked_robots_out_of_the_zoom(caught, tmp_path):
    run = _run(tmp_path, "warehouse.yaml", ["horizon=2 d", "warmup=6 h", "fleet.robots=12"])
    figures_run.plot_run(run)
    fig = caught["fleet_state"]
    labels = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert "off duty" in labels and not any("_" in lab for lab in labels)
    top, zoom = [ax for ax in fig.findobj(Axes) if ax.get_title(loc="left")]
    assert zoom.get_title(loc="left").startswith("On-duty robots not working")
    assert len(zoom.collections) < len(top.collections)  # the off-duty layer is in the top panel only
    assert zoom.get_ylim()[1] < 12  # parked robots (most of the night) no longer set the zoomed scale


def test_named_robot_stays_clear_of_the_axis(caught, tmp_path):
    robots = {
        "robot": list(range(20)),
        "working_fraction": [0.9] * 19 + [0.5],
        "idle_fraction": [0.1] * 19 + [0.5],
        "working_h": [90.0] * 20,
        "idle_h": [10.0] * 20,
    }
    summary = {"manifest": {"scenario": "probe", "seed": 1}, "fleet": {"utilisation": 0.88}}
    figures_run.plot_robot_breakdown(robots, summary, tmp_path)
    fig = caught["robot_breakdown"]
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    ax = fig.findobj(Axes)[0]
    for note in (a for a in ax.texts if isinstance(a, Annotation) and a.get_text().startswith("robot ")):
        assert note.get_window_extent(renderer).x0 > ax.get_window_extent(renderer).x0 + 1


def test_monthly_bars_start_at_zero(caught, tmp_path):
    monthly = {
        "month": [1, 2, 3],
        "utilisation": [0.50, 0.51, 0.49],
        "travelling_fraction": [0.02] * 3,
        "swapping_fraction": [0.01] * 3,
        "queueing_fraction": [0.005] * 3,
        "stranded_fraction": [0.0] * 3,
        "swaps_per_robot_per_day": [8.0] * 3,
        "health_mean": [0.99, 0.98, 0.97],
        "start_d": [0, 30, 60],
        "end_d": [30, 60, 90],
    }
    figures_health.plot_monthly(monthly, {"manifest": {"scenario": "probe", "seed": 1}}, tmp_path)
    bars_ax = caught["monthly"].findobj(Axes)[0]
    assert bars_ax.get_ylim()[0] == 0.0


def test_heatmap_of_waits_has_no_negative_colours():
    low, high, _ = heatmap_scale(np.array([0.0, 0.07, 2.7, 3.2]), np.array([0.0, 0.3, 6.6, 6.3]), nonnegative=True)
    assert low == 0.0 and high > 3.2
    low, _, _ = heatmap_scale(np.array([0.0, 0.07, 2.7, 3.2]), np.array([0.0, 0.3, 6.6, 6.3]))
    assert low < 0  # the rule itself, for a quantity that may be negative


def test_compare_figures_use_display_names_and_the_report_width(caught, tmp_path):
    import shutil

    cmp = tmp_path / "cmp"
    shutil.copytree(DATA / "compare_small", cmp)
    figures_compare.plot_compare(cmp)
    fig = caught["compare"]
    ticks = [t.get_text() for ax in fig.findobj(Axes) for t in ax.get_xticklabels()]
    assert "cold\nswap" in ticks and not any("_" in t or "cold-swap" in t for t in ticks)
    assert fig.get_size_inches()[0] == FIGURE_WIDTH_IN


def test_warmup_utilisation_is_per_on_duty_robot():
    # the pilot series divided by every robot while the KPI divides by the robots on duty
    from swapsim.engine import simulate
    from swapsim.experiments.warmup import _pilot_run
    from swapsim.scenario import load_scenario, scenario_to_dict

    sc = load_scenario(ROOT / "scenarios" / "warehouse.yaml", ["horizon=1 d", "warmup=0 h", "fleet.robots=10"])
    series = np.asarray(_pilot_run((scenario_to_dict(sc), 1))["utilisation"])
    ts = simulate(sc, 1).timeseries
    on_duty = sc.fleet.robots - np.asarray(ts["robots_off_duty"])
    night = on_duty < sc.fleet.robots
    assert night.any()
    expected = np.asarray(ts["robots_working"])[night] / on_duty[night]
    assert np.allclose(series[night], np.where(on_duty[night] > 0, expected, 0.0))
