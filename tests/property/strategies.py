"""Hypothesis strategies for small random scenarios (plain YAML-like data), shared by property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

DURATIONS = [
    "5 min",
    "30 min",
    "2 h",
    {"dist": "exponential", "mean": "10 min"},
    {"dist": "uniform", "low": "1 min", "high": "20 min"},
    {"dist": "triangular", "low": "1 min", "mode": "5 min", "high": "40 min"},
    {"dist": "normal", "mean": "10 min", "sd": "8 min"},
    {"dist": "lognormal", "mean": "8 min", "sd": "6 min"},
    {"dist": "empirical", "values": ["2 min", "20 min", "1 h"], "weights": [3, 2, 1]},
]
SWAPS = [
    "3 min",
    "0 s",
    {"dist": "exponential", "mean": "3 min"},
    {"dist": "uniform", "low": "1 min", "high": "10 min"},
]


@st.composite
def stations(draw: st.DrawFn, index: int) -> dict[str, Any]:
    bays = draw(st.integers(1, 6))
    spec: dict[str, Any] = {
        "name": f"S{index}",
        "distance": f"{draw(st.integers(0, 400))} m",
        "positions": draw(st.integers(1, 3)),
        "bays": bays,
        "charged_packs": draw(st.integers(0, bays - 1)),
        "swap_duration": draw(st.sampled_from(SWAPS)),
    }
    if draw(st.booleans()):
        spec["charger"] = {
            "rate_c": draw(st.sampled_from([0.3, 0.8, 2.0])),
            "cv_soc": draw(st.sampled_from([0.6, 0.85, 0.95])),
        }
    if draw(st.integers(0, 3)) == 0:
        # A cap worth 1 to 3 chargers of the largest pack drawn below (468 Wh, all usable, >= 0.5 efficient).
        rate = spec.get("charger", {}).get("rate_c", 0.8)
        spec["power_cap"] = f"{draw(st.integers(1, 3)) * rate * 468 / 0.5:.3f} W"
    return spec


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A small scenario: 1-8 robots, 1-3 stations, a 1-3 step cycle, a horizon of a few hours."""
    horizon_h = draw(st.sampled_from([1.0, 3.0, 6.0, 12.0]))
    warmup_h = draw(st.sampled_from([0.0, 0.0, 0.25, 0.5])) * horizon_h
    n_stations = draw(st.integers(1, 3))
    cycle = [
        {
            "activity": draw(st.sampled_from(["walk", "stand", "idle", "carry"])),
            "duration": draw(st.sampled_from(DURATIONS)),
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    trigger = draw(st.sampled_from([0.0, 0.1, 0.2, 0.4]))
    ready = draw(st.sampled_from([0.8, 0.95, 1.0]))
    power: dict[str, Any] = {"activities": {"walk": "210 W", "stand": "105 W", "idle": "50 W", "carry": "250 W"}}
    at_station = draw(st.sampled_from([None, "0 W", "50 W", "300 W"]))
    if at_station is not None:
        power["at_station"] = at_station
    return {
        "name": "prop",
        "horizon": f"{horizon_h} h",
        "warmup": f"{warmup_h} h",
        "seed": draw(st.integers(0, 2**32)),
        "fleet": {
            "robots": draw(st.integers(1, 8)),
            "initial_soc": draw(st.sampled_from(["staggered", "full"])),
            "rescue_time": draw(st.sampled_from(["10 min", "1 h"])),
        },
        "pack": {
            "capacity": draw(st.sampled_from(["60 Wh", "150 Wh", "468 Wh"])),
            "usable_fraction": draw(st.sampled_from([0.8, 0.9, 1.0])),
        },
        "power": power,
        "workload": {"cycle": cycle},
        "policy": {
            "swap_trigger": trigger,
            "ready_threshold": ready,
            "go": draw(st.sampled_from(["immediately", "after_activity"])),
            "station_choice": draw(st.sampled_from(["nearest", "shortest_wait"])),
        },
        "travel": {"walking_speed": draw(st.sampled_from(["0.5 m/s", "1 m/s", "5.4 km/h"]))},
        "stations": [draw(stations(i)) for i in range(n_stations)],
        "output": {"bin_width": draw(st.sampled_from(["7 min", "15 min", "1 h"]))},
    }
