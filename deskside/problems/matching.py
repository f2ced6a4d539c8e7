"""Known errors on new tickets: when a ticket is created (the tickets' event hook, kind
`created`), compare it with the linked tickets of every known error of its client and of
those across clients; at the clustering threshold or above, store a `KnownErrorMatch` row,
which the ticket page shows to agents ("Known error PRB-12: workaround ...").

Cheap by construction: one indexed query for the known errors that apply (usually none: the
handler stops there); their linked tickets' texts are cached per problem and version
(`updated_at`, number of links), so a ticket costs one small TF-IDF over those texts. The
handler only writes the match rows, in the ticket's transaction, as the hook requires.
"""

from django.db.models import Count, Q
from django.db.models.functions import Substr

from deskside.core import clock
from deskside.problems import clustering
from deskside.problems.models import KnownErrorMatch, Problem, ProblemStatus
from deskside.tickets.hooks import Happened
from deskside.tickets.models import Ticket

MAX_REFERENCE = 50  # linked tickets a known error is compared by (the newest)
_texts: dict[int, tuple[tuple, list[str]]] = {}


def _reference(problem: Problem, version: tuple) -> list[str]:
    cached = _texts.get(problem.pk)
    if cached is not None and cached[0] == version:
        return cached[1]
    rows = (
        Ticket.objects.filter(problem_links__problem=problem)
        .order_by("-id")
        .values_list("subject", Substr("description", 1, clustering.DESCRIPTION_CHARS))[
            :MAX_REFERENCE
        ]
    )
    texts = [clustering.text_of(subject, description or "") for subject, description in rows]
    _texts[problem.pk] = (version, texts)
    return texts


def matches(ticket: Ticket, threshold: float) -> list[tuple[Problem, float]]:
    """The known errors `ticket` looks like, with the similarity, best first."""
    known = (
        Problem.objects.filter(status=ProblemStatus.KNOWN_ERROR)
        .filter(Q(organization__isnull=True) | Q(organization_id=ticket.organization_id))
        .annotate(linked=Count("links"))
        .filter(linked__gt=0)
    )
    text = clustering.text_of(ticket.subject, ticket.description or "")
    found = []
    for problem in known:
        version = (problem.updated_at, problem.linked)
        score = clustering.similarity_to(_reference(problem, version), text)
        if score >= threshold:
            found.append((problem, score))
    return sorted(found, key=lambda pair: -pair[1])


def event_written(happened: Happened) -> None:
    """The hook's handler (kind `created`): store the ticket's known-error matches."""
    if not happened.saved:
        return
    ticket = happened.ticket
    KnownErrorMatch.objects.bulk_create(
        [
            KnownErrorMatch(
                ticket=ticket, problem=problem, score=round(score, 4), created_at=clock.now()
            )
            for problem, score in matches(ticket, clustering.DEFAULT_THRESHOLD)
        ],
        ignore_conflicts=True,
    )
