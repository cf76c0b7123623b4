"""Instant estimates of a scenario's long-run behaviour, in closed form: no simulation.

:func:`estimate` turns a :class:`~swapsim.scenario.Scenario` into the numbers a planner wants before
running anything (swaps a day, the wait at the stations, the chance that no charged pack is ready,
grid energy, utilisation and the share of time in each robot state) in milliseconds. The result is
plain nested data shaped like a run's ``summary.json`` (same key names where the quantity is the
same: ``fleet.utilisation``, ``swaps.per_robot_per_day``, ``swaps.wait_min.mean``,
``stations[i].stockouts``, ``energy.grid_kwh`` ...), so a sweep can put the analytic value beside
the simulated one (:func:`estimate_points`).

The model behind it, from the robot's point of view. A robot swaps a pack each time it has used
one pack's budget: the pack handed out at the station holds ``fresh_soc`` of its usable window
and is given up at the swap trigger, so the energy between swaps is exactly
``(fresh_soc - swap_trigger) x usable Wh``, whatever the policy (``go``, travel, waits). The time
between swaps follows from the mean power in each part of the cycle: working (the activity
cycle's mean power), walking to and from the station, waiting and swapping (station power).
Each station is then two queues in a row: the swap positions (a finite-source M/M/c//N queue when
all robots use that station, an open M/M/c queue when robots are shared between stations), and
the station's packs, which are the servers of an M/D/S queue: a pack is "busy" from drop-off until
it shows green, a fixed time on the CC-CV curve, and a robot waits when all are busy. Waits feed
back into the time between swaps, so the fleet's swap rate is solved as a fixed point.

Every function says which approximations it makes; :func:`estimate` lists the ones that apply to
the scenario at hand under ``approximations``. Units: hours, Wh, W inside; the result says its
units in its key names (``_min``, ``_h``, ``_kwh``, ``_w``). Imports numpy and the scenario schema
only (no SimPy, no matplotlib), so ``swapsim estimate`` answers in well under a second.

The parts: :mod:`swapsim.analysis.cycle` (the activity cycle, charge times, the fresh pack's charge),
:mod:`swapsim.analysis.energy_balance` (each station's queues and the fixed point), the formulas of
:mod:`swapsim.analysis.queueing` and :mod:`swapsim.analysis.spare_packs`; this module assembles the
result and lists the approximations; :mod:`swapsim.analysis.estimate_format` formats it for the
terminal and as JSON.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from swapsim.analysis.energy_balance import BalanceModel, StationState
from swapsim.analysis.estimate_fields import ignored_reasons, ignored_settings
from swapsim.scenario import Scenario, apply_override, scenario_from_dict

__all__ = [
    "estimate",
    "estimate_points",
    "estimate_kpis",
    "verdicts",
    "kpi_verdicts",
    "CV_REGULAR",
    "CV_CLOCKWORK",
    "PACK_LOAD_REGULAR",
]

STATES = ("working", "idle", "travelling", "queueing", "swapping", "stranded")


# ---------------------------------------------------------------------------------------------
# The public estimate


def estimate(scenario: Scenario) -> dict[str, Any]:
    """Closed-form long-run estimate of ``scenario`` (steady state, after warm-up).

    Returns nested plain data shaped like a run's summary: ``fleet`` (utilisation, state fractions),
    ``swaps`` (expected count over the measured span ``horizon - warmup``, per robot per day, mean
    wait in minutes with its position and pack parts, stock-out fraction), ``stations`` (one entry
    each: swaps, share, position utilisation, mean queue, mean green packs, stock-out probability by
    the M/D/S model and by Palm's formula, charge times, fresh charge, grid energy), ``energy``
    (grid kWh over the span and per day = charged energy / charger efficiency), ``cycle`` (powers,
    energy per swap, working time and cycle length) and ``approximations`` (the ones that apply).

    Approximations (each function states its own): steady state; no strandings (the second pack
    covers the trip); new packs (health 1); swap requests at each station close to a Poisson stream
    (the pack queue is open M/D/S even with a finite fleet: it overstates stock-outs a little for
    a few robots); positions as M/M/c//N (one station in use) or open M/M/c (shared), corrected to
    M/G/c by (1 + cs^2)/2; position and pack waits are added; ``shortest_wait`` as an overflow
    from the nearest station to the next when the first is congested (see
    :meth:`_Station.divert_probability`). Exact, up to the fixed point's tolerance, for the M/M/c//N
    configuration used in docs/validation.md.

    Raises:
        ValueError: if the activity cycle has zero mean length, or the scenario uses task demand or a
            power strategy other than ``hot_swap`` (not covered by these formulas: simulate instead).
    """
    if scenario.workload.cycle is None:
        raise ValueError(
            "workload.tasks: the analytic estimate covers the activity-cycle workload only; "
            "simulate task demand with 'swapsim run' or 'swapsim sweep'"
        )
    if scenario.strategy.kind != "hot_swap":
        raise ValueError(
            f"strategy.kind: the analytic estimate covers hot_swap only (got "
            f"{scenario.strategy.kind!r}); compare strategies with 'swapsim compare'"
        )
    model = BalanceModel(scenario)
    rate = model.solve()
    cycle_h, parts, states = model.cycle(rate)
    stuck = rate == 0.0 and model.profile.work_power_w > 0  # a swap can never complete
    n = model.n
    span_h = scenario.horizon - scenario.warmup
    days = span_h / 24.0
    profile = model.profile

    if rate > 0 and math.isfinite(cycle_h):
        frac = {
            "working": parts["work_h"] * profile.working_share / cycle_h,
            "idle": parts["work_h"] * (1.0 - profile.working_share) / cycle_h,
            "travelling": 2 * parts["travel"] / cycle_h,
            "queueing": parts["wait"] / cycle_h,
            "swapping": parts["swap"] / cycle_h,
            "stranded": 0.0,
        }
    elif rate > 0 or stuck:  # waits are infinite: robots end up queueing
        frac = dict.fromkeys(STATES, 0.0)
        frac["queueing"] = 1.0
    else:  # no draw: robots never swap
        frac = dict.fromkeys(STATES, 0.0)
        frac["working"] = profile.working_share
        frac["idle"] = 1.0 - profile.working_share
    eff_wh = 0.0
    station_rows = []
    total_stockout_rate = 0.0
    for i, st in enumerate(model.stations):
        s = states[i]
        spec = st.spec
        energy_wh_per_swap = max(0.0, s.fresh - model.trigger) * model.usable_wh / spec.charger.efficiency
        grid_wh_per_h = s.rate * energy_wh_per_swap
        eff_wh += grid_wh_per_h
        total_stockout_rate += s.rate * s.p_stockout
        pack_load = s.rate * st.t_green
        in_pack_wait = s.rate * s.pack_wait if math.isfinite(s.pack_wait) else math.inf
        busy = min(float(st.positions), s.rate * st.swap_h + in_pack_wait)
        waiting = s.rate * (s.pos_wait + s.pack_wait) if s.rate > 0 else 0.0
        queue_len = max(0.0, waiting - (busy - s.rate * st.swap_h)) if math.isfinite(waiting) else math.inf
        station_rows.append(
            {
                "name": st.name,
                "packs": st.spares,
                "swaps": s.rate * span_h,
                "swaps_per_day": s.rate * 24.0,
                "share": s.rate / rate if rate > 0 else 0.0,
                "swap_utilisation": busy / st.positions,
                "mean_queue_length": queue_len,
                "charged_packs_mean": max(0.0, st.spares - pack_load),
                "stockouts": s.rate * s.p_stockout * span_h,
                "stockout_probability": s.p_stockout,
                "stockout_probability_palm": st.palm(s.rate),
                "wait_min": 60.0 * (s.pos_wait + s.pack_wait) if s.rate > 0 else 0.0,
                "position_wait_min": 60.0 * s.pos_wait,
                "pack_wait_min": 60.0 * s.pack_wait,
                "pack_offered_load": pack_load,
                "chargers": st.chargers,
                "time_to_green_min": 60.0 * st.t_green,
                "time_to_full_min": 60.0 * st.t_full,
                "fresh_soc": s.fresh,
                "divert_probability": s.divert,
                "grid_kwh": grid_wh_per_h * span_h / 1000.0,
                "grid_kwh_per_day": grid_wh_per_h * 24.0 / 1000.0,
            }
        )
    wait_h = parts["wait"] if rate > 0 else (math.inf if stuck else 0.0)
    mean_power = (parts["energy_wh"] / cycle_h) if rate > 0 and math.isfinite(cycle_h) else profile.work_power_w
    result: dict[str, Any] = {
        "scenario": scenario.name,
        "method": "analytic",
        "fleet": {
            "robots": n,
            "utilisation": frac["working"],
            "state_fraction": frac,
            "strandings": 0,
        },
        "swaps": {
            "count": rate * span_h,
            "per_day": rate * 24.0,
            "per_robot_per_day": rate * 24.0 / n,
            "stockouts": total_stockout_rate * span_h,
            "stockout_fraction": total_stockout_rate / rate if rate > 0 else 0.0,
            "wait_min": {
                "mean": 60.0 * wait_h,
                "position_mean": 60.0 * parts["pos_wait"] if rate > 0 else 0.0,
                "pack_mean": 60.0 * parts["pack_wait"] if rate > 0 else 0.0,
            },
        },
        "stations": station_rows,
        "energy": {
            "grid_kwh": eff_wh * span_h / 1000.0,
            "grid_kwh_per_day": eff_wh * 24.0 / 1000.0,
            "stations_kwh": eff_wh * span_h / 1000.0,
            "rescue_kwh": 0.0,
        },
        "cycle": {
            "work_power_w": profile.work_power_w,
            "mean_power_w": mean_power,
            "activity_cycle_min": 60.0 * profile.cycle_h,
            "working_share_of_cycle": profile.working_share,
            "usable_wh": model.usable_wh,
            "energy_per_swap_wh": parts["energy_wh"],
            "fresh_soc": parts["fresh"] if rate > 0 else 1.0,
            "working_time_h": parts["work_h"] if rate > 0 else math.inf,
            "time_between_swaps_h": cycle_h if rate > 0 else math.inf,
            "travel_one_way_min": 60.0 * parts["travel"],
            "swap_min": 60.0 * parts["swap"],
            "swap_interval_cv": model.interval_cv,
        },
        "span_h": span_h,
        "days": days,
        "approximations": _approximations(model, states),
    }
    result["verdicts"] = kpi_verdicts(result, verdicts(model, states))
    return result


# ---------------------------------------------------------------------------------------------
# When the waits and stock-outs can be trusted

CV_REGULAR = 0.3
"""Below this coefficient of variation of a robot's time between swaps, swap requests are regular
enough for the fleet to organise its phases (waves or self-spacing) when packs are short."""
CV_CLOCKWORK = 0.05
"""Below this CV the robots are clockwork: their phases organise themselves whatever the load."""
PACK_LOAD_REGULAR = 0.65
"""Offered load per pack, swap rate x time to green / packs, above which regular robots lock into
waves (factory 0.67: waits 3x the estimate) or space themselves out; hospital 0.60 and the jittered
stock-out scenario 0.61 stay within 25 % (docs/validation.md, section 6)."""
SHARED_SHARE = 0.01
"""Share of swaps at the second station above which a ``shortest_wait`` split is said to matter."""
PACK_LOAD_SATURATED = 0.75
"""Offered load per pack above which, when the waits are unreliable, the waiting share of the cycle (and
with it utilisation, swaps a day and energy) can be off by more than 2 % (factory with one hall: 0.80,
utilisation 5.7 % off)."""
FEW_ROBOTS = 8
"""Fewer robots than this: swap requests are far from any of the stock-out formulas' streams."""


def verdicts(model: BalanceModel, states: Mapping[int, StationState]) -> dict[str, dict[str, Any]]:
    """Whether the estimated waits and stock-outs can be trusted (within 25 % of long simulation),
    decided from the scenario alone: ``{"wait": {...}, "stockouts": {...}}``, each with ``reliable``
    (bool) and ``reason`` (one sentence; the reasons joined by "; " when several apply).

    The rule (calibrated on the shipped and validation scenarios, docs/validation.md section 6):

    * stock-outs (and the pack part of the wait) are unreliable when
      - the robots are clockwork: CV of the time between swaps < :data:`CV_CLOCKWORK` (the fleet
        spaces itself out until nobody waits, or bunches: section 5's fixed-time rows);
      - regular cycles meet short packs: CV < :data:`CV_REGULAR` and, at a station in use, the offered
        load per pack (swap rate x time to green / packs) > :data:`PACK_LOAD_REGULAR` (swap waves, or
        self-spacing, set the stock-outs, not the random-phase count);
      - robots are shared between stations by ``shortest_wait`` and the second one takes more than
        :data:`SHARED_SHARE` of the swaps (the overflow split is a heuristic: shares off by up to 0.27);
      - the power cap binds (fewer chargers than packs: a rough model, not validated);
      - fewer than :data:`FEW_ROBOTS` robots (requests far from the regular or Poisson streams);
    * the wait is unreliable for any of those reasons (waves and stock-outs drive it too), unless the
      estimated stock-outs are nil (< 0.1 %) and the only reasons are about packs; position waits alone
      follow the finite-source queue, insensitive to the working-time law;
    * the energy balance (``balance``: swaps a day, utilisation, state shares, energy) is reliable
      (within 2 %) unless the waits are unreliable and a station's load per pack exceeds
      :data:`PACK_LOAD_SATURATED`, where a wait several times the estimate takes a visible share of
      the cycle;
    * any number is unreliable when the scenario sets a field the estimate ignores away from its
      default (:func:`~swapsim.analysis.estimate_fields.ignored_settings`), for the groups that field
      affects, with the field named.
    """
    cv = model.interval_cv
    used = [st for st in model.stations if states[st.index].rate > 0]
    pack_reasons: list[str] = []
    flow_reasons: list[str] = []
    if cv < CV_CLOCKWORK:
        flow_reasons.append(
            f"clockwork swap cycles (CV {cv:.2f} < {CV_CLOCKWORK}): the fleet spaces itself "
            "out or bunches, and waits and stock-outs can be far below or above the estimate"
        )
    elif cv < CV_REGULAR:
        loaded = [(st.name, states[st.index].rate * st.t_green / st.spares) for st in used if st.spares > 0]
        loaded = [(n, x) for n, x in loaded if x > PACK_LOAD_REGULAR]
        if loaded:
            where = ", ".join(f"{n} {x:.2f}" for n, x in loaded)
            flow_reasons.append(
                f"regular swap cycles (CV {cv:.2f} < {CV_REGULAR}) with a high load per pack "
                f"({where} > {PACK_LOAD_REGULAR}): the fleet can synchronise into swap waves "
                "(or space itself out)"
            )
    if (
        model.shared
        and len(used) > 1
        and min(states[st.index].rate for st in used) > (SHARED_SHARE * sum(states[st.index].rate for st in used))
    ):
        flow_reasons.append(
            "robots shared between stations by shortest_wait: the split between stations is "
            "a heuristic overflow model (station shares off by up to 0.27)"
        )
    if any(st.chargers < st.spares for st in used):
        pack_reasons.append("power cap binds (fewer chargers than packs): rough model, not validated")
    if model.n < FEW_ROBOTS:
        pack_reasons.append(
            f"few robots ({model.n} < {FEW_ROBOTS}): swap requests are far from the "
            "streams the stock-out formulas assume"
        )
    stock_reasons = flow_reasons + pack_reasons
    rate = sum(s.rate for s in states.values())
    nil = rate > 0 and sum(s.rate * s.p_stockout for s in states.values()) / rate < 1e-3
    wait_reasons = flow_reasons + ([] if nil else pack_reasons)
    unused = ignored_reasons(model.sc)

    def verdict(reasons: list[str], ok: str) -> dict[str, Any]:
        return {"reliable": not reasons, "reason": "; ".join(reasons) if reasons else ok}

    loads = [states[st.index].rate * st.t_green / st.spares for st in used if st.spares > 0]
    balance_reasons = []
    if wait_reasons and loads and max(loads) > PACK_LOAD_SATURATED:
        balance_reasons.append(
            f"the waits are unreliable near pack saturation (load per pack {max(loads):.2f} > "
            f"{PACK_LOAD_SATURATED}): the waiting share of the cycle, and with it this "
            "number, can be off by a few per cent"
        )
    return {
        "balance": verdict(balance_reasons + unused["balance"], _ENERGY["reason"]),
        "stockouts": verdict(
            stock_reasons + unused["stockouts"],
            f"random-phase stock-out count applies (CV {cv:.2f}, packs not short, one station or no overflow)",
        ),
        "wait": verdict(
            wait_reasons + unused["wait"], "finite-source position queue plus the pack wait; no swap waves expected"
        ),
    }


_ENERGY: dict[str, Any] = {
    "reliable": True,
    "reason": "energy balance: exact in the long run given the waits (within 2 % of "
    "simulation, docs/validation.md section 6)",
}
_INPUT: dict[str, Any] = {"reliable": True, "reason": "scenario input or fixed property of it"}
_INPUTS = (
    "robots",
    "packs",
    "chargers",
    "time_to_green_min",
    "time_to_full_min",
    "work_power_w",
    "activity_cycle_min",
    "working_share_of_cycle",
    "usable_wh",
    "travel_one_way_min",
    "swap_min",
    "swap_interval_cv",
    "strandings",
    "rescue_kwh",
)


def kpi_verdicts(est: Mapping[str, Any], v: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """A verdict for every number of an estimate, keyed by its dotted path (``swaps.wait_min.mean``,
    ``stations.hall-A.stockout_probability``, ``fleet.utilisation`` ...): waits, queues, the time
    queueing and the station split take ``v["wait"]``; stock-outs and pack waits ``v["stockouts"]``;
    inputs are marked as such, and everything else follows from the energy balance (``v["balance"]``:
    reliable unless the waits are unreliable near pack saturation)."""
    out: dict[str, dict[str, Any]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, x in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), x)
        elif isinstance(value, list):
            for x in value:
                walk(f"{prefix}.{x['name']}", {k: y for k, y in x.items() if k != "name"})
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            leaf = prefix.rsplit(".", 1)[-1]
            if leaf in _INPUTS:
                out[prefix] = dict(_INPUT)
            elif "stockout" in prefix or "pack_wait" in prefix or leaf == "pack_mean":
                out[prefix] = dict(v["stockouts"])
            elif "wait" in prefix or "queue" in prefix or leaf in ("share", "divert_probability", "swap_utilisation"):
                out[prefix] = dict(v["wait"])
            else:
                out[prefix] = dict(v.get("balance", _ENERGY))

    walk("", {k: x for k, x in est.items() if k in ("fleet", "swaps", "stations", "energy", "cycle")})
    return out


def faults_enabled(sc: Scenario) -> bool:
    """Whether any fault of the scenario can happen (the sizing search's screen asks)."""
    f = sc.faults
    return bool(
        f.estop.rate_per_day or f.breakdown.rate_per_day or f.station_outage.rate_per_day or f.failed_swap.probability
    )


def _approximations(model: BalanceModel, states: Mapping[int, StationState]) -> list[str]:
    """The approximations that apply to this scenario, in words, for the report and the CLI."""
    notes = ["steady state after warm-up; new packs (health 1); no strandings"]
    ignored = ignored_settings(model.sc)
    if ignored:
        notes.append(
            "ignored here (settings away from their defaults that the formulas leave out; the numbers they "
            "affect are marked unreliable): " + "; ".join(s.describe() for s in ignored)
        )
    if model.shared:
        notes.append(
            "shortest_wait: robots go to the nearest station and overflow to the next one "
            "when its positions are busy or it has no green pack (open M/M/c per station)"
        )
    else:
        notes.append(
            "positions: finite-source M/M/c//N queue at the one station in use (exact for exponential swap times)"
        )
    scv = {st.name: st.swap_scv for st in model.stations if states[st.index].rate > 0}
    if any(abs(v - 1.0) > 1e-9 for v in scv.values()):
        notes.append(
            "non-exponential swap times: position waits scaled by (1 + cs^2)/2 "
            + ", ".join(f"{k}: cs^2 = {v:.3f}" for k, v in scv.items())
        )
    cv = model.interval_cv
    notes.append(
        f"packs: stock-outs blend the count for regular robots at random phases and, for random "
        f"requests, Palm's formula (an empty bay for every waiting robot) or else the M/D/S "
        f"queue (Poisson requests) by the squared CV of a robot's time between swaps "
        f"({cv:.2f}^2); position and pack waits added"
    )
    if any(st.chargers < st.spares for st in model.stations):
        notes.append("power cap binds (fewer chargers than packs): rough limited-charger model, not validated")
    if model.sc.fleet.robots < 10:
        notes.append("few robots: swap requests are far from Poisson; the pack queue overstates stock-outs")
    return notes


def estimate_points(
    base: Scenario | Mapping[str, Any], points: Iterable[Mapping[str, Any]], source: str = "<sweep>"
) -> list[dict[str, Any]]:
    """Estimates for sweep points: ``base`` with each point's ``{dotted.path: value}`` applied.

    ``base`` is a validated scenario or the raw mapping read from its YAML; values are given as they
    would be written with ``--set`` (e.g. ``{"fleet.robots": 40, "stations[0].bays": 12}``).
    Returns one :func:`estimate` result per point, in order, each with the point under ``"point"``.
    Raises :class:`~swapsim.scenario.ScenarioError` for a point that does not validate.
    """
    if isinstance(base, Scenario):
        from swapsim.scenario import scenario_to_dict

        data: dict[str, Any] = scenario_to_dict(base)
    else:
        data = dict(base)
    out = []
    for point in points:
        d = data
        for path, value in point.items():
            d = apply_override(d, f"{path}={_as_yaml(value)}")
        est = estimate(scenario_from_dict(d, source))
        est["point"] = dict(point)
        out.append(est)
    return out


def estimate_kpis(scenario: Scenario) -> dict[str, Any]:
    """:func:`estimate` flattened to dotted keys (``fleet.utilisation``, ``stations.hall-A.swaps``, ...),
    without the text list of approximations: the same keys as a run's flattened ``summary.json``
    where the quantity is the same, for a sweep's table (:func:`swapsim.results.flatten`)."""
    from swapsim.results import flatten

    est = estimate(scenario)
    est.pop("approximations")
    est.pop("verdicts")
    return flatten(est)


def _as_yaml(value: Any) -> str:
    import yaml

    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()
