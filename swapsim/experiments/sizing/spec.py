"""The sizing question of ``swapsim size``: what is searched, against which targets, at what confidence.

A :class:`SizeSpec` holds the resolved base scenario, the grid's dimensions (``--search``), the service
targets (``--target``), the objective and the statistics (confidence, replications, seed, screening)
that :func:`swapsim.experiments.sizing.search.run_size` answers; :func:`make_spec` checks the options
and builds it (pricing a scenario without ``costs:`` at the default unit costs). Its
:meth:`SizeSpec.identity` is what ``--resume`` compares with the runs on disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from swapsim.analysis.costs import CostsSpec
from swapsim.experiments.sizing import rs
from swapsim.experiments.sizing.space import Dimension, Target
from swapsim.scenario import Scenario, ScenarioError, scenario_to_dict

__all__ = ["SizeSpec", "make_spec", "guard_targets", "GUARDS"]

GUARDS: dict[str, tuple[Target, ...]] = {
    "swap": (
        Target("swaps.wait_min.p95", "<=", 10.0, guard=True),
        Target("swaps.stockout_share", "<=", 0.05, guard=True),
    ),
    "plug_in": (Target("charging.wait_min.p95", "<=", 10.0, guard=True),),
}
"""Guard targets ``size`` adds unless told otherwise (``--no-guards``): a coverage or cost question alone
can be answered by a configuration whose robots queue for an hour or find no charged pack half the time.
The values (a 10 min 95th-percentile wait at a station or dock, 5 % of swaps finding no green pack) are
assumptions, stated in the output; a user target on the same KPI replaces its guard."""


def guard_targets(scenario: Scenario, targets: list[Target]) -> list[Target]:
    """The guards for ``scenario``'s power strategy that ``targets`` do not already constrain."""
    kind = "plug_in" if scenario.strategy.kind == "plug_in" else "swap"
    asked = {t.kpi for t in targets}
    return [g for g in GUARDS[kind] if g.kpi not in asked]


@dataclass(frozen=True)
class SizeSpec:
    """A sizing question: base scenario (resolved data), dimensions, targets, objective, statistics."""

    source: str
    base_data: dict[str, Any] = field(repr=False)
    dims: tuple[Dimension, ...]
    targets: tuple[Target, ...]
    objective: str = "costs.total_per_year"
    confidence: float = 0.95
    n_min: int = 5
    n_max: int = 40
    seed: int = 1
    screen: bool = True
    screen_margin: float = 0.5
    notes: tuple[str, ...] = ()
    horizon_factor: float = 0.0
    """The pilot and the horizon check (which re-runs the answer with a measured span this many times as
    long); <= 1: off. The CLI's default is 4."""
    horizon_replications: int = 10
    """Replications of the horizon check (at most ``n_max``)."""
    life: str = "new"
    """``new``, ``end`` (the base scenario has ``battery.life=end``) or ``both`` (swapsim.experiments.sizing.life)."""

    @property
    def looks(self) -> list[int]:
        return rs.looks(self.n_min, self.n_max)

    @property
    def alpha(self) -> float:
        """Error of each one-sided test at each look (Bonferroni over targets and looks)."""
        return rs.look_alpha(self.confidence, len(self.targets), len(self.looks))

    def identity(self) -> dict[str, Any]:
        """What must not change for ``--resume`` to reuse the runs on disk."""
        out: dict[str, Any] = {
            "base_scenario": self.base_data,
            "dims": [[d.path, d.lo, d.hi, d.step, *([d.link] if d.link else [])] for d in self.dims],
            "seed": self.seed,
        }
        if self.life == "both":  # a replication is then two runs
            out["life"] = self.life
        return out


def make_spec(
    scenario: Scenario,
    source: str,
    dims: list[Dimension],
    targets: list[Target],
    *,
    objective: str = "costs.total_per_year",
    confidence: float = 0.95,
    n_min: int = 5,
    n_max: int = 40,
    seed: int | None = None,
    screen: bool = True,
    screen_margin: float = 0.5,
    guards: bool = False,
    horizon_factor: float = 0.0,
    horizon_replications: int = 10,
    life: str = "new",
) -> SizeSpec:
    """Check the question and build its spec. A scenario without ``costs:`` is priced at the defaults.

    ``guards``: add :func:`guard_targets` (the CLI does, unless ``--no-guards``). ``horizon_factor``: run
    the pilot and the horizon check at this factor (the CLI's default is 4; 0 here: off)."""
    problems = []
    if not dims:
        problems.append("--search: give at least one PATH=LO..HI")
    if not targets:
        problems.append("--target: give at least one KPI<=VALUE or KPI>=VALUE")
    if len({d.path for d in dims}) != len(dims):
        problems.append("--search: a path is given twice")
    if not 0.5 <= confidence < 1:
        problems.append(f"--confidence: must be in [0.5, 1) (got {confidence})")
    if n_min < 2 or n_max < n_min:
        problems.append(f"--min-replications/--max-replications: need 2 <= min <= max (got {n_min}, {n_max})")
    if horizon_factor != 0 and horizon_factor < 1:
        problems.append(f"--horizon-check: the factor must be 0 (off) or >= 1 (got {horizon_factor:g})")
    if horizon_replications < 2:
        problems.append(f"--horizon-replications: need at least 2 (got {horizon_replications})")
    if problems:
        raise ScenarioError("\n".join(problems))
    notes = []
    if guards:
        added = guard_targets(scenario, targets)
        if added:
            targets = [*targets, *added]
            notes.append(
                "guard target(s) added: " + ", ".join(map(str, added)) + " (assumed service floors; "
                "--no-guards drops them, a --target on the same KPI replaces one)"
            )
    if scenario.costs is None:
        scenario = scenario.model_copy(update={"costs": CostsSpec()})
        notes.append(
            "the scenario has no costs: section: priced at the default unit costs (assumptions, docs/sizing.md)"
        )
    if life == "both":
        if scenario.battery.life == "end":
            raise ScenarioError("--life both: the scenario already sets battery.life=end (drop one)")
        from swapsim.experiments.sizing.life import end_targets

        targets = end_targets(targets)
        notes.append(
            "--life both: every target is tested with new packs and at end of life (end_of_life.* KPIs, "
            "the same seeds); the cost is that of the deployment with new packs over its life"
        )
    elif scenario.battery.life == "end":
        life = "end"
        notes.append(
            "end of life: every pack held at its retirement state; pack replacements are priced for safety "
            "faults only (--life both prices the life)"
        )
    if life != "new" and screen:
        screen = False  # the closed-form estimate knows nothing of pack health
        notes.append("no screening by the closed-form estimate at end of life (it assumes new packs)")
    return SizeSpec(
        source=source,
        base_data=scenario_to_dict(scenario),
        dims=tuple(dims),
        targets=tuple(targets),
        objective=objective,
        confidence=confidence,
        n_min=n_min,
        n_max=n_max,
        seed=scenario.seed if seed is None else int(seed),
        screen=screen,
        screen_margin=screen_margin,
        notes=tuple(notes),
        horizon_factor=horizon_factor,
        horizon_replications=horizon_replications,
        life=life,
    )
