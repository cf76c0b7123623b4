"""A pack's ageing state and history as the health monitor keeps it (:class:`PackRecord`).

The record changes only through its own methods, one for each event of a pack's life in the system:
handed to a robot, dropped off in a bay, warned about, quarantined, replaced (retired) and the new
pack's entry into a bay. Times in hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from swapsim.model.degradation import FadeState
from swapsim.model.pack import Pack
from swapsim.model.stressors import PackStress

if TYPE_CHECKING:
    from swapsim.model.places import Bay
    from swapsim.model.station import Station

__all__ = ["PACK_STATUSES", "PackRecord"]

PACK_STATUSES = ("in_robot", "in_bay", "quarantined", "with_technician", "retired")
"""Where a pack can be; a pack is in exactly one."""


@dataclass(slots=True, eq=False)
class PackRecord:
    """One pack's ageing state and history (mutable through its methods; owned by the monitor)."""

    pack: Pack
    fade: FadeState
    status: str
    t_last: float = 0.0
    """Time (h) up to which the pack has been aged."""
    soc_out: float = 1.0
    """Charge when last handed to a robot."""
    throughput_out_wh: float = 0.0
    """Pack throughput when last handed to a robot (Wh)."""
    station: "Station | None" = None
    bay: "Bay | None" = None
    warned_h: float = math.nan
    ordered: bool = False
    quarantined_h: float = math.nan
    quarantine_reason: str = ""
    retired_h: float = math.nan
    entered_h: float = 0.0
    stress: PackStress | None = None
    """The pack's ageing path (None when packs do not age); the pack is told of it (``Pack.age_along``)."""

    def aged_to(self, now: float) -> None:
        """The pack has been aged up to ``now``."""
        self.t_last = now

    def handed_out(self, now: float) -> None:
        """The pack leaves its bay for a robot at ``now``, with the charge and throughput it has then."""
        self.t_last = now
        self.soc_out = self.pack.soc
        self.throughput_out_wh = self.pack.throughput_wh
        self.status = "in_robot"
        self.station = self.bay = None

    def dropped_off(self, now: float, station: "Station", bay: "Bay") -> None:
        """The pack arrives in ``bay`` of ``station`` from a robot at ``now`` (before its check)."""
        self.t_last = now
        self.status = "in_bay"
        self.station, self.bay = station, bay

    def warned(self, now: float) -> None:
        """The pack's first health warning, at ``now``."""
        self.warned_h = now

    def order_once(self) -> bool:
        """Whether a replacement is to be ordered now (only the first time the pack asks for one)."""
        if self.ordered:
            return False
        self.ordered = True
        return True

    def quarantine(self, station: "Station", bay: "Bay", now: float, reason: str) -> None:
        """The pack is put aside in ``bay`` of ``station`` at ``now`` for ``reason``."""
        self.status = "quarantined"
        self.station, self.bay = station, bay
        self.quarantined_h = now
        self.quarantine_reason = reason

    def retire(self, now: float) -> None:
        """The pack leaves the system at ``now``: it ages no more."""
        self.stress = None
        self.pack.age_along(None)
        self.status = "retired"
        self.retired_h = now
        self.station = self.bay = None

    def enter_bay(self, station: "Station", bay: "Bay", now: float) -> None:
        """A new pack enters service in ``bay`` of ``station`` at ``now`` (a technician's replacement)."""
        self.t_last = now
        self.status = "in_bay"
        self.station, self.bay = station, bay
        self.entered_h = now
