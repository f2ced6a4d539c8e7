"""The core app's one table: the test sends people asked for (deskside.core.ratelimit)."""

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
