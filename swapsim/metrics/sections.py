"""Typed sections of a run's summary, and the one function that turns them into plain data.

Each concern returns its section(s) of the summary as frozen dataclasses declared in its own module,
their fields named as the keys of ``summary.json`` and in its order; a group of keys (``wait_min``) is
a small typed class of its own. :class:`WaitStats` is the shape several sections share. A field
marked :data:`INLINE` holds a part whose keys join its parent's (the columns a station row takes from
three concerns; the keys a section has only sometimes, absent while the part is None).

:func:`plain` turns a section into nested plain data (dicts in field order, lists, numbers, None),
keeping each value as it is (an int stays an int); :meth:`swapsim.metrics.recorder.Summary.to_dict`
calls it once for the whole summary, where the run's result is made.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from types import MappingProxyType
from typing import Any

__all__ = ["INLINE", "WaitStats", "plain"]

INLINE = MappingProxyType({"inline": True})
"""Field metadata (``field(metadata=INLINE)``): the part's keys are its parent's; None adds no key."""


@dataclass(frozen=True, slots=True)
class WaitStats:
    """Waits of one kind (min): mean, 95th percentile, longest (each 0 without a wait)."""

    mean: float
    p95: float
    max: float


def plain(value: Any) -> Any:
    """``value`` as nested plain data: a section (a dataclass) as a dict of its fields in order, an
    :data:`INLINE` part's keys merged into its parent's, a tuple or list as a list; anything else as is."""
    if is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in fields(value):
            v = getattr(value, f.name)
            if f.metadata.get("inline"):
                if v is not None:
                    out.update(plain(v))
            else:
                out[f.name] = plain(v)
        return out
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
