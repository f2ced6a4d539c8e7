"""The paging share of `deskside worker`: `paging_pass()` runs every task interval (see
deskside.cli cmd_worker and deskside.sla.worker.run).

A pass has two halves.

1. **Advance the chains that are due** (`advance_due`). The deadline is a row: an active
   Escalation whose `next_at` has come. Each is claimed with a conditional UPDATE on
   (id, status, step, cycle, next_at) as read, which moves it to its next step and next
   deadline; in the same transaction the worker writes the step's Page rows (queued) and one
   PAGED timeline event per person. Only the worker whose UPDATE matched acts (one winner on
   any database, with any number of workers), and the claim never commits without its pages
   nor the pages without the claim; the unique constraint on (escalation, cycle, step, user,
   channel) would refuse a second set anyway. The step locks the ticket's row before it
   claims (the lock order of every ticket service and of acknowledging; see `run_step`), and
   each chain's step runs in its own try: one broken chain is logged and the others go on.
2. **Send the queued pages** (`send_queued`): each is claimed queued→sending by a conditional
   UPDATE, handed to its transport outside any transaction, then marked sent or failed; a
   failure writes a PAGE_FAILED event and the chain goes on.

At most once. A page left in "sending" (the worker died between the claim and the result) is
not sent again: it may already have reached the person, and a second page at 2 a.m. for the
same step is worse than a missing one when the chain pages the next person minutes later
anyway. After STALE_SENDING it is marked "unknown", not "failed" (a worker killed during a
burst of 13 pages had delivered 12 of them: calling them failed was wrong), with an internal
timeline note (a NOTE by the system, not a PAGE_FAILED: nothing says it failed).

Numbering. The rows count steps and rounds from 0 (the chain's position); the timeline
events (and so the webhooks) say them as people read them, from 1: "step 1, round 1" is
`{"step": 1, "cycle": 1}` in a PAGED, PAGE_FAILED or ACKNOWLEDGED event alike.

Restart safety. Everything the chain needs is in its row (step, round, deadline): a killed
worker loses nothing, and the next pass of any worker carries on exactly where the chain was.
A pass whose transaction was rolled back (killed mid-claim) left no trace, so the next pass
claims the same step again, once.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import apprise
from django.db import transaction

from deskside.accounts.models import User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import serves
from deskside.core import clock
from deskside.duty.oncall import on_call_at
from deskside.paging import delivery
from deskside.paging.models import ContactMethod, Escalation, EscalationStep, Page
from deskside.tickets.models import EventKind, Ticket
from deskside.tickets.timeline import write_event

log = logging.getLogger(__name__)

STALE_SENDING = timedelta(minutes=2)
BATCH = 100


@dataclass
class PassResult:
    steps: int = 0
    pages: int = 0
    exhausted: int = 0
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    errors: int = 0

    def line(self) -> str:
        return (
            f"paging: {self.steps} steps run, {self.pages} pages queued, {self.sent} sent, "
            f"{self.failed} failed, {self.unknown} unknown, {self.exhausted} chains exhausted, "
            f"{self.errors} errors"
        )


_warm = False


def _warm_up() -> None:
    """Load Apprise's plugins once, when the worker starts, rather than on the first page
    (about a second): the first P1 after a restart must page as fast as the others."""
    global _warm
    if not _warm:
        _warm = True
        apprise.Apprise().add("json://localhost/")


def paging_pass(now: datetime | None = None) -> PassResult:
    """One round of the paging work that is due: advance the chains, send the pages."""
    _warm_up()
    result = PassResult()
    try:
        advance_due(now, result=result)
    finally:  # pages already queued go out whatever happened to the chains
        send_queued(now, result=result)
    counts = (result.steps, result.sent, result.failed, result.unknown, result.exhausted)
    if any(counts) or result.errors:
        log.info(result.line())
    return result


# -- advancing chains --------------------------------------------------------------------------


def advance_due(now: datetime | None = None, *, result: PassResult | None = None) -> PassResult:
    """Run every chain step that is due (see the module docstring). A step that found nobody
    to page moves on at once, so the loop repeats while something was done.

    Each step runs in its own transaction and its own try: a chain whose step fails (a broken
    policy, a bug) is logged, rolled back (it stays due, and the next pass tries it again) and
    left alone for the rest of this pass, while every other chain goes on."""
    result = result if result is not None else PassResult()
    broken: set[int] = set()
    for _ in range(10):
        moment = now or clock.now()
        due = list(
            Escalation.objects.filter(status=Escalation.Status.ACTIVE, next_at__lte=moment)
            .exclude(pk__in=broken)
            .order_by("next_at", "id")
            .values_list("pk", "step", "cycle", "next_at")[:BATCH]
        )
        if not due:
            break
        for pk, step, cycle, next_at in due:
            try:
                with transaction.atomic():
                    run_step(pk, step, cycle, next_at, moment, result)
            except Exception:  # one broken chain must not stop the others
                log.exception("paging: chain %s failed at step %s, round %s", pk, step, cycle)
                broken.add(pk)
                result.errors += 1
    return result


@dataclass(frozen=True)
class Plan:
    """What one (step, cycle) of a chain does, and where the chain goes next."""

    kind: str  # "step" | "lead" | "end"
    step: EscalationStep | None
    lead: User | None
    next_step: int
    next_cycle: int
    wait: timedelta


def plan(escalation: Escalation, steps: list[EscalationStep], step: int, cycle: int) -> Plan:
    """Steps 0..n-1 run each round; after the last step of a round a new round starts while
    `cycle < repeat`; after the last round comes the team lead (step n) when the policy says
    so; then the end. A chain whose policy lost steps meanwhile ends at the first index past
    them. The wait after the lead is the last step's."""
    policy = escalation.policy
    n = len(steps)
    team = policy.team
    lead = team.lead if policy.notify_team_lead and team is not None else None
    if lead is not None and not lead.is_active:
        lead = None
    last_wait = timedelta(minutes=steps[-1].wait_minutes) if steps else timedelta(minutes=5)
    if step < n:
        current = steps[step]
        if step < n - 1:
            nxt = (step + 1, cycle)
        elif cycle < policy.repeat:
            nxt = (0, cycle + 1)
        else:
            nxt = (n, cycle)
        return Plan("step", current, None, *nxt, timedelta(minutes=current.wait_minutes))
    if step == n and lead is not None:
        return Plan("lead", None, lead, n + 1, cycle, last_wait)
    return Plan("end", None, None, step, cycle, timedelta(0))


def who(step: EscalationStep, moment: datetime) -> tuple[list[User], str]:
    """The people a step notifies at `moment`, and a note when there is nobody."""
    if step.target == EscalationStep.Target.SCHEDULE:
        person = on_call_at(step.schedule, moment)
        if person is None:
            return [], f"nobody is on call for {step.schedule} now"
        return [person], ""
    if step.target == EscalationStep.Target.USER:
        return [step.user], ""
    members = list(step.team.members.filter(is_active=True, kind=User.Kind.AGENT).order_by("id"))
    return members, "" if members else f"{step.team} has no active members"


def run_step(
    pk: int, step: int, cycle: int, next_at: datetime, now: datetime, result: PassResult
) -> bool:
    """Claim and run one due step of one chain, inside the caller's transaction. Returns
    False when another worker (or an acknowledgement) got there first.

    Locks the ticket's row first, then claims the chain: the order of every ticket service
    (`tickets.rules.lock`) and of `services.acknowledge`. On PostgreSQL the page and event
    inserts take FOR KEY SHARE on the ticket (their foreign keys); a worker that claimed the
    Escalation first would wait there for an acknowledger holding the ticket while the
    acknowledger waits for the Escalation: a deadlock."""
    ticket_id = Escalation.objects.filter(pk=pk).values_list("ticket_id", flat=True).first()
    if ticket_id is None:
        return False
    list(Ticket.objects.select_for_update().filter(pk=ticket_id).values_list("pk", flat=True))
    escalation = (
        Escalation.objects.select_related("ticket__organization", "policy__team__lead")
        .filter(pk=pk)
        .first()
    )
    if escalation is None:
        return False
    steps = list(
        escalation.policy.steps.select_related("schedule", "user", "team").order_by("position")
    )
    what = plan(escalation, steps, step, cycle)
    ticket = escalation.ticket
    claim = Escalation.objects.filter(
        pk=pk, status=Escalation.Status.ACTIVE, step=step, cycle=cycle, next_at=next_at
    )
    if what.kind == "end":
        if not claim.update(status=Escalation.Status.EXHAUSTED, next_at=None, ended_at=now):
            return False
        rounds = escalation.policy.repeat + 1
        lead = " and the team lead" if step > len(steps) else ""
        write_event(
            ticket,
            EventKind.PAGE_FAILED,
            None,
            body=(
                f"Nobody acknowledged after {rounds} round{'s' if rounds != 1 else ''}{lead}: "
                "paging stopped. Acknowledge from the ticket to take it."
            ),
            data={"escalation": escalation.public_id, "exhausted": True},
        )
        result.exhausted += 1
        return True
    if what.kind == "lead":
        people, note = [what.lead], ""
    else:
        people, note = who(what.step, now)
    eligible, skipped = [], []
    for person in dict.fromkeys(people):  # once per step, in order
        if is_agent(person) and serves(person, ticket.organization_id):
            eligible.append(person)
        else:
            skipped.append(person)
    # Nobody reached: go on at once within a round, but a round's last step waits its time
    # before the next round (or the lead): a momentary gap in the rota must not burn every
    # round in one pass and end the chain having paged nobody.
    end_of_round = what.next_cycle != cycle or what.next_step >= len(steps)
    wait = what.wait if eligible or (what.kind == "step" and end_of_round) else timedelta(0)
    if not claim.update(step=what.next_step, cycle=what.next_cycle, next_at=now + wait):
        return False
    result.steps += 1
    label = (
        f"step {step + 1}, round {cycle + 1}" if what.kind == "step" else "final step: team lead"
    )
    for person in skipped:
        write_event(
            ticket,
            EventKind.PAGE_FAILED,
            None,
            body=f"Not paged {person.get_full_name()} ({label}): not an active agent serving "
            f"{ticket.organization.name}.",
            data={"escalation": escalation.public_id, "step": step + 1, "cycle": cycle + 1},
        )
    if note:
        write_event(
            ticket,
            EventKind.PAGE_FAILED,
            None,
            body=f"Nobody paged at {label}: {note}.",
            data={"escalation": escalation.public_id, "step": step + 1, "cycle": cycle + 1},
        )
    methods = _methods([p.pk for p in eligible])
    for person in eligible:
        pages = [
            Page(
                escalation=escalation,
                ticket=ticket,
                user=person,
                contact_method=m,
                channel=f"cm:{m.pk}" if m else "account",
                service=m.service if m else "email",
                step=step,
                cycle=cycle,
                created_at=now,
            )
            for m in methods.get(person.pk) or [None]
        ]
        Page.objects.bulk_create(pages)
        result.pages += len(pages)
        services = ", ".join(dict.fromkeys(p.service for p in pages))
        write_event(
            ticket,
            EventKind.PAGED,
            None,
            body=f"Paged {person.get_full_name()} ({label}) via {services}.",
            data={
                "escalation": escalation.public_id,
                "user": person.public_id,
                "name": person.get_full_name(),
                "step": step + 1,
                "cycle": cycle + 1,
                "lead": what.kind == "lead",
                "channels": [p.service for p in pages],
            },
        )
    return True


def _methods(user_ids: list[int]) -> dict[int, list[ContactMethod]]:
    """Each person's active contact methods in their order; a person without any is paged at
    their account's email address (the caller's `[None]`)."""
    found: dict[int, list[ContactMethod]] = {}
    for m in ContactMethod.objects.filter(user_id__in=user_ids, is_active=True).order_by(
        "user_id", "position", "id"
    ):
        found.setdefault(m.user_id, []).append(m)
    return found


# -- sending pages -----------------------------------------------------------------------------


def send_queued(now: datetime | None = None, *, result: PassResult | None = None) -> PassResult:
    """Send the queued pages, oldest first (see the module docstring); first mark the pages a
    dead worker left in "sending" as unknown, without sending them again."""
    result = result if result is not None else PassResult()
    moment = now or clock.now()
    for pk in Page.objects.filter(
        status=Page.Status.SENDING, claimed_at__lt=moment - STALE_SENDING
    ).values_list("pk", flat=True):
        with transaction.atomic():
            if Page.objects.filter(pk=pk, status=Page.Status.SENDING).update(
                status=Page.Status.UNKNOWN,
                error="the worker stopped while sending it; not sent again (at most once)",
            ):
                _unknown_event(Page.objects.select_related(*RELATED).get(pk=pk))
                result.unknown += 1
    queued = list(
        Page.objects.filter(status=Page.Status.QUEUED)
        .order_by("id")
        .values_list("pk", flat=True)[:BATCH]
    )
    for pk in queued:
        if not Page.objects.filter(pk=pk, status=Page.Status.QUEUED).update(
            status=Page.Status.SENDING, claimed_at=now or clock.now()
        ):
            continue  # another worker's
        page = Page.objects.select_related(*RELATED).get(pk=pk)
        if not page.escalation.is_open:
            Page.objects.filter(pk=pk, status=Page.Status.SENDING).update(
                status=Page.Status.CANCELLED
            )
            continue
        try:
            delivery.deliver(page)
        except Exception as exc:  # any failure is recorded, the chain goes on
            page.error = str(exc)[:2000] or type(exc).__name__
            with transaction.atomic():
                if Page.objects.filter(pk=pk, status=Page.Status.SENDING).update(
                    status=Page.Status.FAILED, error=page.error
                ):
                    _failed_event(page)
            result.failed += 1
            log.warning("page %s to %s failed: %s", page.public_id, page.user, page.error)
        else:
            Page.objects.filter(pk=pk, status=Page.Status.SENDING).update(
                status=Page.Status.SENT, sent_at=clock.now() if now is None else now
            )
            result.sent += 1
    return result


RELATED = (
    "escalation",
    "escalation__ticket__organization",
    "ticket__organization",
    "user",
    "contact_method",
)


def _page_data(page: Page) -> dict[str, object]:
    return {
        "escalation": page.escalation.public_id,
        "page": page.public_id,
        "user": page.user.public_id,
        "channel": page.service,
        "step": page.step + 1,
        "cycle": page.cycle + 1,
    }


def _failed_event(page: Page) -> None:
    write_event(
        page.ticket,
        EventKind.PAGE_FAILED,
        None,
        body=f"Page to {page.user.get_full_name()} via {page.service} failed: {page.error}",
        data=_page_data(page),
    )


def _unknown_event(page: Page) -> None:
    write_event(
        page.ticket,
        EventKind.NOTE,
        None,
        body=(
            f"Page to {page.user.get_full_name()} via {page.service}: delivery unknown. The "
            "worker stopped while sending it, so it may have arrived; not sent again."
        ),
        data={**_page_data(page), "delivery": Page.Status.UNKNOWN.value},
    )
