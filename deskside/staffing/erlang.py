"""Erlang C (M/M/N, no abandonment): how many agents a queue of calls needs, and what N agents
give.

Our own implementation, not `pyworkforce`: that package pulls in OR-Tools, pandas and joblib for
a formula of a few lines, and its ErlangC computes `A**N / N!` directly, which overflows a float
past about 170 agents. Here the probability of waiting comes from the Erlang B recurrence

    B(0) = 1,   B(n) = A * B(n-1) / (n + A * B(n-1))
    C(N) = N * B(N) / (N - A * (1 - B(N)))          (N > A; otherwise every call waits)

which stays within [0, 1] at every step, so a load of thousands of Erlangs is as exact as one
of ten. From C:

    service level  SL(t) = 1 - C * exp(-(N - A) * t / AHT)
    ASA            = C * AHT / (N - A)
    occupancy      = A / N

`agents_needed` is the smallest N whose service level reaches the target AND whose occupancy
stays at or under the maximum; `rostered(n, shrinkage)` is ceil(n / (1 - shrinkage)), the
people to schedule so that n are answering. Checked against the published rows of the Call
Centre Helper worked example, an Erlang C table and two more published examples at 3.87 to
22.9 Erlangs (tests/staffing/test_erlang.py).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

# A rounding guard for "reaches the target": 0.8 computed as 0.7999999999999999 still counts.
EPSILON = 1e-12
# The largest load answered (agents_needed walks N up one by one): far past any desk, and a
# bound on the work a typo (calls 1e300) can ask for.
MAX_TRAFFIC = 100_000.0


@dataclass(frozen=True)
class Queue:
    """A period's calls: `calls` arriving in `period_minutes`, each handled in `aht_seconds`,
    answered within `target_seconds` to count toward the service level."""

    calls: float
    period_minutes: float
    aht_seconds: float
    target_seconds: float = 20.0

    @property
    def traffic(self) -> float:
        """The offered load in Erlangs (agents busy on average)."""
        return self.calls * self.aht_seconds / (self.period_minutes * 60.0)


@dataclass(frozen=True)
class Outcome:
    """What `agents` agents give a queue (before shrinkage): `agents_rostered` is the head
    count to schedule for them. An overloaded queue (agents <= traffic) has probability_wait 1,
    service_level 0 and asa_seconds None (infinite)."""

    agents: int
    agents_rostered: int
    traffic_erlangs: float
    service_level: float
    asa_seconds: float | None
    probability_wait: float
    occupancy: float

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability of `agents` servers offered `traffic` Erlangs (the recurrence)."""
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def _c_from_b(traffic: float, agents: int, b: float) -> float:
    if agents <= traffic:
        return 1.0
    return agents * b / (agents - traffic * (1.0 - b))


def probability_wait(traffic: float, agents: int) -> float:
    """Erlang C: the probability that a call waits (1 when agents <= traffic)."""
    if traffic <= 0:
        return 0.0
    return _c_from_b(traffic, agents, erlang_b(traffic, agents))


def rostered(agents: int, shrinkage: float) -> int:
    """People to schedule so that `agents` answer when a `shrinkage` share of paid time is lost
    (breaks, leave, training): ceil(agents / (1 - shrinkage)). 0.25 is "add one for every
    three" of the seeds."""
    # round() first, so 10 / 0.8 = 12.500000000000002 does not become 13 by float noise.
    return math.ceil(round(agents / (1.0 - shrinkage), 9))


def _outcome(queue: Queue, agents: int, pw: float, shrinkage: float) -> Outcome:
    a = queue.traffic
    if a <= 0:
        return Outcome(agents, rostered(agents, shrinkage), 0.0, 1.0, 0.0, 0.0, 0.0)
    if agents <= a:
        occupancy = 1.0 if agents else 0.0
        return Outcome(agents, rostered(agents, shrinkage), a, 0.0, None, 1.0, occupancy)
    spare = agents - a
    sl = 1.0 - pw * math.exp(-spare * queue.target_seconds / queue.aht_seconds)
    asa = pw * queue.aht_seconds / spare
    return Outcome(
        agents=agents,
        agents_rostered=rostered(agents, shrinkage),
        traffic_erlangs=a,
        service_level=max(0.0, min(1.0, sl)),
        asa_seconds=asa,
        probability_wait=pw,
        occupancy=a / agents,
    )


def outcome(queue: Queue, agents: int, shrinkage: float = 0.0) -> Outcome:
    """What `agents` agents give `queue`."""
    return _outcome(queue, agents, probability_wait(queue.traffic, agents), shrinkage)


def agents_needed(
    queue: Queue, service_level: float, max_occupancy: float = 1.0, shrinkage: float = 0.0
) -> Outcome:
    """The smallest number of agents whose service level reaches `service_level` (0 < sl < 1)
    and whose occupancy is at most `max_occupancy`, with what they give. No calls: 0 agents.

    Walks N up from the first stable count, carrying the Erlang B recurrence along, so the
    search costs O(N) in all; the service level tends to 1 as N grows, so it always ends.
    Raises ValueError for a traffic over MAX_TRAFFIC Erlangs."""
    a = queue.traffic
    if not a <= MAX_TRAFFIC:
        raise ValueError(f"a traffic of {a:g} Erlangs is more than {MAX_TRAFFIC:g}")
    if a <= 0:
        return _outcome(queue, 0, 0.0, shrinkage)
    n = max(1, math.floor(a) + 1, math.ceil(a / max_occupancy - EPSILON))
    b = erlang_b(a, n)
    while True:
        result = _outcome(queue, n, _c_from_b(a, n, b), shrinkage)
        if (
            result.service_level + EPSILON >= service_level
            and result.occupancy <= max_occupancy + EPSILON
        ):
            return result
        n += 1
        b = a * b / (n + a * b)
