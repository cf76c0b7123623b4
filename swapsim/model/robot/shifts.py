"""Shifts: a robot's duty status, and how it goes off duty (replenish and park, or park and charge) and back.

The shift manager (:class:`~swapsim.model.workload.ShiftManager`) clears ``on_duty``; the robot's work
process (:class:`~swapsim.model.robot.work.Work`) finishes its task or activity step and runs
:meth:`Duty.go_off_duty`. Hours, Wh, W.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from swapsim.model.pack import ChargeCurve
from swapsim.model.robot.body import Body, Proc
from swapsim.model.robot.trip import Trip

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.station import Station
    from swapsim.scenario import Scenario

__all__ = ["Duty"]


class Duty:
    """A robot's duty status and its off-duty process.

    Args:
        body: the robot's body.
        trip: its trips to stations.
        scenario: the validated scenario (``shifts.off_duty``, the first station's charger for parking,
            ``policy.ready_threshold``).
        recorder: receives parking charges.
    """

    def __init__(self, body: Body, trip: Trip, scenario: "Scenario", recorder: "Recorder") -> None:
        self.body = body
        self.trip = trip
        self.recorder = recorder
        self.ready = scenario.policy.ready_threshold
        shifts = scenario.shifts
        self.off_duty_mode = shifts.off_duty if shifts is not None else "replenish"
        ch = scenario.stations[0].charger
        self.park_curve = ChargeCurve(ch.rate_c, ch.cv_soc, ch.cutoff_c)
        self.park_efficiency = ch.efficiency
        self.on_duty = True
        self.parked = False
        self.duty_call: simpy.Event | None = None

    def packs_ready(self) -> bool:
        return self.body.lowest_soc() >= self.ready

    def go_off_duty(self) -> Proc:
        """Off duty: replenish the packs (or walk to the parking), park until called, walk back to work.

        With ``shifts.off_duty: replenish`` the robot swaps (or charges at a dock) every pack below the
        ready threshold and parks at that station; with ``park_charging`` it walks to the nearest station's
        parking and its packs charge there while it is parked (along that station's charge curve).
        A robot called back before it has parked walks straight back to work.
        """
        body, trip = self.body, self.trip
        env = body.env
        station: "Station | None" = None
        if not self.parked:
            if self.off_duty_mode == "replenish" and not self.packs_ready():
                station = yield from trip.replenish(self.packs_ready, park=True)
            else:  # walk to the parking by the nearest station
                station = trip.nearest_station()
                if station.travel_h > 0:
                    yield from body.spend(station.travel_h, "travelling", trip.walk_w, False)
        while not self.on_duty:
            self.parked = True
            self.duty_call = env.event()
            body.enter("off_duty", 0.0)
            t0 = env.now
            if self.off_duty_mode == "park_charging":  # read through Pack.soc_at until it ends
                for pack in body.held_packs():
                    pack.start_charging(self.park_curve, t0)
            yield self.duty_call
            self.duty_call = None
            self.parked = False
            if self.off_duty_mode == "park_charging":
                self._charge_parked(env.now - t0)
        self.parked = False
        station = station or trip.nearest_station()
        if station.travel_h > 0:
            yield from body.spend(station.travel_h, "travelling", trip.walk_w, False)

    def start_off_duty(self) -> None:
        """At time 0: off the roster, parked, its packs charged (before its process starts)."""
        self.on_duty = False
        self.parked = True
        for pack in self.body.held_packs():
            pack.set_soc(1.0)

    def release_from_duty(self) -> None:
        """The shift manager releases this robot (it goes off duty when its current work allows)."""
        self.on_duty = False

    def call_to_duty(self) -> None:
        """The shift manager wants this robot on duty."""
        self.on_duty = True
        if self.duty_call is not None and not self.duty_call.triggered:
            self.duty_call.succeed()

    def _charge_parked(self, hours: float) -> None:
        """Charge every pack for ``hours`` in the parking spot (parallel chargers, CC-CV)."""
        body = self.body
        body.settle()
        grid_wh = 0.0
        now = body.env.now
        for pack in body.held_packs():
            soc0 = pack.soc
            soc = pack.charge_along(self.park_curve, hours, now)
            grid_wh += (soc - soc0) * pack.usable_wh / self.park_efficiency
        body.after_charge()
        self.recorder.parking_charged(body.id, grid_wh, body.env.now, hours)
