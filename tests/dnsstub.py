"""A DNS resolver answering from a table, for deskside.mail.senders: every test runs with one
(tests/conftest.py `dns_stub`), so no test asks the real network. A name without records
answers nothing, as NXDOMAIN would."""

from collections import defaultdict
from typing import Any

from deskside.mail.senders import DNSTemporaryError


class StubResolver:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[Any]] = defaultdict(list)
        self.failing: set[str] = set()
        self.asked: list[tuple[str, str]] = []

    def txt(self, name: str, *texts: str) -> None:
        """Publish TXT records (a long text is split into 255-byte strings, as DNS does)."""
        for text in texts:
            data = text.encode()
            self.records[(name.lower(), "TXT")].append(
                [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]
            )

    def a(self, name: str, *addresses: str) -> None:
        self.records[(name.lower(), "A")].extend(addresses)

    def fail(self, name: str) -> None:
        """Lookups of `name` time out."""
        self.failing.add(name.lower())

    def query(self, name: str, rdtype: str) -> list[Any]:
        name = name.lower().rstrip(".")
        self.asked.append((name, rdtype))
        if name in self.failing:
            raise DNSTemporaryError(f"{name} {rdtype}: timed out")
        return list(self.records.get((name, rdtype), []))
