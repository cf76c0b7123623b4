"""The run page answers before it lists: summary first, glossary labels, sums that add up."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from swapsim.output.report import build_report

DATA = Path(__file__).resolve().parents[1] / "data"


def _page(tmp_path: Path) -> tuple[str, dict]:
    run = tmp_path / "run"
    shutil.copytree(DATA / "run_small", run)
    (run / "robot_breakdown.svg").write_text('<?xml version="1.0"?><svg xmlns="x"></svg>')  # skip drawing
    return build_report(run), json.loads((run / "summary.json").read_text())


def _section(html: str, anchor: str) -> str:
    return re.search(rf'<section id="{anchor}">(.*?)</section>', html, re.S).group(1)


def test_the_summary_comes_first_and_names_the_binding_constraint(tmp_path):
    html, _ = _page(tmp_path)
    ids = re.findall(r'<section id="([^"]+)"', html)
    assert ids[0] == "summary"
    summary = _section(html, "summary")
    assert "Work" in summary and "Robot time" in summary
    assert "Binding constraint" in summary or "No constraint binds" in summary


def test_tables_use_labels_not_raw_keys(tmp_path):
    html, _ = _page(tmp_path)
    body = html.split('<section id="all-kpis">')[0]  # the All KPIs table shows the keys on purpose
    for raw in ("mean_health_end", "quarantined_events", "open_jobs_end", "swap_utilisation", "charged_packs_mean"):
        assert raw not in body, raw
    assert "pack health at the end, mean (% of rated capacity)" in body


def test_grid_energy_shows_every_part_and_adds_up(tmp_path):
    html, summary = _page(tmp_path)
    e = summary["energy"]
    row = re.search(r"grid energy, total = (.*?)</tr>", _section(html, "kpis"), re.S).group(1)
    assert "stations + rescues + parking" in row
    assert e["grid_kwh"] == pytest.approx(sum(e[k] for k in ("stations_kwh", "rescue_kwh", "parking_kwh")))
    total, *parts = [float(x.replace(",", "")) for x in re.findall(r"[\d,]+\.\d", row.split("</th>")[1])]
    assert len(parts) == 3 and total == pytest.approx(sum(parts), abs=0.15)  # as printed, to one decimal


def test_state_shares_are_of_on_duty_time_and_add_up(tmp_path):
    html, summary = _page(tmp_path)
    kpis = _section(html, "kpis")
    assert "share of on-duty time" in kpis and "share of all robots' time" not in kpis
    assert abs(sum(summary["fleet"]["state_fraction"].values()) - 1.0) < 1e-9
    assert re.search(r"on duty, all states</th><td class=\"num\">100.0 %", kpis)


def test_wide_tables_are_marked_to_fit(tmp_path):
    html, _ = _page(tmp_path)
    assert '<table class="wide">' in _section(html, "stations")
    assert "table.wide" in html and "overflow-x: auto" in html
