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

from swapsim.metrics.catalogue import CATALOGUE, section_keys
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
        [CATALOGUE[f"costs.{k}"].short, _money(costs[k])]
        for k in section_keys("costs")
        if k in costs and CATALOGUE[f"costs.{k}"].unit == "per year"  # the annual items, the capital's total
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
    q, rec, run = doc["question"], doc["recommendation"], doc["runner_up"]
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
        holds = doc.get("holds_at_longer_horizon") is not False
        verdict = "RECOMMENDED" if holds else "NOT SHOWN FEASIBLE (changes with the horizon)"
        body = f'<p class="lead"><strong>{escape(verdict)}: {escape(_cfg(rec["values"]))}</strong></p>'
        rows = [["recommended", _cfg(rec["values"]), _money(rec["objective"]["mean"]), str(rec["replications"]), ""]]
        m = doc.get("margin")
        if run is not None:
            note = "" if not m else f"+{_money(m['runner_up_minus_best'])} ± {_money(m['half_width'])}"
            if m and not m["significant"]:
                note += " (not significant)"
            rows.append(
                ["runner-up", _cfg(run["values"]), _money(run["objective"]["mean"]), str(run["replications"]), note]
            )
        for low in doc.get("cheaper_failing") or []:
            rows.append(
                [
                    "cheaper, fails",
                    _cfg(low["values"]),
                    _money(low.get("objective_mean")),
                    str(low.get("replications", "")),
                    f"{low['status']}: {low['reason']}",
                ]
            )
        body += html_table(
            ["", "configuration", f"{q['objective']} (mean, per year)", "replications", "against the answer"], rows
        )
        if doc.get("robustness"):
            body += f"<p><strong>Robustness:</strong> {escape(doc['robustness'])}.</p>"
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
        body += "<details><summary>Cost breakdown</summary>"
        body += html_table(["cost (per year, mean over replications)", "value"], crows) + "</details>"
    sections.append(("answer", "Answer", f'<section id="answer"><h2>Answer</h2>{body}</section>'))
    sections.append(
        ("evidence", "Evidence", f'<section id="evidence"><h2>Evidence</h2>{_evidence_html(doc)}</section>')
    )
    fig = size_dir / "size.png"
    if fig.is_file():
        sections.append(
            (
                "figures",
                "Figure",
                '<section id="figures"><h2>Figure</h2>'
                + figure_html(fig, "Cost against every target's KPI, one panel per target", "fig-size")
                + "</section>",
            )
        )
    head, rows = _configuration_rows(read_rows(size_dir / "size.csv"), q)
    sections.append(
        (
            "configurations",
            "Configurations",
            '<section id="configurations"><h2>Every configuration</h2><div class="scroll-box">'
            + html_table(head, rows, classes="wide")
            + '</div><p class="caption">From size.csv (every column there): each target as mean (bound) and '
            "decision; the box scrolls.</p></section>",
        )
    )
    return title, subtitle, sections


def _evidence_html(doc: dict[str, Any]) -> str:
    """Runs, looks, counts; monotonicity violations and observed non-monotone effects grouped, one row
    per KPI and dimension (every pair is in size.json); the pilot and the horizon check."""
    from swapsim.output.report_tables import html_table

    ev = doc["evidence"]
    counts = ", ".join(f"{k}: {v}" for k, v in ev["configurations"].items())
    html = (
        f"<p>{ev['runs']} simulation runs against {ev['exhaustive_fixed_runs']} for a fixed sweep of the grid at "
        f"the last look's replications (pilot {ev.get('pilot_runs', 0)}, horizon check "
        f"{ev.get('horizon_check_runs', 0)} more); looks at {ev['looks']} replications, each one-sided test at "
        f"error {ev['alpha_per_test']:.3g}. Configurations: {escape(counts)}. Screening: {escape(ev['screening'])}.</p>"
    )
    if ev.get("equivalent_not_run"):
        html += (
            f"<p>{ev['equivalent_not_run']} configuration(s) not run: the model cannot tell them from a cheaper one "
            "(bays beyond charged_packs + positions never hold a pack; status 'equivalent').</p>"
        )
    groups = ev.get("monotonicity_violation_groups")
    if groups is None:  # a size.json written before the groups existed
        groups = {}
        for v in ev["monotonicity_violations"]:
            k = str(v).split(": #", 1)[0]
            groups[k] = groups.get(k, 0) + 1
    observed = ev.get("not_monotone_observed") or {}
    html += (
        f"<p>Monotonicity: {ev['monotonicity_checks']} paired checks, {len(ev['monotonicity_violations'])} "
        "violation(s) of what pruning assumes, {0} kind(s) of effect where nothing is assumed (never pruned on).</p>"
    ).format(len(observed))
    rows = [["violation (pruning assumed it)", k, str(n)] for k, n in groups.items()]
    rows += [["observed, not assumed", k, str(n)] for k, n in sorted(observed.items(), key=lambda kv: (-kv[1], kv[0]))]
    if rows:
        html += html_table(["", "KPI and dimension", "pairs"], rows, caption="Every pair: size.json, evidence.")
    if doc.get("pilot"):
        html += f'<p class="note">Pilot: {escape(doc["pilot"]["verdict"])}.</p>'
    hc = doc.get("horizon_check")
    if hc:
        html += f'<p class="note">Horizon check: {escape(hc["verdict"])}.</p>'
    for n in ev["notes"]:
        html += f'<p class="note">{escape(n)}</p>'
    return html


def _configuration_rows(table: list[list[str]], q: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """size.csv narrowed to fit a screen: the values, status, replications, costs, then one column per
    target (``mean (bound) decision``), the reason last."""
    head, rows = table[0], table[1:]
    col = {h: i for i, h in enumerate(head)}
    fixed = [h for h in head[: col["status"]] if h != "config"] if "status" in col else []

    def cell(row: list[str], name: str) -> str:
        i = col.get(name)
        return row[i] if i is not None and i < len(row) else ""

    def num(x: str) -> str:
        try:
            return f"{float(x):,.4g}" if abs(float(x)) < 1e4 else f"{float(x):,.0f}"
        except ValueError:
            return x or "-"

    out_head = ["#", *fixed, "status", "n", "static cost", "objective"]
    kpis = [t.split("<=")[0].split(">=")[0] for t in q.get("targets", [])]
    out_head += q.get("targets", [])
    out_head.append("reason")
    out = []
    for row in rows:
        r = [cell(row, "config") or "-", *(cell(row, h) for h in fixed), cell(row, "status"), cell(row, "n")]
        r += [num(cell(row, "static_cost_per_year")), num(cell(row, f"{q.get('objective')}.mean"))]
        for kpi, t in zip(kpis, q.get("targets", [])):
            mean = cell(row, f"{kpi}.mean")
            bound = cell(row, f"{kpi}.upper" if "<=" in t else f"{kpi}.lower")
            r.append(f"{num(mean)} ({num(bound)}) {cell(row, f'{kpi}.decision')}".strip() if mean else "-")
        r.append(cell(row, "reason"))
        out.append(r)
    return out_head, out


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
