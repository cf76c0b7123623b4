"""Registries of the model's policies: the one list of each kind of choice a scenario offers.

A :class:`Registry` maps a name (the value a scenario writes, e.g. ``strategy.kind: cold_swap``) to its
implementation. The scenario schema's allowed values are a registry's names, read when a scenario is
validated, so a policy registered from outside the package (a test module, a user's script) is
accepted by the schema without editing it:

* :data:`POWER_STRATEGIES` (``strategy.kind``): the class of each power strategy;
* :data:`CHARGING_POLICIES` (``policy.charging``): the order in which bays waiting for a charger under
  a station power cap get one (:class:`~swapsim.model.charging.ChargingPolicy`);
* in :mod:`swapsim.model.policies`, the pure decision rules: ``STATION_RULES``
  (``policy.station_choice``) and ``DISPATCH_RULES`` (``workload.tasks.dispatch``).

This module is a leaf: it imports nothing from swapsim (the scenario package may import it, and the
flow scenario -> model stays one way). Built-ins whose modules the schema must not import are
registered by location (``"module:attribute"``) and looked up on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

__all__ = ["Registry", "POWER_STRATEGIES", "CHARGING_POLICIES"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Names of one kind of policy, each with its implementation (in registration order).

    Args:
        what: the policy kind in words, for error messages (``"power strategy"``).
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self._entries: dict[str, T | str] = {}

    def register(self, name: str, entry: T | str) -> T | str:
        """Add ``name``: its implementation, or its location ``"module:attribute"`` (looked up on first
        use). A name can be registered once. Returns ``entry``."""
        if name in self._entries:
            raise ValueError(f"{self.what} {name!r} is registered already")
        self._entries[name] = entry
        return entry

    def unregister(self, name: str) -> None:
        """Remove ``name`` (a policy registered by a test or a script, once it is done with it)."""
        del self._entries[name]

    def add(self, name: str) -> Callable[[T], T]:
        """Decorator form of :meth:`register`: ``@REGISTRY.add("my_rule")`` above the implementation."""

        def decorate(entry: T) -> T:
            self.register(name, entry)
            return entry

        return decorate

    def names(self) -> tuple[str, ...]:
        """The registered names, in registration order (the scenario schema's allowed values)."""
        return tuple(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, name: str) -> T:
        """The implementation of ``name`` (a location is looked up now and kept)."""
        try:
            entry = self._entries[name]
        except KeyError:
            raise KeyError(f"unknown {self.what} {name!r} (expected one of {', '.join(self._entries)})") from None
        if isinstance(entry, str):
            module, _, attr = entry.partition(":")
            found: Any = getattr(importlib.import_module(module), attr)
            self._entries[name] = found
            return found
        return entry

    def check(self, name: str) -> str:
        """``name`` if registered, else a ValueError naming the allowed values (a schema validator)."""
        if name not in self._entries:
            raise ValueError(f"must be one of {', '.join(repr(n) for n in self._entries)} (got {name!r})")
        return name


POWER_STRATEGIES: Registry[Any] = Registry("power strategy")
"""``strategy.kind``: the class of each power strategy (:class:`~swapsim.model.robot.trip.PowerStrategy`,
built as ``cls(scenario, boot_rng)`` for each robot)."""
POWER_STRATEGIES.register("hot_swap", "swapsim.model.robot.power:HotSwap")
POWER_STRATEGIES.register("cold_swap", "swapsim.model.robot.power:ColdSwap")
POWER_STRATEGIES.register("plug_in", "swapsim.model.robot.power:PlugIn")

CHARGING_POLICIES: Registry[Any] = Registry("charging policy")
"""``policy.charging``: which bay waiting for a charger (station power cap) gets the next one free."""
CHARGING_POLICIES.register("fifo", "swapsim.model.charging:FifoCharging")
