"""The simulator against the exact finite-source queue M/M/c//N, insensitivity, and Little's law.

Configuration: swapsim.analysis.validation.mmcn_scenario (one station at 0 m, packs always ready, no draw at
the station, exponential swap times, fixed or exponential working time of 2 h).

Tolerance: each exact value must lie inside the 99.9 % Student-t interval of the replication mean
(10 replications of 300 h after a 30 h warm-up). With fixed seeds the outcome is deterministic; if the
model were right and the seeds unlucky, a single comparison would fail with probability 0.001. So
that the test has power, the interval of the mean wait must also be narrower than 25 % of the exact
value. Little's law is a sample-path identity: it must hold per replication to within the robots
caught mid-wait at the warm-up and the horizon (2 %).
"""

from __future__ import annotations

import pytest

from swapsim.analysis.validation import mmcn_point

LEVEL = 0.999
MEASURES = ("wait_min", "p_wait", "utilisation", "lq", "throughput_per_h")

POINTS = [
    # robots, positions, offered load per position, working time law
    (10, 2, 0.9, "fixed"),
    (5, 1, 1.3, "fixed"),
    (10, 2, 0.9, "exponential"),  # insensitivity: same exact values as the fixed case above
    (10, 1, 0.5, "exponential"),
]


@pytest.fixture(scope="module", params=POINTS, ids=lambda p: f"N{p[0]}-c{p[1]}-load{p[2]}-{p[3]}")
def point(request) -> dict:
    robots, positions, load, work = request.param
    return mmcn_point(robots, positions, load, work=work, replications=10, horizon_h=330.0, warmup_h=30.0, level=LEVEL)


def test_exact_values_inside_the_interval(point: dict) -> None:
    for key in MEASURES:
        m = point["measures"][key]
        assert m["inside"], (
            f"{key}: exact {m['exact']:.5f} outside simulated "
            f"{m['mean']:.5f} ± {m['half_width']:.5f} (z = {m['z']:+.2f})"
        )


def test_interval_is_narrow_enough_to_mean_something(point: dict) -> None:
    wait = point["measures"]["wait_min"]
    assert wait["half_width"] < 0.25 * wait["exact"]


def test_configuration_has_no_stockouts(point: dict) -> None:
    assert point["stockouts"] == 0


def test_estimate_reproduces_the_exact_wait(point: dict) -> None:
    assert point["estimate_wait_min"] == pytest.approx(point["measures"]["wait_min"]["exact"], rel=1e-6)


def test_littles_law_on_each_sample_path(point: dict) -> None:
    for ratio in point["little_queue_ratio"]:
        assert ratio == pytest.approx(1.0, abs=0.02)
    for ratio in point["little_system_ratio"]:
        assert ratio == pytest.approx(1.0, abs=0.02)
