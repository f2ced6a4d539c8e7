"""The core app's tables: the test sends people asked for (deskside.core.ratelimit) and the
audit log of configuration changes (deskside.core.audit)."""

from django.conf import settings
from django.db import models

from deskside.core import clock


class TrialSend(models.Model):
    """One test send (a contact method's test page, a webhook ping, a mailbox connection
    test) by one person: counted to rate-limit them across every server process."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="core_trialsend_user_at")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class AuditEntry(models.Model):
    """One change to the desk's configuration: who, what verb, which object, before/after.

    Written by `deskside.core.audit.record` inside the service's transaction. The object is
    named by its type ("sla.contract") and the public id the API uses, not a foreign key:
    the entry outlives the object and core knows no app. `actor_label` keeps who it was
    after the user is deleted (the foreign key is then set to null); no actor is the system
    (a command, the demo seeder)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=100, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [
            models.Index(fields=["created_at", "id"], name="core_audit_at"),
            models.Index(fields=["object_type", "object_id"], name="core_audit_object"),
            models.Index(fields=["actor", "created_at"], name="core_audit_actor_at"),
            models.Index(fields=["action", "created_at"], name="core_audit_action_at"),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return (
            f"{self.action} {self.object_type} {self.object_id} by {self.actor_label or 'system'}"
        )
