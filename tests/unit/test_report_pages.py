"""What a reader of a sweep or comparison page sees (issue 28, outputs): every table column has a header,
wide tables wrap instead of running off the page, figure captions use the KPI's label (not its key with
the underscores read as spaces), the comparison shows the replicated means and intervals the CLI prints,
with one display name per strategy, and a task-demand sweep shows task KPIs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from swapsim.experiments.paired import write_paired
from swapsim.output.report import build_report, sweep_captions

DATA = Path(__file__).resolve().parents[1] / "data"


def _copy(name: str, tmp_path: Path) -> Path:
    dst = tmp_path / name
    shutil.copytree(DATA / name, dst)
    return dst


def _headers(html: str) -> list[list[str]]:
    return [re.findall(r"<th[^>]*>(.*?)</th>", head) for head in re.findall(r"<thead>(.*?)</thead>", html, re.S)]


def test_every_column_has_a_header(tmp_path: Path) -> None:
    for name in ("sweep_small", "compare_small", "run_small"):
        html = build_report(_copy(name, tmp_path))
        for head in _headers(html):
            assert all(h.strip() for h in head), (name, head)


def test_sweep_points_table_wraps_and_captions_use_labels(tmp_path: Path) -> None:
    html = build_report(_copy("sweep_small", tmp_path))
    points = html[html.index('id="points"') : html.index('id="figures"')]
    assert '<table class="wide">' in points
    assert re.search(r'<td class="num ci">[\d.,]+ ±&nbsp;[\d.,]+&nbsp;%</td>', points)
    assert "wait min.mean" not in html and "Sweep swaps" not in html
    assert "swap wait, mean (arrival to start of swap) (min) against" in html
    caps = sweep_captions({"sweep_tasks.wait_min.p95": None, "heatmap_fleet.utilisation": None}, ["fleet.robots"])
    assert caps["sweep_tasks.wait_min.p95"].startswith("task wait, 95th percentile (min) against fleet.robots")
    assert caps["heatmap_fleet.utilisation"].startswith("fleet utilisation")


def test_task_demand_sweep_shows_task_kpis(tmp_path: Path) -> None:
    sweep = _copy("sweep_small", tmp_path)
    lines = (sweep / "points.csv").read_text().splitlines()
    header = lines[0] + ",tasks.per_day.mean,tasks.per_day.ci95,tasks.wait_min.mean.mean,tasks.wait_min.mean.ci95"
    body = [line + ",812.5,3.1,4.25,0.5" for line in lines[1:]]
    (sweep / "points.csv").write_text("\n".join([header, *body]) + "\n")
    html = build_report(sweep)
    points = html[html.index('id="points"') : html.index('id="figures"')]
    assert "tasks done / day" in points and "task wait, mean (min)" in points
    assert "812.5 ± 3.1" in points.replace("&nbsp;", " ")
    from swapsim.output.figures_sweep import TASK_SWEEP_KPIS

    assert "tasks.per_day" in TASK_SWEEP_KPIS


def _paired(cmp: Path) -> None:
    rows = []
    for kpi, label, base in (("fleet.utilisation", "utilisation", 0.87), ("station_wait_min", "wait", 3.1)):
        for i, s in enumerate(("hot_swap", "cold_swap", "plug_in")):
            rows.append(
                dict(
                    kind="mean",
                    kpi=kpi,
                    label=label,
                    strategy=s,
                    vs=None,
                    n=3,
                    mean=base - 0.01 * i,
                    half_width=0.004,
                    significant=None,
                )
            )
        for i, s in enumerate(("cold_swap", "plug_in"), start=1):
            rows.append(
                dict(
                    kind="difference",
                    kpi=kpi,
                    label=label,
                    strategy=s,
                    vs="hot_swap",
                    n=3,
                    mean=-0.01 * i,
                    half_width=0.002,
                    significant=True,
                )
            )
    meta = {
        "scenario": "factory-small",
        "strategies": ["hot_swap", "cold_swap", "plug_in"],
        "replications": 3,
        "seed": 11,
    }
    write_paired(rows, cmp, meta, figure=False)


def test_compare_page_shows_the_replicated_means_and_differences(tmp_path: Path) -> None:
    cmp = _copy("compare_small", tmp_path)
    _paired(cmp)
    html = build_report(cmp).replace("&nbsp;", " ")
    section = html[html.index('id="replications"') :]
    assert "Over 3 replications" in section
    assert "87.00 ± 0.40 %" in section  # hot swap's utilisation, as the CLI prints it (in %)
    assert "cold swap − hot swap" in section and "plug-in − hot swap" in section
    assert "cold_swap" not in html[: html.index('id="scenario"')].split("compare.json")[0].split('id="table"')[1]
