"""Work-order templates and their versions. Configuration: admins only, every change audited.

An edit never changes a version: `new_version` writes version n+1 with its items, and running
work orders keep the version (and the copied items) they started with.
"""

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_admin
from deskside.core import audit, clock
from deskside.tickets.models import Priority, TicketType
from deskside.workorders.exceptions import InvalidInput, NotAllowed
from deskside.workorders.models import (
    Evidence,
    Section,
    TemplateItem,
    TemplateKind,
    TemplateVersion,
    WorkOrderTemplate,
)

MAX_ITEMS = 100


@dataclass(frozen=True)
class ItemSpec:
    """One checklist line as an admin wrote it."""

    text: str
    section: str = Section.WORK
    required: bool = True
    evidence: str = Evidence.NONE


@dataclass(frozen=True)
class VersionSpec:
    """A version's content: the ticket it opens and its items."""

    subject: str
    items: Sequence[ItemSpec]
    description: str = ""
    priority: int = Priority.P3
    ticket_type: str = TicketType.SERVICE_REQUEST
    team: Team | None = None
    second_pair_of_eyes: bool = False
    confirm_with_user: bool = True
    change_note: str = ""


def require_admin(actor: User | None) -> None:
    if actor is not None and not is_admin(actor):
        raise NotAllowed("only admins edit work-order templates")


def _check(spec: VersionSpec) -> None:
    if not spec.subject.strip():
        raise InvalidInput("the subject is required", field="subject")
    if len(spec.subject) > 250:
        raise InvalidInput("the subject is at most 250 characters", field="subject")
    if spec.priority not in Priority.values:
        raise InvalidInput("priority must be one of P1, P2, P3, OPS", field="priority")
    if spec.ticket_type not in TicketType.values:
        raise InvalidInput("unknown ticket type", field="ticket_type")
    if not spec.items:
        raise InvalidInput("a template needs at least one checklist item", field="items")
    if len(spec.items) > MAX_ITEMS:
        raise InvalidInput(f"at most {MAX_ITEMS} items", field="items")
    for number, item in enumerate(spec.items, 1):
        if not item.text.strip():
            raise InvalidInput(f"item {number} has no text", field="items")
        if len(item.text) > 300:
            raise InvalidInput(f"item {number} is over 300 characters", field="items")
        if item.section not in Section.values:
            raise InvalidInput(f"item {number}: unknown section {item.section!r}", field="items")
        if item.evidence not in Evidence.values:
            raise InvalidInput(f"item {number}: unknown evidence {item.evidence!r}", field="items")
    if spec.second_pair_of_eyes and not any(i.section == Section.QC for i in spec.items):
        raise InvalidInput(
            "a second pair of eyes needs at least one QC item to sign", field="second_pair_of_eyes"
        )


def _snapshot(version: TemplateVersion) -> dict[str, object]:
    return {
        "number": version.number,
        "subject": version.subject,
        "priority": Priority(version.priority).label,
        "ticket_type": version.ticket_type,
        "team": version.team.name if version.team else None,
        "second_pair_of_eyes": version.second_pair_of_eyes,
        "confirm_with_user": version.confirm_with_user,
        "items": [
            f"[{i.section}] {i.text}{'' if i.required else ' (optional)'}"
            + ("" if i.evidence == Evidence.NONE else f" evidence: {i.evidence}")
            for i in version.items.all()
        ],
    }


def _write_version(
    actor: User | None, template: WorkOrderTemplate, number: int, spec: VersionSpec
) -> TemplateVersion:
    version = TemplateVersion.objects.create(
        template=template,
        number=number,
        subject=spec.subject.strip(),
        description=spec.description.strip(),
        priority=spec.priority,
        ticket_type=spec.ticket_type,
        team=spec.team,
        second_pair_of_eyes=spec.second_pair_of_eyes,
        confirm_with_user=spec.confirm_with_user,
        change_note=spec.change_note.strip()[:300],
        created_by=actor,
        created_at=clock.now(),
    )
    positions = {Section.WORK: 0, Section.QC: 0}
    rows = []
    for item in spec.items:
        positions[item.section] += 1
        rows.append(
            TemplateItem(
                version=version,
                section=item.section,
                position=positions[item.section],
                text=item.text.strip(),
                required=item.required,
                evidence=item.evidence,
            )
        )
    TemplateItem.objects.bulk_create(rows)
    return version


@transaction.atomic
def create_template(
    actor: User | None, *, name: str, kind: str, spec: VersionSpec
) -> WorkOrderTemplate:
    """A new template with its version 1. `actor` None is the system (demo, commands)."""
    require_admin(actor)
    name = name.strip()
    if not name:
        raise InvalidInput("the name is required", field="name")
    if kind not in TemplateKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(TemplateKind.values)}", field="kind")
    if WorkOrderTemplate.objects.filter(name__iexact=name).exists():
        raise InvalidInput(f"a template named {name!r} exists", field="name")
    _check(spec)
    template = WorkOrderTemplate.objects.create(name=name, kind=kind, created_at=clock.now())
    version = _write_version(actor, template, 1, spec)
    audit.record(
        actor,
        audit.CREATED,
        "workorder_template",
        template.public_id,
        label=name,
        after={"name": name, "kind": kind, **_snapshot(version)},
    )
    return template


@transaction.atomic
def new_version(
    actor: User | None, template: WorkOrderTemplate, spec: VersionSpec
) -> TemplateVersion:
    """Version n+1 of `template`; work orders already running keep theirs."""
    require_admin(actor)
    template = WorkOrderTemplate.objects.select_for_update().get(pk=template.pk)
    _check(spec)
    current = template.versions.order_by("-number").first()
    number = (current.number if current else 0) + 1
    version = _write_version(actor, template, number, spec)
    audit.record(
        actor,
        "new_version",
        "workorder_template",
        template.public_id,
        label=template.name,
        before=_snapshot(current) if current else None,
        after=_snapshot(version),
    )
    return version


@transaction.atomic
def set_active(actor: User | None, template: WorkOrderTemplate, active: bool) -> WorkOrderTemplate:
    """Retire a template from the "new work order" choices (or bring it back)."""
    require_admin(actor)
    template = WorkOrderTemplate.objects.select_for_update().get(pk=template.pk)
    if template.is_active != active:
        before = {"is_active": template.is_active}
        template.is_active = active
        template.save(update_fields=["is_active"])
        audit.record_update(
            actor,
            "workorder_template",
            template.public_id,
            label=template.name,
            before=before,
            after={"is_active": active},
        )
    return template


def in_order(items: Iterable[TemplateItem]) -> list[TemplateItem]:
    """The checklist first, then QC, each by position."""
    return sorted(items, key=lambda i: (i.section != Section.WORK, i.position))


def item_line(item: TemplateItem | ItemSpec) -> str:
    """One item as a line a person compares: section, text, optional, evidence."""
    section = "QC" if item.section == Section.QC else "Checklist"
    extra = "" if item.required else " (optional)"
    if item.evidence != Evidence.NONE:
        extra += f" [evidence: {Evidence(item.evidence).label.lower()}]"
    return f"{section}: {item.text}{extra}"


def items_diff(old: TemplateVersion | None, new: TemplateVersion) -> list[tuple[str, str]]:
    """What changed in the items from `old` to `new`, as (op, line) pairs in the new order:
    op "+" added, "-" removed, " " the same (`old` None: every item added)."""
    before = [item_line(i) for i in in_order(old.items.all())] if old is not None else []
    after = [item_line(i) for i in in_order(new.items.all())]
    out: list[tuple[str, str]] = []
    for line in difflib.ndiff(before, after):
        op, text = line[:1], line[2:]
        if op in ("+", "-", " "):
            out.append((op, text))
    return out


def spec_of(version: TemplateVersion) -> VersionSpec:
    """A version's content as a spec (the start of an admin's edit: the next version)."""
    return VersionSpec(
        subject=version.subject,
        items=[
            ItemSpec(text=i.text, section=i.section, required=i.required, evidence=i.evidence)
            for i in in_order(version.items.all())
        ],
        description=version.description,
        priority=version.priority,
        ticket_type=version.ticket_type,
        team=version.team,
        second_pair_of_eyes=version.second_pair_of_eyes,
        confirm_with_user=version.confirm_with_user,
    )
