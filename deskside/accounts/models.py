"""The directory: client organisations, their sites, people (agents and customers), teams.

An Organization is the tenancy boundary: a customer only ever sees rows of their own
organisation. Agents belong to the MSP; an agent with no `served_organizations` serves every
client, otherwise only the ones listed.
"""

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models

from deskside.accounts.names import name_keys
from deskside.accounts.phones import to_e164
from deskside.core import clock
from deskside.core.ids import new_public_id


class Tier(models.TextChoices):
    L1 = "L1", "Level 1 help desk"
    L2 = "L2", "Level 2 desktop support"
    L3 = "L3", "Level 3 infrastructure"


class Organization(models.Model):
    """A client of the MSP, or the MSP itself (`is_msp`). Addressed by its slug."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    is_msp = models.BooleanField(default=False)
    timezone = models.CharField(max_length=64, default="UTC")
    email_domains = models.CharField(
        max_length=500, blank=True, help_text="Comma-separated mail domains of this client."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A client location: where an L2 technician goes. Times there are shown in `timezone`."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sites")
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    access_notes = models.TextField(blank=True, help_text="Parking, badges, who opens the door.")

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="site_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name} / {self.name}"


class Skill(models.Model):
    """Something an agent can do (Windows, networking, printers...)."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A support group (Help Desk L1, Desktop Support L2, Network L3 ...)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    tier = models.CharField(max_length=2, choices=Tier.choices, default=Tier.L1)
    lead = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="teams_led"
    )

    class Meta:
        ordering = ["tier", "name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        """Create a user; the email is the login and is stored lower-cased."""
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(is_staff=True, is_superuser=True, kind=User.Kind.AGENT)
        fields.setdefault("tier", Tier.L3)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in: MSP agents and client customers. Logs in by email.

    Invariants: a customer has an organisation; an agent has a tier.
    """

    class Kind(models.TextChoices):
        AGENT = "agent", "Agent"
        CUSTOMER = "customer", "Customer"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True, help_text="Desk or main number.")
    mobile = models.CharField(max_length=50, blank=True)
    # The two numbers in E.164 (`+15550100`), derived on save (accounts.phones): what caller
    # look-up and the screen-pop URL match, whatever format a number was typed or sent in.
    phone_e164 = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    mobile_e164 = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    is_vip = models.BooleanField(
        default=False, help_text="A contact whose calls the desk treats first (shown on tickets)."
    )
    # The name folded for caller look-up (accounts.names): as written and surname first,
    # derived on save; a prefix of either finds the person through its index.
    name_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    surname_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CUSTOMER)
    tier = models.CharField(max_length=2, choices=Tier.choices, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    is_org_admin = models.BooleanField(
        default=False, help_text="A customer who sees all of the organisation's tickets."
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    skills = models.ManyToManyField(Skill, blank=True, related_name="agents")
    served_organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="serving_agents",
        help_text="Clients this agent serves; empty means all clients.",
    )
    timezone = models.CharField(max_length=64, default="UTC")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin.")
    date_joined = models.DateTimeField(default=clock.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="customer") | models.Q(organization__isnull=False),
                name="customer_has_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def derive_keys(self) -> "User":
        """Set the look-up columns from what they are derived from: the E.164 numbers from
        phone and mobile, the folded name keys from full_name. An invariant of the row: save()
        calls it, and every bulk_create of users (which skips save) must call it too."""
        self.phone_e164 = to_e164(self.phone) or ""
        self.mobile_e164 = to_e164(self.mobile) or ""
        self.name_key, self.surname_key = name_keys(self.full_name)
        return self

    def save(self, *args: object, **kwargs: object) -> None:
        self.derive_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            fields = set(update_fields)  # type: ignore[arg-type]
            if fields & {"phone", "mobile"}:
                fields |= {"phone_e164", "mobile_e164"}
            if "full_name" in fields:
                fields |= {"name_key", "surname_key"}
            kwargs["update_fields"] = fields
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_agent(self) -> bool:
        return self.kind == self.Kind.AGENT

    @property
    def is_customer(self) -> bool:
        return self.kind == self.Kind.CUSTOMER

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]


def hash_token(raw: str) -> str:
    """SHA-256 of a token. Tokens are 256-bit random, so a fast hash is enough (no salt)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its hash is stored; the raw token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def generate() -> str:
        return "dsk_" + secrets.token_urlsafe(32)


class SecurityPolicy(models.Model):
    """The desk's sign-in rules that admins change on a page (one row, pk 1)."""

    require_agent_mfa = models.BooleanField(
        default=False,
        help_text="Every agent must sign in with a second factor (an authenticator app code "
        "or a recovery code); an agent without one is sent to set it up.",
    )
    updated_at = models.DateTimeField(default=clock.now)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "security policy"

    def __str__(self) -> str:
        return "Sign-in security policy"

    @classmethod
    def current(cls) -> "SecurityPolicy":
        return cls.objects.filter(pk=1).first() or cls(pk=1)
