"""Issuing, checking and revoking API keys of other systems.

A key is ``o311_`` followed by 43 URL-safe random characters. The database keeps its
SHA-256 hash (a key has 256 bits of entropy, so a fast hash is enough: there is
nothing to brute-force) and its first characters as a prefix to recognise it.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from . import clock
from .audit import record_event
from .models_apikeys import ApiKey

KEY_PREFIX = "o311_"
PREFIX_LENGTH = 12  # "o311_" and 7 random characters
MAX_KEY_LENGTH = 200


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def api_key_create(*, name: str, actor=None) -> tuple[ApiKey, str]:
    """Create a key for the system ``name``. Returns the row and the key itself, which
    is not stored anywhere: show it once."""
    name = (name or "").strip()
    if not name:
        raise ValueError("An API key needs the name of the system that uses it.")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(name=name[:100], prefix=raw[:PREFIX_LENGTH], key_hash=hash_key(raw))
    record_event(obj=key, actor=actor, action="created", to_state="active", note=key.name)
    return key, raw


def api_key_check(raw: str | None) -> ApiKey | None:
    """The active key matching ``raw``, or None. Records when it was last used."""
    raw = (raw or "").strip()
    if not raw or len(raw) > MAX_KEY_LENGTH:
        return None
    key = ApiKey.objects.filter(key_hash=hash_key(raw), is_active=True).first()
    if key is None:
        return None
    now = clock.now()
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now
    return key


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor=None) -> ApiKey:
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.is_active:
        key.is_active = False
        key.revoked_at = clock.now()
        key.save(update_fields=["is_active", "revoked_at"])
        record_event(obj=key, actor=actor, action="revoked", from_state="active", to_state="revoked")
    return key
