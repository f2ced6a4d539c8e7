"""A seeded synthetic ticket history with planted patterns, for the tests and bench/triage.py.

Each pattern is a kind of problem (words a caller uses) with the answers the desk gave it:
"printer" went to Desktop Support L2 at L2, "VPN" to Network L3 at P2, "password" stayed at
the L1 help desk as a P3 service request, and so on. `noise` of the tickets get one field's
answer at random (desks are not consistent), and the words are mixed with filler, so the
classifier has to learn rather than look up. The same seed gives the same history.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass

TEAMS = {  # name -> tier
    "Help Desk L1": "L1",
    "Desktop Support L2": "L2",
    "Network L3": "L3",
    "Servers L3": "L3",
}


@dataclass(frozen=True, slots=True)
class Pattern:
    words: tuple[str, ...]
    subjects: tuple[str, ...]
    team: str
    type: str
    priority: int
    weight: int


PATTERNS = (
    Pattern(
        ("printer", "toner", "paper jam", "print queue"),
        ("{w} not working", "{w} on floor {n} offline", "cannot print: {w}", "{w} error again"),
        "Desktop Support L2",
        "incident",
        3,
        3,
    ),
    Pattern(
        ("VPN", "tunnel", "remote access", "firewall"),
        ("{w} drops every hour", "{w} down for the branch", "no {w} from home", "{w} timeout"),
        "Network L3",
        "incident",
        2,
        2,
    ),
    Pattern(
        ("password", "locked out", "account locked", "reset my password"),
        ("{w}", "{w} after holiday", "please help: {w}", "{w} for the CRM"),
        "Help Desk L1",
        "service_request",
        3,
        4,
    ),
    Pattern(
        ("server", "backup job", "disk full", "database server"),
        ("{w} down", "{w} failed last night", "{w} not responding", "alert: {w} critical"),
        "Servers L3",
        "incident",
        1,
        2,
    ),
    Pattern(
        ("patching", "windows updates", "maintenance window", "certificate renewal"),
        ("monthly {w}", "{w} for the file servers", "schedule {w}", "{w} check"),
        "Servers L3",
        "operational",
        4,
        1,
    ),
    Pattern(
        ("new laptop", "new starter", "monitor", "docking station"),
        ("{w} for the new hire", "order a {w}", "set up {w} at desk {n}", "{w} request"),
        "Desktop Support L2",
        "service_request",
        3,
        2,
    ),
    Pattern(
        ("outlook", "teams", "excel", "onedrive"),
        ("{w} keeps crashing", "{w} will not open", "{w} slow since update", "{w} sync error"),
        "Help Desk L1",
        "incident",
        3,
        4,
    ),
)
FILLER_TEXT = (  # words every kind of ticket uses
    "the user says it happened before and it is urgent for the team this morning please "
    "call back when you can thanks regards from the office on the second floor near reception"
)
FILLER = tuple(FILLER_TEXT.split())
TYPES = ("incident", "service_request", "operational")


@dataclass(frozen=True, slots=True)
class Row:
    """One synthetic resolved ticket: `client` an index into the caller's clients."""

    subject: str
    description: str
    client: int
    team: str
    tier: str
    type: str
    priority: int


def history(n: int, *, seed: int = 16, clients: int = 3, noise: float = 0.1) -> Iterator[Row]:
    """`n` tickets in time order, drawn from PATTERNS by weight."""
    rng = random.Random(seed)
    weights = [p.weight for p in PATTERNS]
    for _ in range(n):
        pattern = rng.choices(PATTERNS, weights)[0]
        word = rng.choice(pattern.words)
        subject = rng.choice(pattern.subjects).format(w=word, n=rng.randint(1, 9))
        words = rng.sample(FILLER, 8) + [word] + rng.sample(FILLER, 4)
        team, priority, kind = pattern.team, pattern.priority, pattern.type
        if rng.random() < noise:
            which = rng.randrange(3)
            if which == 0:
                team = rng.choice(sorted(TEAMS))
            elif which == 1:
                priority = rng.randint(1, 4)
            else:
                kind = rng.choice(TYPES)
        yield Row(
            subject=subject[:1].upper() + subject[1:],
            description=" ".join(words),
            client=rng.randrange(clients),
            team=team,
            tier=TEAMS[team],
            type=kind,
            priority=priority,
        )
