"""The estimate's equations: each station's two queues at a swap rate, and the fleet's fixed point.

A station is two queues in a row (:class:`_Station`): its swap positions (finite-source M/M/c//N
when every robot uses it, open M/M/c when robots are shared, both scaled to M/G/c) and its packs
(the servers of an M/D/S queue, blended with the periodic count for regular robots).
:class:`BalanceModel` writes the energy balance of one robot's cycle between swaps for a fleet swap
rate, and solves for the rate that the cycle's waits reproduce (a fixed point). Private to
:mod:`swapsim.analysis`: :func:`~swapsim.analysis.estimator.estimate` is the public entry. Hours,
Wh, W inside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from swapsim.analysis.cycle import (
    charge_times_h,
    chargers_at,
    cycle_profile,
    duration_variance_h2,
    fresh_soc,
    swap_interval_cv,
)
from swapsim.analysis.queueing import mdc, mmc, mmcn
from swapsim.analysis.spare_packs import (
    prob_no_ready_pack,
    prob_no_ready_pack_limited_chargers,
    prob_no_ready_pack_periodic,
)
from swapsim.scenario import Scenario, StationSpec

# ---------------------------------------------------------------------------------------------
# One station at a given swap rate


def _scv(var: float, mean: float) -> float:
    """var / mean^2, also when mean^2 underflows to 0 or overflows (tiny or huge durations)."""
    try:
        square = mean**2  # as before for every ordinary duration, bit for bit
    except OverflowError:
        square = math.inf
    return var / square if 0.0 < square < math.inf else var / mean / mean


def _geometric_mean(lo: float, hi: float) -> float:
    """sqrt(lo x hi), also when the product is past the largest float (huge durations)."""
    product = lo * hi
    return math.sqrt(product) if math.isfinite(product) else math.sqrt(lo) * math.sqrt(hi)


@dataclass
class StationState:
    """Everything the estimate knows about one station at a given swap rate (hours, per hour)."""

    rate: float
    pos_wait: float
    pack_wait: float
    p_stockout: float
    p_palm: float  # filled in only for the final answer
    fresh: float
    divert: float = 0.0


class _Station:
    """Fixed data of a station and its two queues (positions, packs)."""

    def __init__(self, scenario: Scenario, index: int, interval_scv: float) -> None:
        spec: StationSpec = scenario.stations[index]
        self.robots = scenario.fleet.robots
        self.interval_scv = interval_scv
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.scenario = scenario
        self.travel_h = spec.distance / scenario.travel.walking_speed / 3600.0
        self.swap_h = spec.swap_duration.mean
        var = duration_variance_h2(spec.swap_duration)
        self.swap_scv = 1.0 if var is None or self.swap_h <= 0 else _scv(var, self.swap_h)
        self.positions = spec.positions
        self.spares = spec.charged_packs
        self.spare_bays = spec.bays - spec.charged_packs
        """Empty bays at the start: room for the drained packs of robots waiting out a stock-out."""
        self.chargers = chargers_at(scenario, index)
        self.t_green, self.t_full = charge_times_h(scenario, index)

    def mg_factor(self) -> float:
        """Allen-Cunneen factor (1 + cs^2) / 2 turning an M/M/c wait into an M/G/c one."""
        return 0.5 * (1.0 + self.swap_scv)

    def palm(self, rate: float) -> float:
        """Palm's P(Poisson(rate x time to green) >= S): no ready pack if drained packs could pile up."""
        return prob_no_ready_pack(self.spares, rate, self.t_green) if self.t_green > 0 else 0.0

    def packs(self, rate: float, fleet_rate: float) -> tuple[float, float]:
        """(P(stock-out), mean wait for a green pack (h)) at a swap rate of ``rate`` per hour.

        ``fleet_rate`` is the whole fleet's swap rate (per hour), which sets each robot's time
        between swaps C = robots / fleet_rate and this station's share of its swaps.

        One charger per pack (no binding power cap). A pack is "busy" from drop-off until green, a
        fixed time D. Two views of the swap requests bracket the truth:

        * random (Poisson) requests: a robot that finds no green pack leaves its drained pack in an
          empty bay, where it starts charging at once. With an empty bay for every robot that can be
          waiting (bays - S >= N), every drained pack charges from its drop-off, the packs charging
          are an M/D/infinity count and Palm's P(Poisson(rate x D) >= S) is exact; with fewer empty
          bays, drained packs queue for bays and the S packs behave as the servers of an M/D/S queue
          (:func:`~swapsim.analysis.queueing.mdc`). Both at the rate seen by an arriving robot,
          rate x (N - 1) / N (it does not meet itself). The mean wait of a robot that waits is the
          M/D/S one in both cases (an approximation with ample bays);
        * regular robots (each swaps every C hours at a random phase): the number of the station's
          packs still charging is the count of swaps there in the last D hours by the other robots
          (:func:`~swapsim.analysis.spare_packs.prob_no_ready_pack_periodic`), far below Palm's Poisson
          tail when few robots share the station.

        The stock-out chance blends the two by w = cs^2, the squared coefficient of variation of a
        robot's time between swaps (:func:`swap_interval_cv`): P = (1 - w) P_regular + w P_random.
        The mean wait is P times the wait of a robot that finds no pack, blended the same way: D / (S + 1)
        for regular robots (the S packs on charge at uniform points of their charge: the first turns
        green after D / (S + 1) on average; stretched by 1 / (1 - rho^S), rho = rate x D / S, so that
        the wait diverges as the packs saturate) and the M/D/S mean wait of a robot that waits for random
        requests. Palm's formula is also
        reported on its own. None of these sees the fleet synchronising into swap waves (see
        docs/validation.md), where stock-outs are more frequent.

        A binding power cap (fewer chargers than packs): the limited-charger birth-death model with
        exponential charge times of mean time-to-full (a charger is held until the pack is full), and
        a wait of (time to full / chargers) per stock-out. A rough approximation, not validated.
        """
        if self.spares == 0:
            return 1.0, math.inf
        if self.t_green <= 0 or rate <= 0:
            return 0.0, 0.0
        if self.chargers < self.spares:
            p = prob_no_ready_pack_limited_chargers(self.spares, self.chargers, rate, self.t_full)
            if rate * self.t_full >= self.chargers:
                return 1.0, math.inf
            return p, p * self.t_full / self.chargers
        n = self.robots
        seen = rate * (n - 1) / n
        q = mdc(self.spares, seen, self.t_green) if seen > 0 else None
        if q is not None and not q.stable:
            return 1.0, math.inf
        if self.spare_bays >= n:  # every waiting robot's pack charges from its drop-off: M/D/infinity
            p_random = prob_no_ready_pack(self.spares, seen, self.t_green) if seen > 0 else 0.0
        else:
            p_random = q.prob_wait if q is not None else 0.0
        share = min(1.0, rate / fleet_rate) if fleet_rate > 0 else 1.0
        ratio = self.t_green * fleet_rate / n
        p_regular = prob_no_ready_pack_periodic(self.spares, n, ratio, share)
        w = min(1.0, self.interval_scv)
        p = (1.0 - w) * p_regular + w * p_random
        # The wait of a robot that finds no green pack, blended like P: for regular robots the S packs
        # on charge sit at random points of their charge, so the first turns green after D / (S + 1) on
        # average, stretched by 1 / (1 - rho^S) (rho = load per pack) so that it grows without bound as
        # the packs saturate (rate -> S / D, the fluid limit); for random requests, the M/D/S queue's
        # mean wait of a robot that waits.
        rho = min(seen * self.t_green / self.spares, 1.0 - 1e-12)
        regular_wait = self.t_green / (self.spares + 1) / (1.0 - rho**self.spares)
        if q is not None and q.prob_wait > 1e-300:
            wait_if_out = (1.0 - w) * regular_wait + w * q.mean_wait / q.prob_wait
        else:
            wait_if_out = regular_wait
        return p, p * wait_if_out

    def positions_open(self, rate: float, holding_h: float) -> tuple[float, Any]:
        """Mean wait for a position (h) in an open M/M/c queue, scaled to M/G/c; and the queue."""
        if self.swap_h <= 0 or rate <= 0:
            return 0.0, None
        q = mmc(self.positions, rate, holding_h)
        return q.mean_wait * self.mg_factor(), q

    def positions_closed(self, robots: int, rate: float) -> float:
        """Mean wait for a position (h) when all ``robots`` use this station and swap at ``rate``/h.

        The finite-source queue M/M/c//N, exact for exponential swap times and any working-time
        law (insensitivity). The think time is solved so that the queue's throughput equals
        ``rate`` (bisection in log time); an M/G/c correction (1 + cs^2)/2 is applied for
        non-exponential swap times (Allen-Cunneen, exact for c = 1 in the open queue, an
        approximation here).
        """
        if self.swap_h <= 0 or rate <= 0:
            return 0.0
        top = min(robots, self.positions) / self.swap_h
        if rate >= top * (1 - 1e-12):
            return math.inf
        hi = robots / rate
        if not math.isfinite(hi):  # swaps so rare that a robot's time between them is not a float: no wait
            return 0.0
        lo = hi * 1e-12
        for _ in range(80):
            mid = _geometric_mean(lo, hi)
            if mmcn(robots, self.positions, mid, self.swap_h).throughput > rate:
                lo = mid
            else:
                hi = mid
            if hi / lo < 1 + 1e-10:
                break
        think = _geometric_mean(lo, hi)
        wait = mmcn(robots, self.positions, think, self.swap_h).mean_wait
        return wait * self.mg_factor()

    def divert_probability(self, rate: float, gap_h: float, pack_wait: float, p_stock: float) -> float:
        """Chance that a robot choosing by ``shortest_wait`` passes this station for the next one.

        The robot compares walk + expected wait (:func:`swapsim.model.policies.expected_wait_h`). With the
        next station ``gap_h`` further and assumed free, it passes this one when (a) the positions
        are so busy that (robots ahead + 1 - c) x swap / c > gap, i.e. at least
        k* = c + floor(gap c / swap) robots hold or wait for a position, or (b) no pack is green and
        the next one turns green later than the gap. (a) uses the open M/M/c queue with holding time
        swap + pack wait; (b) is P(stock-out) x (1 - gap / time to green)^S, the chance that none of
        the S packs on charge (taken as uniformly spread over the charge time) is within ``gap`` of
        green. (a) and (b) are taken as independent.
        """
        if rate <= 0:
            return 0.0
        ahead = gap_h * self.positions / self.swap_h if self.swap_h > 0 else math.inf
        k_star = self.positions + (math.floor(ahead) if ahead < 10**9 else 10**9)
        if self.swap_h > 0 and math.isfinite(pack_wait):
            q = mmc(self.positions, rate, self.swap_h + pack_wait)
            p_pos = q.prob_at_least(k_star) if k_star < 10**6 else 0.0
        else:
            p_pos = 1.0 if not math.isfinite(pack_wait) else 0.0
        if self.t_green > 0 and self.spares > 0:
            late = max(0.0, 1.0 - gap_h / self.t_green) ** self.spares
        else:
            late = 0.0
        p_stock_far = p_stock * late
        return 1.0 - (1.0 - p_pos) * (1.0 - p_stock_far)


# ---------------------------------------------------------------------------------------------
# The fleet: fixed point of the swap rate


def _root(f: Any, lo: float, hi: float, f_lo: float, f_hi: float, rel_tol: float) -> float:
    """Root of a continuous f with f(lo) > 0 >= f(hi), to ``rel_tol`` in x or in f (relative to the
    bracket's values): regula falsi with the Illinois fix (Dowell and Jarratt 1971), bisecting when
    a value is not finite."""
    scale = max(abs(f_lo), abs(f_hi), 1e-300) if math.isfinite(f_lo) and math.isfinite(f_hi) else 1.0
    kept = 0  # +1: lo kept last step, -1: hi kept
    mid = 0.5 * (lo + hi)
    for _ in range(200):
        if hi - lo <= rel_tol * max(abs(hi), 1e-300):
            return 0.5 * (lo + hi)
        if math.isfinite(f_lo) and math.isfinite(f_hi) and f_lo != f_hi:
            mid = hi - f_hi * (hi - lo) / (f_hi - f_lo)
            if not lo < mid < hi:
                mid = 0.5 * (lo + hi)
        else:
            mid = 0.5 * (lo + hi)
        f_mid = f(mid)
        if abs(f_mid) <= rel_tol * scale:
            return mid
        if f_mid > 0:
            lo, f_lo = mid, f_mid
            if kept == -1:  # hi retained twice in a row: halve its value
                f_hi *= 0.5
            kept = -1
        else:
            hi, f_hi = mid, f_mid
            if kept == 1:
                f_lo *= 0.5
            kept = 1
    return mid


class BalanceModel:
    """The estimate's equations for one scenario; :meth:`evaluate` maps a fleet swap rate to the rate
    the cycle implies, and :meth:`solve` finds where they agree."""

    def __init__(self, scenario: Scenario) -> None:
        self.sc = scenario
        self.n = scenario.fleet.robots
        self.profile = cycle_profile(scenario)
        self.usable_wh = scenario.pack.capacity * scenario.pack.usable_fraction
        self.trigger = scenario.policy.swap_trigger
        self.walk_w = scenario.power.activities["walk"]
        self.station_w = scenario.power.station_w
        travel = [st.distance / scenario.travel.walking_speed / 3600.0 for st in scenario.stations]
        order = sorted(range(len(scenario.stations)), key=lambda i: (travel[i], i))
        self.order = order
        self.interval_cv = swap_interval_cv(scenario, order[0])
        self.stations = [_Station(scenario, i, self.interval_cv**2) for i in range(len(scenario.stations))]
        self.rule = scenario.policy.station_choice
        self.shared = self.rule == "shortest_wait" and len(self.stations) > 1

    # -- one station ---------------------------------------------------------------------------
    def _station_state(self, st: _Station, rate: float, closed: bool, fleet_rate: float) -> StationState:
        p_so, pack_wait = st.packs(rate, fleet_rate)
        if closed:
            pos_wait = st.positions_closed(self.n, rate)
        else:
            pos_wait, _ = st.positions_open(rate, st.swap_h)
        fresh = fresh_soc(self.sc, st.index, rate, p_so if math.isfinite(pack_wait) else 1.0)
        return StationState(rate, pos_wait, pack_wait, p_so, 0.0, fresh)

    def _split(self, fleet_rate: float) -> dict[int, StationState]:
        """Swap rate and queues at each station for a fleet swap rate (per hour)."""
        if not self.shared:
            target = self.order[0]
            states: dict[int, StationState] = {
                i: StationState(0.0, 0.0, 0.0, 0.0, 0.0, 1.0) for i in range(len(self.stations))
            }
            states[target] = self._station_state(self.stations[target], fleet_rate, True, fleet_rate)
            return states
        states = {}
        flow = fleet_rate
        for pos, i in enumerate(self.order):
            st = self.stations[i]
            last = pos == len(self.order) - 1
            if last or flow <= 0:
                s = self._station_state(st, flow, False, fleet_rate)
                states[i] = s
                flow = 0.0
                continue
            gap = self.stations[self.order[pos + 1]].travel_h - st.travel_h

            # Bind this station's values: the closure is used only within this iteration, but bound
            # defaults make that independent of the loop (B023).
            def keep(kept: float, st: _Station = st, flow: float = flow, gap: float = gap) -> float:
                p_so, pack_wait = st.packs(kept, fleet_rate)
                return flow * (1.0 - st.divert_probability(kept, gap, pack_wait, p_so)) - kept

            k_hi = keep(flow)
            if k_hi >= 0:
                kept = flow
            else:
                kept = _root(keep, 0.0, flow, flow, k_hi, 1e-8)
            s = self._station_state(st, kept, False, fleet_rate)
            s.divert = st.divert_probability(kept, gap, s.pack_wait, s.p_stockout)
            states[i] = s
            flow -= kept
        return states

    # -- the robot's cycle ---------------------------------------------------------------------------
    def cycle(self, fleet_rate: float) -> tuple[float, dict[str, float], dict[int, StationState]]:
        """Mean time between a robot's swaps (h) implied by the waits at ``fleet_rate``, and its parts.

        Energy balance per swap: (fresh - trigger) x usable Wh = work power x working time + walk
        power x 2 x travel + station power x (wait + swap). Solved for the working time; the cycle is
        working time + 2 travel + wait + swap. Station shares weight travel, waits, swap times and
        fresh charge.
        """
        states = self._split(fleet_rate)
        total = sum(s.rate for s in states.values())
        if total > 0:
            share = {i: s.rate / total for i, s in states.items()}
        else:  # no swaps yet: robots go where the rule sends them when nothing is congested
            share = {i: (1.0 if i == self.order[0] else 0.0) for i in states}
        parts = {"travel": 0.0, "pos_wait": 0.0, "pack_wait": 0.0, "swap": 0.0, "fresh": 0.0}
        for i, s in states.items():
            w = share[i]
            if w == 0:
                continue
            st = self.stations[i]
            parts["travel"] += w * st.travel_h
            parts["pos_wait"] += w * s.pos_wait
            parts["pack_wait"] += w * s.pack_wait
            parts["swap"] += w * st.swap_h
            parts["fresh"] += w * s.fresh
        energy = max(0.0, parts["fresh"] - self.trigger) * self.usable_wh
        wait = parts["pos_wait"] + parts["pack_wait"]
        if not math.isfinite(wait):
            parts.update(energy_wh=energy, work_h=math.inf, wait=wait)
            return math.inf, parts, states
        pw = self.profile.work_power_w
        spent = 2 * parts["travel"] * self.walk_w + (wait + parts["swap"]) * self.station_w
        if pw <= 0:
            work = math.inf
        else:
            work = max(0.0, (energy - spent) / pw)
        parts.update(energy_wh=energy, work_h=work, wait=wait)
        return work + 2 * parts["travel"] + wait + parts["swap"], parts, states

    def implied_rate(self, fleet_rate: float) -> float:
        c, _, _ = self.cycle(fleet_rate)
        return self.n / c if c > 0 else math.inf

    def solve(self) -> float:
        """The fleet swap rate (per hour) at which the cycle's waits reproduce that rate.

        g(rate) = implied(rate) - rate is positive near zero and negative for large rates; found by
        bisection with Illinois steps to a relative accuracy of 1e-9.
        """
        if self.profile.work_power_w <= 0:
            return 0.0

        def g(rate: float) -> float:
            return self.implied_rate(rate) - rate

        lo, g_lo = 0.0, self.implied_rate(0.0)
        if not g_lo > 0:
            return 0.0
        hi = g_lo  # the rate with no waits at all: an upper bound unless waiting uses more power
        g_hi = g(hi)
        for _ in range(80):
            if g_hi <= 0:
                break
            lo, g_lo = hi, g_hi
            hi *= 2.0
            g_hi = g(hi)
        return _root(g, lo, hi, g_lo, g_hi, 1e-9)
