"""Secrets Deskside must read back (a mailbox's IMAP password, a webhook's signing secret, a
paging contact's Apprise URL with its tokens): stored encrypted with a key derived from
SECRET_KEY. A new secret key makes them unreadable: they must be entered again."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class Unreadable(ValueError):
    """A stored secret that the current key cannot decrypt."""


def _fernet(purpose: str) -> Fernet:
    digest = hashlib.sha256(f"deskside-{purpose}:".encode() + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(purpose: str, raw: str) -> str:
    """`raw` encrypted under the key for `purpose` ("" stays "")."""
    return _fernet(purpose).encrypt(raw.encode()).decode() if raw else ""


def decrypt(purpose: str, stored: str) -> str:
    """The text `encrypt(purpose, ...)` stored; raises Unreadable when the key changed."""
    if not stored:
        return ""
    try:
        return _fernet(purpose).decrypt(stored.encode()).decode()
    except InvalidToken:
        raise Unreadable(
            "a stored secret cannot be decrypted (the secret key changed?): enter it again"
        ) from None
