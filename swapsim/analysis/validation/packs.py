"""Validation experiment against the published pack figures: pack life and a full charge.

:func:`pack_checks` runs one robot walking, one standing and one waiting for its own pack's full
charge, and measures the times from the event trace; plain JSON-ready data out. Hours and minutes
as the keys say.
"""

from __future__ import annotations

from typing import Any

from swapsim.analysis.validation.scenarios import full_charge_scenario, pack_life_scenario

__all__ = ["pack_checks"]


def pack_checks() -> dict[str, Any]:
    """Pack life walking and standing, and one full charge, measured end to end in the simulator.

    Published: about 2 h walking and up to 4 h standing per pack, about 90 min for a full charge
    (shared/reference/walker-s2.md). The walking and standing powers are derived from those figures
    (0.9 x 468 Wh / 2 h and / 4 h), so this checks that the simulator's energy accounting gives
    the figures back. The trace's swap starts give the times.
    """
    from swapsim.engine import simulate
    from swapsim.model.pack import ChargeCurve

    out: dict[str, Any] = {"published": {"walk_h": 2.0, "stand_h": 4.0, "full_charge_min": 90.0}}
    for activity, power in (("walk", 210.0), ("stand", 105.0)):
        sc = pack_life_scenario(activity, power)
        r = simulate(sc, 1)
        starts = [e.time_h for e in r.trace if e.kind == "swap_start"]
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        swap_h = sc.stations[0].swap_duration.mean
        usable = sc.pack.capacity * sc.pack.usable_fraction
        out[f"{activity}_h"] = {
            "simulated": [g - swap_h for g in gaps],
            "first_pack_h": starts[0],
            "expected": usable / power,
        }
    sc = full_charge_scenario()
    r = simulate(sc, 1)
    waits_min = [e.detail["wait_min"] for e in r.trace if e.kind == "swap_start" and e.detail["stockout"]]
    ch = sc.stations[0].charger
    curve = ChargeCurve(ch.rate_c, ch.cv_soc, ch.cutoff_c)
    swaps = r.summary["swaps"]["count"]
    out["full_charge_min"] = {
        "simulated": waits_min,
        "expected": 60.0 * curve.time_to_full_h(0.0),
        "stockouts": r.summary["swaps"]["stockouts"],
        "swaps": swaps,
    }
    out["curve_min"] = {
        "0_to_100": 60.0 * curve.time_to_full_h(0.0),
        "20_to_80": 60.0 * curve.time_to_soc_h(0.2, 0.8),
        "20_to_95": 60.0 * curve.time_to_soc_h(0.2, 0.95),
        "20_to_100": 60.0 * curve.time_to_full_h(0.2),
    }
    return out
