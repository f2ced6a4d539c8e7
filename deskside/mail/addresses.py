"""What the email channel reads for every message and keeps in memory: the mailboxes' own
addresses (loop protection, in and out) and the clients' registered mail domains (sender
matching). Kept until a Mailbox or an Organization is saved or deleted (`forget`, connected in
apps.py): every message needs them, and they change rarely."""

from django.conf import settings

from deskside.accounts.models import Organization
from deskside.mail.models import Mailbox


class _Directory:
    """See the module docstring."""

    def __init__(self) -> None:
        self._own: set[str] | None = None
        self._domains: dict[str, int] | None = None

    def forget(self, *args: object, **kwargs: object) -> None:
        self._own = self._domains = None

    def own_addresses(self) -> set[str]:
        if self._own is None:
            self._own = {a.lower() for a in Mailbox.objects.values_list("address", flat=True)}
        return self._own | {settings.DEFAULT_FROM_EMAIL.lower()}

    def organization_for(self, domain: str) -> Organization | None:
        if self._domains is None:
            domains: dict[str, int] = {}
            for pk, listed in Organization.objects.exclude(email_domains="").values_list(
                "pk", "email_domains"
            ):
                for name in listed.split(","):
                    domains.setdefault(name.strip().lower().lstrip("@"), pk)
            self._domains = domains
        pk = self._domains.get(domain)
        return Organization.objects.filter(pk=pk).first() if pk else None


directory = _Directory()
