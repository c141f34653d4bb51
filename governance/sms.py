"""Text messages to residents, behind one small interface.

``SMS_BACKEND`` names a class with ``send(phone, text)``. The default writes to the
log (numbers masked), so a portal without an SMS contract still runs; a district
plugs in its provider's adapter by setting the dotted path.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .validators import mask_mobile

logger = logging.getLogger("governance.sms")


class LoggingSmsBackend:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_mobile(phone), text)


class MemorySmsBackend:
    """Keeps messages in ``outbox`` (tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        type(self).outbox.append((phone, text))


def get_backend():
    return import_string(getattr(settings, "SMS_BACKEND", "governance.sms.LoggingSmsBackend"))()
