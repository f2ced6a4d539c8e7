"""Work orders: MACD service requests (moves, adds, changes, disposals, new systems ...) made
from templates with a checklist, a quality-control (QC) checklist that gates resolving, and a
"confirmed with the user" step; projects of many work orders made from a CSV.

A template's content lives in numbered, immutable `TemplateVersion`s: an admin's edit makes a
new version, and a running work order keeps the version it started with (its items are copied
onto it when it is created). A work order is one ticket (OneToOne): the ticket carries the
requester, site, status and timeline; the work order carries the checklist state.

The QC gate (`workorders.gate`, registered on the ticket event hook) refuses resolving (and
closing an unresolved ticket) while a required item, the QC sign-off or the user's confirmation
is missing, whichever way the ticket is resolved: page, API, macro, bulk action.
"""

from django.conf import settings
from django.db import models

from deskside.accounts.models import Organization, Team
from deskside.core import clock
from deskside.core.ids import new_public_id
from deskside.tickets.models import Attachment, Priority, Ticket, TicketType


class TemplateKind(models.TextChoices):
    MOVE = "move", "Move"
    ADD = "add", "Add"
    CHANGE = "change", "Change"
    DISPOSAL = "disposal", "Disposal"
    NEW_SYSTEM = "new_system", "New system with data and mail migration"
    PERIPHERAL = "peripheral", "Peripheral install"
    IMAGE_QA = "image_qa", "Image quality assurance"
    UPS = "ups", "UPS replacement"
    NEW_STARTER = "new_starter", "New starter"
    LEAVER = "leaver", "Leaver"
    OPERATIONAL = "operational", "Operational routine"


class Section(models.TextChoices):
    WORK = "work", "Checklist"
    QC = "qc", "Quality control"


class Evidence(models.TextChoices):
    NONE = "none", "None"
    NOTE = "note", "A note"
    PHOTO = "photo", "A photo"
    FILE = "file", "A file"


class WorkOrderTemplate(models.Model):
    """A kind of MACD work an admin has described once. Its content is in its versions."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=TemplateKind.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> "TemplateVersion | None":
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    """One immutable version of a template: what a work order started from it contains."""

    template = models.ForeignKey(
        WorkOrderTemplate, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    subject = models.CharField(max_length=250, help_text="The work order ticket's subject.")
    description = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.P3)
    ticket_type = models.CharField(
        max_length=20, choices=TicketType.choices, default=TicketType.SERVICE_REQUEST
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    second_pair_of_eyes = models.BooleanField(
        default=False, help_text="QC must be signed by someone who did none of the work."
    )
    confirm_with_user = models.BooleanField(
        default=True, help_text="The technician confirms the result with the user."
    )
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["template_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="templateversion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("a template version is immutable: make a new version")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class TemplateItem(models.Model):
    """One line of a template version's checklist or QC checklist."""

    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(max_length=4, choices=Section.choices, default=Section.WORK)
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    required = models.BooleanField(default=True)
    evidence = models.CharField(max_length=5, choices=Evidence.choices, default=Evidence.NONE)

    class Meta:
        ordering = ["version_id", "section", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "section", "position"], name="templateitem_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Project(models.Model):
    """A parent work order of many (e.g. "Move 40 desks to floor 4"): its own ticket, whose
    children are the rows' work orders (`Ticket.parent`)."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="projects"
    )
    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="project")
    template_version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(max_length=250)
    source_filename = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class WorkOrder(models.Model):
    """A running work order: one ticket, the template version it started from, the state of
    its items, QC sign-off and the user's confirmation. `organization` repeats the ticket's
    client (kept equal by the services) so tenancy filters one indexed column."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="work_order")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="work_orders"
    )
    template_version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="work_orders"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="work_orders"
    )
    row_number = models.PositiveIntegerField(null=True, blank=True, help_text="The CSV line.")
    row_data = models.JSONField(default=dict, blank=True, help_text="The project row's cells.")
    qc_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    qc_signed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_note = models.TextField(
        blank=True, help_text="Who confirmed, how (in person, by phone), what they said."
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "row_number"], name="workorder_project_row")]

    def __str__(self) -> str:
        return f"{self.template_version.template.name} ({self.ticket.number})"


class WorkOrderItem(models.Model):
    """A checklist or QC line of a running work order, copied from its template version, with
    who ticked it, when, and the evidence it needed (a note, or an attachment on the ticket)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(max_length=4, choices=Section.choices, default=Section.WORK)
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    required = models.BooleanField(default=True)
    evidence = models.CharField(max_length=5, choices=Evidence.choices, default=Evidence.NONE)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    attachment = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["work_order_id", "section", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_order", "section", "position"], name="workorderitem_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
