"""Writing the audit trail. Services call :func:`record_event` inside their transaction."""

from django.contrib.contenttypes.models import ContentType

from .models import AuditEvent


def record_event(*, obj, actor, action: str, from_state="", to_state="", note="") -> AuditEvent:
    return AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_state=str(from_state or ""),
        to_state=str(to_state or ""),
        note=note or "",
    )


def events_for(obj):
    return (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        )
        .select_related("actor")
        .order_by("at", "id")
    )
