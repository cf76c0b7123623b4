"""Configurations of a sizing grid that the model cannot tell apart: run one, report the rest as it.

The rule comes from :mod:`swapsim.model.station`. A swap (hot or cold) takes place at a position: the
exchange of a drained pack for a green one leaves the number of packs in the station unchanged, and a
robot that finds no green pack leaves its drained pack in a bay (one more pack) and takes the first
pack to turn green before it frees its position (one fewer). Quarantine and a technician's replacement
swap a pack for a pack. So a station never holds more than ``charged_packs + positions`` packs, and a
robot that claims a bay (an exchange or a stock-out drop-off) finds at most
``charged_packs + positions - 1`` of them occupied. Bays are claimed lowest index first
(``Station._claim_empty_bay``), so a bay of index ``charged_packs + positions`` or above is never
claimed: it never holds a pack, never charges and never changes what a robot sees. Every station with
``bays >= charged_packs + positions`` behaves exactly as with ``bays = charged_packs + positions``:
same events, same random draws, same KPIs (only the bays' capital differs).

The rule is for the swap strategies only: with ``plug_in`` the bays set the default number of docks
(``bays // 2``) and are left alone. Configurations are grouped by their scenario with every station's
bays cut to that bound (:func:`model_key`); the cheapest of a group (first in the walk's order) is run,
the others are marked ``equivalent`` and cost more, so they can never be the answer or its runner-up.
``tests/unit/test_sizing_equivalence.py`` runs such a pair and finds identical KPIs.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from swapsim.scenario import Scenario

if TYPE_CHECKING:
    from swapsim.experiments.sizing.search import Evaluated
    from swapsim.experiments.sizing.space import Dimension

__all__ = ["effective_bays", "model_key", "why_equivalent", "merge_equivalent", "same_runs"]


def effective_bays(scenario: Scenario) -> list[int]:
    """Per station, the bays that can ever hold a pack: ``min(bays, charged_packs + positions)`` for the
    swap strategies, every bay for ``plug_in``."""
    if scenario.strategy.kind == "plug_in":
        return [st.bays for st in scenario.stations]
    return [min(st.bays, st.charged_packs + st.positions) for st in scenario.stations]


def model_key(data: dict[str, Any], scenario: Scenario) -> str:
    """A key equal for two configurations exactly when the model cannot tell them apart under the rule
    of the module doc: the scenario data with each station's bays cut to :func:`effective_bays`."""
    out = copy.deepcopy(data)
    stations = out.get("stations")
    if isinstance(stations, list) and len(stations) == len(scenario.stations):
        for item, bays in zip(stations, effective_bays(scenario)):
            if isinstance(item, dict):
                item["bays"] = bays
    return json.dumps(out, sort_keys=True, default=str)


def why_equivalent(scenario: Scenario) -> str:
    """The reason in words, naming the stations whose extra bays never hold a pack."""
    cut = [
        f"{st.name}: {st.bays} bays, {eff} usable"
        for st, eff in zip(scenario.stations, effective_bays(scenario))
        if eff < st.bays
    ]
    return (
        "bays beyond charged_packs + positions never hold a pack (" + "; ".join(cut) + ")"
        if cut
        else "the same scenario"
    )


def merge_equivalent(order: list[Evaluated], dims: list[Dimension]) -> int:
    """Mark every configuration the model cannot tell from one earlier in the walk (cheaper, or as cheap
    and first in grid order) as ``equivalent`` to it (:mod:`swapsim.experiments.sizing.equivalence`);
    returns how many."""
    first: dict[str, Evaluated] = {}
    merged = 0
    for ev in order:
        if not ev.config.key:
            continue
        rep = first.setdefault(ev.config.key, ev)
        if rep is not ev:
            ev.status = "equivalent"
            ev.reason = f"runs as #{rep.config.index} ({rep.config.label(dims)}): {ev.config.why_same}"
            merged += 1
    return merged


def same_runs(a: Evaluated, b: Evaluated) -> bool:
    """``a`` and ``b`` gave the same KPIs, money aside, in every common replication (at least one): the
    resources in which they differ were never used in these runs (a bay that never held a pack when no
    robot ever waited with its drained pack). Not a proof, so not merged before the walk; it keeps such a
    twin from being reported as the runner-up ("+376 +- 0 per year")."""
    common = sorted(set(a.runs) & set(b.runs))
    if not common:
        return False

    def model(kpis: dict[str, Any]) -> dict[str, Any]:
        return {k: ("nan" if v != v else v) for k, v in kpis.items() if not k.startswith("costs.")}

    return all(model(a.runs[r]) == model(b.runs[r]) for r in common)
