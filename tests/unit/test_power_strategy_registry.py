"""Worked example: a power strategy added from a test module, without editing ``swapsim/model/``.

A power strategy is a class with the hooks of :class:`swapsim.model.robot.trip.PowerStrategy`, built once
per robot as ``cls(scenario, boot_rng)`` and registered in :data:`swapsim.model.registries.POWER_STRATEGIES`;
the scenario schema accepts its name at once (``strategy.kind: slow_hot_swap``) and the fleet builder gives
it to every robot. Here a toy hot swap whose exchange always takes 15 minutes, powered down.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from builders import SUBCLASSES_A_MODEL_CLASS, make_scenario, states

from swapsim.engine import simulate
from swapsim.model.registries import POWER_STRATEGIES
from swapsim.model.robot import HotSwap

SWAP_H = 0.25


class SlowHotSwap(HotSwap):
    """Toy strategy: a hot swap whose exchange takes ``SWAP_H`` at no draw (every other rule is hot swap's)."""

    quiet_stretches = False  # leg by leg, so the trace lists each state change as it happens

    def swap_legs(self, station: object) -> tuple[tuple[float, str, float], ...]:
        return ((SWAP_H, "swapping", 0.0),)


@pytest.fixture
def slow_hot_swap() -> Iterator[str]:
    POWER_STRATEGIES.register("slow_hot_swap", SlowHotSwap)
    yield "slow_hot_swap"
    POWER_STRATEGIES.unregister("slow_hot_swap")


def test_the_schema_accepts_a_registered_strategy(slow_hot_swap: str) -> None:
    assert make_scenario(strategy={"kind": slow_hot_swap}).strategy.kind == slow_hot_swap


@SUBCLASSES_A_MODEL_CLASS
def test_a_run_uses_the_registered_strategy(slow_hot_swap: str) -> None:
    scenario = make_scenario(strategy={"kind": slow_hot_swap}, horizon="30 h")
    result = simulate(scenario, seed=1, keep_entities=True)
    assert result.fleet is not None
    assert all(isinstance(r.power, SlowHotSwap) for r in result.fleet.robots)
    changes = states(result.trace)
    swaps = [(t0, t1) for (t0, s), (t1, _) in zip(changes, changes[1:]) if s == "swapping"]
    assert swaps, "the robot swapped"
    assert all(t1 - t0 == pytest.approx(SWAP_H) for t0, t1 in swaps)
