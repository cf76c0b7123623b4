"""The HTML report: one self-contained page per results directory, written from saved files only.

:func:`write_report` turns a run, a sweep or a comparison directory into ``report.html`` beside its
files. The page opens offline in any browser and prints cleanly: every figure is embedded as a
``data:`` URI (PNG, or SVG when that is the only format there), the style sheet is inline, and there are
no scripts, web fonts or links to anything outside the page (in-page anchors only). It shows the
KPI tables, the figures, the resolved scenario and the manifest, so the page alone says what was
simulated, with which version and seed.

Making a report never runs a simulation. It embeds the figure files it finds in the directory; when
there are none (a run written with ``--no-figures``, or figures saved as PDF only), or when asked to
redraw, it draws them first with :mod:`swapsim.output.figures`, which reads the same saved files. Pages
are built with :func:`html.escape` and string formatting from the standard library: a page of tables
and images needs no template engine.

This module holds the sections of a sweep and a comparison page and the entry points; a run's page,
which opens with the run summary (:mod:`swapsim.output.findings`), is :mod:`swapsim.output.report_run`;
:mod:`swapsim.output.report_tables` formats values and tables, :mod:`swapsim.output.report_html` embeds
figures and wraps the page. Labels come from the glossary (:mod:`swapsim.metrics.glossary`).
"""

from __future__ import annotations

import json
import os
from html import escape
from pathlib import Path
from typing import Any

from swapsim.metrics.catalogue import short_label
from swapsim.metrics.glossary import kpi_label, strategy_name
from swapsim.output.report_html import ensure_figures, figures_section, html_page, ordered_figures, yaml_section
from swapsim.output.report_run import RUN_FIGURE_CAPTIONS, run_sections
from swapsim.output.report_tables import fmt_mean_ci, fmt_value, html_table, read_json, read_table, records
from swapsim.results import ResultsError, check_results_dir, flatten, regular_file
from swapsim.results.reader import read_text as guarded_text
from swapsim.scenario.yaml_loader import MAX_FILE_BYTES

__all__ = ["write_report", "build_report", "REPORT_NAME", "RUN_FIGURE_CAPTIONS"]

REPORT_NAME = "report.html"

HEADLINE_KPIS: tuple[str, ...] = (
    "tasks.per_day",
    "tasks.wait_min.mean",
    "tasks.wait_min.p95",
    "fleet.utilisation",
    "swaps.per_robot_per_day",
    "swaps.wait_min.mean",
    "swaps.wait_min.p95",
    "swaps.stockouts",
    "fleet.strandings",
    "energy.grid_kwh",
)
"""KPIs of the sweep points table (when the sweep recorded them), headed by their short labels
(:func:`swapsim.metrics.catalogue.short_label`)."""

# -- sweep -------------------------------------------------------------------------------------------


def _sweep_sections(sweep_dir: Path, redraw: bool) -> tuple[str, list[str], list[tuple[str, str, str]]]:
    spec = read_json(sweep_dir / "sweep.json")
    points = read_table(sweep_dir / "points.csv")
    cols = list(points)
    factors = list((spec.get("factors") or {}).keys()) if isinstance(spec.get("factors"), dict) else []
    if not factors and "point" in cols and "n" in cols:
        factors = cols[cols.index("point") + 1 : cols.index("n")]
    factors = [f for f in factors if f in points]
    kpis = [c[: -len(".mean")] for c in cols if c.endswith(".mean")]
    rows = records(points)
    headline = [k for k in HEADLINE_KPIS if k in kpis] or kpis[:6]
    all_zero = [k for k in headline if all(r.get(f"{k}.mean") in (0, 0.0) for r in rows)]
    headline = [k for k in headline if k not in all_zero]
    base = spec.get("base_scenario") or spec.get("scenario") or spec.get("base") or {}
    base_name = base.get("name") if isinstance(base, dict) else base
    name = spec.get("name") or base_name or sweep_dir.name
    design = spec.get("design", "?")
    reps = spec.get("replications", "?")
    held = sorted({n for n in points.get("n", []) if isinstance(n, int)})
    stale = isinstance(reps, int) and any(n < reps for n in held)  # more with target_ci is normal
    title = f"swapsim sweep: {name}"
    lead = (
        f"{len(rows)} point(s), {design} design over {', '.join(factors) or 'no factor'}; "
        f"{reps} replication(s) per point; root seed {spec.get('seed', spec.get('root_seed', '?'))}. "
        f"Cells show the mean over replications ± the half-width of its 95 % confidence interval "
        f"(Student t)."
    )
    subtitle = [lead]
    if stale:
        subtitle.append(
            f"Note: sweep.json plans {reps} replication(s) per point but the tables hold "
            f"{', '.join(map(str, held))} (failed runs, or an interrupted resume); "
            f"`swapsim sweep {sweep_dir} --resume` completes them and rebuilds the tables."
        )
    sections: list[tuple[str, str, str]] = []

    header = ["point", *factors, "n", *[short_label(k) for k in headline]]
    table_rows = []
    for r in rows:
        table_rows.append(
            [
                str(r.get("point", "")),
                *[fmt_value(f, r.get(f)) for f in factors],
                fmt_value("", r.get("n")),
                *[fmt_mean_ci(k, r.get(f"{k}.mean"), r.get(f"{k}.ci95")) for k in headline],
            ]
        )
    caption = (
        "One row per parameter point, after warm-up; n = replications. "
        + (
            "Task wait: from a task's arrival to a robot setting off to do it. "
            if any(k.startswith("tasks.") for k in headline)
            else ""
        )
        + "Utilisation: share of on-duty "
        "robot time spent working; wait: from arrival at a station to the start of the swap; stock-outs: "
        "swaps that found no green pack; strandings: robots with both packs empty."
        + "".join(f" {short_label(k).capitalize()}: 0 at every point (column left out)." for k in all_zero)
        + " Full table: points.csv; every replication: runs.csv."
    )
    sections.append(
        (
            "points",
            "Points",
            '<section id="points"><h2>Points</h2>'
            + html_table(header, table_rows, caption=caption, classes="wide")
            + "</section>",
        )
    )

    figures, note = ensure_figures(sweep_dir, "sweep", redraw)
    sections.append(
        ("figures", "Figures", figures_section(ordered_figures(figures, []), sweep_captions(figures, factors), note))
    )

    long_rows = []
    for r in rows:
        label = ", ".join(f"{f} = {fmt_value(f, r.get(f))}" for f in factors) or str(r.get("point", ""))
        for k in kpis:
            cell = fmt_mean_ci(k, r.get(f"{k}.mean"), r.get(f"{k}.ci95"))
            long_rows.append([str(r.get("point", "")), label, k, cell, fmt_value(k, r.get(f"{k}.sd"))])
    sections.append(
        (
            "all-kpis",
            "All KPIs",
            '<section id="all-kpis"><h2>All KPIs by point</h2><details><summary>'
            f"Show all {len(kpis)} KPIs for each of the {len(rows)} points</summary>"
            + html_table(["point", "parameters", "KPI", "mean ± ci95", "sd"], long_rows)
            + "</details>"
            '<p class="print-only note">Every KPI of every point: points.csv (not printed).</p>'
            "</section>",
        )
    )

    runs_note = ""
    if (sweep_dir / "runs.csv").exists():
        runs = read_table(sweep_dir / "runs.csv")
        n_runs = len(next(iter(runs.values()), []))
        wall = sum(v for v in runs.get("wall_time_s", []) if isinstance(v, (int, float)))
        runs_note = f"runs.csv holds {n_runs} run(s), {wall:.1f} s of simulation wall time in total."
    yaml_files = sorted(p for p in sweep_dir.glob("*.yaml") if regular_file(p))  # never through a link
    if yaml_files:
        sections.append(
            (
                "scenario",
                "Scenario",
                yaml_section("scenario", "Scenario", yaml_files, "Scenario files saved with the sweep."),
            )
        )
    sections.append(
        (
            "manifest",
            "Sweep spec",
            '<section id="manifest"><h2>Sweep specification</h2>'
            "<p>The resolved sweep, as saved in sweep.json. " + escape(runs_note) + "</p>"
            f"<pre>{escape(json.dumps(spec, indent=2))}</pre></section>",
        )
    )
    return title, subtitle, sections


def sweep_captions(figures: dict[str, Any], factors: list[str]) -> dict[str, str]:
    """A caption for each sweep figure, from its file name (``sweep_<kpi>``, ``heatmap_<kpi>``): the
    KPI's glossary label, not its key with the underscores read as spaces."""
    over = " and ".join(factors) or "the parameters"
    out = {}
    for stem in figures:
        kind, _, kpi = stem.partition("_")
        if kind == "sweep" and kpi:
            out[stem] = f"{kpi_label(kpi)} against {over}: mean over replications with its 95 % interval."
        elif kind == "heatmap" and kpi:
            out[stem] = f"{kpi_label(kpi)} over two parameters: each cell's mean and 95 % half-width."
    return out


# -- compare -----------------------------------------------------------------------------------------

_RUN_EXTRAS: tuple[str, ...] = ("swaps.wait_min.p95", "swaps.stockouts", "fleet.strandings", "energy.grid_kwh")


def _compare_sections(cmp_dir: Path, redraw: bool) -> tuple[str, list[str], list[tuple[str, str, str]]]:
    spec = read_json(cmp_dir / "compare.json")
    table = read_table(cmp_dir / "compare.csv")
    if "strategy" not in table:
        raise ResultsError(f"{cmp_dir / 'compare.csv'}: no 'strategy' column")
    strategies = [str(s) for s in table["strategy"]]
    metrics = [c for c in table if c != "strategy"]
    scenario = spec.get("scenario")
    sc_name = scenario.get("name") if isinstance(scenario, dict) else scenario
    title = f"swapsim comparison: {sc_name or cmp_dir.name}"
    lead = (
        f"{len(strategies)} strategies on the same scenario with the same seed "
        f"({spec.get('seed', '?')}), so they see the same random work (common random numbers)."
    )
    subtitle = [lead]
    from swapsim.metrics import ROBOT_STATES
    from swapsim.output.style import STATE_COLOURS

    known_states = set(ROBOT_STATES) | set(STATE_COLOURS)
    state_cols = [c for c in metrics if c in known_states]

    def label(col: str) -> str:
        return kpi_label(col)

    def value(col: str, v: Any) -> str:
        return fmt_value("x_fraction" if col in state_cols and isinstance(v, float) else col, v)

    rows, classes = [], []
    for c in metrics:
        rows.append([label(c), *[value(c, v) for v in table[c]]])
        classes.append("sub" if c in state_cols else "")
    summaries = {}
    for s in strategies:
        path = cmp_dir / s / "summary.json"
        if path.is_file():
            try:
                summaries[s] = flatten({k: v for k, v in read_json(path).items() if k != "manifest"})
            except ResultsError:
                pass
    shown = {r[0] for r in rows}
    for key in _RUN_EXTRAS:
        if kpi_label(key) in shown:  # compare.csv has it already
            continue
        if summaries and any(key in f for f in summaries.values()):
            rows.append([kpi_label(key), *[fmt_value(key, summaries.get(s, {}).get(key)) for s in strategies]])
            classes.append("")
    sections = [
        (
            "table",
            "Side by side",
            '<section id="table"><h2>Strategies side by side</h2>'
            + html_table(
                ["KPI", *[strategy_name(k) for k in strategies]],
                rows,
                row_classes=classes,
                caption="After warm-up. Rows from compare.csv; the last rows from each strategy's own run directory.",
            )
            + "</section>",
        )
    ]
    if (cmp_dir / "compare_paired.json").is_file():
        sections.append(("replications", "Replications", _paired_section(read_json(cmp_dir / "compare_paired.json"))))

    figures, note = ensure_figures(cmp_dir, "compare", redraw)
    sections.append(("figures", "Figures", figures_section(ordered_figures(figures, []), {}, note)))

    manifests = {}
    for s in strategies:
        path = cmp_dir / s / "summary.json"
        if path.is_file():
            try:
                manifests[s] = read_json(path).get("manifest", {})
            except ResultsError:
                pass
    with_yaml = [s for s in strategies if regular_file(cmp_dir / s / "scenario.resolved.yaml", cmp_dir)]
    if with_yaml:
        import difflib

        texts = {s: guarded_text(cmp_dir / s / "scenario.resolved.yaml", cmp_dir, MAX_FILE_BYTES) for s in with_yaml}
        first = with_yaml[0]
        out = [
            '<section id="scenario"><h2>Resolved scenarios</h2>',
            f"<p>The scenario of strategy <b>{escape(first)}</b> with every default filled in; below it, "
            "how each other strategy's scenario differs from it (unified diff).</p>",
            f"<h3>{escape(first)}/scenario.resolved.yaml</h3><pre>{escape(texts[first])}</pre>",
        ]
        for s in with_yaml[1:]:
            diff = "".join(
                difflib.unified_diff(
                    texts[first].splitlines(keepends=True),
                    texts[s].splitlines(keepends=True),
                    fromfile=f"{first}/scenario.resolved.yaml",
                    tofile=f"{s}/scenario.resolved.yaml",
                    n=2,
                )
            )
            out.append(f"<h3>{escape(s)}: differences</h3><pre>{escape(diff or '(identical)')}</pre>")
        out.append("</section>")
        sections.append(("scenario", "Scenario", "\n".join(out)))
    man = [
        '<section id="manifest"><h2>Manifest</h2><p>The comparison, as saved in compare.json:</p>',
        f"<pre>{escape(json.dumps(spec, indent=2))}</pre>",
    ]
    if manifests:
        keys = list(dict.fromkeys(k for m in manifests.values() for k in m))
        man.append(
            html_table(
                ["manifest field", *[strategy_name(k) for k in manifests]],
                [[k, *[fmt_value(k, m.get(k)) for m in manifests.values()]] for k in keys],
                caption="Each strategy's run manifest.",
            )
        )
    man.append("</section>")
    sections.append(("manifest", "Manifest", "\n".join(man)))
    return title, subtitle, sections


def _paired_section(paired: dict[str, Any]) -> str:
    """The replicated comparison (compare_paired.json): each strategy's mean ± 95 % half-width per KPI,
    and the paired differences against the first strategy, as ``swapsim compare -r N`` prints them."""
    rows_in = [r for r in paired.get("rows") or [] if isinstance(r, dict)]
    means = [r for r in rows_in if r.get("kind") == "mean"]
    strategies = list(dict.fromkeys(str(r.get("strategy")) for r in means))
    kpis = list(dict.fromkeys(str(r.get("kpi")) for r in rows_in))

    def cell(r: dict[str, Any] | None, kpi: str) -> str:
        if r is None:
            return "n/a"
        return fmt_mean_ci(_paired_key(kpi), r.get("mean"), r.get("half_width"))

    table = [
        [
            _paired_label(kpi, rows_in),
            *[
                cell(next((r for r in means if r.get("kpi") == kpi and r.get("strategy") == s), None), kpi)
                for s in strategies
            ],
        ]
        for kpi in kpis
    ]
    diffs = [
        [
            f"{strategy_name(str(r.get('strategy')))} − {strategy_name(str(r.get('vs')))}",
            _paired_label(str(r.get("kpi")), rows_in),
            cell(r, str(r.get("kpi"))),
            "yes" if r.get("significant") else "no",
        ]
        for r in rows_in
        if r.get("kind") == "difference"
    ]
    n = paired.get("replications", "?")
    out = [
        f'<section id="replications"><h2>Over {escape(str(n))} replications</h2>',
        html_table(
            ["KPI", *[strategy_name(k) for k in strategies]],
            table,
            caption=f"Mean over {n} replications ± the half-width of its 95 % confidence interval (Student t); "
            "replication r runs every strategy with the same seed (compare_paired.csv). Utilisation: share "
            "of on-duty robot time spent working; station wait: the swap wait, or for plug-in the dock wait.",
        ),
    ]
    if diffs:
        out.append(
            html_table(
                ["difference", "KPI", "mean ± 95 % interval", "significant"],
                diffs,
                caption="Paired differences against the first strategy (common random numbers): significant "
                "when the interval excludes zero.",
            )
        )
    out.append("</section>")
    return "\n".join(out)


def _paired_key(kpi: str) -> str:
    """The glossary key of a compare_paired.csv KPI (its own station wait has none)."""
    return "swaps.wait_min.mean" if kpi == "station_wait_min" else kpi


def _paired_label(kpi: str, rows: list[dict[str, Any]]) -> str:
    if kpi == "station_wait_min":
        return "station wait, mean (swap or dock) (min)"
    label = kpi_label(kpi)
    return label if label != kpi else str(next((r.get("label") for r in rows if r.get("kpi") == kpi), kpi))


# -- entry points ------------------------------------------------------------------------------------

_BUILDERS = {"run": run_sections, "sweep": _sweep_sections, "compare": _compare_sections}


def build_report(results_dir: Path, redraw: bool = False) -> str:
    """The report page of ``results_dir`` as an HTML string (may draw missing figures into the directory).

    Raises:
        swapsim.results.ResultsError: not a results directory, or a file it needs is missing or unreadable.
    """
    results_dir = Path(results_dir)
    if os.path.lexists(results_dir / "size.json") and os.path.lexists(results_dir / "size.csv"):  # swapsim size
        from swapsim.output.report_size import size_sections

        return html_page(*size_sections(results_dir, redraw), results_dir)
    kind = check_results_dir(results_dir)
    title, subtitle, sections = _BUILDERS[kind](results_dir, redraw)
    return html_page(title, subtitle, sections, results_dir)


def write_report(results_dir: Path, redraw: bool = False) -> Path:
    """Write ``results_dir/report.html`` from the saved results (never simulates); returns its path.

    Args:
        results_dir: a run, sweep or comparison directory.
        redraw: redraw the figures (PNG) before embedding them, even when figure files exist.
    """
    from swapsim.results import owned_file

    results_dir = Path(results_dir)
    page = build_report(results_dir, redraw=redraw)
    path = results_dir / REPORT_NAME
    with owned_file(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path
