"""Shorter runs for test suites: the two environment variables that cap horizons and replications.

A test that runs the documented commands as written (``tests/docs/test_documented_commands.py``)
cannot afford 30-day horizons and 10 replications per point. Rather than editing the commands, it sets:

- ``SWAPSIM_MAX_HORIZON`` (a duration, e.g. ``"1 d"``): every scenario loaded by
  :func:`~swapsim.scenario.loading.load_scenario` whose horizon is longer is cut to it, and its warm-up
  is scaled by the same factor, so it stays the same share of the run (and below the horizon);
- ``SWAPSIM_MAX_REPLICATIONS`` (a whole number >= 1): ``swapsim sweep``, ``compare``, ``warmup`` and
  ``size`` run at most this many replications per point, strategy, pilot or configuration (with the
  floors those commands need: 3 for a sweep with a target interval, 2 for ``size``).

They are for test suites, not for studies: a capped run answers a different question, so every cap
that takes effect prints one ``note:`` line on stderr. This module is the one place that reads them.
"""

from __future__ import annotations

import os
import sys

from swapsim.scenario.base import ScenarioError

__all__ = ["MAX_HORIZON_ENV", "MAX_REPLICATIONS_ENV", "max_horizon_h", "cap_replications", "cap_horizon_data"]

MAX_HORIZON_ENV = "SWAPSIM_MAX_HORIZON"
MAX_REPLICATIONS_ENV = "SWAPSIM_MAX_REPLICATIONS"


def max_horizon_h() -> float | None:
    """The horizon cap in hours from ``SWAPSIM_MAX_HORIZON``, or None when unset or empty."""
    from swapsim.scenario.units import parse_duration_h

    text = os.environ.get(MAX_HORIZON_ENV, "").strip()
    if not text:
        return None
    try:
        cap = parse_duration_h(text)
    except (ValueError, TypeError) as exc:
        raise ScenarioError(f"{MAX_HORIZON_ENV}={text!r}: must be a duration such as '1 d' ({exc})") from None
    if not cap > 0:
        raise ScenarioError(f"{MAX_HORIZON_ENV}={text!r}: must be > 0")
    return cap


def cap_horizon_data(data: dict[str, object], horizon_h: float, warmup_h: float) -> dict[str, object]:
    """``data`` (a resolved scenario as plain data) with the horizon cut to ``SWAPSIM_MAX_HORIZON`` and
    the warm-up scaled by the same factor; ``data`` itself when no cap applies."""
    cap = max_horizon_h()
    if cap is None or horizon_h <= cap:
        return data
    announce(
        f"horizon cut from {horizon_h:g} h to {cap:g} h by {MAX_HORIZON_ENV}, warm-up scaled to "
        f"{warmup_h * cap / horizon_h:g} h"
    )
    out = dict(data)
    out["horizon"] = f"{cap!r} h"
    out["warmup"] = f"{warmup_h * cap / horizon_h!r} h"
    return out


def cap_replications(n: int, floor: int = 1) -> int:
    """``n`` capped by ``SWAPSIM_MAX_REPLICATIONS`` (never below ``floor``, nor above ``n``)."""
    text = os.environ.get(MAX_REPLICATIONS_ENV, "").strip()
    if not text:
        return n
    try:
        cap = int(text)
    except ValueError:
        raise ScenarioError(f"{MAX_REPLICATIONS_ENV}={text!r}: must be a whole number >= 1") from None
    if cap < 1:
        raise ScenarioError(f"{MAX_REPLICATIONS_ENV}={text!r}: must be a whole number >= 1")
    capped = min(n, max(cap, floor))
    if capped < n:
        announce(f"{n} replications cut to {capped} by {MAX_REPLICATIONS_ENV}")
    return capped


def announce(what: str) -> None:
    """One line on stderr saying that a test cap shortened the run."""
    print(f"note: {what} (test cap from the environment)", file=sys.stderr)
