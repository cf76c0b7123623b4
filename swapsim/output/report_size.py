"""The HTML report of a ``swapsim size`` directory, from its saved files only (``size.json``,
``size.csv``, ``size.png``): the answer, its cost breakdown, the targets with their bounds, the
evidence, the figure and every configuration evaluated.

:func:`size_sections` returns (title, subtitle, sections) in the shape of the report builders of
:mod:`swapsim.output.report`, so that ``swapsim report DIR`` can show a size directory by registering
it; :func:`write_size_report` writes ``report.html`` with the shared page template. Nothing here runs
a simulation.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from swapsim.results.reader import read_json, read_rows

__all__ = ["size_sections", "write_size_report", "cost_rows"]


def _money(x: Any) -> str:
    return "-" if x is None else f"{x:,.0f}"


def _cfg(values: dict[str, Any] | None) -> str:
    return ", ".join(f"{k} = {v}" for k, v in (values or {}).items())


def cost_rows(costs: dict[str, Any]) -> list[list[str]]:
    """A run's ``costs`` section as (item, value) rows: the annual items, the total, per productive
    robot-hour, then the capital by item."""
    rows = [
        [k.replace("_per_year", "").replace("_", " "), _money(costs.get(k))]
        for k in (
            "capital_per_year",
            "energy_per_year",
            "labour_per_year",
            "packs_per_year",
            "maintenance_per_year",
            "penalties_per_year",
            "total_per_year",
        )
        if k in costs
    ]
    pp = costs.get("per_productive_robot_hour")
    rows.append(["per productive robot-hour", "-" if pp is None else f"{pp:,.2f}"])
    n, se, life = (
        costs.get("pack_replacements_per_year"),
        costs.get("pack_replacements_se"),
        costs.get("pack_life_years"),
    )
    if n is not None:
        rows.append(["pack replacements a year (expected, from the measured ageing)", f"{n:,.1f} +- {se or 0:,.1f}"])
        rows.append(["typical pack life (years)", "-" if life is None else f"{life:.2f}"])
    rows += [[f"capital: {k}", _money(v)] for k, v in (costs.get("capital") or {}).items()]
    return rows


def _life_html(life: Any) -> str:
    """``--life both``: the recommendation's target KPIs with new packs and at end of life, and what the
    end-of-life answer costs over the cheapest configuration shown to meet the targets with new packs."""
    from swapsim.output.report_tables import html_table

    if not isinstance(life, dict):
        return ""

    def num(v: Any) -> str:
        return f"{v:.4g}" if isinstance(v, (int, float)) else "-"

    rows = [[k, num(v.get("new")), num(v.get("end"))] for k, v in (life.get("kpis") or {}).items()]
    html = html_table(
        ["KPI at the recommendation", "new packs", "end of life"],
        rows,
        caption="Every pack at the state it reaches at the retirement threshold (--life both, docs/sizing.md).",
    )
    new_only, extra = life.get("new_only"), life.get("extra_per_year")
    if new_only is None:
        html += "<p>No configuration was shown to meet the targets with new packs alone.</p>"
    elif new_only == life.get("recommendation"):
        html += "<p>The same configuration meets the targets with new packs: end of life costs nothing more.</p>"
    else:
        html += (
            f"<p>With new packs alone {escape(str(new_only))} would do; meeting the targets at end of life "
            f"costs {_money(extra)} more per year.</p>"
        )
    return html


def size_sections(size_dir: Path, redraw: bool = False) -> tuple[str, list[str], list[tuple[str, str, str]]]:
    """Title, subtitle paragraphs and (anchor, nav label, html) sections of a size directory's report."""
    from swapsim.output.report_html import figure_html
    from swapsim.output.report_tables import html_table

    size_dir = Path(size_dir)
    doc = read_json(size_dir / "size.json")
    q, rec, run, ev = doc["question"], doc["recommendation"], doc["runner_up"], doc["evidence"]
    title = f"swapsim size: {doc['scenario']}"
    subtitle = [
        f"Cheapest configuration of the grid ({', '.join(d['path'] + ' ' + str(d['lo']) + '..' + str(d['hi']) for d in q['search'])}) "
        f"meeting every target ({'; '.join(q['targets'])}) at {q['confidence']:.0%} confidence; "
        f"objective {q['objective']}; seed {q['seed']}."
    ]
    sections = []
    if rec is None:
        body = '<p class="note">No configuration of the grid was shown feasible. Widen the search or relax the targets.</p>'
    else:
        rows = [["recommended", _cfg(rec["values"]), _money(rec["objective"]["mean"]), str(rec["replications"])]]
        if run is not None:
            rows.append(["runner-up", _cfg(run["values"]), _money(run["objective"]["mean"]), str(run["replications"])])
        body = html_table(["", "configuration", f"{q['objective']} (mean, per year)", "replications"], rows)
        m = doc.get("margin")
        if m:
            body += (
                f"<p>Runner-up minus recommended: {_money(m['runner_up_minus_best'])} "
                f"&plusmn; {_money(m['half_width'])} per year ({m['confidence']:.0%} paired interval, "
                f"{m['n']} common replications; {'significant' if m['significant'] else 'not significant'}).</p>"
            )
        trows = [
            [
                t["target"],
                f"{t['mean']:.4g}" if t["mean"] is not None else "-",
                f"{t['bound']:.4g}" if t["bound"] is not None else "-",
                t["decision"] or "-",
                "binding" if t["target"] in doc["binding_targets"] else "",
            ]
            for t in rec["targets"]
        ]
        body += html_table(
            ["target", "mean", "one-sided bound", "decision", ""], trows, caption="At the recommended configuration."
        )
        body += _life_html(doc.get("life"))
        crows = [[k.replace("_", " "), _money(v)] for k, v in rec["costs"].items() if k != "per_productive_robot_hour"]
        pp = rec["costs"].get("per_productive_robot_hour")
        crows.append(["per productive robot-hour", "-" if pp is None else f"{pp:,.2f}"])
        crows += [[f"capital: {k}", _money(v)] for k, v in rec["capital"].items()]
        body += html_table(["cost (per year, mean over replications)", "value"], crows)
    sections.append(("answer", "Answer", f'<section id="answer"><h2>Answer</h2>{body}</section>'))
    counts = ", ".join(f"{k}: {v}" for k, v in ev["configurations"].items())
    ev_html = (
        f"<p>{ev['runs']} simulation runs against {ev['exhaustive_fixed_runs']} for a fixed sweep of the grid at "
        f"the last look's replications; looks at {ev['looks']} replications, each one-sided test at error "
        f"{ev['alpha_per_test']:.3g}. Configurations: {escape(counts)}. Monotonicity: {ev['monotonicity_checks']} "
        f"paired checks, {len(ev['monotonicity_violations'])} violation(s). Screening: {escape(ev['screening'])}.</p>"
    )
    for v in ev["monotonicity_violations"][:10]:
        ev_html += f'<p class="note">Monotonicity violation: {escape(v)}</p>'
    if len(ev["monotonicity_violations"]) > 10:
        ev_html += f'<p class="note">... {len(ev["monotonicity_violations"]) - 10} more in size.json.</p>'
    observed = ev.get("not_monotone_observed") or {}
    if observed:
        ev_html += (
            "<p>Not assumed monotone, so never pruned on (pairs of configurations): "
            + escape("; ".join(f"{k} x{n}" for k, n in sorted(observed.items(), key=lambda kv: -kv[1])))
            + ".</p>"
        )
    hc = doc.get("horizon_check")
    if hc:
        ev_html += f'<p class="note">Horizon check: {escape(hc["verdict"])}.</p>'
    for n in ev["notes"]:
        ev_html += f'<p class="note">{escape(n)}</p>'
    sections.append(("evidence", "Evidence", f'<section id="evidence"><h2>Evidence</h2>{ev_html}</section>'))
    fig = size_dir / "size.png"
    if fig.is_file():
        sections.append(
            (
                "figures",
                "Figure",
                '<section id="figures"><h2>Figure</h2>'
                + figure_html(fig, "Cost against the binding target's KPI", "fig-size")
                + "</section>",
            )
        )
    table = read_rows(size_dir / "size.csv")
    sections.append(
        (
            "configurations",
            "Configurations",
            '<section id="configurations"><h2>Every configuration</h2>'
            + html_table(table[0], table[1:], caption="size.csv: status and reason of each configuration.")
            + "</section>",
        )
    )
    return title, subtitle, sections


def write_size_report(size_dir: str | Path) -> Path:
    """Write ``size_dir/report.html`` (the shared page template) and return its path."""
    from swapsim.output.report_html import html_page

    size_dir = Path(size_dir)
    title, subtitle, sections = size_sections(size_dir)
    from swapsim.results import owned_file

    path = size_dir / "report.html"
    with owned_file(path) as tmp:
        tmp.write_text(html_page(title, subtitle, sections, size_dir), encoding="utf-8")
    return path
