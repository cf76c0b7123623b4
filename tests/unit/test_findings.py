"""The run summary's rules on crafted data: coverage, the binding constraint by pressure, the lever, waves."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest

from swapsim.output.findings import THRESHOLDS, detect_waves, run_epilogue, run_findings, summary_text

BASE = {
    "manifest": {"scenario": "crafted", "seed": 1, "horizon_h": 240.0, "warmup_h": 24.0},
    "fleet": {
        "robots": 10,
        "utilisation": 0.80,
        "strandings": 0,
        "off_duty_fraction": 0.0,
        "state_fraction": {
            "working": 0.80,
            "idle": 0.15,
            "travelling": 0.02,
            "queueing": 0.01,
            "swapping": 0.02,
            "stranded": 0.0,
            "charging": 0.0,
            "down": 0.0,
        },
    },
    "swaps": {"count": 1000, "stockouts": 0, "wait_min": {"mean": 0.5, "p95": 2.0, "max": 9.0}},
    "stations": [
        {"name": "A", "swaps": 600, "swap_utilisation": 0.3, "mean_queue_length": 0.01, "stockouts": 0},
        {"name": "B", "swaps": 400, "swap_utilisation": 0.2, "mean_queue_length": 0.01, "stockouts": 0},
    ],
    "technicians": {"crew": 1, "utilisation": 0.1, "stock_waits": 0},
}


def crafted(**changes) -> dict:
    s = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = s
        *head, last = path.split("__")
        for key in head:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value
    return {"summary": s}


def topics(findings, topic):
    return [f for f in findings if f.topic == topic]


def test_nothing_binds_below_every_threshold_and_idle_robots_point_at_the_fleet_size():
    f = run_findings(crafted())
    (c,) = topics(f, "constraint")
    assert c.text.startswith("No constraint binds") and c.level == "ok"
    assert "fewer robots" in topics(f, "lever")[0].text


def test_no_slack_and_nothing_binding_says_the_energy_cycle_sets_the_ceiling():
    d = crafted(fleet__state_fraction__idle=0.05)
    assert "ceiling" in topics(run_findings(d), "lever")[0].text


def test_stockouts_above_two_percent_of_a_stations_swaps_bind_and_name_the_station():
    d = crafted(stations__1__stockouts=12, swaps__stockouts=12)  # 3 % of B's 400 swaps, 1.2 % of all
    f = run_findings(d)
    c = topics(f, "constraint")[0]
    assert c.level == "act" and "green packs: B ran out in 3.0 % of its swaps" in c.text and "1.2 % of all" in c.text
    assert "adding packs" in topics(f, "lever")[0].text and "to B" in topics(f, "lever")[0].text


def test_just_below_the_threshold_does_not_bind():
    d = crafted(stations__1__stockouts=7)  # 1.75 % < 2 %
    assert topics(run_findings(d), "constraint")[0].text.startswith("No constraint binds")


def test_the_highest_pressure_binds_and_the_others_are_named():
    # positions 0.84 / 0.70 = 1.2; travel 0.08 / 0.05 = 1.6
    d = crafted(stations__0__swap_utilisation=0.84, fleet__state_fraction__travelling=0.08)
    c = topics(run_findings(d), "constraint")
    assert c[0].text.startswith("Binding constraint: travel") and c[0].level == "act"
    assert c[1].level == "watch" and "swap positions: A's positions are busy 84.0 %" in c[1].text


def test_a_stranding_or_a_stock_wait_raises_its_constraint_to_binding():
    assert "faults" in topics(run_findings(crafted(fleet__strandings=1)), "constraint")[0].text
    c = topics(run_findings(crafted(technicians__stock_waits=2)), "constraint")[0]
    assert c.text.startswith("Binding constraint: technicians") and "2 job(s) found no new pack" in c.text


def test_task_demand_is_covered_unless_the_backlog_grows():
    tasks = {
        "arrived": 21600,
        "done": 21590,
        "wait_min": {"mean": 3.0, "p95": 12.0},
        "waiting_mean": 5.0,
        "waiting_at_horizon": 8,
        "in_progress_at_horizon": 2,
    }  # 100 arrivals per hour over 216 h
    d = crafted(tasks=tasks)
    work = topics(run_findings(d), "work")[0]
    assert work.text.startswith("Work covered") and "21,590 of 21,600 tasks done" in work.text
    # 150 waiting at the end: > 2 x mean (10) and > one hour of arrivals (100): growing
    d = crafted(tasks={**tasks, "waiting_at_horizon": 150, "done": 21440})
    f = run_findings(d)
    assert topics(f, "work")[0].level == "act" and "NOT covered" in topics(f, "work")[0].text
    assert any("shifts" in c.text for c in topics(f, "constraint"))


def test_shares_of_time_name_on_duty_and_off_duty_time():
    f = run_findings(crafted(fleet__off_duty_fraction=0.3))
    assert "share of on-duty time" in topics(f, "time")[0].text
    assert "Off duty (shifts): 30.0 % of all robot time" in topics(f, "time")[0].text


def _wave(period_bins: int, n: int, noise: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 7 + 6 * np.sin(2 * math.pi * t / period_bins) + noise * rng.normal(size=n)


def test_waves_are_found_at_their_period_and_noise_is_not_a_wave():
    period, acf = detect_waves(_wave(12, 400, 0.5), bin_h=0.25)
    assert period == pytest.approx(3.0) and acf > 0.8
    assert detect_waves(np.random.default_rng(1).normal(size=400), bin_h=0.25) is None
    assert detect_waves(np.full(100, 4.0), bin_h=0.25) is None


def test_the_warm_up_is_left_out_of_the_wave_test():
    y = np.concatenate([np.full(96, 13.0), _wave(12, 300, 0.3)])
    assert detect_waves(y, bin_h=0.25, start_h=24.0)[0] == pytest.approx(3.0)


def test_the_lever_cites_waves_from_the_stations_green_pack_series():
    d = crafted(stations__0__stockouts=60, swaps__stockouts=60)
    t = np.arange(960) * 0.25
    d["timeseries"] = {"time_h": list(t), "A_green": list(_wave(12, 960, 0.5))}
    lever = topics(run_findings(d), "lever")[0].text
    assert "waves every ~3.0 h" in lever and "A ran out of green packs in 10.0 % of its swaps" in lever


def test_thresholds_are_the_documented_ones():
    assert THRESHOLDS == {
        "green packs": 0.02,
        "swap positions": 0.70,
        "travel": 0.05,
        "technicians": 0.80,
        "shifts": 0.95,
        "faults": 0.02,
    }
    doc = (Path(__file__).resolve().parents[2] / "docs" / "figures-and-reports.md").read_text(encoding="utf-8")
    for name, value in THRESHOLDS.items():
        assert f"{value * 100:g} %" in doc, f"{name}: threshold not in docs/figures-and-reports.md"


def test_the_text_and_the_epilogue_read_from_a_run_directory():
    run = Path(__file__).resolve().parents[1] / "data" / "run_small"
    text = summary_text(run)
    assert text.startswith("Summary: factory-small") and ("Binding constraint" in text or "No constraint" in text)
    epilogue = run_epilogue(run)
    assert "summary.json" in epilogue and f"swapsim report {run}" in epilogue


def test_plug_in_charging_time_points_at_swapping_when_nothing_binds():
    d = crafted(fleet__state_fraction__charging=0.12, fleet__state_fraction__idle=0.03)
    lever = topics(run_findings(d), "lever")[0].text
    assert "charge at a dock 12.0 %" in lever and "hot_swap" in lever
