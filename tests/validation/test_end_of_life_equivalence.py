"""``battery.life: end`` against packs that reached the same health by ageing.

For the factory and the warehouse (small versions, so that months run in seconds), with no pack-to-pack
variation (``wear_sigma=0``, ``initial_capacity_sd=0``), no safety faults and retirement thresholds out
of reach, packs age from new until they are near 80 % (faster than the preset, ``battery.wear_scale``
4 or 6, so that this takes 67 or 41 days instead of over a year: the equivalence is about the state, not
the speed; the window's mean health is 0.814 on the factory and 0.824 on the warehouse). The KPIs of the
last 14 days of that run (``warmup`` = horizon - 14 d) are compared with those of 14-day runs (after a
1-day warm-up) whose packs start, and stay, at the mean health of that window (``battery.life=end`` with
``retire_below`` = that health). Same number of replications each, different seeds; the 99 % Welch
interval of the difference of means must contain 0 for every KPI. The ageing run's health falls by a few
percentage points across its window (faster wear, steeper fall: by the power laws about 2.7 times the
slope at wear 2 over 180 days); the held run sits at the window's mean, and the KPIs, close to linear in
health over so small a range, average to those at the mean.

That the comparison can fail: the same 14-day runs with new packs must differ significantly (99 %) in
swaps per robot per day, which scales as 1 / health. About 40 s of CPU time for both cases (78 s when
the packs aged at wear 2 and 3 over 180 and 110 days).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from swapsim.engine import simulate
from swapsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
WINDOW_D = 14
REPS = 5
COMMON = [
    "battery.wear_sigma=0",
    "battery.initial_capacity_sd=0",
    "health.fault_rate_per_cycle=0",
    "health.retire_resistance_ratio=10",
    "output.health_bin_width=1 d",
    "output.bin_width=1 d",
]
KPIS = ["swaps.per_robot_per_day", "swaps.wait_min.mean", "fleet.utilisation", "swaps.stockout_share"]
CASES = {
    "factory": ("factory.yaml", 4, 67, [
        "fleet.robots=6", "stations[0].positions=1", "stations[0].bays=5", "stations[0].charged_packs=2",
        "stations[1].positions=1", "stations[1].bays=5", "stations[1].charged_packs=2",
    ], KPIS),
    "warehouse": ("warehouse.yaml", 6, 41, [
        "fleet.robots=12", "workload.tasks.arrivals.scale=0.2",
        *(f"stations[{i}].{k}" for i in range(3) for k in ("positions=1", "bays=6", "charged_packs=4")),
    ], [*KPIS, "tasks.wait_min.mean"]),
}


def _kpi(summary, name):
    v = summary
    for part in name.split("."):
        v = v[part]
    return float(v)


def _welch(a, b, confidence=0.99):
    a, b = np.asarray(a), np.asarray(b)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    diff = a.mean() - b.mean()
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, 0.0
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return diff, float(stats.t.ppf(0.5 + confidence / 2, df)) * se


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_packs_started_at_a_health_match_packs_that_aged_to_it(case):
    name, wear, days, small, kpis = CASES[case]
    path = ROOT / "scenarios" / name
    aged_sc = load_scenario(path, [*small, *COMMON, f"battery.wear_scale={wear}", "health.warn_below=0.5",
                                   "health.retire_below=0.5", f"horizon={days} d", f"warmup={days - WINDOW_D} d"])
    aged, healths = [], []
    for seed in range(1, REPS + 1):
        r = simulate(aged_sc, seed)
        in_window = r.health["time_h"] >= aged_sc.warmup
        healths.append(float(np.mean(r.health["health_mean"][in_window])))
        aged.append(r.summary)
    h = round(float(np.mean(healths)), 4)
    assert 0.78 < h < 0.84, h  # near the end of life, as meant
    short = [*small, *COMMON, f"horizon={WINDOW_D + 1} d", "warmup=1 d"]
    held_sc = load_scenario(path, [*short, "battery.life=end", f"health.warn_below={h}", f"health.retire_below={h}"])
    assert held_sc.end_of_life_health == pytest.approx(h)
    held = [simulate(held_sc, seed).summary for seed in range(101, 101 + REPS)]
    for k in kpis:
        diff, half = _welch([_kpi(s, k) for s in aged], [_kpi(s, k) for s in held])
        assert abs(diff) <= half + 1e-12, (k, diff, half)
    new = [simulate(load_scenario(path, short), seed).summary for seed in range(101, 101 + REPS)]
    diff, half = _welch([_kpi(s, "swaps.per_robot_per_day") for s in held],
                        [_kpi(s, "swaps.per_robot_per_day") for s in new])
    assert diff > half, (diff, half)  # held at 0.8 the packs swap about 1/0.8 times as often
