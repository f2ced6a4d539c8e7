"""Erlang C against a published table, and the properties a staffing figure relies on.

The table: the Call Centre Helper worked example ("Erlang C formula - made simple with an
worked example", callcentrehelper.com): 100 calls in 30 minutes, 180 s handling time, 80 % to
be answered within 20 s, so a traffic of 10 Erlangs. Its rows for 11 to 14 agents are printed
with the probability of waiting, service level, ASA and occupancy in the README of the CRAN
package ErlangC (Damonsoul/ErlangC, README.md, `calculate_agents(...)$process`), and the
result of the example, 14 agents and 20 after 30 % shrinkage with service level 0.88835, in
the README of pyworkforce 0.1.0 (pypi.org/project/pyworkforce/0.1.0). Agents must match
exactly and the service level within 0.5 %.
"""

import pytest

from deskside.staffing.erlang import (
    Queue,
    agents_needed,
    erlang_b,
    outcome,
    probability_wait,
    rostered,
)

EXAMPLE = Queue(calls=100, period_minutes=30, aht_seconds=180, target_seconds=20)

# agents, probability of waiting, service level, ASA seconds, occupancy (ErlangC README)
PUBLISHED = [
    (11, 0.6821182, 0.3896138, 122.78127684408, 0.9090909),
    (12, 0.4493882, 0.640158, 40.4449401868444, 0.8333333),
    (13, 0.2852705, 0.7955948, 17.1162271821896, 0.7692308),
    (14, 0.1741319, 0.88835, 7.83593701177724, 0.7142857),
]


def within(value: float, expected: float, share: float = 0.005) -> bool:
    return abs(value - expected) <= share * abs(expected)


@pytest.mark.parametrize(("agents", "pw", "sl", "asa", "occupancy"), PUBLISHED)
def test_the_published_rows(agents, pw, sl, asa, occupancy):
    result = outcome(EXAMPLE, agents)
    assert EXAMPLE.traffic == 10
    assert within(result.probability_wait, pw)
    assert within(result.service_level, sl)
    assert within(result.asa_seconds, asa)
    assert within(result.occupancy, occupancy)


def test_the_published_answer_14_agents_and_20_after_30_percent_shrinkage():
    result = agents_needed(EXAMPLE, service_level=0.8, max_occupancy=0.85, shrinkage=0.3)
    assert (result.agents, result.agents_rostered) == (14, 20)
    assert within(result.service_level, 0.88835)
    assert within(result.probability_wait, 0.1741319)


def test_a_textbook_value_two_erlangs_on_three_servers_wait_four_ninths():
    assert probability_wait(2, 3) == pytest.approx(4 / 9)
    assert erlang_b(2, 3) == pytest.approx(4 / 19)  # (8/6) / (1 + 2 + 2 + 8/6)


def test_max_occupancy_can_need_more_agents_than_the_service_level():
    # 13 agents reach 79.6 % and 14 reach 88.8 %: an 85 % target needs 14 ...
    assert agents_needed(EXAMPLE, service_level=0.85).agents == 14
    # ... and a 70 % target only 13, unless occupancy may be at most 75 % (10 / 13 = 77 %).
    assert agents_needed(EXAMPLE, service_level=0.7).agents == 13
    assert agents_needed(EXAMPLE, service_level=0.7, max_occupancy=0.75).agents == 14


def test_shrinkage_adds_one_for_every_three():
    assert rostered(12, 0.25) == 16
    assert rostered(10, 0.25) == 14  # 13.33 -> 14
    assert rostered(10, 0.2) == 13  # 12.5 -> 13, not 12.500000000000002 -> 14
    assert rostered(0, 0.25) == 0
    assert agents_needed(EXAMPLE, 0.8, 0.85, 0.25).agents_rostered == 19  # 14 / 0.75 = 18.7


def test_no_calls_need_no_one_and_too_few_agents_never_catch_up():
    nothing = agents_needed(Queue(0, 60, 300), 0.8)
    assert (nothing.agents, nothing.service_level, nothing.probability_wait) == (0, 1.0, 0.0)
    overloaded = outcome(EXAMPLE, 10)
    assert overloaded.probability_wait == 1.0
    assert overloaded.service_level == 0.0
    assert overloaded.asa_seconds is None


def test_a_large_desk_is_computed_without_overflow():
    # 2,000 Erlangs: A**N / N! overflows a float long before this; the recurrence does not.
    big = Queue(calls=24_000, period_minutes=60, aht_seconds=300)
    result = agents_needed(big, 0.8)  # no occupancy cap: the service level decides
    assert 2_000 < result.agents < 2_100
    assert result.service_level >= 0.8
    assert outcome(big, result.agents - 1).service_level < 0.8
