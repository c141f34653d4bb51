"""Housekeeping jobs run by Celery beat."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(name="governance.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Delete expired login sessions. Safe to run twice: the second run finds none."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
