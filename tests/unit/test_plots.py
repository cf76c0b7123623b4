"""Figures drawn from small stored results: valid images of the expected size, in every format.

The stored results under ``tests/data/`` are fixtures written by ``tests/data/make_fixtures.py`` (a
short run of a small factory; a 2 x 2 sweep; a two-policy comparison); no test compares a KPI with a
stored number. Each test copies a fixture to a temporary directory and draws there.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

from swapsim.output import figures, figures_common, figures_run, style
from swapsim.results import ResultsError, check_results_dir, read_csv, results_kind

DATA = Path(__file__).resolve().parents[1] / "data"

RUN_FIGURE_HEIGHTS_IN = {
    "fleet_state": 6.0,
    "robot_breakdown": 4.8,
    "stations": 0.9 + 2.6 * 2,
    "swap_waits": 4.2,
    "pack_health": 7.0,
}
"""Heights of the run figures for the two-station fixture (inches); every figure is 9 in wide."""


def copy_fixture(name: str, tmp_path: Path) -> Path:
    dst = tmp_path / name
    shutil.copytree(DATA / name, dst)
    return dst


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name}: not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def run_png(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    run = copy_fixture("run_small", tmp_path_factory.mktemp("plots"))
    return run, figures_run.plot_run(run, "png")


def test_run_figures_are_png_of_the_expected_size(run_png: tuple[Path, list[Path]]) -> None:
    run, paths = run_png
    assert sorted(p.stem for p in paths) == sorted(RUN_FIGURE_HEIGHTS_IN)
    for path in paths:
        assert path.parent == run and path.suffix == ".png"
        width, height = png_size(path)
        assert width == round(style.FIGURE_WIDTH_IN * style.DPI) == 1800, path.name
        assert height == round(RUN_FIGURE_HEIGHTS_IN[path.stem] * style.DPI), path.name
        pixels = mpimg.imread(path)
        assert pixels.shape[:2] == (height, width)
        # Not blank: a drawn figure has ink and many distinct colours.
        rgb = pixels[..., :3].reshape(-1, 3)
        assert (rgb.min(axis=1) < 0.5).mean() > 0.01, f"{path.name}: almost no dark pixels"
        assert len(np.unique((rgb[::37] * 255).astype(int), axis=0)) > 20, f"{path.name}: too few colours"


def test_run_figure_as_pdf(tmp_path: Path) -> None:
    import json

    summary = json.loads((DATA / "run_small" / "summary.json").read_text())
    path = figures_run.plot_robot_breakdown(read_csv(DATA / "run_small" / "robots.csv"), summary, tmp_path, "pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-64:]
    assert b"/MediaBox [ 0 0 648 345.6 ]" in data  # 9 x 4.8 in, in points


def test_swap_wait_cdf_crosses_95_percent_at_the_p95_kpi() -> None:
    """The figure's CDF and the p95 of summary.json use the same interpolation."""
    import json

    waits = read_csv(DATA / "run_small" / "swap_waits.csv")
    summary = json.loads((DATA / "run_small" / "summary.json").read_text())
    x, share = figures_run.swap_wait_cdf(waits)
    assert share[0] == 0 and share[-1] == pytest.approx(1.0)
    assert np.all(np.diff(share) >= -1e-12) and np.all(np.diff(x) >= -1e-12)
    assert share[1] == pytest.approx(waits["count"][0] / sum(waits["count"]))  # the jump at zero
    i = int(np.searchsorted(share, 0.95))
    p95 = float(np.interp(0.95, share[i - 1 : i + 1], x[i - 1 : i + 1]))
    assert p95 == pytest.approx(summary["swaps"]["wait_min"]["p95"], abs=1e-9)


def test_swap_waits_figure_without_swaps(tmp_path: Path) -> None:
    summary = {"manifest": {"scenario": "idle", "seed": 1}, "swaps": {"wait_min": {"mean": 0.0, "p95": 0.0}}}
    path = figures_run.plot_swap_waits({"wait_min_low": [0.0], "wait_min_high": [0.0], "count": [0]}, summary, tmp_path)
    assert png_size(path)[0] == 1800
    assert figures_run.swap_wait_cdf({"wait_min_low": [], "wait_min_high": [], "count": []})[0].size == 0


def test_coarsen_keeps_time_weighted_means_and_a_nice_width() -> None:
    w = 0.25
    n = 1000  # 250 h of 15 min bins; the horizon cuts the last bin to 5 min
    t = np.arange(n) * w
    horizon = t[-1] + 5 / 60
    rng = np.random.default_rng(4)
    values = rng.uniform(0, 10, n)
    out, width = figures_common.coarsen({"time_h": t, "x": values}, horizon, max_bins=300)
    assert width == 1.0 and len(out["time_h"]) == 250 and len(out["x"]) == 250
    widths = np.diff(np.append(t, horizon))
    merged_widths = np.diff(np.append(out["time_h"], horizon))
    assert np.sum(out["x"] * merged_widths) == pytest.approx(np.sum(values * widths))
    assert out["x"][0] == pytest.approx(values[:4].mean())
    assert out["x"][-1] == pytest.approx(np.average(values[-4:], weights=widths[-4:]))
    same, w_same = figures_common.coarsen({"time_h": t[:100], "x": values[:100]}, None, max_bins=300)
    assert w_same == w and np.array_equal(same["x"], values[:100])


def test_style_is_shared_and_importable_from_swapsim_output() -> None:
    import swapsim.output

    assert swapsim.output.OKABE_ITO is style.OKABE_ITO and swapsim.output.STATE_COLOURS is style.STATE_COLOURS
    assert swapsim.output.report_style is style.report_style
    import matplotlib as mpl

    with swapsim.output.report_style():
        assert mpl.rcParams["savefig.dpi"] == 200
        assert mpl.rcParams["font.size"] >= 10
    assert set(style.STATE_COLOURS.values()) - {"#BBBBBB", "#666666"} <= set(style.OKABE_ITO)


BACKEND_PROBE = """
import json, shutil, sys
from pathlib import Path
import matplotlib
if sys.argv[1] != "default":
    matplotlib.use(sys.argv[1])
before = dict.__getitem__(matplotlib.rcParams, "backend")  # read without resolving the auto backend
import swapsim.output
from swapsim.output import plot_results
for name in ("run_small", "sweep_small", "compare_small"):
    shutil.copytree(Path(sys.argv[2]) / name, Path(sys.argv[3]) / name)
    assert plot_results(Path(sys.argv[3]) / name, "png")
after = dict.__getitem__(matplotlib.rcParams, "backend")
print(json.dumps({"unchanged": after is before, "backend": str(after), "pyplot": "matplotlib.pyplot" in sys.modules}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("chosen", ["default", "svg"])
def test_drawing_sets_no_matplotlib_backend(tmp_path: Path, chosen: str) -> None:
    """Importing swapsim.output and drawing every figure kind leaves the backend a user chose (or the
    automatic choice) alone and never imports pyplot: a notebook keeps its inline backend."""
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    out = subprocess.run(
        [sys.executable, "-c", BACKEND_PROBE, chosen, str(DATA), str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    probe = json.loads(out)
    assert probe["unchanged"], f"the backend became {probe['backend']}"
    assert not probe["pyplot"], "drawing imported matplotlib.pyplot"
    if chosen == "svg":
        assert probe["backend"] == "svg"


# -- telling the kind of a results directory --------------------------------------------------------


def test_results_kind_of_each_fixture() -> None:
    assert results_kind(DATA / "run_small") == "run"
    assert results_kind(DATA / "sweep_small") == "sweep"
    assert results_kind(DATA / "compare_small") == "compare"
    assert check_results_dir(DATA / "compare_small" / "hot_swap") == "run"


def test_results_kind_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="no such directory"):
        results_kind(tmp_path / "nope")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ResultsError, match="is a file"):
        results_kind(tmp_path / "file.txt")
    with pytest.raises(ResultsError, match="not a swapsim results directory"):
        results_kind(tmp_path)
    (tmp_path / "sweep.json").write_text("{}")
    with pytest.raises(ResultsError, match="points.csv is missing"):
        results_kind(tmp_path)
    run = copy_fixture("run_small", tmp_path)
    (run / "timeseries.csv").unlink()
    with pytest.raises(ResultsError, match="without timeseries.csv"):
        check_results_dir(run)
    shutil.copy(DATA / "run_small" / "timeseries.csv", run / "timeseries.csv")
    assert check_results_dir(run) == "run"
    (run / "summary.json").write_text("{not json")
    with pytest.raises(ResultsError, match="cannot be read as JSON"):
        check_results_dir(run)


# -- sweeps and comparisons: drawn by plot_sweep / plot_compare once those exist ---------------------


@pytest.mark.parametrize(
    "name, kind, fn", [("sweep_small", "sweep", "plot_sweep"), ("compare_small", "compare", "plot_compare")]
)
def test_plot_results_draws_sweeps_and_comparisons(tmp_path: Path, name: str, kind: str, fn: str) -> None:
    d = copy_fixture(name, tmp_path)
    paths = figures.plot_results(d, "png")
    assert paths, f"{fn} drew nothing"
    for path in paths:
        width, height = png_size(path)
        assert width >= 1000 and height >= 500, path.name
