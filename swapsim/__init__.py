"""swapsim: a discrete-event simulator for fleets of humanoid robots that swap their own batteries.

The Python API (see docs/api.md)::

    import swapsim

    scenario = swapsim.load_scenario("scenarios/factory.yaml", overrides=["horizon=7 d"])
    result = swapsim.simulate(scenario, seed=7)
    print(result.summary["fleet"]["utilisation"])
    frames = result.to_frames()      # pandas DataFrames (pip install 'swapsim[notebook]')

``load_scenario``, ``simulate`` and ``RunResult`` are imported on first use, so ``import swapsim``
stays light (no SimPy, NumPy or pydantic until they are needed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from swapsim._version import __version__

if TYPE_CHECKING:
    from swapsim.engine import RunResult, simulate
    from swapsim.scenario import ScenarioError, load_scenario

__all__ = ["__version__", "load_scenario", "simulate", "RunResult", "ScenarioError"]

_LAZY = {
    "load_scenario": "swapsim.scenario",
    "ScenarioError": "swapsim.scenario",
    "simulate": "swapsim.engine",
    "RunResult": "swapsim.engine",
}


def __getattr__(name: str) -> Any:
    """Import the public API on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'swapsim' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
