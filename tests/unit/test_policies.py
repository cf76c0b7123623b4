"""Unit tests for swapsim.model.policies: station choice, the expected-wait estimate and pack choice."""

from __future__ import annotations

import math

import pytest

from swapsim.model.policies import StationView, choose_pack, choose_station, choose_station_lazily, expected_wait_h

SWAP = 3 / 60


def view(
    travel_h: float,
    positions: int = 1,
    busy: int = 0,
    queue: int = 0,
    green: int = 5,
    next_green_h: float = math.inf,
    incoming: int = 0,
) -> StationView:
    return StationView(
        travel_h=travel_h,
        incoming=incoming,
        positions=positions,
        busy=busy,
        queue=queue,
        green=green,
        swap_mean_h=SWAP,
        next_green_h=next_green_h,
    )


def test_expected_wait_counts_robots_already_walking_there() -> None:
    # 1 position, free; 2 robots on their way: the newcomer is third in line.
    assert expected_wait_h(view(0.0, positions=1, incoming=2)) == pytest.approx(2 * SWAP)
    # 3 green packs but 3 robots on their way: none left for the newcomer, so wait for the next one.
    assert expected_wait_h(view(0.0, positions=4, green=3, incoming=3, next_green_h=0.5)) == pytest.approx(0.5)


def test_expected_wait_is_zero_with_a_free_position_and_a_green_pack() -> None:
    assert expected_wait_h(view(0.1, positions=2, busy=1)) == 0.0


def test_expected_wait_counts_robots_ahead_beyond_the_free_positions() -> None:
    # 2 positions, 2 busy, 1 queueing: 3 ahead, so 2 swap completions (at 2 per swap time) to wait.
    assert expected_wait_h(view(0.0, positions=2, busy=2, queue=1)) == pytest.approx(2 * SWAP / 2)
    assert expected_wait_h(view(0.0, positions=1, busy=1, queue=3)) == pytest.approx(4 * SWAP)


def test_expected_wait_includes_the_time_to_the_next_green_pack_when_short_of_packs() -> None:
    v = view(0.0, positions=1, busy=0, queue=0, green=0, next_green_h=0.4)
    assert expected_wait_h(v) == pytest.approx(0.4)
    # the larger of the queue wait and the stock wait
    v = view(0.0, positions=1, busy=1, queue=2, green=1, next_green_h=0.01)
    assert expected_wait_h(v) == pytest.approx(3 * SWAP)
    # nothing charging: capped at a day rather than infinite
    v = view(0.0, green=0, next_green_h=math.inf)
    assert expected_wait_h(v) == 24.0


def test_nearest_picks_the_shortest_walk_first_on_ties() -> None:
    views = [view(0.2), view(0.05, busy=1, queue=9), view(0.1)]
    assert choose_station("nearest", views) == 1
    assert choose_station("nearest", [view(0.1), view(0.1)]) == 0


def test_shortest_wait_trades_walking_against_queueing() -> None:
    near_busy = view(0.01, positions=1, busy=1, queue=4)  # 0.01 + 5 swaps = 0.26 h
    far_free = view(0.1)  # 0.1 h
    assert choose_station("shortest_wait", [near_busy, far_free]) == 1
    near_short = view(0.01, positions=1, busy=1, queue=0)  # 0.01 + 0.05 = 0.06 h
    assert choose_station("shortest_wait", [near_short, far_free]) == 0
    no_packs = view(0.0, green=0, next_green_h=0.5)
    assert choose_station("shortest_wait", [no_packs, far_free]) == 1
    assert choose_station("shortest_wait", [view(0.1), view(0.1)]) == 0


def test_unknown_station_rule_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown station choice rule"):
        choose_station("random", [view(0.1)])
    with pytest.raises(ValueError, match="unknown station choice rule"):
        choose_station_lazily("random", [0.1], lambda i: view(0.1))


def test_lazy_choice_builds_only_the_views_that_can_win() -> None:
    # Two walks (as the resized factory's halls): the first near station with a free position and a
    # green pack has key = its walk, which no later station can beat, so one view is built.
    views = [view(0.02, busy=1), view(0.01, busy=1, queue=3), view(0.01), view(0.02), view(0.01)]
    built = []

    def look(i: int) -> StationView:
        built.append(i)
        return views[i]

    travel = [v.travel_h for v in views]
    assert choose_station_lazily("shortest_wait", travel, look) == choose_station("shortest_wait", views) == 2
    assert built == [1, 2]  # by walk: 1 (queue, key 0.01 + 4 swaps), 2 (free: key 0.01); 4, 0, 3 skipped
    built.clear()
    assert choose_station_lazily("nearest", travel, look) == choose_station("nearest", views) == 1
    assert built == []  # the walk is the key: no view needed


def test_lazy_choice_breaks_ties_by_list_order_like_the_eager_one() -> None:
    # Station 1 walks 0.05 and waits 0.05 (key 0.10); station 0 walks 0.10 with no wait (key 0.10): a tie,
    # which station 0, listed first, wins although it is looked at second.
    views = [view(0.10), view(0.05, positions=1, busy=1)]
    travel = [v.travel_h for v in views]
    assert choose_station("shortest_wait", views) == 0
    assert choose_station_lazily("shortest_wait", travel, views.__getitem__) == 0


def test_choose_pack_takes_the_fullest_first_on_ties() -> None:
    assert choose_pack([0.95, 1.0, 0.97]) == 1
    assert choose_pack([0.96, 0.99, 0.99]) == 1
    assert choose_pack([0.95]) == 0
