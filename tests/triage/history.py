"""The synthetic resolved history written to the database (the triage tests and the browser
test): bulk_create, as data to learn from, times relative to the clock."""

from collections.abc import Mapping, Sequence
from datetime import timedelta

from deskside.accounts.models import Organization, Team, User
from deskside.core import clock
from deskside.tickets.models import Status, Ticket
from deskside.triage import synthetic


def write_history(
    teams: Mapping[str, Team],
    clients: Sequence[tuple[Organization, User]],
    n: int,
    *,
    seed: int = 16,
) -> list[Ticket]:
    """`n` resolved tickets, oldest first, the last one an hour ago; `clients` pairs of a
    client and a requester; `teams` by the synthetic history's team names."""
    now = clock.now()
    rows = []
    for i, row in enumerate(synthetic.history(n, seed=seed, clients=len(clients))):
        created = now - timedelta(hours=n - i + 1)
        org, requester = clients[row.client]
        rows.append(
            Ticket(
                organization=org,
                requester=requester,
                subject=row.subject,
                description=row.description,
                type=row.type,
                priority=row.priority,
                tier=row.tier,
                team=teams[row.team],
                status=Status.CLOSED,
                created_at=created,
                updated_at=created,
                resolved_at=created + timedelta(minutes=30),
                closed_at=created + timedelta(minutes=40),
            )
        )
    return Ticket.objects.bulk_create(rows)
