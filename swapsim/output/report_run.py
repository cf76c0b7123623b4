"""The run page of the report: it answers before it lists.

At the top, the summary of :mod:`swapsim.output.findings` (is the work covered, where robot time goes,
what binds, what would change it), then the headline numbers, where the robots' time goes, tasks and
shifts (where the scenario has them), the stations, faults, packs and technicians, the figures, the
robots, every KPI, the resolved scenario and the manifest. Every label comes from the glossary
(:mod:`swapsim.metrics.glossary`), every caption says what a share is of, and every sum shows all
its parts.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from swapsim.metrics.glossary import NOT_APPLICABLE, ON_DUTY_STATES, STATE_WORDS, kpi_label, plural
from swapsim.output.findings import headline_rows, run_findings
from swapsim.output.report_html import (
    ensure_figures,
    figures_section,
    ordered_figures,
    scenario_description,
    yaml_section,
)
from swapsim.output.report_tables import (
    fmt_hours,
    fmt_number,
    fmt_value,
    html_table,
    kv_table,
    mark_not_applicable,
    read_json,
    read_table,
    records,
)
from swapsim.results import flatten

__all__ = ["RUN_FIGURE_CAPTIONS", "run_sections", "MAX_ROBOT_ROWS"]

RUN_FIGURE_CAPTIONS: dict[str, str] = {
    "fleet_state": "Robots in each state over the whole run (mean robots per bin; the hatched span is the "
    "warm-up, not in the KPIs). The lower panel zooms on the robots that are not working.",
    "stations": "Per swap station over time: busy swap positions, robots queueing and green packs ready in the "
    "bays. Lines are bin means; the band spans the smallest to the largest value within each bin; "
    "ticks under the green-pack panel mark bins with stock-outs (robots that found no green pack). "
    "Dashed: positions and bays installed.",
    "robot_breakdown": "Spread between robots after warm-up: each robot's utilisation minus the fleet's (percentage "
    "points of on-duty time), and each robot's share of on-duty time in every other state; "
    "robots far from the rest are named.",
    "swap_waits": "Wait from a robot's arrival at a station to the start of its swap (queue for a position "
    "plus any wait for a green pack), after warm-up: histogram of the waits above zero (share of "
    "all swaps) and empirical cumulative distribution; p95 and mean marked.",
    "pack_health": "Health of the packs in service (share of rated capacity; new packs hold a little more than "
    "rated, so health starts above 100 %): mean, 10th percentile, range; warning and retire "
    "thresholds; each alert at the health the station estimated. Below: packs retired, "
    "quarantined and new packs in stock.",
    "monthly": "Month by month (30-day months): utilisation (share of on-duty time), time on swap trips and "
    "queueing, swaps per robot per day and mean pack health.",
}
"""Captions of the run figures this version draws, in the order the report shows them; other figure
files in the directory follow, captioned by their file name."""

DOCK_CAPTION = (
    "Per station over time, for robots charging at docks (plug-in): busy charging docks and robots waiting "
    "for a dock. Lines are bin means; the band spans the smallest to the largest value within each bin. "
    "Dashed: docks installed."
)
"""The stations figure's caption for a plug-in run, which draws docks, not swap positions and packs."""

MAX_ROBOT_ROWS = 40
"""Larger fleets get a distribution summary instead of one row per robot (robots.csv has them all)."""


def _lead(text: str) -> str:
    """A finding as HTML, its lead phrase (up to the first colon) in bold."""
    head, sep, rest = text.partition(": ")
    return f"<b>{escape(head)}:</b> {escape(rest)}" if sep and len(head) < 40 else escape(text)


def _summary_section(run_dir: Path) -> str:
    findings = run_findings(run_dir)
    items = "".join(f'<li class="{f.level}">{_lead(f.text)}</li>' for f in findings)
    return (
        '<section id="summary"><h2>Summary</h2>'
        f'<ul class="findings">{items}</ul>'
        '<p class="caption">Computed from the saved files by stated rules (thresholds and wave detection: '
        'docs/figures-and-reports.md, "The run summary"); the same summary ends <code>swapsim run</code>. '
        "Shares of robot time are of on-duty time unless said otherwise.</p></section>"
    )


def _state_table(summary: dict[str, Any], robots: dict[str, list] | None) -> str:
    fleet = summary.get("fleet", {})
    fractions = fleet.get("state_fraction", {})
    rows: list[list[str]] = []
    total_h, total_f = 0.0, 0.0
    states: list[str] = [s for s in ON_DUTY_STATES if s in fractions] + [
        s for s in fractions if s not in ON_DUTY_STATES
    ]
    for state in states:
        frac = float(fractions[state])
        hours = float(sum(robots.get(f"{state}_h", []) or [0])) if robots else None
        total_h += hours or 0.0
        total_f += frac
        rows.append(
            [
                STATE_WORDS.get(state, state),
                fmt_value("x_fraction", frac),
                fmt_number(hours) if hours is not None else "–",
            ]
        )
    rows.append(["on duty, all states", fmt_value("x_fraction", total_f), fmt_number(total_h) if robots else "–"])
    classes = [""] * (len(rows) - 1) + ["total"]
    off = fleet.get("off_duty_fraction")
    caption = (
        "Share of on-duty robot time after warm-up in each state, and the robot-hours it adds up to; the "
        "shares add up to 100 % of on-duty time."
    )
    if off:
        off_h = float(sum(robots.get("off_duty_h", []) or [0])) if robots else None
        rows.append(
            [
                "off duty (parked between shifts)",
                f"{fmt_value('x_fraction', float(off))} of all time",
                fmt_number(off_h) if off_h is not None else "–",
            ]
        )
        classes.append("sub")
        caption += " Off duty is a share of all robot time (on duty + off duty)."
    return html_table(["state", "share of on-duty time", "robot-hours"], rows, caption=caption, row_classes=classes)


def _labelled(summary: dict[str, Any], section: str, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    flat = flatten({section: summary.get(section) or {}})
    return [(kpi_label(k), fmt_value(k, v)) for k, v in flat.items() if k.split(".", 1)[1] not in skip]


def _robots_section(robots: dict[str, list], docked: bool = False) -> str:
    states = [c[: -len("_fraction")] for c in robots if c.endswith("_fraction") and c != "off_duty_fraction"]
    others = [s for s in states if s != "working" and any(float(v or 0) > 0 for v in robots.get(f"{s}_fraction", []))]
    rows_in = records(robots)
    out = ['<section id="robots"><h2>Robots</h2>']
    caption = (
        "Each robot's utilisation and share of on-duty time in every other state after warm-up (states no "
        "robot was in are left out), its swaps and strandings (robots.csv)."
    )
    if len(rows_in) <= MAX_ROBOT_ROWS:
        header = ["robot", "utilisation", *others, "swaps", "strandings"]
        rows = [
            [
                str(r["robot"]),
                fmt_value("utilisation", r.get("utilisation")),
                *[fmt_value("x_fraction", r.get(f"{s}_fraction")) for s in others],
                NOT_APPLICABLE if docked else fmt_value("", r.get("swaps")),
                fmt_value("", r.get("strandings")),
            ]
            for r in rows_in
        ]
        out.append(html_table(header, rows, caption=caption, classes="wide"))
    else:
        qs = (("min", 0.0), ("p10", 0.1), ("median", 0.5), ("p90", 0.9), ("max", 1.0))
        cols = [
            ("utilisation", "utilisation"),
            *[(f"{s}_fraction", s) for s in others],
            ("swaps", "swaps"),
            ("strandings", "strandings"),
        ]
        rows = []
        for key, lab in cols:
            values = np.asarray([v for v in robots.get(key, []) if isinstance(v, (int, float))], dtype=float)
            if values.size:
                fmt_key = "x_fraction" if key.endswith("_fraction") or key == "utilisation" else key
                rows.append([lab, *[fmt_value(fmt_key, float(np.quantile(values, q))) for _, q in qs]])
        out.append(
            html_table(
                ["per robot", *[q for q, _ in qs]],
                rows,
                caption=f"Spread over the {len(rows_in)} robots: shares of each robot's on-duty "
                "time after warm-up (one row per robot in robots.csv).",
            )
        )
    out.append("</section>")
    return "\n".join(out)


_DOCK_HEADERS = {
    "swap_utilisation": "charging docks busy (% of the station's dock time)",
    "max_busy_positions": "charging docks busy, most (docks)",
}
"""A plug-in run's station columns that count docks, not swap positions."""


def _stations_section(stations: list[dict[str, Any]], docked: bool = False) -> str:
    keys = list(dict.fromkeys(k for st in stations for k in st if k != "name"))
    header = [
        "station",
        *[
            _DOCK_HEADERS[k] if docked and k in _DOCK_HEADERS else kpi_label(f"stations.*.{k}", with_station=False)
            for k in keys
        ],
    ]
    rows = [[st.get("name", "?"), *[fmt_value(k, st.get(k)) for k in keys]] for st in stations]
    caption = (
        "After warm-up. Robots charge at docks (plug-in): docks busy is the share of the station's dock time "
        "with a robot docked; swaps, stock-outs and green packs do not apply (n/a)."
        if docked
        else "After warm-up. Swap positions busy: share of the station's position time occupied by a swap; green "
        "packs: charged packs ready in the bays; stock-outs: swaps whose robot found no green pack."
    )
    return (
        f'<section id="stations"><h2>{"Charging stations" if docked else "Swap stations"}</h2>'
        + html_table(header, rows, caption=caption, classes="wide")
        + "</section>"
    )


def _manifest_value(key: str, value: Any) -> Any:
    if key == "wall_time_s" and isinstance(value, float):
        return f"{value:.2f} s"
    if key == "overrides":
        return "; ".join(map(str, value)) if value else "none"
    return value


def run_sections(run_dir: Path, redraw: bool) -> tuple[str, list[str], list[tuple[str, str, str]]]:
    """Title, subtitle paragraphs and (anchor, nav label, html) sections of a run's page."""
    summary = mark_not_applicable(read_json(run_dir / "summary.json"))
    man = summary.get("manifest", {})
    robots = read_table(run_dir / "robots.csv") if (run_dir / "robots.csv").exists() else None
    scenario_path = run_dir / "scenario.resolved.yaml"
    description = scenario_description(scenario_path) if scenario_path.exists() else ""
    fleet = summary.get("fleet", {})
    docked = man.get("strategy") == "plug_in"
    title = f"swapsim run: {man.get('scenario', run_dir.name)}"
    subtitle = [
        description,
        (
            f"{plural(int(fleet.get('robots') or 0), 'robot')}, "
            f"{plural(len(summary.get('stations', [])), 'dock station' if docked else 'swap station')}; KPIs over "
            f"{fmt_hours((man.get('horizon_h') or 0) - (man.get('warmup_h') or 0))} after "
            f"{fmt_hours(man.get('warmup_h'))} of warm-up; seed {man.get('seed', '?')}."
        ),
    ]
    overrides = man.get("overrides") or []
    if overrides:
        subtitle.append(
            f"Run with {plural(len(overrides), 'change')} to {man.get('scenario_file') or 'the scenario file'}: "
            + ", ".join(f"--set {o}" for o in overrides)
            + " (the description above is the file's; the resolved scenario below has every change)."
        )
    sections: list[tuple[str, str, str]] = [("summary", "Summary", _summary_section(run_dir))]

    kpi = [
        '<section id="kpis"><h2>Headline numbers</h2>',
        html_table(
            ["KPI", "value"],
            headline_rows(summary),
            caption="After warm-up. Utilisation: share of on-duty robot time spent working. Grid energy "
            "adds up its parts: charging at the stations, rescues of stranded robots and "
            "charging while parked off duty.",
        ),
        "<h3>Where the robots' time goes</h3>",
        _state_table(summary, robots),
    ]
    if summary.get("tasks"):
        kpi += [
            "<h3>Tasks</h3>",
            html_table(
                ["KPI", "value"],
                _labelled(summary, "tasks"),
                caption=(
                    "After warm-up. Task wait: from a task's arrival to a robot setting off to do it; backlog: tasks "
                    "waiting for a robot."
                ),
            ),
        ]
    if fleet.get("off_duty_fraction"):
        kpi += [
            "<h3>Shifts</h3>",
            html_table(
                ["KPI", "value"],
                [
                    (kpi_label("fleet.on_duty_mean"), fmt_value("", fleet.get("on_duty_mean"))),
                    (
                        kpi_label("fleet.off_duty_fraction"),
                        fmt_value("fleet.off_duty_fraction", fleet.get("off_duty_fraction")),
                    ),
                ],
                caption="Robots work shifts: the mean number on duty, and off-duty time as a share of all robot time.",
            ),
        ]
    kpi.append("</section>")
    sections.append(("kpis", "Numbers", "\n".join(kpi)))

    if summary.get("stations"):
        sections.append(("stations", "Stations", _stations_section(summary["stations"], docked)))
    faults = summary.get("faults") or {}
    if any(v for v in faults.values()):
        sections.append(
            (
                "faults",
                "Faults",
                '<section id="faults"><h2>Faults</h2>'
                + html_table(
                    ["KPI", "value"], _labelled(summary, "faults"), caption="After warm-up: counts, and hours down."
                )
                + "</section>",
            )
        )
    packs_html = []
    for section, title_, caption in (
        (
            "packs",
            "Battery packs",
            "Where the packs are at the end (total = in robots + in bays; a quarantined "
            "pack sits in its bay) and what happened to them after warm-up.",
        ),
        (
            "technicians",
            "Technicians",
            "The crew that replaces quarantined packs; busy share is of rostered technician time.",
        ),
        ("alerts", "Health alerts", "Alerts raised by the stations' pack health checks, after warm-up."),
    ):
        if isinstance(summary.get(section), dict) and summary[section]:
            packs_html.append(
                f"<h3>{title_}</h3>" + html_table(["KPI", "value"], _labelled(summary, section), caption=caption)
            )
    if packs_html:
        sections.append(
            (
                "packs",
                "Packs",
                '<section id="packs"><h2>Battery packs and technicians</h2>' + "\n".join(packs_html) + "</section>",
            )
        )

    if isinstance(summary.get("costs"), dict):  # the scenario has a costs: section (swapsim.scenario.costs)
        from swapsim.output.report_size import cost_rows

        sections.append(
            (
                "costs",
                "Costs",
                '<section id="costs"><h2>Costs per year</h2>'
                + html_table(
                    ["item", "per year"],
                    cost_rows(summary["costs"]),
                    caption="From the scenario's costs: section, scaled to a 365-day year (docs/sizing.md).",
                )
                + "</section>",
            )
        )

    figures, note = ensure_figures(run_dir, "run", redraw)
    sections.append(
        (
            "figures",
            "Figures",
            figures_section(
                ordered_figures(figures, list(RUN_FIGURE_CAPTIONS)),
                {**RUN_FIGURE_CAPTIONS, "stations": DOCK_CAPTION} if docked else RUN_FIGURE_CAPTIONS,
                note,
            ),
        )
    )
    if robots and "robot" in robots:
        sections.append(("robots", "Robots", _robots_section(robots, docked)))

    flat = flatten({k: v for k, v in summary.items() if k != "manifest"})
    sections.append(
        (
            "all-kpis",
            "All KPIs",
            '<section id="all-kpis"><h2>All KPIs</h2>'
            + html_table(
                ["KPI", "key in summary.json", "value"],
                [(kpi_label(k), k, fmt_value(k, v)) for k, v in flat.items()],
                caption="Every KPI of the run, after warm-up, with its dotted key (the column names of sweep tables).",
                classes="wide",
            )
            + "</section>",
        )
    )
    sections.append(
        (
            "scenario",
            "Scenario",
            yaml_section(
                "scenario",
                "Resolved scenario",
                [scenario_path] if scenario_path.exists() else [],
                "The scenario with every default filled in: <code>swapsim run scenario.resolved.yaml --seed "
                f"{escape(str(man.get('seed', 'SEED')))}</code> reproduces this run.",
            ),
        )
    )
    sections.append(
        (
            "manifest",
            "Manifest",
            '<section id="manifest"><h2>Manifest</h2>'
            + kv_table(
                {k: _manifest_value(k, v) for k, v in man.items()},
                caption="What produced these results: versions, scenario (the file and the --set changes "
                "applied to it), seed, horizon and warm-up (hours), wall time.",
            )
            + "</section>",
        )
    )
    return title, subtitle, sections
