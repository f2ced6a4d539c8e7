"""Public identifiers: stable, unguessable ids for URLs instead of auto-increment keys."""

import secrets


def new_public_id() -> str:
    """Return a fresh 12-character URL-safe identifier (72 bits of randomness)."""
    return secrets.token_urlsafe(9)
