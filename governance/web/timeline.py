"""The audit time line of a page, made readable: translated actions, field names
instead of column names, and tree paths spelled out as names."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from governance.models import AuditEvent
from governance.tree import PathNode, ids_in_path

ACTION_LABELS = {
    "created": _("created"),
    "updated": _("updated"),
    "moved": _("moved"),
    "deleted": _("deleted"),
    "appointed": _("appointed"),
    "ended": _("ended"),
    # Property services
    "opened": _("opened"),
    "closed": _("closed"),
    "recomputed": _("results recomputed"),
    "replaced": _("replaced"),
    "rated": _("rated"),
    "rating_replaced": _("rating replaced"),
    "households_added": _("households added"),
    "code_regenerated": _("rating code renewed"),
    "activated": _("marked active"),
    "deactivated": _("marked inactive"),
    "reactivated": _("reactivated"),
    "mode_set": _("service mode set"),
    "mode_ended": _("service mode ended"),
    "staff_added": _("staff member added"),
    "staff_removed": _("staff member removed"),
    "filed": _("filed"),
    "acknowledged": _("acknowledged"),
    "objected": _("objections raised"),
    "withdrawn": _("withdrawn"),
    "reelected": _("re-elected (换届)"),
    "dissolved": _("dissolved"),
    "joined": _("joined"),
    "left": _("left"),
}

TIMELINE_LIMIT = 100


@dataclass
class TimelineEntry:
    event: AuditEvent
    subject: str
    action: str
    before: str
    after: str
    note: str
    actor_label: str


def _actor_label(event, actorless) -> str:
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor.get_username()
    return str(actorless.get(event.action, _("system")))


def timeline(
    user, *objects, related=(), limit: int = TIMELINE_LIMIT, actorless=None
) -> list[TimelineEntry]:
    """Events of ``objects`` (and of the ``related`` records, e.g. an organisation's
    posts), oldest first, at most the ``limit`` most recent: the same rows as
    :func:`governance.audit.events_for`, for several records in one query, plus one
    query per tree model whose paths are spelled out. ``actorless`` names who acted
    when an event has no staff actor, by action (e.g. a resident rating a wish);
    otherwise it was the system."""
    actorless = actorless or {}
    events = _events_of([*objects, *related])
    rows = list(events.reverse()[:limit])[::-1]
    if not rows:
        return []
    subjects = {(type(o), o.pk): str(o) for o in [*objects, *related]}
    names = _path_names(user, rows)
    entries = []
    for event in rows:
        model = event.content_type.model_class()
        entries.append(
            TimelineEntry(
                event=event,
                subject=subjects.get((model, event.object_id), "") if related else "",
                action=str(ACTION_LABELS.get(event.action, event.action)),
                before=_state(model, event.from_state, names, event.object_id),
                after=_state(model, event.to_state, names, event.object_id),
                note=_note(model, event.action, event.note),
                actor_label=_actor_label(event, actorless),
            )
        )
    return entries


def _events_of(objects):
    from django.db.models import Q

    by_type: dict[int, list[int]] = {}
    for obj in objects:
        ct = ContentType.objects.get_for_model(type(obj))
        by_type.setdefault(ct.pk, []).append(obj.pk)
    q = Q(pk__in=[])
    for ct_id, ids in by_type.items():
        q |= Q(content_type_id=ct_id, object_id__in=ids)
    return AuditEvent.objects.filter(q).select_related("actor", "content_type").order_by("at", "id")


def _is_path(value: str) -> bool:
    return value.startswith("/") and value.endswith("/") and value.strip("/").replace("/", "").isdigit()


def _path_names(user, events) -> dict[type, dict[int, str]]:
    wanted: dict[type, set[int]] = {}
    for event in events:
        model = event.content_type.model_class()
        if model is None or not issubclass(model, PathNode):
            continue
        for value in (event.from_state, event.to_state):
            if _is_path(value):
                wanted.setdefault(model, set()).update(ids_in_path(value))
    names = {}
    for model, ids in wanted.items():
        # Only names the user may see; the others show as their id.
        names[model] = dict(
            model._default_manager.visible_to(user).filter(pk__in=ids).values_list("pk", "name")
        )
    return names


def _state(model, value: str, names, own_id: int) -> str:
    if not value:
        return ""
    if model in names and _is_path(value):
        # A tree path: where the record hung (its ancestors), spelled out.
        known = names[model]
        ids = [pk for pk in ids_in_path(value) if pk != own_id]
        return " › ".join(known.get(pk, f"#{pk}") for pk in ids) or "—"
    choices = _role_labels(model)
    return str(choices.get(value, value))


def _role_labels(model) -> dict:
    """Labels of the record's role and status values (the states events record)."""
    labels = {}
    for name in ("role", "status"):
        try:
            field = model._meta.get_field(name)
        except (FieldDoesNotExist, AttributeError):
            continue
        labels.update({str(k): v for k, v in (field.choices or [])})
    return labels


def _note(model, action: str, note: str) -> str:
    if action != "updated" or not note or model is None:
        return note
    labels = []
    for name in note.split(", "):
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            labels.append(name)
    return ", ".join(labels)
