"""The outputs of ``swapsim size``: ``size.json`` (recommendation, binding targets, cost breakdown,
evidence), ``size.csv`` (every configuration of the grid, its KPIs with one-sided bounds, its status
and why), ``size.png`` (cost against the binding service KPI, with the frontier and the
recommendation) and the terminal summary.

Drawn from a :class:`~swapsim.experiments.sizing.search.SizeResult` only; nothing here runs a simulation. Money is
per year in the scenario's (any) currency; KPIs in the units of their names.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

from swapsim.experiments.sizing.evidence import cheaper_failing, violation_groups
from swapsim.experiments.sizing.life import format_life, life_cost
from swapsim.experiments.sizing.search import Evaluated, SizeResult
from swapsim.metrics.catalogue import section_keys

__all__ = ["write_outputs", "format_summary", "size_json", "edge_notes", "robustness"]

COST_KEYS = tuple(k for k in section_keys("costs") if "." not in k and k != "pack_replacements_se")
"""The ``costs`` keys of a configuration in size.json (from the catalogue; the capital by item apart)."""
CAPITAL_ITEMS = tuple(k.split(".", 1)[1] for k in section_keys("costs") if k.startswith("capital."))


def _num(x: float) -> float | None:
    return x if isinstance(x, (int, float)) and math.isfinite(x) else None


def _config_json(res: SizeResult, ev: Evaluated | None) -> dict[str, Any] | None:
    if ev is None:
        return None
    spec = res.spec
    return {
        "config": ev.config.index,
        "values": {d.path: v for d, v in zip(spec.dims, ev.config.values)},
        "replications": ev.n,
        "objective": {"kpi": spec.objective, "mean": _num(ev.mean(spec.objective))},
        "costs": {k: _num(ev.mean(f"costs.{k}")) for k in COST_KEYS},
        "capital": {k: _num(ev.mean(f"costs.capital.{k}")) for k in CAPITAL_ITEMS},
        "targets": [
            {
                "target": str(t),
                "mean": _num(ev.bounds[t.kpi].mean),
                "bound": _num(ev.bounds[t.kpi].upper if t.upper else ev.bounds[t.kpi].lower),
                "decision": ev.decisions.get(str(t)),
            }
            for t in spec.targets
            if t.kpi in ev.bounds
        ],
    }


def edge_notes(res: SizeResult) -> list[str]:
    """Dimensions where the recommendation sits at the low end of the searched range (a cheaper answer may
    lie below it: widen the range)."""
    if res.best is None:
        return []
    return [
        f"{d.path} = {v} is the low end of its range: something cheaper may lie below it"
        for d, v in zip(res.spec.dims, res.best.config.values)
        if v == d.lo and d.lo != d.hi
    ]


def _dur(h: float) -> str:
    return f"{h / 24:.3g} d" if h >= 48 else f"{h:.3g} h"


def robustness(res: SizeResult) -> str:
    """What the answer's decision rests on, in one line: replications, the horizon check, what binds."""
    b = res.best
    if b is None:
        return ""
    spec = res.spec
    h = res.horizon
    if h is None:
        hz = "no horizon check"
    elif not h.best_holds:
        hz = f"CHANGES at {h.factor:g}x the horizon"
    elif h.cheaper is not None and h.cheaper.holds:
        hz = f"holds at {h.factor:g}x the horizon, where the next cheaper one meets the targets too"
    else:
        hz = f"the decision stands at {h.factor:g}x the horizon ({h.replications} replications)"
    steady = "" if res.pilot is None else ("; KPIs still trend" if not res.pilot.settled else "")
    if math.isfinite(res.searched_warmup_h):
        steady = f"; warm-up {_dur(res.searched_warmup_h)}" + steady
    if res.rejected_at_horizon:
        steady += f"; {len(res.rejected_at_horizon)} cheaper answer(s) rejected at the long horizon"
    return (
        f"{b.n} replications at {spec.confidence:.0%} (one-sided t, common random numbers); {hz}{steady}; "
        f"binds: {', '.join(res.binding) or '-'}"
    )


def horizon_json(res: SizeResult) -> dict[str, Any] | None:
    """The horizon check in ``size.json`` (None when it was not run)."""
    h = res.horizon
    if h is None:
        return None

    def one(c) -> dict[str, Any] | None:
        if c is None:
            return None
        return {
            "config": c.config.index,
            "values": {d.path: v for d, v in zip(res.spec.dims, c.config.values)},
            "replications": c.n,
            "holds": c.holds,
            "failed_runs": c.failed_runs or None,
            "targets": [
                {
                    "target": str(t.target),
                    "short_mean": _num(t.short_mean),
                    "long_mean": _num(t.long.mean),
                    "long_bound": _num(t.bound),
                    "decision": t.decision,
                    "shift_long_minus_short": _num(t.shift.mean),
                    "shift_half_width": _num(t.shift.half),
                }
                for t in c.targets
            ],
        }

    return {
        "factor": h.factor,
        "measured_span_h": h.span_h,
        "long_measured_span_h": h.long_span_h,
        "replications": h.replications,
        "alpha_per_test": h.alpha,
        "recommendation": one(h.best),
        "next_cheaper": one(h.cheaper),
        "recommendation_holds": h.best_holds,
        "decision_stands": h.stands,
        "verdict": h.verdict(),
    }


def size_json(res: SizeResult) -> dict[str, Any]:
    """The content of ``size.json``."""
    spec = res.spec
    counts: dict[str, int] = {}
    for ev in res.evaluated:
        counts[ev.status] = counts.get(ev.status, 0) + 1
    counts["invalid"] = len(res.invalid)
    m = res.margin
    doc: dict[str, Any] = {
        "scenario": spec.source,
        "question": {
            "search": [
                {"path": d.path, "lo": d.lo, "hi": d.hi, "step": d.step, "link": d.link or None, "monotone": d.monotone}
                for d in spec.dims
            ],
            "targets": [str(t) for t in spec.targets],
            "guards": [str(t) for t in spec.targets if t.guard],
            "objective": spec.objective,
            "confidence": spec.confidence,
            "seed": spec.seed,
        },
        "recommendation": _config_json(res, res.best),
        "runner_up": _config_json(res, res.runner_up),
        "cheaper_failing": []
        if res.best is None
        else [
            {
                "config": e.config.index,
                "values": {d.path: v for d, v in zip(spec.dims, e.config.values)},
                "status": e.status,
                "reason": e.reason,
                "replications": e.n,
                "static_cost_per_year": _num(e.config.static_cost),
                "objective_mean": _num(e.mean(spec.objective)) if e.n else None,
            }
            for e in cheaper_failing(spec, res.best, res.evaluated)
        ],
        "robustness": robustness(res) or None,
        "margin": None
        if m is None
        else {
            "kpi": spec.objective,
            "runner_up_minus_best": _num(m.mean),
            "half_width": _num(m.half),
            "confidence": m.confidence,
            "n": m.n,
            "significant": m.significant,
        },
        "binding_targets": res.binding,
        "holds_at_longer_horizon": None if res.horizon is None else res.horizon.best_holds,
        "searched_warmup_h": _num(res.searched_warmup_h),
        "rejected_at_longer_horizon": res.rejected_at_horizon,
        "pilot": None
        if res.pilot is None
        else {
            "config": res.pilot.label,
            "replications": res.pilot.n,
            "pilot_h": res.pilot.pilot_h,
            "truncation_h": res.pilot.truncation_h,
            "settled": res.pilot.settled,
            "warmup_h": res.pilot.warmup_h,
            "searched_warmup_h_before": res.pilot.scenario_warmup_h,
            "verdict": res.pilot.verdict(),
        },
        "horizon_check": horizon_json(res),
        "evidence": {
            "procedure": "cost-ordered walk; monotone dominance; estimate screening; sequential one-sided "
            "t-tests, Bonferroni over targets and looks (docs/sizing.md)",
            "looks": spec.looks,
            "alpha_per_test": spec.alpha,
            "configurations": counts,
            "grid": len(res.evaluated) + len(res.invalid),
            "runs": res.runs_total,
            "runs_new": res.runs_new,
            "horizon_check_runs": res.horizon_runs,
            "pilot_runs": res.pilot_runs,
            "exhaustive_fixed_runs": res.exhaustive_fixed_runs,
            "run_ratio": res.runs_total / res.exhaustive_fixed_runs if res.exhaustive_fixed_runs else None,
            "monotonicity_checks": res.checks,
            "monotonicity_violations": res.violations,
            "monotonicity_violation_groups": violation_groups(res.violations),
            "equivalent_not_run": sum(1 for e in res.evaluated if e.status == "equivalent"),
            "monotonicity_assumed": {
                d.path: [t.kpi for t in spec.targets if d.monotone_for(t.kpi)] for d in spec.dims if d.monotone
            },
            "not_monotone_observed": res.not_monotone,
            "at_range_edge": edge_notes(res),
            "failed": [{"config": e.config.index, "reason": e.reason} for e in res.evaluated if e.status == "failed"],
            "screening": "closed-form estimate (activity-cycle hot-swap scenarios with irregular swap cycles "
            f"only), margin {spec.screen_margin:.0%}"
            if spec.screen
            else "off",
            "notes": list(spec.notes),
            "executor": res.executor,
            "wall_time_s": res.wall_time_s,
            "exhaustive_mode": res.exhaustive,
        },
    }
    if spec.life != "new":  # swapsim.experiments.sizing.life
        doc["question"]["life"] = spec.life
        doc["life"] = life_cost(res)
    return doc


def _csv_rows(res: SizeResult) -> tuple[list[str], list[list[Any]]]:
    spec = res.spec
    head = [
        "config",
        *(f"{d.path} ({d.link}+)" if d.link else d.path for d in spec.dims),
        "status",
        "reason",
        "n",
        "static_cost_per_year",
        f"{spec.objective}.mean",
    ]
    for t in spec.targets:
        head += [f"{t.kpi}.mean", f"{t.kpi}.lower", f"{t.kpi}.upper", f"{t.kpi}.decision", f"{t.kpi}.estimate"]
    rows = []  # lower/upper: the one-sided bounds (each at the per-test error alpha) of the last look
    for ev in sorted(res.evaluated, key=lambda e: e.config.index):
        row: list[Any] = [
            ev.config.index,
            *ev.config.values,
            ev.status,
            ev.reason,
            ev.n,
            round(ev.config.static_cost, 6),
            _num(ev.mean(spec.objective)) if ev.n else None,
        ]
        for t in spec.targets:
            b = ev.bounds.get(t.kpi)
            row += [
                _num(b.mean) if b else None,
                _num(b.lower) if b else None,
                _num(b.upper) if b else None,
                ev.decisions.get(str(t), ""),
                ev.estimate.get(t.kpi),
            ]
        rows.append(row)
    for values, why in res.invalid:
        rows.append([None, *values, "invalid", why, 0, None, None] + [None, None, None, "", None] * len(spec.targets))
    return head, rows


def write_outputs(res: SizeResult, out_dir: str | Path, figure: bool = True) -> list[Path]:
    """Write ``size.json``, ``size.csv`` and (``figure``) ``size.png`` into ``out_dir``; return the paths."""
    from swapsim.results import owned_file, strict_json

    out_dir = Path(out_dir)  # the sizing's own directory (its runs are there): swapsim owns it
    paths = []
    p = out_dir / "size.json"
    with owned_file(p) as tmp:
        tmp.write_text(strict_json(size_json(res), indent=2) + "\n", encoding="utf-8")
    paths.append(p)
    head, rows = _csv_rows(res)
    p = out_dir / "size.csv"
    with owned_file(p) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows(rows)
    paths.append(p)
    if figure:
        from swapsim.output.figures_size import draw_size_figure

        p = out_dir / "size.png"
        with owned_file(p) as tmp:
            draw_size_figure(res, tmp)
        paths.append(p)
    return paths


def format_summary(res: SizeResult) -> str:
    """The terminal summary: the answer first, then what it rests on."""
    spec = res.spec
    lines = []
    if res.best is None:
        lines.append(
            "NO FEASIBLE CONFIGURATION in the searched grid at "
            f"{spec.confidence:.0%} confidence: widen --search or relax --target."
        )
    else:
        b = res.best
        head = "RECOMMENDED " if res.holds else "NOT SHOWN FEASIBLE (changes with the horizon):"
        lines.append(f"{head} {b.config.label(list(spec.dims))}")
        lines.append(
            f"  cost        {b.mean(spec.objective):,.0f} per year ({spec.objective}; "
            f"capital {b.mean('costs.capital_per_year'):,.0f}, energy {b.mean('costs.energy_per_year'):,.0f}, "
            f"labour {b.mean('costs.labour_per_year'):,.0f}, packs {b.mean('costs.packs_per_year'):,.0f}, "
            f"maintenance {b.mean('costs.maintenance_per_year'):,.0f}"
            + (f", penalties {pen:,.0f}" if (pen := b.mean("costs.penalties_per_year")) > 0 else "")
            + ")"
        )
        n_packs = b.mean("costs.pack_replacements_per_year")
        if math.isfinite(n_packs):
            life = b.mean("costs.pack_life_years")
            lines.append(
                f"  packs       {n_packs:,.1f} +- {b.mean('costs.pack_replacements_se'):,.1f} replacements a year "
                f"expected over the capital's life, from the measured ageing"
                + (f" (a typical pack lasts {life:.2f} years)" if math.isfinite(life) else "")
            )
        for t in spec.targets:
            bd = b.bounds[t.kpi]
            lines.append(
                f"  target      {str(t):<32} mean {bd.mean:.4g}, "
                f"{'upper' if t.upper else 'lower'} bound {bd.upper if t.upper else bd.lower:.4g}"
                f"{'  (binding)' if str(t) in res.binding else ''}{'  (guard)' if t.guard else ''}"
            )
        if res.runner_up is not None and res.margin is not None:
            m = res.margin
            lines.append(
                f"  runner-up   {res.runner_up.config.label(list(spec.dims))}: "
                f"+{m.mean:,.0f} +- {m.half:,.0f} per year"
                f"{'' if m.significant else ' (not significant)'}"
            )
        else:
            lines.append("  runner-up   none feasible in the grid")
        for low in cheaper_failing(spec, b, res.evaluated)[:3]:
            lines.append(f"  cheaper     {low.config.label(list(spec.dims))}: {low.status}, {low.reason}")
        lines.append(f"  robustness  {robustness(res)}")
        lines.extend(format_life(res))
    if res.pilot is not None:
        lines.append(f"pilot: {res.pilot.verdict()}")
    for label in res.rejected_at_horizon:
        lines.append(f"horizon: rejected {label}: it misses a target at {spec.horizon_factor:g}x the horizon")
    if res.horizon is not None:
        lines.append(f"horizon: {res.horizon.verdict()} ({res.horizon_runs} runs)")
    lines.append(
        f"evidence: {res.runs_total} runs ({res.runs_total / max(1, res.exhaustive_fixed_runs):.0%} of "
        f"the {res.exhaustive_fixed_runs} of a fixed {spec.n_max}-replication sweep), "
        f"{'feasible at' if res.holds else 'decided at'} {spec.confidence:.0%} at the searched horizon "
        f"(one-sided t, common random numbers); "
        f"monotonicity: {res.checks} checks, {len(res.violations)} violation(s) of what pruning assumes"
    )
    kinds = violation_groups(res.violations)
    for kind, count in list(kinds.items())[:4]:
        lines.append(f"  WARNING monotonicity: {kind}: {count} pair(s)")
    if len(kinds) > 4:
        lines.append(f"  ... {len(kinds) - 4} more kinds in size.json (evidence.monotonicity_violations)")
    merged = sum(1 for e in res.evaluated if e.status == "equivalent")
    if merged:
        lines.append(
            f"  {merged} configuration(s) not run: the model cannot tell them from a cheaper one "
            "(bays beyond charged_packs + positions never hold a pack; status 'equivalent' in size.csv)"
        )
    if res.not_monotone:
        groups = sorted(res.not_monotone.items(), key=lambda kv: -kv[1])
        lines.append(
            "  not assumed monotone, so not pruned on (pairs): " + "; ".join(f"{k} x{n}" for k, n in groups[:4])
        )
    for e in edge_notes(res):
        lines.append(f"  note: {e}")
    failed = [e for e in res.evaluated if e.status == "failed"]
    if failed:
        lines.append(
            f"  WARNING {len(failed)} configuration(s) failed in the model (status 'failed' in size.csv), "
            f"e.g. #{failed[0].config.index}: {failed[0].reason}"
        )
    for n in spec.notes:
        lines.append(f"note: {n}")
    return "\n".join(lines)
