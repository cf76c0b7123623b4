"""The catalogue of KPIs (swapsim/metrics/catalogue.py): every KPI of summary.json has one entry, the
entry is what every label, header and key list reads, and a KPI added in one place (its concern and
one catalogue entry, here from this test module) shows everywhere without another file edited."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any

import pytest

from swapsim.engine import simulate
from swapsim.metrics import catalogue
from swapsim.metrics.catalogue import CATALOGUE, KPI, entry_for, estimate_name, short_label
from swapsim.metrics.glossary import kpi_label, label_for
from swapsim.metrics.recorder import CONCERN_FACTORIES, Recorder, Summary, register_concern
from swapsim.results import flatten
from swapsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SHORT = ["horizon=1 d", "warmup=6 h"]
PRICED = [*SHORT, "costs.robot_capex=50000", "health.fault_rate_per_cycle=0.01"]


def _walk(node: Any, path: str = "") -> list[str]:
    """Every leaf of a summary as a dotted key (each station's row by its name, which is no KPI)."""
    if isinstance(node, dict):
        return [k for key, value in node.items() for k in _walk(value, f"{path}.{key}" if path else key)]
    if isinstance(node, list) and path == "stations":
        rows = [{k: v for k, v in row.items() if k != "name"} for row in node]
        return [k for row, s in zip(rows, node) for k in _walk(row, f"stations.{s['name']}")]
    return [path]


def _section_class(hint: Any) -> Any:
    """The class a field holds: ``X | None`` as X, ``tuple[X, ...]`` as X."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        (hint,) = [a for a in typing.get_args(hint) if a is not type(None)]
    elif origin is tuple:
        hint = typing.get_args(hint)[0]
    return hint


def _fields(cls: Any, path: str) -> list[str]:
    """Every KPI a typed section declares, as a dotted key: a nested group's fields under its name, an
    inline part's as its parent's, a station's columns as ``stations.*.<column>`` (but ``name``)."""
    hints = typing.get_type_hints(cls, localns={"DataclassInstance": object})
    keys = []
    for f in dataclasses.fields(cls):
        inner = _section_class(hints[f.name])
        key = path if f.metadata.get("inline") else f"{path}.{f.name}" if path else f.name
        if key == "stations":
            key = "stations.*"
        if dataclasses.is_dataclass(inner):
            keys += _fields(inner, key)
        elif key != "stations.*.name":
            keys.append(key)
    return keys


def test_every_section_class_declares_exactly_its_catalogue_entries():
    """Each typed section's fields (nested groups and inline parts walked) are the catalogue's entries of
    that section: no field without an entry, no entry without a field."""
    sections = [f.name for f in dataclasses.fields(Summary) if f.name != "added"]
    declared = [k for k in _fields(Summary, "") if not k.startswith("added")]
    assert len(declared) == len(set(declared)), "a key declared twice"
    for section in sections:
        mine = {k for k in declared if k.split(".", 1)[0] == section}
        entries = {p for p in CATALOGUE if p.split(".", 1)[0] == section}
        assert mine - entries == set(), f"{section}: fields without a catalogue entry"
        assert entries - mine == set(), f"{section}: catalogue entries without a field"
    assert set(declared) == set(CATALOGUE)


CASES = [(p, SHORT) for p in SCENARIOS] + [
    (SCENARIOS[0], [*SHORT, "strategy.kind=plug_in"]),
    (ROOT / "scenarios" / "factory.yaml", PRICED),
    (ROOT / "scenarios" / "factory.yaml", [*PRICED, "strategy.kind=cold_swap"]),
]


@pytest.mark.parametrize(("path", "sets"), CASES, ids=lambda c: c.stem if isinstance(c, Path) else ",".join(c[2:]))
def test_every_kpi_in_the_summary_has_a_catalogue_entry(path, sets):
    summary = simulate(load_scenario(path, sets), 1).summary
    keys = _walk(summary)
    missing = [k for k in keys if entry_for(k) is None]
    assert not missing, f"{path.name}: KPIs of summary.json without a catalogue entry: {missing}"
    if "costs.robot_capex=50000" in sets:
        assert any(k.startswith("costs.capital.") for k in keys) and "costs.pack_replacements_per_year" in keys
    for k in keys:  # the owning concern of a section's KPIs is one the recorder has
        assert entry_for(k).concern in catalogue.CONCERNS


def test_entries_say_their_unit_concern_and_direction():
    for path, e in CATALOGUE.items():
        assert e.path == path and e.label and e.unit, path
        assert e.better in ("more", "less", ""), path
    assert CATALOGUE["swaps.wait_min.mean"].better == "less"
    assert CATALOGUE["fleet.utilisation"].better == "more"
    with pytest.raises(ValueError, match="share"):
        KPI("x.share", "a share", "%", "swaps")
    with pytest.raises(ValueError, match="concern"):
        KPI("x.y", "y", "count", "nowhere")
    with pytest.raises(ValueError, match="already"):
        catalogue.register(CATALOGUE["swaps.count"])


def test_the_estimate_names_are_the_estimators_keys():
    """Every catalogue KPI the estimate gives names a key of ``estimate_kpis``, and every estimate key
    that is a run KPI too is the same quantity under the same name (but the stock-out share)."""
    from swapsim.analysis.estimator import estimate_kpis

    est = estimate_kpis(load_scenario(ROOT / "scenarios" / "factory.yaml"))
    stations = sorted({k.split(".")[1] for k in est if k.startswith("stations.")})
    for path, e in CATALOGUE.items():
        if e.estimate is None:
            continue
        keys = [path.replace("*", s) for s in stations] if path.startswith("stations.*.") else [path]
        for key in keys:
            assert estimate_name(key) in est, f"{key}: the estimate has no {estimate_name(key)}"
    renamed = {k: estimate_name(k) for k in est if entry_for(k) is not None and estimate_name(k) != k}
    assert renamed == {}
    assert estimate_name("swaps.stockout_share") == "swaps.stockout_fraction"
    assert estimate_name("swaps.wait_min.p95") is None


def test_labels_headers_and_cost_keys_come_from_the_catalogue():
    from swapsim.experiments.sizing.report import CAPITAL_ITEMS, COST_KEYS
    from swapsim.output.figures_sweep import kpi_label as axis_label
    from swapsim.output.report_size import cost_rows

    assert str(label_for("swaps.wait_min.mean")) == "swap wait, mean (arrival to start of swap) (min)"
    assert short_label("tasks.wait_min.mean") == "task wait, mean (min)"
    assert short_label("fleet.utilisation") == "fleet utilisation"
    assert axis_label("fleet.utilisation") == ("fleet utilisation", "% of on-duty robot time", 100.0)
    assert COST_KEYS[:8] == tuple(k.split(".", 1)[1] for k in CATALOGUE if k.startswith("costs."))[:8]
    assert CAPITAL_ITEMS == ("robots", "stations", "positions", "bays", "packs")
    rows = cost_rows({"capital_per_year": 1.0, "total_per_year": 2.0, "per_productive_robot_hour": None})
    assert rows[:2] == [["capital", "1"], ["total", "2"]]


# -- a KPI added from here ---------------------------------------------------------------------------

NEW = "swaps.per_station_mean"


@dataclasses.dataclass(frozen=True, slots=True)
class PerStation:
    """The new concern's part of the ``swaps`` section (fields named as its keys)."""

    per_station_mean: float


class SwapsPerStation:
    """A concern defined in a test module: the mean swaps per station, read from the typed sections."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def reset(self, now: float) -> None:
        pass

    def finalise(self, now: float) -> None:
        pass

    def summary(self, now: float, sections: Summary) -> dict[str, PerStation]:
        rows = sections.stations
        return {"swaps": PerStation(sum(r.swaps.swaps for r in rows) / len(rows))}


@pytest.fixture
def new_kpi(monkeypatch):
    """Register the concern and its one catalogue entry for this test only."""
    monkeypatch.setattr(catalogue, "CONCERNS", list(catalogue.CONCERNS))
    monkeypatch.setattr("swapsim.metrics.recorder.CONCERNS", catalogue.CONCERNS)
    monkeypatch.setattr("swapsim.metrics.recorder.CONCERN_FACTORIES", dict(CONCERN_FACTORIES))
    register_concern("per_station", SwapsPerStation)
    entry = catalogue.kpi(NEW, "swaps per station, mean", "count", "per_station", better="", short="swaps / station")
    yield entry
    CATALOGUE.pop(NEW, None)


def test_a_kpi_added_in_one_place_shows_everywhere(new_kpi, tmp_path):
    from swapsim.output.figures_sweep import kpi_label as axis_label
    from swapsim.output.report import build_report
    from swapsim.results import write_run

    result = simulate(load_scenario(SCENARIOS[0], SHORT), 1)
    out = write_run(result, tmp_path / "run")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    stations = summary["stations"]
    assert summary["swaps"]["per_station_mean"] == sum(s["swaps"] for s in stations) / len(stations)
    assert list(summary["swaps"])[-1] == "per_station_mean"  # after the swaps concern's own keys
    # the glossary test's check, the run report, the sweep figures' labels and headers
    assert NEW in flatten({k: v for k, v in summary.items() if k != "manifest"})
    assert label_for(NEW) is not None and kpi_label(NEW) == "swaps per station, mean (count)"
    assert "swaps per station, mean (count)" in build_report(out)
    assert axis_label(NEW) == ("swaps / station", "", 1.0)
    assert short_label(NEW) == "swaps / station"


def test_a_registered_concern_reads_and_adds_typed_sections(new_kpi):
    """Inside the run the new concern reads the typed sections and its part stays typed; its keys join
    the ``swaps`` section's, after its own, only when the summary is turned into plain data."""
    rec = Recorder(n_robots=1, stations=[("A", 1), ("B", 1)], horizon_h=2.0, bin_width_h=1.0)
    rec.robot_arrived(0, 0, 0.5)
    rec.swap_started(0, 0, 0.5, stockout=False)
    rec.finalise(2.0)
    s = rec.summary(2.0)
    assert s.added_to("swaps") == (PerStation(0.5),) and s.added_to("fleet") == ()
    assert list(s.to_dict()["swaps"])[-2:] == ["wait_min", "per_station_mean"]


def test_without_the_registration_the_kpi_is_absent():
    assert NEW not in CATALOGUE
    assert "per_station_mean" not in simulate(load_scenario(SCENARIOS[0], SHORT), 1).summary["swaps"]


WHOLE_UNITS = {"count", "robots", "packs", "jobs", "rows", "people", "positions", "tasks"}
"""Units of things counted: a KPI in one of them that is not a mean or a rate is a whole number."""


def test_every_report_value_is_formatted_per_its_unit():
    """Each KPI of a priced task run with pack faults, as the report's table shows it: a share (unit %)
    as a percentage, a count as a whole number with thousands separated, anything else as a number
    without a percent sign ("pack health at the end, mean (% of rated capacity) 0.983")."""
    from swapsim.output.report_tables import fmt_value

    sets = ["horizon=1 d", "warmup=6 h", "costs.robot_capex=50000", "health.fault_rate_per_cycle=0.01"]
    summary = simulate(load_scenario(ROOT / "scenarios" / "airport.yaml", sets), 1).summary
    flat = flatten(summary)
    assert "packs.mean_health_end" in flat and "tasks.served_share" in flat and "costs.total_per_year" in flat
    for key, value in flat.items():
        e = entry_for(key)
        text = fmt_value(key, value)
        if value is None:
            continue
        if e.is_share:
            assert text.endswith(" %") and float(text[:-2]) == pytest.approx(100 * value, abs=0.05), (key, text)
        else:
            assert "%" not in text, (key, text)
            float(text.replace(",", ""))  # a plain number
        if e.unit in WHOLE_UNITS and isinstance(value, int):
            assert text == f"{value:,}", (key, text)
        if e.unit == "count":
            assert isinstance(value, int), f"{key}: a count stored as {value!r}"


def test_the_kpi_frame_carries_label_and_unit_from_the_catalogue():
    pytest.importorskip("pandas")
    frames = simulate(load_scenario(SCENARIOS[0], SHORT), 1).to_frames()
    kpis = frames["kpis"].set_index("kpi")
    assert list(frames["kpis"].columns) == ["kpi", "value", "text", "label", "unit"]
    assert kpis.loc["swaps.wait_min.mean", "unit"] == "min"
    assert kpis.loc["fleet.utilisation", "unit"] == "fraction" and 0 <= kpis.loc["fleet.utilisation", "value"] <= 1
    assert kpis.loc["fleet.utilisation", "label"] == "fleet utilisation: robots working"
    assert kpis.loc["manifest.seed", "unit"] == "" and kpis.loc["manifest.seed", "label"] == ""
    assert (kpis.loc[[k for k in kpis.index if not k.startswith("manifest.")], "unit"] != "").all()


def test_an_axis_of_raw_values_names_the_unit_they_are_stored_in():
    from swapsim.metrics.catalogue import quantity

    assert quantity("swaps.wait_min.p95") == "swap wait, p95 (min)"
    assert quantity("swaps.stockout_share") == "stock-outs (fraction of swaps)"  # stored 0..1, not %
    assert quantity("no.such.kpi") == "no.such.kpi"


def test_every_catalogue_entry_is_a_kpi_of_some_run():
    """No stale entry: a priced task run with pack faults and a plug-in run give every catalogue KPI."""
    from swapsim.metrics.catalogue import generic_path

    seen: set[str] = set()
    for name, sets in (("airport", PRICED), ("warehouse", [*SHORT, "strategy.kind=plug_in"])):
        summary = simulate(load_scenario(ROOT / "scenarios" / f"{name}.yaml", sets), 1).summary
        seen |= {generic_path(k) for k in flatten(summary)}
    assert set(CATALOGUE) - seen == set()
