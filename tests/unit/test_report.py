"""The HTML report: it parses, embeds every image it shows, links nothing outside itself, holds the
tables a reader needs, and is written without running a simulation.

Drawn from the stored fixtures under ``tests/data/`` (see ``tests/data/make_fixtures.py``), copied to a
temporary directory first: the report writes ``report.html`` (and any missing figures) beside them.
"""

from __future__ import annotations

import base64
import json
import math
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from swapsim.metrics.glossary import strategy_name
from swapsim.output import figures, figures_run
from swapsim.output.report import REPORT_NAME, write_report
from swapsim.output.report_tables import fmt_mean_ci, fmt_value
from swapsim.results import ResultsError, read_csv

DATA = Path(__file__).resolve().parents[1] / "data"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def copy_fixture(name: str, tmp_path: Path) -> Path:
    dst = tmp_path / name
    shutil.copytree(DATA / name, dst)
    return dst


class PageChecker(HTMLParser):
    """Collects what a self-contained page must not have, and checks that the tags nest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.imgs: list[dict[str, str]] = []
        self.refs: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        if "id" in a:
            if a["id"] in self.ids:
                self.errors.append(f"duplicate id {a['id']}")
            self.ids.add(a["id"])
        if tag == "img":
            self.imgs.append(a)
        for key in ("src", "href", "action", "data", "poster", "srcset"):
            if key in a:
                self.refs.append((tag, key, a[key]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_self_contained(html: str) -> PageChecker:
    page = PageChecker()
    page.feed(html)
    page.close()
    assert not page.errors, page.errors[:5]
    assert page.stack == [], f"unclosed tags: {page.stack}"
    assert html.startswith("<!DOCTYPE html>")
    # Nothing loaded from elsewhere: no scripts, external style sheets, frames, objects or fonts.
    for tag in ("script", "link", "iframe", "object", "embed", "frame", "base", "audio", "video"):
        assert tag not in page.tags, f"<{tag}> in a self-contained page"
    assert "://" not in html, "an address to another site"  # base64 never contains ':'
    assert "url(" not in html and "@import" not in html and "@font-face" not in html
    # Every image is embedded, every link stays in the page and points at an element that exists.
    for tag, key, value in page.refs:
        if tag == "img" and key == "src":
            assert value.startswith(("data:image/png;base64,", "data:image/svg+xml;base64,")), value[:60]
        else:
            assert value.startswith("#") and value[1:] in page.ids, f"<{tag} {key}={value!r}>"
    for img in page.imgs:
        assert img.get("alt"), "an image without alt text"
        data = base64.b64decode(img["src"].split(",", 1)[1], validate=True)
        if img["src"].startswith("data:image/png"):
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
            assert int(img["width"]) == int.from_bytes(data[16:20], "big")
        else:
            assert b"<svg" in data[:1000]
    return page


def refuse_to_simulate(mp: pytest.MonkeyPatch) -> None:
    """Make every way of running a model fail loudly."""
    import simpy

    import swapsim.engine

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a report ran a simulation")

    mp.setattr(swapsim.engine, "simulate", refuse)
    mp.setattr(simpy.Environment, "run", refuse)
    mp.setattr(simpy.Environment, "step", refuse)


@pytest.fixture(scope="module")
def run_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The report of the run fixture, which has no figures: the report draws them, with simulation refused."""
    run = copy_fixture("run_small", tmp_path_factory.mktemp("report"))
    with pytest.MonkeyPatch.context() as mp:
        refuse_to_simulate(mp)
        path = write_report(run)
    return run, path.read_text(encoding="utf-8")


def test_run_report_is_self_contained_and_embeds_every_figure(run_report: tuple[Path, str]) -> None:
    run, html = run_report
    assert (run / REPORT_NAME).is_file()
    page = check_self_contained(html)
    figures = sorted(p.name for p in run.glob("*.png"))
    assert figures == [
        "fleet_state.png",
        "pack_health.png",
        "robot_breakdown.png",
        "stations.png",
        "swap_waits.png",
    ]  # drawn
    assert len(page.imgs) == len(figures)
    assert all(f"({name})" in html for name in figures)


def test_run_report_holds_the_kpis_scenario_and_manifest(run_report: tuple[Path, str]) -> None:
    run, html = run_report
    summary = json.loads((run / "summary.json").read_text())
    text = " ".join(check_self_contained(html).text)
    assert f"{summary['fleet']['utilisation'] * 100:.1f} %" in text
    assert f"{summary['swaps']['per_robot_per_day']:.2f}" in text
    for st in summary["stations"]:
        assert st["name"] in text and f"{st['swap_utilisation'] * 100:.1f} %" in text
    for state, frac in summary["fleet"]["state_fraction"].items():
        assert state in text
    scenario = (run / "scenario.resolved.yaml").read_text()
    assert scenario.splitlines()[0] in text and "swap_duration:" in text  # the resolved scenario, verbatim
    assert str(summary["manifest"]["seed"]) in text and summary["manifest"]["swapsim_version"] in text
    robots = read_csv(run / "robots.csv")
    assert f"{len(robots['robot'])} robots" in text


def test_report_embeds_existing_figures_without_redrawing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = copy_fixture("run_small", tmp_path)
    summary = json.loads((run / "summary.json").read_text())
    figures_run.plot_robot_breakdown(read_csv(run / "robots.csv"), summary, run, "svg")
    html = write_report(run).read_text()
    page = check_self_contained(html)
    assert [i["src"][:26] for i in page.imgs] == ["data:image/svg+xml;base64,"]
    assert not list(run.glob("*.png")), "figures were there: nothing should be drawn"
    drawn = []
    monkeypatch.setattr(figures, "plot_results", lambda d, fmt="png": drawn.append((Path(d), fmt)) or [])
    write_report(run, redraw=True)
    assert drawn == [(run, "png")]


def test_report_escapes_what_it_shows(tmp_path: Path) -> None:
    run = copy_fixture("run_small", tmp_path)
    summary = json.loads((run / "summary.json").read_text())
    summary["manifest"]["scenario"] = "<b>bold</b> & <script>x</script>"
    (run / "summary.json").write_text(json.dumps(summary))
    (run / "robot_breakdown.svg").write_text('<?xml version="1.0"?><svg xmlns="x"></svg>')  # skip drawing
    html = write_report(run).read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    check_self_contained(html)


def test_sweep_report_shows_points_with_confidence_intervals(tmp_path: Path) -> None:
    sweep = copy_fixture("sweep_small", tmp_path)
    html = write_report(sweep).read_text()
    page = check_self_contained(html)
    text = " ".join(page.text).replace("\xa0", " ")  # no-break spaces keep "± 0.2 %" together
    points = read_csv(sweep / "points.csv")
    spec = json.loads((sweep / "sweep.json").read_text())
    for factor in spec["factors"]:
        assert factor in text
    for i in range(len(points["point"])):
        cell = fmt_mean_ci(
            "fleet.utilisation", points["fleet.utilisation.mean"][i], points["fleet.utilisation.ci95"][i]
        )
        assert " ± " in cell and cell in text
    assert "95 % confidence interval" in text
    assert page.imgs, "the sweep report shows no figure"


@pytest.mark.parametrize("name", ["sweep_small", "compare_small"])
def test_sweep_and_compare_reports_embed_the_figures_they_find(
    tmp_path: Path, name: str, run_report: tuple[Path, str]
) -> None:
    d = copy_fixture(name, tmp_path)
    for stem in ("b_second", "a_first"):  # any figure file at the top of the directory, in name order
        shutil.copy(run_report[0] / "robot_breakdown.png", d / f"{stem}.png")
    page = check_self_contained(write_report(d).read_text())
    assert [i["alt"] for i in page.imgs] == ["A first", "B second"]
    assert not [p for p in d.rglob("*.png") if p.stem not in ("a_first", "b_second")], "drew figures"


def test_compare_report_puts_strategies_side_by_side(tmp_path: Path) -> None:
    cmp_dir = copy_fixture("compare_small", tmp_path)
    html = write_report(cmp_dir).read_text()
    page = check_self_contained(html)
    text = " ".join(page.text)
    table = read_csv(cmp_dir / "compare.csv")
    header = html[html.index('id="table"') :].split("</thead>")[0]
    for strategy in table["strategy"]:
        assert f">{strategy_name(strategy)}</th>" in header  # one display name per strategy
    for u in table["utilisation"]:
        assert f"{u * 100:.1f} %" in text
    assert "kind: hot_swap" in text and "+  kind: cold_swap" in text  # the diff between strategies
    assert page.imgs, "the comparison report shows no figure"


def test_making_a_report_never_runs_a_simulation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sweeps and comparisons here; the run report (figures drawn too) is made the same way in run_report."""
    refuse_to_simulate(monkeypatch)
    for name in ("sweep_small", "compare_small"):
        d = copy_fixture(name, tmp_path)
        write_report(d, redraw=True)
        assert (d / REPORT_NAME).is_file()


def test_report_on_a_wrong_directory(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="no such directory"):
        write_report(tmp_path / "missing")
    with pytest.raises(ResultsError, match="not a swapsim results directory"):
        write_report(tmp_path)
    assert not (tmp_path / REPORT_NAME).exists()


@pytest.mark.parametrize("key, mean, ci, expected", [
    ("fleet.utilisation", 0.86342, 0.00214, "86.34 ± 0.21 %"),
    ("swaps.wait_min.mean", 5.2634, 1.234, "5.3 ± 1.2"),
    ("energy.grid_kwh", 2559.7, 31.4, "2,560 ± 31"),
    ("swaps.wait_min.p95", 24.87, 0.0, "24.87 ± 0"),
    ("swaps.wait_min.p95", 24.87, math.nan, "24.87"),
    ("swaps.wait_min.p95", 24.87, None, "24.87"),
    ("swaps.wait_min.p95", None, None, "–"),
])
def test_mean_and_confidence_interval_format(key: str, mean: float, ci: float, expected: str) -> None:
    assert fmt_mean_ci(key, mean, ci) == expected


def test_value_format() -> None:
    assert fmt_value("fleet.utilisation", 0.8634) == "86.3 %"
    assert fmt_value("fleet.state_fraction.idle", 0.08) == "8.0 %"
    assert fmt_value("stations.A.swap_utilisation", 0.27) == "27.0 %"
    assert fmt_value("seed", 20261129) == "20261129"  # integers exactly, no separators
    assert fmt_value("energy.grid_kwh", 2559.96) == "2,560"
    assert fmt_value("x", 0.012345) == "0.0123"
    assert fmt_value("x", None) == "–" and fmt_value("x", True) == "yes"
