"""The technician crew: on-duty shifts, a FIFO job queue, and the stock of new packs.

A job (:class:`TechnicianJob`) is raised by the model, e.g. when a station's health check quarantines
a pack. The crew takes jobs in the order raised, one per technician, only while on duty (a daily
:class:`ShiftCalendar`; model time 0 is midnight of day one). A technician who takes a job is busy
from then on: a sampled response time to reach the station, then a sampled time on site, after
which the job's ``complete`` callback does the work (e.g. swaps the quarantined pack for a new one).
A job under way when the shift ends is finished (overtime); the next job waits for the next shift.

A job that needs a new pack takes one from :class:`SpareStock` when a technician picks it up. With
none in stock the job is set aside (the bay stays blocked, recorded as a stock wait) until a
delivery arrives; deliveries come ``reorder_lead_time`` after each order. Random streams:
``("technician", member)`` for that technician's response and on-site times. Times in hours.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.pack import Pack
    from swapsim.scenario import TechnicianSpec
    from swapsim.streams import Streams

__all__ = ["ShiftCalendar", "SpareStock", "TechnicianJob", "TechnicianCrew"]

_DAY_H = 24.0
_EPS = 1e-9


@dataclass(frozen=True)
class ShiftCalendar:
    """Daily on-duty windows, merged: hours after midnight, ``[start, end)``, within one day.

    Build it with :meth:`from_windows`; a window with ``end <= start`` runs past midnight.
    """

    intervals: tuple[tuple[float, float], ...]
    """Disjoint, sorted ``(start, end)`` pairs with ``0 <= start < end <= 24``."""

    @classmethod
    def from_windows(cls, windows: Sequence[tuple[float, float]]) -> "ShiftCalendar":
        parts: list[tuple[float, float]] = []
        for start, end in windows:
            start = start % _DAY_H
            if end == _DAY_H and start == 0.0:
                parts.append((0.0, _DAY_H))
            elif end > start:
                parts.append((start, end))
            else:  # past midnight
                parts.append((start, _DAY_H))
                if end > 0:
                    parts.append((0.0, end))
        parts.sort()
        merged: list[list[float]] = []
        for a, b in parts:
            if merged and a <= merged[-1][1] + _EPS:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return cls(tuple((a, b) for a, b in merged))

    @property
    def daily_hours(self) -> float:
        """On-duty hours in a day."""
        return sum(b - a for a, b in self.intervals)

    @property
    def always(self) -> bool:
        """On duty around the clock."""
        return self.daily_hours >= _DAY_H - _EPS

    def on_duty(self, t_h: float) -> bool:
        """Whether the crew is on duty at model time ``t_h``."""
        tod = t_h % _DAY_H
        return any(a - _EPS <= tod < b - _EPS for a, b in self.intervals)

    def _change_points(self) -> list[float]:
        starts_at_midnight = any(a <= _EPS for a, _ in self.intervals)
        ends_at_midnight = any(b >= _DAY_H - _EPS for _, b in self.intervals)
        points = []
        for a, b in self.intervals:
            if not (a <= _EPS and ends_at_midnight):
                points.append(a)
            if not (b >= _DAY_H - _EPS and starts_at_midnight):
                points.append(b % _DAY_H)
        return sorted(set(points))

    def next_change(self, t_h: float) -> float:
        """The first time after ``t_h`` at which the crew goes on or off duty (inf if never)."""
        points = self._change_points()
        if not points:
            return math.inf
        day = math.floor(t_h / _DAY_H)
        tod = t_h - day * _DAY_H
        for c in points:
            if c > tod + _EPS:
                return day * _DAY_H + c
        return (day + 1) * _DAY_H + points[0]

    def on_duty_hours(self, t0_h: float, t1_h: float) -> float:
        """On-duty hours between ``t0_h`` and ``t1_h`` (closed form)."""
        if t1_h <= t0_h:
            return 0.0

        def upto(t: float) -> float:
            day = math.floor(t / _DAY_H)
            tod = t - day * _DAY_H
            return day * self.daily_hours + sum(max(0.0, min(b, tod) - a) for a, b in self.intervals)

        return upto(t1_h) - upto(t0_h)


class SpareStock:
    """New packs on the shelf and on order (counts only: a pack exists once a technician takes it).

    Args:
        env: the simulation environment.
        initial: packs in stock at the start.
        lead_time_h: hours from an order to its delivery.
        recorder: receives stock changes and orders.
        on_delivery: called after each delivery (the crew retries jobs waiting for a pack).
    """

    def __init__(
        self,
        env: simpy.Environment,
        initial: int,
        lead_time_h: float,
        recorder: "Recorder",
        on_delivery: Callable[[], None] | None = None,
    ) -> None:
        self.env = env
        self.count = initial
        self.lead_time_h = lead_time_h
        self.recorder = recorder
        self.on_delivery = on_delivery
        self.on_order = 0
        self.ordered = 0
        self.taken = 0
        self._arrivals: deque[float] = deque([0.0] * initial)
        """When each pack now on the shelf or on order arrives there (h), first out first (fixed lead time)."""

    def order(self) -> None:
        """Order one new pack; it arrives after the lead time."""
        self.on_order += 1
        self.ordered += 1
        self.recorder.spare_ordered(self.on_order, self.env.now)
        self.env.process(self.deliver())
        self._arrivals.append(self.env.now + self.lead_time_h)

    def arrived_h(self, now: float) -> float:
        """When the pack a technician takes off the shelf now arrived there (h; ``now`` if unknown)."""
        return self._arrivals.popleft() if self._arrivals else now

    def deliver(self) -> Generator[simpy.Event, Any, None]:
        """One order: wait the lead time, then put the pack on the shelf."""
        yield self.env.timeout(self.lead_time_h)
        self.on_order -= 1
        self.count += 1
        self.recorder.spares_changed(self.count, self.env.now)
        if self.on_delivery is not None:
            self.on_delivery()

    def take(self) -> bool:
        """Take one pack off the shelf; False if there is none."""
        if self.count <= 0:
            return False
        self.count -= 1
        self.taken += 1
        self.recorder.spares_changed(self.count, self.env.now)
        return True


@dataclass(eq=False)
class TechnicianJob:
    """A job for the crew (an entity: its times are filled in as it goes).

    Args:
        kind: what it is, e.g. ``"replace_pack"``.
        station: index of the station where the work is.
        complete: ``complete(job, member, new_pack, now)`` does the work at the end of the job.
        needs_pack: the job fits a new pack from the spare stock.
        target: what the job works on (e.g. the bay), for ``complete``.
        pack_id: the pack concerned, for the records (-1 if none).
    """

    kind: str
    station: int
    complete: Callable[["TechnicianJob", int, "Pack | None", float], None]
    needs_pack: bool = True
    target: Any = None
    pack_id: int = -1
    raised_h: float = math.nan
    started_h: float = math.nan
    on_site_h: float = math.nan
    done_h: float = math.nan
    stock_waits: int = 0
    member: int = -1

    def raised(self, now: float) -> None:
        """The job is handed to the crew at ``now`` (h)."""
        self.raised_h = now

    def waited_for_stock(self) -> None:
        """The job found the spare stock empty once more."""
        self.stock_waits += 1

    def started(self, member: int, now: float) -> None:
        """Crew ``member`` takes the job at ``now`` (h)."""
        self.member = member
        self.started_h = now

    def on_site(self, now: float) -> None:
        """The technician reaches the station at ``now`` (h)."""
        self.on_site_h = now

    def done(self, now: float) -> None:
        """The work ends at ``now`` (h)."""
        self.done_h = now


class TechnicianCrew:
    """``spec.crew`` technicians sharing one shift calendar and one FIFO job queue.

    Args:
        env: the simulation environment.
        spec: the validated technician spec.
        streams: the run's random streams.
        recorder: receives the crew's events.
        new_pack: ``new_pack(member)`` makes the Pack a technician takes from the shelf.
    """

    def __init__(
        self,
        env: simpy.Environment,
        spec: "TechnicianSpec",
        streams: "Streams",
        recorder: "Recorder",
        new_pack: Callable[[int], "Pack"],
    ) -> None:
        self.env = env
        self.spec = spec
        self.streams = streams
        self.recorder = recorder
        self.new_pack = new_pack
        self.size = spec.crew
        self.calendar = ShiftCalendar.from_windows([(w.start, w.end) for w in spec.shifts])
        self.stock = SpareStock(env, spec.spare_packs, spec.reorder_lead_time, recorder, self._stock_arrived)
        self.idle: list[int] = list(range(self.size))
        self.queue: deque[TechnicianJob] = deque()
        self.waiting_for_stock: deque[TechnicianJob] = deque()
        self.busy = 0
        self.carrying: dict[int, "Pack"] = {}
        self.on_duty = self.calendar.on_duty(env.now)
        recorder.technicians_rostered(self.size if self.on_duty else 0, env.now)
        recorder.spares_changed(self.stock.count, env.now)
        if self.size > 0 and not self.calendar.always and self.calendar.intervals:
            env.process(self.keep_shifts())

    @property
    def open_jobs(self) -> int:
        """Jobs raised and not finished (queued, waiting for a pack, or under way)."""
        return len(self.queue) + len(self.waiting_for_stock) + self.busy

    def submit(self, job: TechnicianJob) -> None:
        """Raise a job now; it is taken by the first free technician on duty."""
        job.raised(self.env.now)
        self.queue.append(job)
        self.recorder.technician_job_raised(job.kind, job.station, self.env.now)
        self._dispatch()

    def _dispatch(self) -> None:
        if not self.on_duty:
            return
        while self.queue and self.idle:
            job = self.queue.popleft()
            if job.needs_pack and not self.stock.take():
                job.waited_for_stock()
                self.waiting_for_stock.append(job)
                self.recorder.spare_stockout(job.kind, job.station, self.env.now)
                continue
            member = self.idle.pop(0)
            pack = self.new_pack(member) if job.needs_pack else None
            self.env.process(self.work(member, job, pack))

    def _stock_arrived(self) -> None:
        while self.waiting_for_stock:
            self.queue.appendleft(self.waiting_for_stock.pop())
        self._dispatch()

    def keep_shifts(self) -> Generator[simpy.Event, Any, None]:
        """Go on and off duty at the shift calendar's change points, forever."""
        env = self.env
        while True:
            nxt = self.calendar.next_change(env.now)
            if not math.isfinite(nxt):
                return
            yield env.timeout(nxt - env.now)
            self.on_duty = self.calendar.on_duty(env.now)
            self.recorder.technicians_rostered(self.size if self.on_duty else 0, env.now)
            self._dispatch()

    def work(self, member: int, job: TechnicianJob, pack: "Pack | None") -> Generator[simpy.Event, Any, None]:
        """One technician does one job: travel (response time), work on site, complete it."""
        env = self.env
        rng = self.streams.get("technician", member)
        job.started(member, env.now)
        self.busy += 1
        if pack is not None:
            self.carrying[pack.id] = pack
        self.recorder.technician_job_started(member, job.kind, job.station, env.now)
        yield env.timeout(self.spec.response_time.sample(rng))
        job.on_site(env.now)
        self.recorder.technician_on_site(member, job.kind, job.station, env.now - job.raised_h, env.now)
        yield env.timeout(self.spec.job_duration.sample(rng))
        if pack is not None:
            self.carrying.pop(pack.id, None)
        job.complete(job, member, pack, env.now)
        job.done(env.now)
        self.busy -= 1
        self.recorder.technician_job_done(member, job.kind, job.station, env.now)
        self.idle.append(member)
        self.idle.sort()
        self._dispatch()
