"""Unit tests for swapsim.analysis.estimator and its parts (cycle, energy_balance): the estimate and its guarantees.

Exact cases: the energy balance (no waits), the M/M/c//N configuration (the estimate must equal
the exact queue), the cycle averages, distribution moments and charge times. Approximate parts are
checked for their limits and monotonicity here, and against simulation in tests/validation.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from swapsim.analysis.cycle import (
    charge_times_h,
    chargers_at,
    cycle_profile,
    duration_moment_h,
    duration_variance_h2,
    fresh_soc,
    swap_interval_cv,
)
from swapsim.analysis.estimate_format import format_estimate
from swapsim.analysis.estimator import estimate, estimate_points
from swapsim.analysis.queueing import mmcn
from swapsim.analysis.validation import mmcn_scenario
from swapsim.model.pack import ChargeCurve
from swapsim.scenario import load_scenario, scenario_from_dict
from swapsim.scenario.distributions import Empirical, Exponential, Fixed, LogNormal, Normal, Triangular, Uniform

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def base(**changes) -> dict:
    data = {
        "name": "unit",
        "horizon": "10 d",
        "warmup": "1 d",
        "fleet": {"robots": 1},
        "pack": {"capacity": "1000 Wh", "usable_fraction": 1.0},
        "power": {"activities": {"walk": "400 W", "idle": "0 W"}, "at_station": "0 W"},
        "workload": {"cycle": [{"activity": "walk", "duration": "1 h"}]},
        "policy": {"swap_trigger": 0.2, "ready_threshold": 1.0, "go": "immediately"},
        "stations": [
            {"name": "S", "distance": "0 m", "positions": 1, "bays": 8, "charged_packs": 6, "swap_duration": "6 min"}
        ],
    }
    data.update(changes)
    return data


# --------------------------------------------------------------------------- cycle and energy


def test_cycle_profile_is_the_duration_weighted_mean_power() -> None:
    sc = load_scenario(ROOT / "scenarios" / "factory.yaml")
    means = [4.0 / 60, (15 + 25 + 45) / 3 / 60, 3.0 / 60]  # uniform 2-6, triangular, exponential
    power = (means[0] * 210 + means[1] * 105 + means[2] * 50) / sum(means)
    prof = cycle_profile(sc)
    assert prof.work_power_w == pytest.approx(power, rel=1e-12)
    assert prof.cycle_h == pytest.approx(sum(means), rel=1e-12)
    assert prof.working_share == pytest.approx((means[0] + means[1]) / sum(means), rel=1e-12)


def test_energy_balance_is_exact_for_one_robot() -> None:
    # one robot, 400 W, 800 Wh per pack budget, 6 min swap at 0 W, no travel, never a wait:
    # a swap every 2 h 6 min; grid energy 800 Wh / 0.9 per swap
    est = estimate(scenario_from_dict(base()))
    cycle = 2.0 + 0.1
    assert est["cycle"]["time_between_swaps_h"] == pytest.approx(cycle, rel=1e-9)
    assert est["swaps"]["per_robot_per_day"] == pytest.approx(24 / cycle, rel=1e-9)
    assert est["swaps"]["wait_min"]["mean"] == pytest.approx(0.0, abs=1e-9)
    assert est["energy"]["grid_kwh_per_day"] == pytest.approx(24 / cycle * 0.8 / 0.9, rel=1e-9)
    assert est["fleet"]["utilisation"] == pytest.approx(2.0 / cycle, rel=1e-9)
    assert est["fleet"]["state_fraction"]["swapping"] == pytest.approx(0.1 / cycle, rel=1e-9)
    assert sum(est["fleet"]["state_fraction"].values()) == pytest.approx(1.0, abs=1e-12)
    assert est["swaps"]["count"] == pytest.approx(9 * 24 / cycle, rel=1e-9)  # horizon - warm-up


def test_travel_and_station_power_enter_the_energy_balance() -> None:
    data = base()
    data["stations"][0]["distance"] = "360 m"  # 6 min each way at 1 m/s
    data["power"] = {"activities": {"walk": "400 W", "idle": "0 W"}, "at_station": "100 W"}
    est = estimate(scenario_from_dict(data))
    # 800 Wh = 400 W x work + 400 W x 0.2 h walking + 100 W x 0.1 h swapping
    work = (800 - 400 * 0.2 - 100 * 0.1) / 400
    assert est["cycle"]["working_time_h"] == pytest.approx(work, rel=1e-9)
    assert est["cycle"]["time_between_swaps_h"] == pytest.approx(work + 0.3, rel=1e-9)
    assert est["fleet"]["state_fraction"]["travelling"] == pytest.approx(0.2 / (work + 0.3), rel=1e-9)


def test_idle_steps_count_as_idle_time() -> None:
    data = base()
    data["workload"] = {
        "cycle": [{"activity": "walk", "duration": "30 min"}, {"activity": "idle", "duration": "30 min"}]
    }
    est = estimate(scenario_from_dict(data))
    fr = est["fleet"]["state_fraction"]
    assert fr["working"] == pytest.approx(fr["idle"], rel=1e-12)
    assert est["cycle"]["work_power_w"] == pytest.approx(200.0)


def test_no_power_means_no_swaps() -> None:
    data = base()
    data["power"] = {"activities": {"walk": "0 W", "idle": "0 W"}}
    est = estimate(scenario_from_dict(data))
    assert est["swaps"]["per_robot_per_day"] == 0.0
    assert est["fleet"]["utilisation"] == 1.0


# --------------------------------------------------------------------------- queues


@pytest.mark.parametrize("robots, positions, load", [(4, 1, 0.5), (10, 2, 0.9), (25, 4, 1.3), (3, 5, 0.8)])
@pytest.mark.parametrize("work", ["fixed", "exponential"])
def test_estimate_reproduces_exact_mmcn(robots: int, positions: int, load: float, work: str) -> None:
    work_h = 2.0
    swap_h = load * positions * work_h / robots
    est = estimate(mmcn_scenario(robots, positions, work_h, swap_h, work=work))
    exact = mmcn(robots, positions, work_h, swap_h)
    assert est["swaps"]["wait_min"]["position_mean"] == pytest.approx(60 * exact.mean_wait, rel=1e-6, abs=1e-9)
    assert est["swaps"]["wait_min"]["pack_mean"] == pytest.approx(0.0, abs=1e-9)
    assert est["swaps"]["per_day"] == pytest.approx(24 * exact.throughput, rel=1e-6)
    assert est["stations"][0]["swap_utilisation"] == pytest.approx(exact.server_utilisation, rel=1e-6)
    assert est["stations"][0]["mean_queue_length"] == pytest.approx(exact.mean_queue_length, rel=1e-5, abs=1e-9)


def test_nearest_sends_everyone_to_the_nearest_station() -> None:
    data = base(fleet={"robots": 6})
    far = dict(data["stations"][0], name="far", distance="100 m")
    near = dict(data["stations"][0], name="near", distance="20 m")
    data["stations"] = [far, near]
    est = estimate(scenario_from_dict(data))
    shares = {s["name"]: s["share"] for s in est["stations"]}
    assert shares == {"far": 0.0, "near": 1.0}
    assert est["cycle"]["travel_one_way_min"] == pytest.approx(20 / 60, rel=1e-9)


def test_shortest_wait_overflows_to_the_next_station_as_the_first_fills() -> None:
    def shares(robots: int) -> float:
        data = base(fleet={"robots": robots})
        data["policy"]["station_choice"] = "shortest_wait"
        a = dict(data["stations"][0], name="A", distance="30 m", bays=60, charged_packs=50)
        b = dict(a, name="B", distance="60 m")
        data["stations"] = [a, b]
        return estimate(scenario_from_dict(data))["stations"][1]["share"]

    overflow = [shares(n) for n in (1, 10, 40)]
    assert overflow[0] < 0.05
    assert overflow == sorted(overflow) and overflow[-1] > 0.2


def test_pack_shortage_raises_stockouts_and_waits() -> None:
    def at(spares: int) -> dict:
        data = base(fleet={"robots": 20})
        data["policy"]["ready_threshold"] = 0.95
        data["stations"][0].update(positions=4, bays=spares + 1, charged_packs=spares)
        return estimate(scenario_from_dict(data))

    results = [at(s) for s in (14, 10, 8)]
    outs = [r["swaps"]["stockout_fraction"] for r in results]
    waits = [r["swaps"]["wait_min"]["pack_mean"] for r in results]
    assert outs == sorted(outs) and waits == sorted(waits)
    assert 0 < outs[-1] < 1
    # fresh packs are less full when robots wait for them
    fresh = [r["cycle"]["fresh_soc"] for r in results]
    assert fresh == sorted(fresh, reverse=True) and 0.95 <= fresh[-1] <= 1.0


def test_station_without_packs_never_completes_a_swap() -> None:
    data = base()
    data["stations"][0].update(bays=1, charged_packs=0)
    est = estimate(scenario_from_dict(data))
    assert math.isinf(est["swaps"]["wait_min"]["mean"]) or est["swaps"]["per_robot_per_day"] < 1e-6


# --------------------------------------------------------------------------- parts


def test_charge_times_come_from_the_charge_curve() -> None:
    sc = load_scenario(ROOT / "scenarios" / "factory.yaml")
    curve = ChargeCurve(0.8, 0.85, 0.05)
    green, full = charge_times_h(sc, 0)
    assert green == pytest.approx(curve.time_to_soc_h(0.2, 0.95))
    assert full == pytest.approx(curve.time_to_full_h(0.2))
    assert 60 * green == pytest.approx(61.1, abs=0.1)


def test_chargers_follow_the_power_cap() -> None:
    from swapsim.model.fleet import charger_power_w

    data = base()
    assert chargers_at(scenario_from_dict(data), 0) == 8
    power = charger_power_w(scenario_from_dict(data), 0)
    data["stations"][0]["power_cap"] = f"{3.5 * power} W"
    sc = scenario_from_dict(data)
    assert chargers_at(sc, 0) == 3
    assert any("power cap" in a for a in estimate(sc)["approximations"])


def test_fresh_soc_limits() -> None:
    data = base()
    data["policy"]["ready_threshold"] = 0.95
    sc = scenario_from_dict(data)
    assert fresh_soc(sc, 0, 2.0, 1.0) == pytest.approx(0.95, abs=1e-9)  # every robot waits: just green
    assert fresh_soc(sc, 0, 1e-6, 0.0) == pytest.approx(1.0, abs=1e-6)  # rare swaps: packs sit full
    mid = [fresh_soc(sc, 0, rate, 0.0) for rate in (1.0, 4.0, 8.0)]
    assert mid == sorted(mid, reverse=True) and 0.95 < mid[-1] < 1.0
    data["policy"]["ready_threshold"] = 1.0
    assert fresh_soc(scenario_from_dict(data), 0, 5.0, 0.5) == 1.0


@pytest.mark.parametrize(
    "dist, mean, var",
    [
        (Fixed(value="3 min"), 0.05, 0.0),
        (Uniform(dist="uniform", low="1 h", high="3 h"), 2.0, 4 / 12),
        (Triangular(dist="triangular", low="2.5 h", mode="3 h", high="4 h"), 9.5 / 3, 1.75 / 18),
        (Exponential(dist="exponential", mean="2 h"), 2.0, 4.0),
        (LogNormal(dist="lognormal", mean="8 h", sd="4 h"), 8.0, 16.0),
        (Empirical(dist="empirical", values=["1 h", "2 h", "5 h"], weights=[1, 2, 1]), 2.5, 2.25),
    ],
)
def test_duration_moments(dist, mean: float, var: float) -> None:
    assert duration_moment_h(dist, 1) == pytest.approx(mean, rel=1e-9)
    assert duration_variance_h2(dist) == pytest.approx(var, rel=1e-6, abs=1e-12)


def test_truncated_normal_moments_match_sampling() -> None:
    dist = Normal(dist="normal", mean="1 h", sd="1 h")
    rng = np.random.default_rng(5)
    draws = np.array([dist.sample(rng) for _ in range(200_000)])
    assert duration_moment_h(dist, 1) == pytest.approx(dist.mean, rel=1e-6)
    assert duration_moment_h(dist, 2) == pytest.approx(np.mean(draws**2), rel=0.02)
    assert duration_moment_h(dist, 3) == pytest.approx(np.mean(draws**3), rel=0.03)


def test_swap_interval_cv_limits() -> None:
    assert swap_interval_cv(scenario_from_dict(base())) == pytest.approx(0.0, abs=1e-12)
    est_exp = swap_interval_cv(mmcn_scenario(5, 1, 2.0, 0.1, work="exponential", swap="fixed"))
    assert est_exp == pytest.approx((2.0 - 0.001) / 2.1, rel=1e-6)  # Exp(1.999 h) over a 2.1 h cycle


# --------------------------------------------------------------------------- interfaces


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_has_a_sane_estimate(path: Path) -> None:
    sc = load_scenario(path)
    if sc.workload.cycle is None:  # task demand: outside the formulas, said in words
        with pytest.raises(ValueError, match="activity-cycle workload only"):
            estimate(sc)
        return
    est = estimate(sc)
    fr = est["fleet"]["state_fraction"]
    assert sum(fr.values()) == pytest.approx(1.0, abs=1e-9)
    assert all(0 <= v <= 1 for v in fr.values())
    assert 0 < est["swaps"]["per_robot_per_day"] < 48
    assert sum(s["share"] for s in est["stations"]) == pytest.approx(1.0, abs=1e-6)
    assert 0 <= est["swaps"]["stockout_fraction"] <= 1
    text = format_estimate(est)
    assert "swaps per robot per day" in text and "approximations:" in text


def test_estimate_points_applies_each_point() -> None:
    sc = load_scenario(ROOT / "scenarios" / "hospital.yaml")
    out = estimate_points(sc, [{"fleet.robots": 6}, {"fleet.robots": 18, "stations[0].positions": 2}])
    assert [e["fleet"]["robots"] for e in out] == [6, 18]
    assert out[1]["point"] == {"fleet.robots": 18, "stations[0].positions": 2}
    assert out[0]["swaps"]["per_day"] < out[1]["swaps"]["per_day"]
    raw = {"name": "h", **{k: v for k, v in base().items() if k != "name"}}
    assert estimate_points(raw, [{"horizon": "5 d"}])[0]["span_h"] == pytest.approx(4 * 24)


def test_estimate_kpis_use_the_run_summary_keys() -> None:
    from swapsim.analysis.estimator import estimate_kpis

    flat = estimate_kpis(load_scenario(ROOT / "scenarios" / "factory.yaml"))
    for key in (
        "fleet.utilisation",
        "fleet.state_fraction.queueing",
        "swaps.count",
        "swaps.per_robot_per_day",
        "swaps.wait_min.mean",
        "swaps.stockouts",
        "stations.hall-A.swaps",
        "stations.hall-B.swap_utilisation",
        "stations.hall-A.mean_queue_length",
        "stations.hall-A.charged_packs_mean",
        "energy.grid_kwh",
    ):
        assert key in flat and isinstance(flat[key], float | int), key


def test_estimate_path_imports_neither_simpy_nor_matplotlib() -> None:
    code = (
        "import sys, swapsim.cli, swapsim.analysis; "
        "bad = [m for m in ('simpy', 'matplotlib') if m in sys.modules]; "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, f"estimate path imports {proc.stdout.strip()}"
