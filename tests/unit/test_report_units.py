"""Units and counts as a reader sees them (issue 28, outputs): a share labelled % is shown as a percentage,
counts carry thousands separators like large floats, a KPI that does not exist under the run's strategy
reads n/a (not 0), and counts of things take a proper plural."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swapsim.metrics.glossary import KPI_LABELS, label_for, not_applicable, plural
from swapsim.output.console import headline
from swapsim.output.report_tables import fmt_value, mark_not_applicable


def test_every_share_in_the_glossary_is_shown_as_a_percentage() -> None:
    # "pack health at the end, mean (% of rated capacity) 0.983"
    assert fmt_value("packs.mean_health_end", 0.983) == "98.3 %"
    assert fmt_value("packs.min_health_end", 0.9) == "90.0 %"
    for key, label in KPI_LABELS.items():
        if label.is_share:
            assert fmt_value(key, 0.5) == "50.0 %", key


def test_counts_and_large_numbers_share_one_thousands_separator() -> None:
    # "49835" beside "1,174"
    assert fmt_value("swaps.count", 49835) == "49,835"
    assert fmt_value("energy.grid_kwh", 1174.2) == "1,174"
    assert fmt_value("manifest.seed", 20261129) == "20261129"  # a seed is an identifier


def test_plug_in_swap_kpis_are_not_applicable() -> None:
    summary = {
        "manifest": {"strategy": "plug_in"},
        "swaps": {"count": 0, "wait_min": {"mean": 0.0}, "stockouts": 0},
        "stations": [{"name": "A", "swaps": 0, "stockouts": 0, "charged_packs_mean": 0.0, "swap_utilisation": 0.5}],
        "charging": {"sessions": 12},
    }
    marked = mark_not_applicable(summary)
    assert marked["swaps"] == {"count": "n/a", "wait_min": {"mean": "n/a"}, "stockouts": "n/a"}
    assert marked["stations"][0] == {
        "name": "A",
        "swaps": "n/a",
        "stockouts": "n/a",
        "charged_packs_mean": "n/a",
        "swap_utilisation": 0.5,
    }
    assert marked["charging"] == {"sessions": 12}
    assert fmt_value("swaps.wait_min.mean", marked["swaps"]["wait_min"]["mean"]) == "n/a"
    hot = dict(summary, manifest={"strategy": "hot_swap"})
    assert mark_not_applicable(hot)["swaps"]["count"] == 0 and mark_not_applicable(hot)["charging"]["sessions"] == "n/a"
    assert not not_applicable("swaps.count", None)


def test_plug_in_console_headline_says_n_a() -> None:
    summary = {
        "fleet": {"utilisation": 0.7, "state_fraction": {"working": 0.7}, "strandings": 0},
        "swaps": {"count": 0, "per_robot_per_day": 0.0, "stockouts": 0, "wait_min": {"mean": 0, "p95": 0, "max": 0}},
        "energy": {"grid_kwh": 12345.6},
        "stations": [{"name": "A", "swap_utilisation": 0.5, "mean_queue_length": 0.0, "charged_packs_mean": 0.0}],
        "charging": {
            "sessions": 1200,
            "per_robot_per_day": 3.5,
            "duration_min_mean": 65.0,
            "wait_min": {"mean": 0.0, "p95": 0.0},
        },
    }
    text = headline(summary)
    swap_lines = [line for line in text.splitlines() if line.startswith(("swaps", "swap wait", "stock-outs"))]
    assert len(swap_lines) == 3 and all("n/a" in line for line in swap_lines)
    assert "docks busy / queue" in text and "/ green" not in text
    assert "12,345.6" in text and "1,200 (" in text


def test_plural() -> None:
    assert plural(1, "swap station") == "1 swap station"
    assert plural(3, "swap station") == "3 swap stations"
    assert plural(1200, "robot") == "1,200 robots"


@pytest.fixture(scope="module")
def plug_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from swapsim.engine import simulate
    from swapsim.results import write_run
    from swapsim.scenario import load_scenario

    sets = ["strategy.kind=plug_in", "horizon=2 d", "warmup=12 h", "fleet.robots=12"]
    sc = load_scenario("scenarios/factory.yaml", sets)
    out = tmp_path_factory.mktemp("plug") / "run"
    write_run(simulate(sc, origin={"scenario_file": "scenarios/factory.yaml", "overrides": sets}), out)
    return out


def test_run_page_says_what_was_run(plug_run: Path) -> None:
    from swapsim.output.report_run import run_sections

    man = json.loads((plug_run / "summary.json").read_text())["manifest"]
    assert man["overrides"] == ["strategy.kind=plug_in", "horizon=2 d", "warmup=12 h", "fleet.robots=12"]
    assert man["scenario_file"] == "scenarios/factory.yaml"
    _, subtitle, sections = run_sections(plug_run, redraw=False)
    assert any("--set fleet.robots=12" in p and "scenarios/factory.yaml" in p for p in subtitle)
    assert any("12 robots, 2 dock stations" in p for p in subtitle)
    assert not any("(s)" in p for p in subtitle)
    html = "\n".join(h for _, _, h in sections)
    assert "strategy.kind=plug_in; horizon=2 d" in html  # the manifest table
    stations = html[html.index('id="stations"') : html.index("</section>", html.index('id="stations"'))]
    assert "Charging stations" in stations and "charging docks busy" in stations
    assert "swap positions busy" not in stations
    kpis = html[html.index('id="all-kpis"') :]
    row = kpis[kpis.index("swaps.wait_min.mean") :]
    assert row[: row.index("</tr>")].endswith("n/a</td>")
    assert "98." in html or "99." in html or "100." in html  # pack health as a percentage
    assert "0.9" not in row[: row.index("</tr>")]


def test_every_percentage_label_has_a_share_key() -> None:
    assert label_for("packs.mean_health_end") is not None and label_for("packs.mean_health_end").is_share  # type: ignore[union-attr]
