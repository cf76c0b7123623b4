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

This module holds what each kind of results shows (labels, captions, the sections of a run, sweep and
comparison page) and the entry points; :mod:`swapsim.output.report_tables` formats values and tables,
:mod:`swapsim.output.report_html` embeds figures and wraps the page.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from swapsim.io import ResultsError, check_results_dir, flatten
from swapsim.output.report_html import (
    ensure_figures, figures_section, html_page, ordered_figures, scenario_description, yaml_section,
)
from swapsim.output.report_tables import (
    fmt_hours, fmt_mean_ci, fmt_number, fmt_value, html_table, kv_table, read_json, read_table, records,
)

__all__ = ["write_report", "build_report", "REPORT_NAME"]

REPORT_NAME = "report.html"

RUN_FIGURE_CAPTIONS: dict[str, str] = {
    "fleet_state": "Robots in each state over the whole run (warm-up shaded, not in the KPIs). The lower "
                   "panel zooms on the robots that are not working, stacked by state.",
    "robot_breakdown": "Each robot's share of time in each state after warm-up, robots sorted by "
                       "utilisation; the dashed line is the fleet utilisation.",
    "stations": "Per swap station over time: busy swap positions (dashed: positions installed), robots "
                "queueing for a position, and green packs ready in the bays (dashed: bays installed).",
    "swap_waits": "Wait from a robot's arrival at a station to the start of its swap (queue for a position "
                  "plus any wait for a green pack), after warm-up: histogram of the waits above zero and "
                  "empirical cumulative distribution; p95 and mean marked.",
    "pack_health": "Health of the packs in service (share of rated capacity): mean, 10th percentile, range; "
                   "warning and retire thresholds; each alert at the health the station estimated. Below: "
                   "packs retired, quarantined and spare packs in stock.",
    "monthly": "Month by month (30-day months): utilisation, time on swap trips and queueing, swaps per "
               "robot per day and mean pack health.",
}
"""Captions of the run figures this version draws, in the order the report shows them; figures added
by later versions (or other figure files in the directory) follow, captioned by their file name."""

KPI_LABELS: dict[str, str] = {
    "fleet.utilisation": "fleet utilisation (working / on duty)",
    "fleet.strandings": "strandings (both packs empty)",
    "fleet.robots": "robots",
    "swaps.count": "swaps",
    "swaps.per_robot_per_day": "swaps per robot per day",
    "swaps.stockouts": "stock-outs (no green pack on arrival)",
    "swaps.wait_min.mean": "swap wait, mean (min)",
    "swaps.wait_min.p95": "swap wait, p95 (min)",
    "swaps.wait_min.max": "swap wait, max (min)",
    "energy.grid_kwh": "grid energy (kWh)",
    "energy.stations_kwh": "grid energy at stations (kWh)",
    "energy.rescue_kwh": "grid energy for rescues (kWh)",
    "utilisation": "fleet utilisation (working / on duty)",
    "tasks_done": "tasks done",
    "swaps_per_robot_per_day": "swaps per robot per day",
    "wait_min_mean": "swap wait, mean (min)",
}
"""Readable labels, with units, for the KPIs a reader looks at first (dotted keys of summary.json, or
column names of compare.csv). Any other KPI is shown under its dotted key."""

SHORT_LABELS: dict[str, str] = {
    "fleet.utilisation": "utilisation",
    "swaps.per_robot_per_day": "swaps / robot / day",
    "swaps.wait_min.mean": "wait, mean (min)",
    "swaps.wait_min.p95": "wait, p95 (min)",
    "swaps.stockouts": "stock-outs",
    "fleet.strandings": "strandings",
    "energy.grid_kwh": "grid (kWh)",
}
"""Column headers of the sweep points table (explained in its caption)."""

HEADLINE_KPIS: tuple[str, ...] = (
    "fleet.utilisation", "swaps.per_robot_per_day", "swaps.wait_min.mean", "swaps.wait_min.p95",
    "swaps.stockouts", "fleet.strandings", "energy.grid_kwh",
)
"""KPIs of the sweep points table (when the sweep recorded them)."""

_STATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("swaps", "swaps"),
    ("swap_utilisation", "swap positions busy"),
    ("mean_queue_length", "mean queue (robots)"),
    ("max_queue_length", "max queue (robots)"),
    ("max_busy_positions", "max busy positions"),
    ("charged_packs_mean", "mean green packs"),
    ("stockouts", "stock-outs"),
    ("grid_kwh", "grid energy (kWh)"),
)


# -- run ---------------------------------------------------------------------------------------------

def _run_headline(summary: dict[str, Any]) -> list[tuple[str, str]]:
    fleet = summary.get("fleet", {})
    swaps = summary.get("swaps", {})
    wait = swaps.get("wait_min", {})
    rows = [
        ("fleet utilisation (working / on duty)", fmt_value("fleet.utilisation", fleet.get("utilisation"))),
        ("robots", fmt_value("", fleet.get("robots"))),
        ("swaps", fmt_value("", swaps.get("count"))),
        ("swaps per robot per day", fmt_value("", swaps.get("per_robot_per_day"))),
        ("swap wait, mean / p95 / max (min)",
         " / ".join(fmt_value("", wait.get(k)) for k in ("mean", "p95", "max"))),
        ("stock-outs (no green pack on arrival)", fmt_value("", swaps.get("stockouts"))),
        ("strandings (both packs empty)", fmt_value("", fleet.get("strandings"))),
    ]
    energy = summary.get("energy", {})
    if energy:
        rows.append(("grid energy, stations + rescues (kWh)",
                     f"{fmt_value('', energy.get('grid_kwh'))} "
                     f"({fmt_value('', energy.get('stations_kwh'))} + {fmt_value('', energy.get('rescue_kwh'))})"))
    return rows


def _state_rows(summary: dict[str, Any], robots: dict[str, list] | None) -> list[tuple[str, str, str]]:
    fractions = summary.get("fleet", {}).get("state_fraction", {})
    rows = []
    for state, frac in fractions.items():
        hours = sum(robots.get(f"{state}_h", []) or [0]) if robots else None
        rows.append((state, fmt_value("x_fraction", frac), fmt_number(float(hours)) if hours is not None else "–"))
    return rows


MAX_ROBOT_ROWS = 40
"""Larger fleets get a distribution summary instead of one row per robot (robots.csv has them all)."""


def _robots_section(robots: dict[str, list]) -> str:
    states = [c[: -len("_fraction")] for c in robots if c.endswith("_fraction")]
    others = [s for s in states if s != "working"]
    rows_in = records(robots)
    out = ['<section id="robots"><h2>Robots</h2>']
    if len(rows_in) <= MAX_ROBOT_ROWS:
        header = ["robot", "utilisation", *[f"{s}" for s in others], "swaps", "strandings"]
        rows = [[str(r["robot"]), fmt_value("utilisation", r.get("utilisation")),
                 *[fmt_value("x_fraction", r.get(f"{s}_fraction")) for s in others],
                 fmt_value("", r.get("swaps")), fmt_value("", r.get("strandings"))] for r in rows_in]
        out.append(html_table(header, rows, caption="Each robot's share of time in each state after warm-up, its "
                                                "swaps and strandings (robots.csv)."))
    else:
        import numpy as np

        qs = (("min", 0.0), ("p10", 0.1), ("median", 0.5), ("p90", 0.9), ("max", 1.0))
        cols = [("utilisation", "utilisation"), *[(f"{s}_fraction", s) for s in others], ("swaps", "swaps"),
                ("strandings", "strandings")]
        rows = []
        for key, lab in cols:
            values = np.asarray([v for v in robots.get(key, []) if isinstance(v, (int, float))], dtype=float)
            if values.size:
                fmt_key = "x_fraction" if key.endswith("_fraction") or key == "utilisation" else key
                rows.append([lab, *[fmt_value(fmt_key, float(np.quantile(values, q))) for _, q in qs]])
        out.append(html_table(["per robot", *[q for q, _ in qs]], rows,
                              caption=f"Spread over the {len(rows_in)} robots (one row per robot in robots.csv)."))
    out.append("</section>")
    return "\n".join(out)


def _run_sections(run_dir: Path, redraw: bool) -> tuple[str, list[str], list[tuple[str, str, str]]]:
    summary = read_json(run_dir / "summary.json")
    man = summary.get("manifest", {})
    robots = read_table(run_dir / "robots.csv") if (run_dir / "robots.csv").exists() else None
    scenario_path = run_dir / "scenario.resolved.yaml"
    description = scenario_description(scenario_path) if scenario_path.exists() else ""
    fleet = summary.get("fleet", {})
    title = f"swapsim run: {man.get('scenario', run_dir.name)}"
    subtitle = (f"{fleet.get('robots', '?')} robots, {len(summary.get('stations', []))} swap station(s); "
                f"KPIs over {fmt_hours((man.get('horizon_h') or 0) - (man.get('warmup_h') or 0))} after "
                f"{fmt_hours(man.get('warmup_h'))} of warm-up; seed {man.get('seed', '?')}.")
    subtitle = [description, subtitle]
    sections: list[tuple[str, str, str]] = []

    kpi = ['<section id="kpis"><h2>Headline KPIs</h2>',
           html_table(["KPI", "value"], _run_headline(summary),
                      caption="After warm-up. Utilisation is the share of on-duty robot time spent working.")]
    kpi.append("<h3>Where the robots' time goes</h3>")
    kpi.append(html_table(["state", "share of robot time", "robot-hours"], _state_rows(summary, robots),
                          caption="Share of all robots' time after warm-up in each state, and the robot-hours it adds "
                                  "up to."))
    kpi.append("</section>")
    sections.append(("kpis", "KPIs", "\n".join(kpi)))

    stations = summary.get("stations", [])
    if stations:
        keys = [k for k, _ in _STATION_COLUMNS if any(k in st for st in stations)]
        extra = sorted({k for st in stations for k in st if k != "name" and k not in dict(_STATION_COLUMNS)})
        header = ["station", *[dict(_STATION_COLUMNS)[k] for k in keys], *extra]
        rows = [[st.get("name", "?"), *[fmt_value(k, st.get(k)) for k in keys + extra]] for st in stations]
        caption = ("After warm-up. Swap positions busy: share of the time the positions are occupied by a swap; "
                   "green packs: charged packs ready in the bays.")
        sections.append(("stations", "Stations", '<section id="stations"><h2>Swap stations</h2>'
                         + html_table(header, rows, caption=caption) + "</section>"))

    packs = summary.get("packs")
    if isinstance(packs, dict) and packs:
        flat = flatten(packs)
        sections.append(("packs", "Packs", '<section id="packs"><h2>Battery packs</h2>' + html_table(
            ["where", "packs"], [(k if k == "total" else f"in {k}".replace("in in_", "in "), fmt_value(k, v))
                                 for k, v in flat.items()],
            caption="Where the packs are at the horizon (total = in robots + in bays + elsewhere).") +
            "</section>"))

    if isinstance(summary.get("costs"), dict):  # the scenario has a costs: section (swapsim.sizing.costs)
        from swapsim.sizing.report_html import cost_rows
        sections.append(("costs", "Costs", '<section id="costs"><h2>Costs per year</h2>' + html_table(
            ["item", "per year"], cost_rows(summary["costs"]),
            caption="From the scenario's costs: section, scaled to a 365-day year (docs/sizing.md).") + "</section>"))

    figures, note = ensure_figures(run_dir, "run", redraw)
    sections.append(("figures", "Figures", figures_section(
        ordered_figures(figures, list(RUN_FIGURE_CAPTIONS)), RUN_FIGURE_CAPTIONS, note)))

    if robots and "robot" in robots:
        sections.append(("robots", "Robots", _robots_section(robots)))

    flat = flatten({k: v for k, v in summary.items() if k != "manifest"})
    sections.append(("all-kpis", "All KPIs", '<section id="all-kpis"><h2>All KPIs</h2>' + html_table(
        ["KPI (dotted key in summary.json)", "value"], [(k, fmt_value(k, v)) for k, v in flat.items()],
        caption="Every KPI of the run, after warm-up, under its dotted key (the column names of sweep tables).")
        + "</section>"))
    sections.append(("scenario", "Scenario", yaml_section(
        "scenario", "Resolved scenario", [scenario_path] if scenario_path.exists() else [],
        "The scenario with every default filled in: <code>swapsim run scenario.resolved.yaml --seed "
        f"{escape(str(man.get('seed', 'SEED')))}</code> reproduces this run.")))
    sections.append(("manifest", "Manifest", '<section id="manifest"><h2>Manifest</h2>' + kv_table(
        {k: (f"{v:.2f} s" if k == "wall_time_s" and isinstance(v, float) else v) for k, v in man.items()},
        caption="What produced these results: versions, scenario, seed, horizon and warm-up (hours), wall time.")
        + "</section>"))
    return title, subtitle, sections


# -- sweep -------------------------------------------------------------------------------------------

def _sweep_sections(sweep_dir: Path, redraw: bool) -> tuple[str, list[str], list[tuple[str, str, str]]]:
    spec = read_json(sweep_dir / "sweep.json")
    points = read_table(sweep_dir / "points.csv")
    cols = list(points)
    factors = list((spec.get("factors") or {}).keys()) if isinstance(spec.get("factors"), dict) else []
    if not factors and "point" in cols and "n" in cols:
        factors = cols[cols.index("point") + 1: cols.index("n")]
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
    title = f"swapsim sweep: {name}"
    subtitle = (f"{len(rows)} point(s), {design} design over {', '.join(factors) or 'no factor'}; "
                f"{reps} replication(s) per point; root seed {spec.get('seed', spec.get('root_seed', '?'))}. "
                f"Cells show the mean over replications ± the half-width of its 95 % confidence interval "
                f"(Student t).")
    subtitle = [subtitle]
    sections: list[tuple[str, str, str]] = []

    header = ["point", *factors, "n", *[SHORT_LABELS.get(k, k) for k in headline]]
    table_rows = []
    for r in rows:
        table_rows.append([str(r.get("point", "")), *[fmt_value(f, r.get(f)) for f in factors],
                           fmt_value("", r.get("n")),
                           *[fmt_mean_ci(k, r.get(f"{k}.mean"), r.get(f"{k}.ci95")) for k in headline]])
    caption = ("One row per parameter point, after warm-up; n = replications. Utilisation: share of on-duty "
               "robot time spent working; wait: from arrival at a station to the start of the swap; stock-outs: "
               "swaps that found no green pack; strandings: robots with both packs empty."
               + "".join(f" {SHORT_LABELS.get(k, k).capitalize()}: 0 at every point (column left out)."
                         for k in all_zero)
               + " Full table: points.csv; every replication: runs.csv.")
    sections.append(("points", "Points", '<section id="points"><h2>Points</h2>'
                     + html_table(header, table_rows, caption=caption) + "</section>"))

    figures, note = ensure_figures(sweep_dir, "sweep", redraw)
    sections.append(("figures", "Figures", figures_section(ordered_figures(figures, []), {}, note)))

    long_rows = []
    for r in rows:
        label = ", ".join(f"{f} = {fmt_value(f, r.get(f))}" for f in factors) or str(r.get("point", ""))
        for k in kpis:
            cell = fmt_mean_ci(k, r.get(f"{k}.mean"), r.get(f"{k}.ci95"))
            long_rows.append([str(r.get("point", "")), label, k, cell, fmt_value(k, r.get(f"{k}.sd"))])
    sections.append(("all-kpis", "All KPIs", '<section id="all-kpis"><h2>All KPIs by point</h2><details><summary>'
                     f"Show all {len(kpis)} KPIs for each of the {len(rows)} points</summary>" + html_table(
                         ["point", "parameters", "KPI", "mean ± ci95", "sd"], long_rows) + "</details>"
                     '<p class="print-only note">Every KPI of every point: points.csv (not printed).</p>'
                     "</section>"))

    runs_note = ""
    if (sweep_dir / "runs.csv").exists():
        runs = read_table(sweep_dir / "runs.csv")
        n_runs = len(next(iter(runs.values()), []))
        wall = sum(v for v in runs.get("wall_time_s", []) if isinstance(v, (int, float)))
        runs_note = f"runs.csv holds {n_runs} run(s), {wall:.1f} s of simulation wall time in total."
    yaml_files = sorted(p for p in sweep_dir.glob("*.yaml") if p.is_file())
    if yaml_files:
        sections.append(("scenario", "Scenario", yaml_section(
            "scenario", "Scenario", yaml_files, "Scenario files saved with the sweep.")))
    sections.append(("manifest", "Sweep spec", '<section id="manifest"><h2>Sweep specification</h2>'
                     "<p>The resolved sweep, as saved in sweep.json. " + escape(runs_note) + "</p>"
                     f"<pre>{escape(json.dumps(spec, indent=2))}</pre></section>"))
    return title, subtitle, sections


# -- compare -----------------------------------------------------------------------------------------

_RUN_EXTRAS: tuple[tuple[str, str], ...] = (
    ("swaps.wait_min.p95", "swap wait, p95 (min)"),
    ("swaps.stockouts", "stock-outs (no green pack on arrival)"),
    ("fleet.strandings", "strandings (both packs empty)"),
    ("energy.grid_kwh", "grid energy (kWh)"),
)


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
    subtitle = (f"{len(strategies)} strategies on the same scenario with the same seed "
                f"({spec.get('seed', '?')}), so they see the same random work (common random numbers).")
    subtitle = [subtitle]
    from swapsim.metrics import ROBOT_STATES
    from swapsim.output.style import STATE_COLOURS

    known_states = set(ROBOT_STATES) | set(STATE_COLOURS)
    state_cols = [c for c in metrics if c in known_states]

    def label(col: str) -> str:
        return KPI_LABELS.get(col, f"share of time {col}" if col in state_cols else col)

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
    for key, lab in _RUN_EXTRAS:
        if summaries and any(key in f for f in summaries.values()):
            rows.append([lab, *[fmt_value(key, summaries.get(s, {}).get(key)) for s in strategies]])
            classes.append("")
    sections = [("table", "Side by side", '<section id="table"><h2>Strategies side by side</h2>' + html_table(
        ["KPI", *strategies], rows, row_classes=classes,
        caption="After warm-up. Rows from compare.csv; the last rows from each strategy's own run directory.")
        + "</section>")]

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
    with_yaml = [s for s in strategies if (cmp_dir / s / "scenario.resolved.yaml").is_file()]
    if with_yaml:
        import difflib

        texts = {s: (cmp_dir / s / "scenario.resolved.yaml").read_text(encoding="utf-8") for s in with_yaml}
        first = with_yaml[0]
        out = ['<section id="scenario"><h2>Resolved scenarios</h2>',
               f"<p>The scenario of strategy <b>{escape(first)}</b> with every default filled in; below it, "
               "how each other strategy's scenario differs from it (unified diff).</p>",
               f"<h3>{escape(first)}/scenario.resolved.yaml</h3><pre>{escape(texts[first])}</pre>"]
        for s in with_yaml[1:]:
            diff = "".join(difflib.unified_diff(
                texts[first].splitlines(keepends=True), texts[s].splitlines(keepends=True),
                fromfile=f"{first}/scenario.resolved.yaml", tofile=f"{s}/scenario.resolved.yaml", n=2))
            out.append(f"<h3>{escape(s)}: differences</h3><pre>{escape(diff or '(identical)')}</pre>")
        out.append("</section>")
        sections.append(("scenario", "Scenario", "\n".join(out)))
    man = ['<section id="manifest"><h2>Manifest</h2><p>The comparison, as saved in compare.json:</p>',
           f"<pre>{escape(json.dumps(spec, indent=2))}</pre>"]
    if manifests:
        keys = list(dict.fromkeys(k for m in manifests.values() for k in m))
        man.append(html_table(["", *manifests], [[k, *[fmt_value(k, m.get(k)) for m in manifests.values()]]
                                                 for k in keys], caption="Each strategy's run manifest."))
    man.append("</section>")
    sections.append(("manifest", "Manifest", "\n".join(man)))
    return title, subtitle, sections


# -- entry points ------------------------------------------------------------------------------------

_BUILDERS = {"run": _run_sections, "sweep": _sweep_sections, "compare": _compare_sections}


def build_report(results_dir: Path, redraw: bool = False) -> str:
    """The report page of ``results_dir`` as an HTML string (may draw missing figures into the directory).

    Raises:
        swapsim.io.ResultsError: not a results directory, or a file it needs is missing or unreadable.
    """
    results_dir = Path(results_dir)
    if (results_dir / "size.json").is_file() and (results_dir / "size.csv").is_file():  # swapsim size
        from swapsim.sizing.report_html import size_sections
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
    results_dir = Path(results_dir)
    page = build_report(results_dir, redraw=redraw)
    path = results_dir / REPORT_NAME
    tmp = path.with_name(f".{REPORT_NAME}.partial")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
