"""The rules on plain candidate lists (deskside.assignment.engine): no database."""

from collections import Counter

from deskside.assignment.engine import WEIGHTS, Candidate, decide, load_of
from deskside.assignment.models import Mode
from deskside.tickets.models import Priority

PEOPLE = [Candidate(user_id=i, name=n) for i, n in [(3, "Cat"), (1, "Ann"), (2, "Ben")]]


def test_round_robin_takes_turns_in_a_fixed_order_and_wraps():
    last, chosen = None, []
    for _ in range(7):
        decision = decide(Mode.ROUND_ROBIN, PEOPLE, last_user_id=last)
        chosen.append(decision.user_id)
        last = decision.user_id
    assert chosen == [1, 2, 3, 1, 2, 3, 1]


def test_round_robin_over_1000_tickets_and_5_agents_differs_by_at_most_one():
    people = [Candidate(user_id=i, name=f"A{i}") for i in range(10, 15)]
    counts: Counter[int] = Counter()
    last = None
    for _ in range(1000):
        last = decide(Mode.ROUND_ROBIN, people, last_user_id=last).user_id
        counts[last] += 1
    assert sorted(counts) == [10, 11, 12, 13, 14]
    assert max(counts.values()) - min(counts.values()) <= 1


def test_round_robin_says_after_whom():
    decision = decide(Mode.ROUND_ROBIN, PEOPLE, last_user_id=1, last_user_name="Ann")
    assert (decision.user_id, decision.reason) == (2, "round-robin: next after Ann")
    assert decide(Mode.ROUND_ROBIN, PEOPLE).reason == "round-robin: first in turn"


def test_round_robin_goes_on_after_someone_who_left():
    assert decide(Mode.ROUND_ROBIN, PEOPLE, last_user_id=2).user_id == 3
    gone = [c for c in PEOPLE if c.user_id != 2]
    assert decide(Mode.ROUND_ROBIN, gone, last_user_id=2).user_id == 3


def test_the_weights_and_the_load():
    assert WEIGHTS == {Priority.P1: 4, Priority.P2: 3, Priority.P3: 2, Priority.OPS: 1}
    assert load_of([(Priority.P1, 1), (Priority.P3, 2), (Priority.OPS, 1)]) == (4, 9)


def test_least_loaded_weighs_by_priority_and_explains():
    people = [
        Candidate(1, "Ann", open=2, load=8),  # two P1
        Candidate(2, "Ben", open=3, load=6),  # three P3
        Candidate(3, "Cat", open=4, load=7),
    ]
    decision = decide(Mode.LEAST_LOADED, people)
    assert decision.user_id == 2
    assert decision.reason == "least-loaded: 3 open (weighted 6) vs Cat 4 open (weighted 7)"


def test_least_loaded_ties_go_to_fewer_open_tickets_then_the_lower_id():
    people = [Candidate(2, "Ben", open=2, load=4), Candidate(1, "Ann", open=4, load=4)]
    assert decide(Mode.LEAST_LOADED, people).user_id == 2
    people = [Candidate(2, "Ben", open=2, load=4), Candidate(1, "Ann", open=2, load=4)]
    assert decide(Mode.LEAST_LOADED, people).user_id == 1


def test_the_cap_leaves_out_agents_with_that_many_open_tickets():
    people = [Candidate(1, "Ann", open=5, load=5), Candidate(2, "Ben", open=4, load=40)]
    assert decide(Mode.LEAST_LOADED, people, cap=5).user_id == 2
    assert decide(Mode.ROUND_ROBIN, people, cap=5, last_user_id=2).user_id == 2
    nobody = decide(Mode.LEAST_LOADED, people, cap=4)
    assert nobody.user_id is None
    assert nobody.reason == "least-loaded: all 2 working agents are at the cap of 4 open tickets"


def test_skills_first_prefers_who_has_the_skills_then_least_loaded():
    people = [
        Candidate(1, "Ann", open=0, load=0, skills=frozenset({"Printers"})),
        Candidate(2, "Ben", open=5, load=10, skills=frozenset({"Exchange"})),
        Candidate(3, "Cat", open=3, load=6, skills=frozenset({"Exchange", "VPN"})),
    ]
    decision = decide(Mode.SKILLS_FIRST, people, required=["Exchange"])
    assert decision.user_id == 3
    assert decision.reason.startswith("skills-first: has Exchange; least-loaded: 3 open")
    both = decide(Mode.SKILLS_FIRST, people, required=["Exchange", "VPN"])
    assert (both.user_id, both.reason.split(";")[0]) == (3, "skills-first: has Exchange, VPN")


def test_skills_first_without_a_match_falls_back_to_least_loaded_and_says_so():
    people = [Candidate(1, "Ann", open=1, load=2), Candidate(2, "Ben", open=0, load=0)]
    decision = decide(Mode.SKILLS_FIRST, people, required=["SAP"])
    assert decision.user_id == 2
    assert decision.reason.startswith("skills-first: nobody available has SAP; least-loaded")
    plain = decide(Mode.SKILLS_FIRST, people)
    assert plain.reason.startswith("skills-first: no skill required; least-loaded")


def test_off_and_nobody():
    assert decide(Mode.OFF, PEOPLE).user_id is None
    empty = decide(Mode.ROUND_ROBIN, [], nobody="nobody is on shift now")
    assert (empty.user_id, empty.reason) == (None, "round-robin: nobody is on shift now")
