"""A bounded record of chosen packs' paths (the BLAST-Lite cross-check follows packs with it).

:class:`~swapsim.model.stressors.PackStress` adds a point at every change of a followed pack's
charge or temperature. Hours, SOC as a fraction, degrees Celsius.
"""

from __future__ import annotations

__all__ = ["PackTrace"]


class PackTrace:
    """Bounded record of chosen packs' paths: (time h, SOC, temperature degC) points in time order.

    Args:
        pack_ids: the packs to follow.
        max_points: points kept per pack; later points are dropped and the pack is marked truncated.
    """

    def __init__(self, pack_ids: list[int] | tuple[int, ...], max_points: int = 1_000_000) -> None:
        self.max_points = max_points
        self.points: dict[int, list[tuple[float, float, float]]] = {int(i): [] for i in pack_ids}
        self.truncated: set[int] = set()

    def wants(self, pack_id: int) -> bool:
        """Whether ``pack_id`` is followed."""
        return pack_id in self.points

    def add(self, pack_id: int, t_h: float, soc: float, t_c: float) -> None:
        """Append one point of ``pack_id``'s path."""
        pts = self.points[pack_id]
        if len(pts) >= self.max_points:
            self.truncated.add(pack_id)
            return
        pts.append((t_h, soc, t_c))
