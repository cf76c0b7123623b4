"""The station's health check of a pack just dropped off: an estimate, alerts, orders, the verdict.

Estimated health = true health + noise (``("health_check", station)``); the first estimate below
``warn_below`` is a warning and orders a new pack; an estimate below ``retire_below``, a true health at
the floor (``degradation.HEALTH_FLOOR``), a resistance ratio at the limit, or a random safety fault
(``("pack_fault", station)``) quarantines the pack (see :mod:`swapsim.model.health`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from swapsim.model.degradation import HEALTH_FLOOR
from swapsim.model.pack_record import PackRecord
from swapsim.streams import BlockDraws, Streams

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.scenario import Scenario

__all__ = ["HealthCheck"]


class HealthCheck:
    """The drop-off check at every station.

    Args:
        scenario: the validated scenario (``health``, ``battery.resistance_growth``, the stations).
        streams: the run's random streams (each station's check noise and fault draws).
        recorder: receives the checks and alerts.
        ageing: packs age (the resistance ratio is then checked).
        end_of_life: packs are held at end of life (no health alerts).
        order: orders a replacement for a pack (once per pack: :meth:`PackRecord.order_once`).
    """

    def __init__(
        self,
        scenario: "Scenario",
        streams: Streams,
        recorder: "Recorder",
        ageing: bool,
        end_of_life: bool,
        order: Callable[[PackRecord], None],
    ) -> None:
        self.spec = scenario.health
        self.recorder = recorder
        self.ageing = ageing
        self.end_of_life = end_of_life
        self.order = order
        self.growth = scenario.battery.resistance_growth
        n_st = len(scenario.stations)
        # Standard normal check noise and uniform fault draws, each station's from its own streams.
        self._noise = [BlockDraws(streams.get("health_check", i).standard_normal) for i in range(n_st)]
        self._fault = [BlockDraws(streams.get("pack_fault", i).random) for i in range(n_st)]

    def check(self, rec: PackRecord, i: int, now: float) -> str:
        """Check the pack of ``rec`` just dropped off at station ``i`` at ``now``; alerts and orders as it
        finds. Returns the reason to quarantine it (``"retirement"`` or ``"fault"``), or ``""``."""
        spec = self.spec
        true = rec.pack.health
        estimated = true + spec.check_noise_sd * self._noise[i].next()
        # No draw when faults are off: the stream is this check's own, so nothing else moves.
        rate = spec.fault_rate_per_cycle
        fault = rate > 0 and self._fault[i].next() < rate
        rec_ = self.recorder
        rec_.pack_checked(i, rec.pack.id, estimated, true, now)
        warn, retire = (-math.inf, -math.inf) if self.end_of_life else (spec.warn_below, spec.retire_below)
        if estimated < warn and math.isnan(rec.warned_h):
            rec.warned(now)
            rec_.alert("warning", i, rec.pack.id, estimated, true, now)
            self.order(rec)
        reason = ""
        if fault:
            reason = "fault"
        elif (
            estimated < retire
            or true <= HEALTH_FLOOR
            or (
                self.ageing  # without ageing (or held at end of life) the ratio is not checked
                and self.resistance_ratio(rec) >= spec.retire_resistance_ratio
            )
        ):
            reason = "retirement"
        if reason:
            rec_.alert(reason, i, rec.pack.id, estimated, true, now)
            self.order(rec)
        return reason

    def resistance_ratio(self, rec: PackRecord) -> float:
        """Internal resistance relative to new: ``1 + growth (1 - retained capacity)``."""
        return 1.0 + self.growth * (1.0 - rec.fade.retained)
