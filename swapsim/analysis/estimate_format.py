"""The analytic estimate for people and programs: an aligned text table for the terminal, and JSON.

:func:`format_estimate` writes the result of :func:`swapsim.analysis.estimator.estimate` as the short
table ``swapsim estimate`` prints, marking with ``≈?`` each number the estimate's verdicts call
unreliable and listing the approximations; :func:`format_estimate_json` writes it as indented JSON
(``swapsim estimate --json``) with infinite values and NaN as ``null``. Both take the plain nested
data of an estimate and import nothing from the rest of swapsim.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = [
    "format_estimate",
    "format_estimate_json",
]


# ---------------------------------------------------------------------------------------------
# Text output


def format_estimate(est: Mapping[str, Any]) -> str:
    """A short aligned text table of an :func:`estimate` result, for the terminal."""
    fleet = est["fleet"]
    swaps = est["swaps"]
    cyc = est["cycle"]
    rows: list[tuple[str, str]] = [
        ("fleet utilisation (working / on duty)", _marked(est, "fleet.utilisation", f"{fleet['utilisation']:.1%}")),
        *[(f"  {k}", f"{v:.1%}") for k, v in fleet["state_fraction"].items() if v > 0],
        (
            "swaps per robot per day",
            _marked(
                est, "swaps.per_robot_per_day", f"{swaps['per_robot_per_day']:.2f}  ({swaps['per_day']:.1f} per day)"
            ),
        ),
        ("time between a robot's swaps (h)", f"{cyc['time_between_swaps_h']:.3f}"),
        ("energy per swap (Wh); fresh pack charge", f"{cyc['energy_per_swap_wh']:.1f}; {cyc['fresh_soc']:.1%}"),
        ("mean power working / overall (W)", f"{cyc['work_power_w']:.1f} / {cyc['mean_power_w']:.1f}"),
        (
            "swap wait, mean (min): positions + packs",
            _marked(
                est,
                "swaps.wait_min.mean",
                f"{swaps['wait_min']['mean']:.2f} = "
                f"{swaps['wait_min']['position_mean']:.2f} + {swaps['wait_min']['pack_mean']:.2f}",
            ),
        ),
        ("swaps finding no green pack", _marked(est, "swaps.stockout_fraction", f"{swaps['stockout_fraction']:.1%}")),
        (
            "grid energy (kWh per day)",
            _marked(est, "energy.grid_kwh_per_day", f"{est['energy']['grid_kwh_per_day']:.1f}"),
        ),
    ]
    for st in est["stations"]:
        rows.append(
            (
                f"station {st['name']}: share / positions busy / queue",
                _marked(
                    est,
                    f"stations.{st['name']}.mean_queue_length",
                    f"{st['share']:.1%} / {st['swap_utilisation']:.1%} / {st['mean_queue_length']:.2f}",
                ),
            )
        )
        rows.append(
            (
                "  no green pack: estimate / Palm",
                _marked(
                    est,
                    f"stations.{st['name']}.stockout_probability",
                    f"{st['stockout_probability']:.2%} / {st['stockout_probability_palm']:.2%}",
                )
                + f"  (green {st['charged_packs_mean']:.2f} of {st['packs']} packs on average, "
                f"{st['time_to_green_min']:.0f} min to green)",
            )
        )
    width = max(len(k) for k, _ in rows)
    text = [f"{est['scenario']}: analytic estimate ({fleet['robots']} robots, steady state)"]
    text += [f"{k.ljust(width)}  {v}" for k, v in rows]
    marks = [k for k, v in est.get("verdicts", {}).items() if not v["reliable"]]
    if marks:
        text.append(
            "≈? marks an estimate that may be off from long simulation (waits and stock-outs by more than "
            "25 %, the energy balance by more than 2 %); simulate:"
        )
        for key, label in (
            ("swaps.wait_min.mean", "mean swap wait"),
            ("swaps.stockout_fraction", "stock-outs"),
            ("fleet.utilisation", "utilisation, swaps a day, energy"),
        ):
            v = est["verdicts"].get(key)
            if v is not None and not v["reliable"]:
                text.append(f"  - {label}: unreliable: {v['reason']}")
    else:
        text.append("waits and stock-outs: reliable (no swap waves expected; within 25 % of simulation)")
    text.append("approximations:")
    text += [f"  - {a}" for a in est["approximations"]]
    return "\n".join(text)


def _marked(est: Mapping[str, Any], key: str, text: str) -> str:
    """``text`` with the mark ``≈?`` in front when the estimate's verdict on ``key`` is unreliable."""
    v = est.get("verdicts", {}).get(key)
    return text if v is None or v["reliable"] else f"≈? {text}"


def format_estimate_json(est: Mapping[str, Any]) -> str:
    """An :func:`estimate` result as indented JSON, with infinite values (e.g. the waits at an
    overloaded station) and NaN written as ``null``."""
    import json

    def finite(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: finite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [finite(v) for v in value]
        return value

    return json.dumps(finite(est), indent=2)
