"""Hostile scenario input (issue 14): YAML that means what it says, bounded reading, bounds, checks that
keep a validated scenario runnable, and the memory estimate. Every case must end in a ScenarioError
whose message names the file and the field (or line), in bounded time."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from swapsim import resources
from swapsim.engine import simulate
from swapsim.scenario import (
    ScenarioError,
    apply_override,
    limits,
    load_scenario,
    read_yaml,
    scenario_from_dict,
    split_path,
)
from tests.builders import make_scenario, scenario_dict

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
WAREHOUSE = SCENARIOS / "warehouse.yaml"


def rejected(data: dict, *fragments: str) -> str:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, "s.yaml")
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- YAML that means what it says --------------------------------------------------------------------
def test_duplicate_key_names_both_lines(tmp_path):
    path = write(tmp_path, "name: x\nhorizon: 1 d\nfleet:\n  robots: 3\n  robots: 5\n")
    with pytest.raises(
        ScenarioError, match=r"s.yaml:5:3: .*duplicate key 'robots' \(first at line 4, again at line 5\)"
    ):
        read_yaml(path)


def test_duplicate_key_in_a_flow_mapping_on_one_line(tmp_path):
    with pytest.raises(ScenarioError, match="duplicate key 'a'"):
        read_yaml(write(tmp_path, "x: {a: 1, a: 2}\n"))


def test_merge_keys_may_be_overridden(tmp_path):
    data = read_yaml(write(tmp_path, "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  x: 5\n"))
    assert data["d"] == {"x": 5, "y": 2}


@pytest.mark.parametrize("value", [True, False, "yes"])
def test_booleans_are_not_numbers(value):
    data = scenario_dict(fleet={"robots": value})
    if value == "yes":  # YAML 1.1 reads yes as true
        data = apply_override(scenario_dict(), "fleet.robots=yes")
    rejected(data, "s.yaml: fleet.robots: must be a whole number, not true/false")


@pytest.mark.parametrize(
    "assignment, path",
    [
        ("policy.swap_trigger=true", "policy.swap_trigger"),
        ("pack.usable_fraction=yes", "pack.usable_fraction"),
        ("stations[0].bays=on", "stations[0].bays"),
        (
            "workload.cycle[0].duration={dist: empirical, values: [1 min, 2 min], weights: [true, 1]}",
            "workload.cycle[0].duration.weights[0]",
        ),
    ],
)
def test_booleans_are_refused_everywhere(assignment, path):
    rejected(apply_override(scenario_dict(), assignment), f"s.yaml: {path}: must be a ")


def test_a_5000_digit_integer_is_refused_by_the_reader(tmp_path):
    path = write(tmp_path, "name: x\nseed: " + "9" * 5000 + "\n")
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match=r"s.yaml:2:7: .*5000 digits is too large .*at most 30 digits"):
        read_yaml(path)
    assert time.perf_counter() - t0 < 1


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"fleet": {"robots": 10_000_000}}, "fleet.robots: must be <= 10000 (got 10000000)"),
        (
            {"stations": [{"name": "A", "distance": "1 m", "bays": 10**9, "charged_packs": 0}]},
            "stations[0].bays: must be <= 10000",
        ),
        ({"horizon": "1e9 d"}, "horizon: must be <= 3650 d (got 1000000000 d)"),
        ({"output": {"bin_width": "1e-300 s"}}, "output.bin_width: must be >= 1 s"),
        ({"output": {"health_bin_width": "0.1 s"}}, "output.health_bin_width: must be >= 1 h"),
        ({"output": {"health_bin_width": "59 min"}}, "output.health_bin_width: must be >= 1 h"),
        ({"seed": 2**64}, "seed: must be <= 9223372036854775807"),
        (
            {"stations": [{"name": f"S{i}", "distance": "1 m", "bays": 2, "charged_packs": 1} for i in range(101)]},
            "stations: must have at most 100 item(s)",
        ),
    ],
)
def test_numbers_past_their_bound_state_the_bound(overrides, message):
    rejected(scenario_dict(**overrides), f"s.yaml: {message}")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_infinity_are_refused(value):
    rejected(scenario_dict(pack={"usable_fraction": value}), "s.yaml: pack.usable_fraction: must be a finite number")


def test_nan_weight_is_refused():
    cycle = [
        {"activity": "walk", "duration": {"dist": "empirical", "values": ["1 h", "2 h"], "weights": [float("nan"), 1]}}
    ]
    rejected(
        scenario_dict(workload={"cycle": cycle}),
        "s.yaml: workload.cycle[0].duration.weights[0]: must be a finite number (got nan)",
    )


def test_weights_whose_sum_overflows_are_refused():
    cycle = [
        {"activity": "walk", "duration": {"dist": "empirical", "values": ["1 h", "2 h"], "weights": [1e308, 1e308]}}
    ]
    rejected(scenario_dict(workload={"cycle": cycle}), "workload.cycle[0].duration", "positive sum")


# -- reading limits ----------------------------------------------------------------------------------
def test_a_directory_is_not_a_scenario(tmp_path):
    with pytest.raises(ScenarioError, match="is a directory"):
        read_yaml(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match="is not a regular file"):
        read_yaml(fifo)
    assert time.perf_counter() - t0 < 1


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="/dev/zero")
def test_dev_zero_is_refused():
    with pytest.raises(ScenarioError, match="/dev/zero: is not a regular file"):
        load_scenario("/dev/zero")


def test_a_file_past_the_size_limit_is_refused(tmp_path):
    path = write(tmp_path, "# " + "x" * (1 << 20) + "\n")
    with pytest.raises(ScenarioError, match="more than the 1,048,576 bytes"):
        read_yaml(path)


def test_an_alias_bomb_is_refused_quickly(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match="alias bomb"):
        load_scenario(path)
    assert time.perf_counter() - t0 < 1


def test_a_recursive_alias_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="recursive alias"):
        read_yaml(write(tmp_path, "a: &a [*a]\n"))


@pytest.mark.parametrize(
    "text", ["x: " + "[" * 3000 + "]" * 3000 + "\n", "".join(" " * i + f"k{i}:\n" for i in range(1000))]
)
def test_deep_nesting_is_a_message_not_a_recursion_error(tmp_path, text):
    with pytest.raises(ScenarioError, match="nested more than 50 levels"):
        read_yaml(write(tmp_path, text))


def test_a_1200_level_set_path_is_a_message():
    with pytest.raises(ScenarioError, match="more than 32 segments"):
        apply_override(scenario_dict(), ".".join(["a"] * 1200) + "=1")
    with pytest.raises(ScenarioError, match="more than 32 segments"):
        split_path("[0]" * 1200)


def test_a_deeply_nested_set_value_is_a_message():
    with pytest.raises(ScenarioError, match="nested more than 50 levels"):
        apply_override(scenario_dict(), "description=" + "[" * 3000 + "]" * 3000)


def test_show_is_bounded_for_huge_and_nested_values():
    a: list = ["lol"] * 9
    for _ in range(9):  # 9**9 leaves if expanded
        a = [a] * 9
    t0 = time.perf_counter()
    text = limits.show(a)
    assert time.perf_counter() - t0 < 0.1 and len(text) <= 80 and text.endswith("...")
    assert limits.show(10**5000) in ("<an integer of about 5000 digits>", "<an integer of about 5001 digits>")
    assert limits.show({"dist": "fixed", "value": "3 min"}) == "'3 min'"


# -- a scenario that validates runs -----------------------------------------------------------------
def test_zero_arrival_scale_is_refused_at_validation():
    with pytest.raises(ScenarioError, match=r"warehouse.yaml.*workload.tasks.arrivals.scale: must be > 0 \(got 0\)"):
        load_scenario(WAREHOUSE, ["workload.tasks.arrivals.scale=0"])


def test_all_zero_rates_are_refused_whatever_the_scale():
    with pytest.raises(ScenarioError, match="at least one segment needs rate_per_h > 0"):
        load_scenario(WAREHOUSE, ["workload.tasks.arrivals.profile=[{start: 0 h, rate_per_h: 0}]"])


@pytest.mark.parametrize(
    "cycle",
    [
        [{"activity": "walk", "duration": "0 s"}],
        [{"activity": "walk", "duration": "1e-9 s"}, {"activity": "idle", "duration": "0 s"}],
        [{"activity": "walk", "duration": {"dist": "exponential", "mean": "1 s"}}],
    ],
)
def test_activity_cycles_too_short_to_advance_the_clock_are_refused(cycle):
    rejected(scenario_dict(workload={"cycle": cycle}), "s.yaml: workload.cycle: ", "at least 1 min")


def test_a_swap_must_buy_a_minute_of_work():
    # 0.75 x 0.9 x 1 Wh = 0.675 Wh at 210 W (walking the whole cycle): 11.6 s
    rejected(
        scenario_dict(pack={"capacity": "1 Wh"}),
        "s.yaml: pack.capacity: a swap must buy at least 1 min",
        "lasts 11.6 s at walk 210 W",
    )
    rejected(scenario_dict(policy={"swap_trigger": 0.2, "ready_threshold": 0.2000001}), "pack.capacity")
    make_scenario(pack={"capacity": "20 Wh"})  # 13.5 Wh at 210 W: 3.9 min, accepted


def test_a_short_burst_counts_at_its_cycle_mean_power():
    """A 3.6 s burst at 800 kW uses a whole 1000 Wh pack, but the cycle's mean power is low."""
    cycle = [{"activity": "idle", "duration": "2 h"}, {"activity": "walk", "duration": "3.6 s"}]
    stations = [{"name": "A", "distance": "0 m", "bays": 2, "charged_packs": 1}]
    power = {"activities": {"walk": "800 kW", "idle": "0 W"}, "at_station": "0 W"}
    make_scenario(workload={"cycle": cycle}, stations=stations, power=power, pack={"capacity": "1000 Wh"})
    cycle[0]["duration"] = "0 s"
    rejected(
        scenario_dict(workload={"cycle": cycle}, stations=stations, power=power, pack={"capacity": "1000 Wh"}),
        "pack.capacity: a swap must buy at least 1 min",
    )


@pytest.mark.parametrize(
    "faults, path",
    [
        ({"estop": {"rate_per_day": 1e9}}, "faults.estop.rate_per_day: must be <= 1440"),
        ({"failed_swap": {"probability": 0.999999}}, "faults.failed_swap.probability: must be <= 0.99"),
    ],
)
def test_fault_rates_that_stop_the_clock_are_refused(faults, path):
    rejected(scenario_dict(faults=faults), f"s.yaml: {path}")


def test_calendar_segments_and_periods_have_a_floor():
    shifts = {"period": "2 s", "calendar": [{"start": "0 h", "robots": 1}]}
    rejected(scenario_dict(shifts=shifts), "s.yaml: shifts.period: must be >= 1 min (got 2 s)")
    shifts = {"calendar": [{"start": "0 h", "robots": 1}, {"start": "0.1 s", "robots": 0}]}
    rejected(scenario_dict(shifts=shifts), "shifts", "by at least 1 s")


def test_a_lognormal_spread_is_bounded():
    swap = {"dist": "lognormal", "mean": "1e-9 s", "sd": "1 h"}
    rejected(
        scenario_dict(
            stations=[{"name": "A", "distance": "1 m", "bays": 2, "charged_packs": 1, "swap_duration": swap}]
        ),
        "s.yaml: stations[0].swap_duration.sd: must be <= 100 x mean",
    )


# -- memory ---------------------------------------------------------------------------------------
def test_memory_estimate_grows_with_bins_and_robots():
    base = resources.estimate_memory_bytes(make_scenario())
    fine = resources.estimate_memory_bytes(make_scenario(output={"bin_width": "1 s"}))
    many = resources.estimate_memory_bytes(make_scenario(fleet={"robots": 10_000, "initial_soc": "full"}))
    assert base < fine and base < many


def test_a_run_past_the_memory_limit_is_refused_before_running(monkeypatch):
    monkeypatch.delenv(resources.MEMORY_ENV, raising=False)
    sc = load_scenario(SCENARIOS / "factory.yaml", ["horizon=365 d", "output.bin_width=1 s"])
    with pytest.raises(
        ScenarioError,
        match=r"factory: a run would need about .* GB of memory, more than the 2 GB "
        r"limit .*--max-memory",
    ):
        simulate(sc)
    monkeypatch.setenv(resources.MEMORY_ENV, str(10**15))
    assert resources.check_memory(sc) > 2 * 10**9  # raised: accepted


@pytest.mark.parametrize(
    "text, size",
    [("8GB", 8 * 10**9), ("512 MB", 512 * 10**6), ("2GiB", 2 * 2**30), ("1000", 1000), ("1.5gb", 1.5 * 10**9)],
)
def test_parse_size(text, size):
    assert resources.parse_size(text) == int(size)


@pytest.mark.parametrize("text", ["", "8XB", "-1GB", "0", "1e9", "GB"])
def test_parse_size_refuses_nonsense(text):
    with pytest.raises(ValueError):
        resources.parse_size(text)


def test_shipped_scenarios_stay_valid_and_far_below_the_memory_limit():
    for path in sorted(SCENARIOS.glob("*.yaml")):
        assert resources.check_memory(load_scenario(path)) < resources.DEFAULT_MAX_MEMORY / 10
