"""The month-by-month table: robot time, swaps, pack health, alerts and the crew per 30-day month.

Built at the end of a run from the robot-state time bins and the health concern's monthly counters;
covers the whole run, warm-up included. Hours inside; shares of on-duty time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from swapsim.metrics.glossary import MONTH_H, ROBOT_STATES
from swapsim.metrics.health import HealthStats
from swapsim.metrics.robot_states import RobotStates

__all__ = ["monthly_rows", "MONTHLY_COLUMNS"]

MONTHLY_COLUMNS: tuple[str, ...] = (
    "month",
    "start_d",
    "end_d",
    "utilisation",
    *(f"{st}_fraction" for st in ROBOT_STATES if st not in ("working", "off_duty")),
    "swaps",
    "swaps_per_robot_per_day",
    "health_mean",
    "health_min",
    "warnings",
    "retirements",
    "faults",
    "replaced",
    "technician_utilisation",
    "blocked_bay_h",
)
"""The columns of a :func:`monthly_rows` row, in order (monthly.csv; an empty table keeps them)."""


def monthly_rows(
    states: RobotStates, stats: HealthStats, n_bins: int, bin_width_h: float, horizon_h: float, n_robots: int
) -> list[dict[str, Any]]:
    """One row per 30-day month of the whole run (warm-up included): utilisation and the share of every
    other robot state, swaps, pack health, alerts, replacements, the crew.

    Robot time comes from the time-series bins, each counted in the month its start falls in.
    """
    b = stats
    w = bin_width_h
    month_of_bin = np.minimum((np.arange(n_bins) * w / MONTH_H + 1e-9).astype(int), b.n_months - 1)
    areas = {s: np.bincount(month_of_bin, weights=states.bins(s), minlength=b.n_months) for s in ROBOT_STATES}
    on_duty = sum((a for s, a in areas.items() if s != "off_duty"), np.zeros(b.n_months))  # start 0.0: adds nothing
    health = b.survey_columns()
    h_time = np.asarray(health["time_h"], dtype=float)
    h_month = np.minimum((h_time / MONTH_H + 1e-9).astype(int), b.n_months - 1)
    rostered_bins, busy_bins, blocked_bins = b.rostered.bins, b.busy.bins, b.blocked.bins
    assert busy_bins is not None and blocked_bins is not None, "the crew's accumulators are binned by month"
    rows = []
    for m in range(b.n_months):
        start = m * MONTH_H
        end = min((m + 1) * MONTH_H, horizon_h)
        days = (end - start) / 24.0
        sel = h_month == m
        rostered = rostered_bins[m] if rostered_bins is not None else 0.0
        rows.append(
            {
                "month": m + 1,
                "start_d": start / 24.0,
                "end_d": end / 24.0,
                "utilisation": float(areas["working"][m] / on_duty[m]) if on_duty[m] > 0 else 0.0,
                **{
                    f"{st}_fraction": (float(areas[st][m] / on_duty[m]) if on_duty[m] > 0 else 0.0)
                    for st in ROBOT_STATES
                    if st not in ("working", "off_duty")
                },
                "swaps": int(b.monthly["checks"][m]),
                "swaps_per_robot_per_day": float(b.monthly["checks"][m] / n_robots / days) if days > 0 else 0.0,
                "health_mean": float(np.mean(health["health_mean"][sel])) if sel.any() else None,
                "health_min": float(np.min(health["health_min"][sel])) if sel.any() else None,
                "warnings": int(b.monthly["warnings"][m]),
                "retirements": int(b.monthly["retirements"][m]),
                "faults": int(b.monthly["faults"][m]),
                "replaced": int(b.monthly["replaced"][m]),
                "technician_utilisation": float(busy_bins[m] / rostered) if rostered > 0 else 0.0,
                "blocked_bay_h": float(blocked_bins[m]),
            }
        )
    return rows
