"""docs/validation.md from the validation data: a template of prose filled with numbers.

The page's words live in ``page.md.tmpl`` (package data), cut into named blocks; this module
computes the numbers the prose quotes from the data of :func:`~swapsim.analysis.validation.suite.run_all`
(or the saved ``docs/validation-data.json``) and lists the blocks in page order: table rows once per
data row, optional paragraphs only when the data has them. :func:`page_text` is pure (no files, no
matplotlib); :func:`render` also draws the figures and writes the page. The template's header
says how blocks and placeholders are written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from swapsim.analysis.validation.ageing_page import section as ageing_section
from swapsim.analysis.validation.ageing_page import summary_rows as ageing_summary_rows
from swapsim.analysis.validation.estimates import autocorrelation
from swapsim.analysis.validation.figures import draw_figures
from swapsim.analysis.validation.scenarios import BUDGET_WH, BURST_H, JITTER_CV, OFFERED_PACK_LOAD
from swapsim.analysis.validation.verdicts import section as verdict_section

__all__ = ["page_text", "render", "template_blocks"]

TEMPLATE = "page.md.tmpl"
MEASURES = ("wait_min", "p_wait", "utilisation", "lq", "throughput_per_h")


@cache
def template_blocks() -> dict[str, str]:
    """The named blocks of ``page.md.tmpl``: {name: text exactly as written, line breaks included}."""
    text = files("swapsim.analysis.validation").joinpath(TEMPLATE).read_text(encoding="utf-8")
    blocks: dict[str, str] = {}
    name: str | None = None
    for line in text.splitlines(keepends=True):
        if line.startswith("@@ "):
            name = line[3:].strip()
            blocks[name] = ""
        elif name is not None:
            blocks[name] += line
    return blocks


def _block(block: str, /, **values: Any) -> str:
    """Block ``block`` filled with ``values``; an ``inline_`` block without its final line break."""
    text = template_blocks()[block].format(**values)
    return text.removesuffix("\n") if block.startswith("inline_") else text


def _f(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return _block("inline_missing")
    return f"{x:.{digits}f}"


def page_text(
    data: Mapping[str, Any],
    figures: Mapping[str, str],
    figure_dir: Path | str = "figures",
    ageing: Mapping[str, Any] | None = None,
    verdicts: Mapping[str, Any] | None = None,
) -> str:
    """The text of docs/validation.md for ``data``; ``figures`` maps a figure key to its file name
    (:func:`~swapsim.analysis.validation.figures.figure_names`), ``figure_dir`` is their directory
    relative to the page; ``ageing``: the saved numbers of the BLAST-Lite cross-check
    (:mod:`~swapsim.analysis.validation.ageing`, ``docs/validation-ageing.json``), section 8 when given."""
    rel = Path(figure_dir)
    grid, insens = data["mmcn"], data["insensitivity"]
    level = grid[0]["level"]
    all_points = grid + insens
    littles = [x for p in all_points for x in p["little_queue_ratio"]]
    little_l = [x for p in all_points for x in p["little_system_ratio"]]
    little = {
        "little_q_min": min(littles),
        "little_q_max": max(littles),
        "little_l_min": min(little_l),
        "little_l_max": max(little_l),
    }
    s = data["settings"]
    pk = data["packs"]
    st = data["stockouts"]
    comps = data["scenarios"]
    out = [
        _block(
            "head",
            swapsim_version=data["swapsim_version"],
            python=data["python"],
            run_time_min=data["run_time_s"] / 60,
            level=level,
            miss=1 - level,
            n_grid=len(grid),
            n_in=sum(1 for p in all_points for m in MEASURES if p["measures"][m]["inside"]),
            n_comp=sum(1 for p in all_points for m in MEASURES),
            expected_in=level * len(all_points) * len(MEASURES),
            worst_z=max(abs(p["measures"][m]["z"]) for p in all_points for m in MEASURES),
            n_insens=len(insens),
            walk_h=_f(pk["walk_h"]["simulated"][0], 3),
            stand_h=_f(pk["stand_h"]["simulated"][0], 3),
            full_charge_min=_f(pk["full_charge_min"]["simulated"][0], 1),
            **little,
        )
    ]
    big = [p for p in st if p["robots"] >= 50 and p["work"] == "exponential"]
    if big:
        out.append(
            _block(
                "summary_stockouts",
                robots=big[0]["robots"],
                palm_err=max(abs(p["sim"]["mean"] - p["palm_seen"]) for p in big),
                mds_err=max(abs(p["sim"]["mean"] - p["mds_seen"]) for p in big),
            )
        )
    out.append(
        _block(
            "summary_estimate",
            n_scenarios=len(comps),
            est_err=max(abs(p["estimate_wait_min"] - p["measures"]["wait_min"]["exact"]) for p in all_points),
        )
    )
    out += [line + "\n" for line in ageing_summary_rows(ageing)]  # section 8's summary row (its own data)
    out.append(
        _block(
            "section_1",
            stockouts_in_mmcn=sum(p["stockouts"] for p in all_points),
            mmcn_replications=s["mmcn_replications"],
            mmcn_horizon_h=s["mmcn_horizon_h"],
            figure=rel / figures["mmcn"],
        )
    )
    out += [_block("mmcn_row", p=p, m=p["measures"]) for p in grid]
    out.append(
        _block(
            "section_2",
            burst_s=BURST_H * 3600,
            burst_kw=BUDGET_WH / BURST_H / 1000,
            burst_scv=((2 - BURST_H) / 2) ** 2,
            insensitivity_robots=s["insensitivity_robots"],
        )
    )
    fixed_by = {(p["robots"], p["positions"], p["load"]): p for p in grid}
    for p in insens:
        f_ = fixed_by.get((p["robots"], p["positions"], p["load"]))
        fixed = {
            "fixed_wait": _block("inline_fixed_wait", m=f_["measures"]) if f_ else _block("inline_missing"),
            "fixed_utilisation": (
                _block("inline_fixed_utilisation", m=f_["measures"]) if f_ else _block("inline_missing")
            ),
        }
        out.append(_block("insensitivity_row", p=p, m=p["measures"], **fixed))
    d_h = st[0]["time_to_green_h"] if st else float("nan")
    out.append(
        _block(
            "sections_3_and_4",
            n_little=len(littles),
            walk=pk["walk_h"],
            stand=pk["stand_h"],
            full=pk["full_charge_min"],
            **{
                f"{key}_{stat}": fn(pk[name]["simulated"])
                for key, name in (("walk", "walk_h"), ("stand", "stand_h"), ("full", "full_charge_min"))
                for stat, fn in (("min", min), ("max", max), ("n", len))
            },
            curve=pk["curve_min"],
            green_min=60 * d_h,
            offered_pack_load=OFFERED_PACK_LOAD,
            figure=rel / figures["stockouts"],
            **little,
        )
    )
    out += [_block("stockout_row", p=p) for p in st]
    out.append(_block("reading_the_table"))
    out += _stockout_bullets(st, big)
    out.append(_block("section_6", replications=s["scenario_replications"], level=level))
    for comp in comps:
        out.append(_block("scenario_head", days=comp["horizon_h"] / 24, **comp))
        for k in comp["kpis"]:
            hw = k["sim_half_width"]
            sim = _block("inline_kpi_interval", **k) if math.isfinite(hw) else _block("inline_kpi_single", **k)
            out.append(_block("kpi_row", simulated=sim, difference=k["estimate"] - k["sim_mean"], **k))
        out.append(_block("station_table"))
        out += [_block("station_row", **r_) for r_ in comp["station_rows"]]
        out.append(_block("blank_line"))
    out += _estimate_discussion(comps)
    if "waves" in figures:
        out.append(_block("waves_figure", figure=rel / figures["waves"]))
    out += [line + "\n" for line in verdict_section(verdicts)]  # the estimate's verdicts (own data)
    out.append(_block("conclusion_and_section_7"))
    out += [line + "\n" for line in ageing_section(ageing)]  # section 8: pack ageing against BLAST-Lite
    return "".join(out)


def _stockout_bullets(st: list[dict[str, Any]], big: list[dict[str, Any]]) -> list[str]:
    """The bullets reading the stock-out table, one per kind of fleet present in the data."""
    out = []
    if big:
        out.append(
            _block(
                "bullet_many_robots",
                robots=big[0]["robots"],
                palm_err=max(abs(p["sim"]["mean"] - p["palm_seen"]) for p in big),
                mds_excess=max(p["mds_seen"] - p["sim"]["mean"] for p in big),
            )
        )
    small = [p for p in st if p["robots"] < 50 and p["work"] == "exponential"]
    if small:
        out.append(
            _block(
                "bullet_finite_fleet",
                robots=small[0]["robots"],
                palm_gap=max(abs(p["palm"] - p["palm_seen"]) for p in small),
            )
        )
    jit = [p for p in st if p["work"] == "jitter"]
    if jit:
        above = [p for p in jit if p["spares"] > p["offered_load"] + 0.5]
        near = [p for p in jit if p["spares"] <= p["offered_load"] + 0.5]
        resolved = [p for p in above if p["sim"]["mean"] >= 0.001]
        above_text = ""
        if above and resolved:
            above_text = _block(
                "inline_regular_above",
                periodic_err=max(abs(p["sim"]["mean"] - p["periodic"]) for p in above),
                palm_low=min(p["palm"] / p["sim"]["mean"] for p in resolved),
                palm_high=max(p["palm"] / p["sim"]["mean"] for p in resolved),
                spares=", ".join(str(p["spares"]) for p in resolved),
            )
        out.append(
            _block(
                "bullet_regular_robots",
                robots=jit[0]["robots"],
                jitter_cv=JITTER_CV,
                above=above_text,
                near=_block("inline_regular_near") if near else "",
            )
        )
    reg = [p for p in st if p["work"] == "fixed"]
    if reg:
        out.append(_block("bullet_clockwork_robots", robots=reg[0]["robots"]))
    return out


def _kpi(comp: Mapping[str, Any], label: str) -> dict[str, Any]:
    return next(k for k in comp["kpis"] if k["kpi"] == label)


def _rel_err(comp: Mapping[str, Any], label: str) -> float:
    k = _kpi(comp, label)
    return abs(k["estimate"] - k["sim_mean"]) / abs(k["sim_mean"]) if k["sim_mean"] else 0.0


def _estimate_discussion(comps: list[dict[str, Any]]) -> list[str]:
    """Section 6 after the tables: what agrees, what does not and why (swap waves, spread phases)."""
    ratios = [
        _kpi(c, "mean wait (min)")["sim_mean"] / _kpi(c, "mean wait (min)")["estimate"]
        for c in comps
        if _kpi(c, "mean wait (min)")["estimate"] > 0
    ]
    cvs = [c["swap_interval_cv"] for c in comps]
    out = [
        _block(
            "what_agrees",
            n_scenarios=len(comps),
            worst_swaps=max(_rel_err(c, "swaps per robot per day") for c in comps),
            worst_energy=max(_rel_err(c, "grid energy (kWh/day)") for c in comps),
            worst_utilisation=max(
                abs(_kpi(c, "utilisation (%)")["estimate"] - _kpi(c, "utilisation (%)")["sim_mean"]) for c in comps
            ),
            share_err=max(abs(r_["share_estimate"] - r_["share_sim"]) for c in comps for r_ in c["station_rows"]),
        )
    ]
    if ratios:
        out.append(
            _block("what_does_not", ratio_min=min(ratios), ratio_max=max(ratios), cv_min=min(cvs), cv_max=max(cvs))
        )
    out.append(_block("blank_line"))
    series = next((c["series"] for c in comps if c.get("series")), None)
    if series:
        import numpy as np

        t = np.asarray(series["time_h"])
        ac = autocorrelation(np.asarray(series["at_station"])[t >= series["warmup_h"]], 24)
        k_first_neg = next((i for i, a in enumerate(ac) if a < 0), 0)
        k_peak = k_first_neg + int(np.argmax(ac[k_first_neg:]))
        fac = next(c for c in comps if c["series"] is series)
        fw = _kpi(fac, "mean wait (min)")
        fs = _kpi(fac, "swaps with no green pack (%)")
        out.append(
            _block(
                "bullet_factory_waves",
                station=series["station"],
                period_h=(k_peak + 1) * series["bin_h"],
                autocorrelation=ac[k_peak],
                wait_sim=fw["sim_mean"],
                wait_estimate=fw["estimate"],
                stockouts_sim=fs["sim_mean"],
                stockouts_estimate=fs["estimate"],
            )
        )
    hosp = next((c for c in comps if c["scenario"] == "hospital"), None)
    if hosp:
        hs = _kpi(hosp, "swaps with no green pack (%)")
        out.append(
            _block(
                "bullet_hospital",
                cv=hosp["swap_interval_cv"],
                stockouts_estimate=hs["estimate"],
                stockouts_sim=hs["sim_mean"],
                palm=hosp["station_rows"][0]["stockout_palm"] * 100,
            )
        )
    out.append(_block("bullet_fixed_times"))
    return out


def render(
    data: Mapping[str, Any],
    md_path: Path | str,
    fig_dir: Path | str,
    ageing: Mapping[str, Any] | None = None,
    verdicts: Mapping[str, Any] | None = None,
) -> str:
    """Write ``docs/validation.md`` (and its figures) from the data of :func:`run_all` and, for section 8,
    the saved BLAST-Lite cross-check ``ageing``; returns the text."""
    md_path = Path(md_path)
    fig_dir = Path(fig_dir)
    figs = draw_figures(data, fig_dir)
    rel = fig_dir.relative_to(md_path.parent) if fig_dir.is_relative_to(md_path.parent) else fig_dir
    text = page_text(data, figs, rel, ageing=ageing, verdicts=verdicts)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(text, encoding="utf-8")
    return text
