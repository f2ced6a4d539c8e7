"""The assignment rules themselves: pure functions over a list of candidates, no database.

`services.auto_assign` builds the candidates (agents working the team's desk now, not on
leave, active, serving the ticket's client: `candidates.py`) with their open tickets and
skills, and asks `decide` who gets the ticket and why. Keeping the rules pure makes them
testable on plain lists and fast (the bench times a whole decision, queries included).

The rules, for the candidates under the team's cap of open tickets:

- round-robin: the candidates in a fixed order (by user id); the next one after whoever got
  the team's last ticket, wrapping round. Over any run of tickets the counts of any two
  agents who stayed available differ by at most one.
- least-loaded: the smallest load, where an open ticket weighs by its priority (WEIGHTS:
  P1 4, P2 3, P3 2, OPS 1); ties go to fewer open tickets, then to the lower user id.
- skills-first: the candidates holding the most of the ticket's required skills (all of
  them, when someone has all), then least-loaded among those. A ticket that needs no skill,
  or a skill nobody working has, falls back to least-loaded among everyone, and says so.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from deskside.assignment.models import Mode
from deskside.tickets.models import Priority

WEIGHTS: dict[int, int] = {Priority.P1: 4, Priority.P2: 3, Priority.P3: 2, Priority.OPS: 1}
"""The weight of one open ticket of each priority in an agent's load (least-loaded)."""


@dataclass(frozen=True)
class Candidate:
    """An agent who could take the ticket: their open tickets (`open`), the weighted sum of
    those (`load`), and the names of their skills."""

    user_id: int
    name: str
    open: int = 0
    load: int = 0
    skills: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Decision:
    """Who gets the ticket (`user_id`, None: nobody) by which rule, and why, in words that go
    on the ticket's timeline."""

    user_id: int | None
    rule: str
    reason: str
    name: str = ""

    @property
    def assigned(self) -> bool:
        return self.user_id is not None


def load_of(counts: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """(open tickets, weighted load) of (priority, count) pairs."""
    open_count = load = 0
    for priority, count in counts:
        open_count += count
        load += WEIGHTS.get(priority, 1) * count
    return open_count, load


def decide(
    mode: str,
    candidates: Sequence[Candidate],
    *,
    cap: int | None = None,
    last_user_id: int | None = None,
    last_user_name: str = "",
    required: Sequence[str] = (),
    nobody: str = "nobody is working the desk",
) -> Decision:
    """Choose among `candidates` by `mode` (a `Mode`; OFF chooses nobody). `cap` leaves out
    the candidates with that many open tickets already; `last_user_id` is who got the last
    ticket (round-robin); `required` the ticket's skill names (skills-first); `nobody` says
    why there is no candidate at all."""
    label = Mode(mode).label.lower()
    if mode == Mode.OFF:
        return Decision(None, mode, "automatic assignment is off")
    if not candidates:
        return Decision(None, mode, f"{label}: {nobody}")
    under = [c for c in candidates if cap is None or c.open < cap]
    if not under:
        return Decision(
            None,
            mode,
            f"{label}: all {len(candidates)} working "
            f"{'agent is' if len(candidates) == 1 else 'agents are'} at the cap of {cap} open "
            "tickets",
        )
    if mode == Mode.ROUND_ROBIN:
        return _round_robin(under, last_user_id, last_user_name)
    if mode == Mode.SKILLS_FIRST:
        return _skills_first(under, required)
    chosen, why = _least_loaded(under)
    return Decision(chosen.user_id, mode, f"least-loaded: {why}", chosen.name)


def _round_robin(under: Sequence[Candidate], last_id: int | None, last_name: str) -> Decision:
    ordered = sorted(under, key=lambda c: c.user_id)
    chosen = ordered[0]
    if last_id is not None:
        chosen = next((c for c in ordered if c.user_id > last_id), ordered[0])
    after = f"next after {last_name}" if last_id is not None and last_name else "first in turn"
    return Decision(chosen.user_id, Mode.ROUND_ROBIN, f"round-robin: {after}", chosen.name)


def _least_loaded(under: Sequence[Candidate]) -> tuple[Candidate, str]:
    ordered = sorted(under, key=lambda c: (c.load, c.open, c.user_id))
    chosen = ordered[0]
    mine = f"{chosen.open} open (weighted {chosen.load})"
    if len(ordered) == 1:
        return chosen, f"{mine}, the only one available"
    nxt = ordered[1]
    return chosen, f"{mine} vs {nxt.name} {nxt.open} open (weighted {nxt.load})"


def _skills_first(under: Sequence[Candidate], required: Sequence[str]) -> Decision:
    needed = sorted(set(required))
    if not needed:
        chosen, why = _least_loaded(under)
        reason = f"skills-first: no skill required; least-loaded: {why}"
        return Decision(chosen.user_id, Mode.SKILLS_FIRST, reason, chosen.name)
    scores = {c.user_id: len(c.skills.intersection(needed)) for c in under}
    best = max(scores.values())
    if best == 0:
        chosen, why = _least_loaded(under)
        reason = f"skills-first: nobody available has {', '.join(needed)}; least-loaded: {why}"
        return Decision(chosen.user_id, Mode.SKILLS_FIRST, reason, chosen.name)
    chosen, why = _least_loaded([c for c in under if scores[c.user_id] == best])
    has = sorted(chosen.skills.intersection(needed))
    missing = [s for s in needed if s not in has]
    reason = f"skills-first: has {', '.join(has)}"
    if missing:
        reason += f" ({', '.join(missing)}: nobody available)"
    return Decision(
        chosen.user_id, Mode.SKILLS_FIRST, f"{reason}; least-loaded: {why}", chosen.name
    )
