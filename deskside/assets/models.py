"""Assets: a client's devices and peripherals through their lifecycle, up to certified
disposal; the tickets they were part of; how the desk reaches them remotely; vendor RMA cases.

Lifecycle (TRANSITIONS): ordered -> in stock -> deployed -> in repair -> retired -> disposed.
Every change of an asset writes an `AssetEvent` (its own append-only timeline) in the same
transaction, through `assets.services`. A disposed asset is frozen: the services refuse every
change, and `Asset.save` refuses an update of a row that is disposed in the database (the last
line of defence against admin or a careless script).

`organization` is the tenancy boundary: an asset belongs to one client; a customer sees only
their organisation's assets (organisation admins, read-only, in the portal).
"""

import hashlib

from django.conf import settings
from django.db import models

from deskside.accounts.models import Organization, Site
from deskside.core import clock
from deskside.core.ids import new_public_id
from deskside.tickets.models import Ticket


class AssetKind(models.TextChoices):
    DESKTOP = "desktop", "Desktop"
    LAPTOP = "laptop", "Laptop"
    MONITOR = "monitor", "Monitor"
    PRINTER = "printer", "Printer"
    PHONE = "phone", "Phone"
    TABLET = "tablet", "Tablet"
    SERVER = "server", "Server"
    NETWORK = "network", "Network device"
    UPS = "ups", "UPS"
    PERIPHERAL = "peripheral", "Peripheral"
    OTHER = "other", "Other"


class Lifecycle(models.TextChoices):
    ORDERED = "ordered", "Ordered"
    IN_STOCK = "in_stock", "In stock"
    DEPLOYED = "deployed", "Deployed"
    IN_REPAIR = "in_repair", "In repair"
    RETIRED = "retired", "Retired"
    DISPOSED = "disposed", "Disposed"


# The allowed lifecycle changes. Disposed is final and is reached only through a disposal
# batch (assets.services.disposal), never by a plain status change.
TRANSITIONS: dict[str, frozenset[str]] = {
    Lifecycle.ORDERED: frozenset({Lifecycle.IN_STOCK, Lifecycle.RETIRED}),
    Lifecycle.IN_STOCK: frozenset({Lifecycle.DEPLOYED, Lifecycle.IN_REPAIR, Lifecycle.RETIRED}),
    Lifecycle.DEPLOYED: frozenset({Lifecycle.IN_STOCK, Lifecycle.IN_REPAIR, Lifecycle.RETIRED}),
    Lifecycle.IN_REPAIR: frozenset({Lifecycle.IN_STOCK, Lifecycle.DEPLOYED, Lifecycle.RETIRED}),
    Lifecycle.RETIRED: frozenset({Lifecycle.IN_STOCK, Lifecycle.DISPOSED}),
    Lifecycle.DISPOSED: frozenset(),
}


class RemoteTool(models.TextChoices):
    """The remote-access tools an asset may carry an identifier for (`Asset.<tool>_id`)."""

    RMM = "rmm", "RMM agent"
    MESHCENTRAL = "meshcentral", "MeshCentral"
    RUSTDESK = "rustdesk", "RustDesk"
    TEAMVIEWER = "teamviewer", "TeamViewer"


class DisposedAssetError(RuntimeError):
    """Raised by `Asset.save` for an update of a disposed asset (services refuse earlier,
    with a DomainError the user reads)."""


class Asset(models.Model):
    """A device or peripheral of one client."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="assets", db_index=False
    )
    kind = models.CharField(max_length=20, choices=AssetKind.choices, default=AssetKind.OTHER)
    name = models.CharField(max_length=200, blank=True, help_text="Host name or a short label.")
    make = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=100, blank=True)
    serial = models.CharField(max_length=100, blank=True)
    asset_tag = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=20, choices=Lifecycle.choices, default=Lifecycle.IN_STOCK)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assets",
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    purchase_date = models.DateField(null=True, blank=True)
    warranty_end = models.DateField(null=True, blank=True)
    vendor = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    # Remote-access identifiers: the "Connect" link fills the client's URL template with one.
    rmm_id = models.CharField("RMM device id", max_length=200, blank=True)
    meshcentral_id = models.CharField("MeshCentral node id", max_length=200, blank=True)
    rustdesk_id = models.CharField("RustDesk id", max_length=200, blank=True)
    teamviewer_id = models.CharField("TeamViewer id", max_length=200, blank=True)
    disposal_batch = models.ForeignKey(
        "DisposalBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="assets"
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["organization_id", "asset_tag", "id"]
        indexes = [
            # The client's asset list (sorted by tag) and its filters.
            models.Index(fields=["organization", "asset_tag", "id"], name="asset_org_tag"),
            models.Index(fields=["organization", "status", "asset_tag"], name="asset_org_status"),
            models.Index(fields=["organization", "warranty_end"], name="asset_org_warranty"),
            models.Index(fields=["organization", "purchase_date"], name="asset_org_purchase"),
            models.Index(fields=["organization", "serial"], name="asset_org_serial"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "asset_tag"],
                condition=~models.Q(asset_tag=""),
                name="asset_unique_tag_per_client",
            ),
        ]

    def __str__(self) -> str:
        label = self.asset_tag or self.name or self.serial or self.public_id
        what = " ".join(part for part in (self.make, self.model) if part)
        return f"{label} ({what})" if what else label

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and (
            Asset.objects.filter(pk=self.pk, status=Lifecycle.DISPOSED).exists()
        ):
            raise DisposedAssetError(f"{self} is disposed and cannot be changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def remote_id(self, tool: str) -> str:
        return getattr(self, f"{tool}_id", "") or ""


class AssetEventKind(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    STATUS = "status", "Lifecycle changed"
    IMPORTED = "imported", "Imported"
    LINKED = "linked", "Linked to a ticket"
    UNLINKED = "unlinked", "Unlinked from a ticket"
    REMOTE = "remote", "Remote session"
    RMA = "rma", "Vendor case"
    DISPOSED = "disposed", "Disposed"


class AssetEvent(models.Model):
    """The asset's own timeline: append-only, like a ticket's."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=AssetEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["asset_id", "created_at", "id"]
        indexes = [models.Index(fields=["asset", "created_at"], name="assetevent_asset_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.asset_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("asset events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("asset events are append-only")


class AssetTicket(models.Model):
    """An asset a ticket is about (a ticket may name several; an asset has many tickets)."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="ticket_links")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="asset_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "ticket"], name="assetticket_unique"),
        ]
        indexes = [models.Index(fields=["ticket"], name="assetticket_ticket")]

    def __str__(self) -> str:
        return f"{self.asset_id} on {self.ticket_id}"


class RemoteAccessTemplate(models.Model):
    """Per client and tool, how a "Connect" link is built: `url_template` with `{id}` (the
    asset's identifier for the tool, URL-quoted), e.g.
    `https://mesh.example.net/?gotonode={id}` or `rustdesk://{id}`. Configuration: changed
    through services with an audit entry."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="remote_templates"
    )
    tool = models.CharField(max_length=20, choices=RemoteTool.choices)
    url_template = models.CharField(max_length=500)
    label = models.CharField(max_length=100, blank=True, help_text="Shown on the link.")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["organization__name", "tool"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "tool"], name="remotetemplate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.get_tool_display()}"


class RemoteSession(models.Model):
    """One remote-control session an agent started from a ticket: who, when, on which asset
    with which tool, and how long (once ended). Its start and end are on the ticket's timeline
    (EventKind.REMOTE), and a session is a contact with the customer for first-contact
    resolution (tickets.services.status.is_first_contact)."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="remote_sessions")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="remote_sessions")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="remote_sessions"
    )
    tool = models.CharField(max_length=20, choices=RemoteTool.choices)
    url = models.CharField(max_length=800, help_text="The link the agent was sent to.")
    started_at = models.DateTimeField(default=clock.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["ticket", "started_at"], name="remotesession_ticket")]

    def __str__(self) -> str:
        return f"{self.get_tool_display()} session on {self.asset}"


class WipeMethod(models.TextChoices):
    """NIST SP 800-88 Rev. 1 media sanitisation categories."""

    CLEAR = "clear", "Clear (NIST SP 800-88)"
    PURGE = "purge", "Purge (NIST SP 800-88)"
    DESTROY = "destroy", "Destroy (NIST SP 800-88)"


def certificate_path(instance: "DisposalBatch", filename: str) -> str:
    now = clock.now()
    return f"disposal/{now:%Y/%m}/{instance.public_id}"


class DisposalBatch(models.Model):
    """Retired assets handed over to a disposal company, with its certificate. Immutable once
    recorded: its assets are disposed and frozen, and the batch itself is never edited (a
    mistake is corrected by an annotation on the batch's assets' timelines, not by a change)."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="disposal_batches"
    )
    company = models.CharField(max_length=200, help_text="The disposal company.")
    certificate_number = models.CharField(max_length=100)
    method = models.CharField(max_length=10, choices=WipeMethod.choices)
    handed_over_on = models.DateField()
    certificate = models.FileField(upload_to=certificate_path, max_length=200)
    certificate_filename = models.CharField(max_length=255)
    certificate_content_type = models.CharField(max_length=100, default="application/pdf")
    certificate_size = models.PositiveBigIntegerField(default=0)
    certificate_sha256 = models.CharField(max_length=64)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-handed_over_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "company", "certificate_number"],
                name="disposalbatch_unique_certificate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} certificate {self.certificate_number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("a disposal batch is immutable once recorded")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


class VendorCaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class VendorCase(models.Model):
    """An RMA or support case with a manufacturer or vendor, for a ticket (and usually an
    asset). `remind_at` is the deadline of the quiet-case reminder: `last_contact_at` plus
    `quiet_days`, claimed by the worker with a conditional UPDATE (sent once per quiet spell;
    any new entry moves it)."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="vendor_cases", db_index=False
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="vendor_cases")
    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.PROTECT, related_name="vendor_cases"
    )
    vendor = models.CharField(max_length=200)
    case_number = models.CharField(max_length=100)
    status = models.CharField(
        max_length=10, choices=VendorCaseStatus.choices, default=VendorCaseStatus.OPEN
    )
    quiet_days = models.PositiveSmallIntegerField(
        default=5, help_text="Remind after this many quiet days."
    )
    opened_at = models.DateTimeField(default=clock.now)
    last_contact_at = models.DateTimeField(default=clock.now)
    remind_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["organization", "status"], name="vendorcase_org_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "vendor", "case_number"], name="vendorcase_unique_per_ticket"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} case {self.case_number}"


class VendorEntryKind(models.TextChoices):
    SHIPPED = "shipped", "Shipped to the vendor"
    RECEIVED = "received", "Received from the vendor"
    CONTACT = "contact", "Vendor contact"
    NOTE = "note", "Note"


class VendorCaseEntry(models.Model):
    """One step of a vendor case: what was shipped or received and when, or a contact."""

    case = models.ForeignKey(VendorCase, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=10, choices=VendorEntryKind.choices)
    what = models.TextField(help_text="What was shipped or received; what the vendor said.")
    tracking = models.CharField(max_length=200, blank=True)
    happened_at = models.DateTimeField(default=clock.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["happened_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.what[:60]}"
