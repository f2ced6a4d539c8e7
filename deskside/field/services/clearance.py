"""Client clearance: whether a technician may work alone at a client.

Per technician and client: not cleared -> shadowing -> cleared, or revoked (from shadowing or
cleared); a revoked technician may start shadowing again. Each change is one transaction that
writes a `ClearanceEvent` (who, from, to, note) and an audit entry (`core.audit.record`,
object type "field.clearance", object id "<technician public id>@<client slug>").

Who may do what (decisions where the issue was silent):

- **Any agent who serves the client** starts shadowing and revokes (a revocation needs a
  reason). The technician must be an active agent who serves the client.
- **Shadowing names the client's regular technician**, who must be cleared there: the person
  who takes the newcomer along. At a client where nobody is cleared yet (a new client) there
  is no one to name: the regular technician may then be left out, and only a lead signs off.
- **Sign-off** (shadowing -> cleared) is for the clearance's regular technician (still cleared
  at the client) or a lead, never the technician themself, and only once the required shadow
  visits are done. A lead may sign off earlier with an explicit override note (the newcomer
  worked at this client before, under another contract ...).
- **A lead** is an active administrator (an agent with `is_staff`) or the lead (`Team.lead`) of
  a team the technician is a member of, as for leave in `rosters` (`can_manage_leave`).
- **The shadow visits done** are counted, never stored: the visits at that client with status
  done where the person was the second technician marked as shadowing.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import is_lead_of, serves
from deskside.core import audit, clock
from deskside.field.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.field.models import (
    Clearance,
    ClearanceEvent,
    ClearanceStatus,
    Visit,
    VisitStatus,
)

MAX_SHADOW_VISITS = 20
MAX_NOTE = 2000
AUDITED = (
    "status",
    "regular_technician",
    "shadow_visits_required",
    "signed_off_by",
    "signed_off_at",
    "note",
)
# Where each status may go next (the flow of the issue: revoked may start over).
NEXT = {
    ClearanceStatus.NOT_CLEARED: {ClearanceStatus.SHADOWING},
    ClearanceStatus.SHADOWING: {ClearanceStatus.CLEARED, ClearanceStatus.REVOKED},
    ClearanceStatus.CLEARED: {ClearanceStatus.REVOKED},
    ClearanceStatus.REVOKED: {ClearanceStatus.SHADOWING},
}


# -- reads the rules need ----------------------------------------------------------------------


def object_id(clearance: Clearance) -> str:
    """The clearance's public name: "<technician public id>@<client slug>" (URLs, audit)."""
    return f"{clearance.technician.public_id}@{clearance.organization.slug}"


def is_lead(actor: User, technician: User) -> bool:
    """An active administrator, or the lead of a team `technician` is a member of."""
    return is_lead_of(actor, technician)


def shadow_visits_done(technician_id: int, organization_id: int) -> int:
    """Done visits at the client where the person went as the shadowing second technician."""
    return Visit.objects.filter(
        organization_id=organization_id,
        second_technician_id=technician_id,
        second_is_shadowing=True,
        status=VisitStatus.DONE,
    ).count()


def shadow_counts(
    technician_ids: Iterable[int], organization_ids: Iterable[int]
) -> dict[tuple[int, int], int]:
    """(technician id, client id) -> shadow visits done, for many pairs in one query."""
    techs, orgs = set(technician_ids), set(organization_ids)
    if not techs or not orgs:
        return {}
    rows = (
        Visit.objects.filter(
            organization_id__in=orgs,
            second_technician_id__in=techs,
            second_is_shadowing=True,
            status=VisitStatus.DONE,
        )
        .order_by()
        .values("second_technician_id", "organization_id")
        .annotate(n=Count("id"))
    )
    return {(r["second_technician_id"], r["organization_id"]): r["n"] for r in rows}


def status_of(technician: User, organization: Organization) -> str:
    """The technician's clearance status at the client ("not_cleared" when there is no row)."""
    found = (
        Clearance.objects.filter(technician=technician, organization=organization)
        .values_list("status", flat=True)
        .first()
    )
    return found or ClearanceStatus.NOT_CLEARED


# -- checks ------------------------------------------------------------------------------------


def _require_serving_agent(actor: User, organization: Organization) -> None:
    if not is_agent(actor):
        raise NotAllowed("only agents change clearances")
    if not serves(actor, organization.pk):
        raise NotAllowed("you do not serve this client")


def _check_technician(person: User, organization: Organization, field: str) -> None:
    if not person.is_agent or not person.is_active:
        raise InvalidInput(f"{person} is not an active agent", field=field)
    if not serves(person, organization.pk):
        raise InvalidInput(f"{person} does not serve {organization.name}", field=field)


def _note(text: str, field: str = "note", *, required: bool = False, what: str = "a note") -> str:
    text = (text or "").strip()
    if required and not text:
        raise InvalidInput(f"{what} is required", field=field)
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"at most {MAX_NOTE} characters", field=field)
    return text


def _locked(technician: User, organization: Organization) -> Clearance:
    """The clearance row, locked, made (not cleared) when there is none yet."""
    row = (
        Clearance.objects.select_for_update(of=("self",))
        .select_related("technician", "organization", "regular_technician")
        .filter(technician=technician, organization=organization)
        .first()
    )
    if row is None:
        now = clock.now()
        row, _ = Clearance.objects.get_or_create(
            technician=technician,
            organization=organization,
            defaults={"created_at": now, "updated_at": now},
        )
        row = (
            Clearance.objects.select_for_update(of=("self",))
            .select_related("technician", "organization", "regular_technician")
            .get(pk=row.pk)
        )
    return row


def _move(actor: User, clearance: Clearance, to: str, note: str, before: dict) -> Clearance:
    """Write the change: the row, its event and the audit entry (inside the caller's
    transaction, the row locked; `before` is its snapshot as it was read)."""
    was = clearance.status
    if to not in NEXT[ClearanceStatus(was)]:
        raise InvalidTransition(
            f"a clearance that is {clearance.get_status_display().lower()} cannot become "
            f"{ClearanceStatus(to).label.lower()}",
            field="status",
        )
    now = clock.now()
    clearance.status = to
    clearance.note = note
    clearance.updated_at = now
    clearance.save()
    ClearanceEvent.objects.create(
        clearance=clearance, actor=actor, from_status=was, to_status=to, note=note, created_at=now
    )
    audit.record_update(
        actor,
        "field.clearance",
        object_id(clearance),
        label=f"{clearance.technician} at {clearance.organization.name}",
        before=before,
        after=audit.snapshot(clearance, AUDITED),
        action=f"clearance_{to}",
    )
    return clearance


# -- the changes -------------------------------------------------------------------------------


@transaction.atomic
def start_shadowing(
    *,
    actor: User,
    technician: User,
    organization: Organization,
    regular_technician: User | None,
    shadow_visits_required: int | None = None,
    note: str = "",
) -> Clearance:
    """Not cleared (or revoked) -> shadowing, with the client's regular technician (cleared
    there) who takes the technician along, and how many shadow visits clearance needs
    (default: the row's, 2). Raises NotAllowed, InvalidInput, InvalidTransition."""
    _require_serving_agent(actor, organization)
    _check_technician(technician, organization, "technician")
    note = _note(note)
    if shadow_visits_required is not None and not (
        0 <= shadow_visits_required <= MAX_SHADOW_VISITS
    ):
        raise InvalidInput(
            f"between 0 and {MAX_SHADOW_VISITS} shadow visits", field="shadow_visits_required"
        )
    if regular_technician is not None and regular_technician.pk == technician.pk:
        raise InvalidInput("the regular technician is another person", field="regular_technician")
    clearance = _locked(technician, organization)
    before = audit.snapshot(clearance, AUDITED)
    if clearance.status not in (ClearanceStatus.NOT_CLEARED, ClearanceStatus.REVOKED):
        raise InvalidTransition(
            f"{technician} is {clearance.get_status_display().lower()} at {organization.name}",
            field="status",
        )
    cleared_here = Clearance.objects.filter(
        organization=organization, status=ClearanceStatus.CLEARED
    ).exclude(technician=technician)
    if regular_technician is None:
        if cleared_here.exists():
            raise InvalidInput(
                f"name {organization.name}'s regular technician, who takes {technician} along",
                field="regular_technician",
            )
    elif not cleared_here.filter(technician=regular_technician).exists():
        raise InvalidInput(
            f"{regular_technician} is not cleared at {organization.name}",
            field="regular_technician",
        )
    clearance.regular_technician = regular_technician
    if shadow_visits_required is not None:
        clearance.shadow_visits_required = shadow_visits_required
    clearance.signed_off_by = None
    clearance.signed_off_at = None
    return _move(actor, clearance, ClearanceStatus.SHADOWING, note, before)


@transaction.atomic
def sign_off(
    *, actor: User, clearance: Clearance, note: str = "", override: bool = False
) -> Clearance:
    """Shadowing -> cleared, by the regular technician (cleared there) or a lead, once the
    required shadow visits are done; a lead may `override` that with a note saying why.
    Raises NotAllowed, InvalidInput, InvalidTransition."""
    clearance = _locked(clearance.technician, clearance.organization)
    organization, technician = clearance.organization, clearance.technician
    before = audit.snapshot(clearance, AUDITED)
    _require_serving_agent(actor, organization)
    note = _note(note)
    if clearance.status != ClearanceStatus.SHADOWING:
        raise InvalidTransition(
            f"only a technician who is shadowing is signed off ({technician} is "
            f"{clearance.get_status_display().lower()})",
            field="status",
        )
    if actor.pk == technician.pk:
        raise NotAllowed("a technician does not sign off their own clearance")
    lead = is_lead(actor, technician)
    regular = (
        clearance.regular_technician_id == actor.pk
        and Clearance.objects.filter(
            technician=actor, organization=organization, status=ClearanceStatus.CLEARED
        ).exists()
    )
    if not (lead or regular):
        raise NotAllowed(
            f"only {organization.name}'s regular technician named on the clearance (cleared "
            "there) or a lead signs off"
        )
    done = shadow_visits_done(technician.pk, organization.pk)
    if done < clearance.shadow_visits_required:
        if not override:
            raise InvalidTransition(
                f"{technician} has done {done} of {clearance.shadow_visits_required} shadow "
                "visits; a lead may sign off earlier with an override note",
                field="override",
            )
        if not lead:
            raise NotAllowed("only a lead signs off before the shadow visits are done")
        note = _note(note, required=True, what="an override note (why clear them earlier)")
    clearance.signed_off_by = actor
    clearance.signed_off_at = clock.now()
    return _move(actor, clearance, ClearanceStatus.CLEARED, note, before)


@transaction.atomic
def revoke(*, actor: User, clearance: Clearance, reason: str) -> Clearance:
    """Shadowing or cleared -> revoked, with the reason. The visits already scheduled stay
    (the board warns about them); new ones are refused by the clearance rule."""
    clearance = _locked(clearance.technician, clearance.organization)
    _require_serving_agent(actor, clearance.organization)
    reason = _note(reason, "reason", required=True, what="a reason")
    before = audit.snapshot(clearance, AUDITED)
    return _move(actor, clearance, ClearanceStatus.REVOKED, reason, before)


def change(
    *,
    actor: User,
    technician: User,
    organization: Organization,
    status: str,
    note: str = "",
    regular_technician: User | None = None,
    shadow_visits_required: int | None = None,
    override: bool = False,
) -> Clearance:
    """One entry point for the API: move the clearance to `status` (shadowing, cleared,
    revoked) with what that change needs; the rules are the functions above."""
    if status == ClearanceStatus.SHADOWING:
        return start_shadowing(
            actor=actor,
            technician=technician,
            organization=organization,
            regular_technician=regular_technician,
            shadow_visits_required=shadow_visits_required,
            note=note,
        )
    if status not in (ClearanceStatus.CLEARED, ClearanceStatus.REVOKED):
        raise InvalidInput("the status is shadowing, cleared or revoked", field="status")
    clearance = Clearance.objects.filter(technician=technician, organization=organization).first()
    if clearance is None:
        raise InvalidTransition(
            f"{technician} is not cleared at {organization.name}: start shadowing first",
            field="status",
        )
    if status == ClearanceStatus.CLEARED:
        return sign_off(actor=actor, clearance=clearance, note=note, override=override)
    return revoke(actor=actor, clearance=clearance, reason=note)
