"""The surveys' demo data: answers on the demo's resolved tickets (`seed_demo()`, called by
`deskside demo` after the tickets are loaded).

The surveys themselves were written by the resolution hook while the demo resolved its
tickets; this answers most of them at a plausible instant after each resolution (a few hours
later, never after "now"), mostly good, some okay, a few bad with a comment, and leaves the
newest three unanswered so the portal and the mail link have open surveys to show. One bad
answer is always on a ticket whose team has a lead: its follow-up is waiting at
/surveys/follow-ups/. Idempotent (nothing happens when any survey has an answer) and
independent of the time it runs at: every instant is relative to the surveys' own
resolutions.
"""

import random
from datetime import timedelta

from django.db import transaction

from deskside.core import clock
from deskside.surveys import services
from deskside.surveys.models import Rating, Survey, Via

SEED = 16
LEFT_OPEN = 3
COMMENTS = {
    Rating.GOOD: ["Quick and friendly, thanks!", "", "", "Fixed on the first call."],
    Rating.OKAY: ["Took a while, but it works now.", ""],
    Rating.BAD: ["Nobody called back for two days.", "The problem came back the next morning."],
}
FIRST_BAD_COMMENT = "Nobody called me back; I had to chase the desk twice."


def _rating(rng: random.Random) -> str:
    roll = rng.random()
    return Rating.GOOD if roll < 0.72 else Rating.OKAY if roll < 0.9 else Rating.BAD


def _answer(survey: Survey, rating: str, comment: str, hours: int) -> bool:
    """Answer `survey` `hours` after its resolution, after the ticket's last event (its
    timeline runs forward in time), not after now and not once it has closed."""
    last = survey.ticket.events.order_by("-created_at").values_list("created_at", flat=True)[0]
    at = max(survey.resolved_at + timedelta(hours=hours), last + timedelta(minutes=1))
    at = min(at, clock.now() - timedelta(seconds=1))
    if at < survey.resolved_at or at < last or at >= survey.closes_at:
        return False
    with clock.frozen(at):
        services.answer_survey(survey=survey, rating=rating, comment=comment, via=Via.LINK)
    return True


@transaction.atomic
def seed_demo() -> int:
    """Answer the demo's surveys (see the module docstring); returns how many were answered."""
    if Survey.objects.filter(answered_at__isnull=False).exists():
        return 0
    surveys = list(Survey.objects.select_related("team").order_by("resolved_at", "id"))
    answerable = surveys[:-LEFT_OPEN] if len(surveys) > LEFT_OPEN else []
    rng = random.Random(SEED)
    answered = 0
    # The one bad answer a lead must follow up: the newest answerable survey of a led team.
    led = [s for s in answerable if s.team is not None and s.team.lead_id is not None]
    first_bad = led[-1] if led else (answerable[-1] if answerable else None)
    if first_bad is not None and _answer(first_bad, Rating.BAD, FIRST_BAD_COMMENT, 3):
        answered += 1
    for survey in answerable:
        if survey is first_bad or rng.random() < 0.25:  # a quarter never answer
            continue
        rating = _rating(rng)
        if _answer(survey, rating, rng.choice(COMMENTS[rating]), rng.randint(1, 40)):
            answered += 1
    return answered
