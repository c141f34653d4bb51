"""Form helpers shared by the HTML pages.

Forms only parse input. They never save and never run model validation: the
services do that (the same code the API calls), and their ``ValidationError`` is
attached back to the form by :func:`attach_errors`.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.forms import NON_FIELD_ERRORS


class DateInput(forms.DateInput):
    """A native date picker (ISO dates, no JavaScript needed)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ScopedForm(forms.Form):
    """A form for one user: subclasses narrow choice fields to what the user may see
    in :meth:`scope_fields`."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.scope_fields(user)

    def scope_fields(self, user) -> None:
        """Set ``queryset = Model.objects.visible_to(user)`` on choice fields."""


class ParseOnlyModelForm(forms.ModelForm):
    """A ModelForm used to parse input into typed values (fields, labels and initial
    values come from the model), but which never builds or validates an instance:
    that is the service's job, so the rules live in one place."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.scope_fields(user)

    def scope_fields(self, user) -> None:
        """Set ``queryset = Model.objects.visible_to(user)`` on choice fields."""

    def _post_clean(self):
        # No construct_instance / full_clean / validate_unique: the service validates.
        pass

    def save(self, commit=True):  # pragma: no cover - a guard, not a feature
        raise NotImplementedError("Forms never save; call the service.")


def area_label(area) -> str:
    """An area in a drop-down: indented by depth, with its kind, so a long list reads as a tree."""
    return f"{'　' * max(area.depth - 1, 0)}{area.name}（{area.get_kind_display()}）"


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return area_label(obj)


def narrow_area_widget(field: forms.ModelChoiceField, areas) -> None:
    """Offer only ``areas`` (e.g. everything but buildings) in a filter's drop-down.
    The field still validates against its own queryset, the FilterSet's."""
    field.widget.choices = [("", "—")] + [(a.pk, area_label(a)) for a in areas]


def attach_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: messages keyed by a field the
    form shows go to that field (or the field named in the form's ``field_aliases``,
    e.g. the service's ``level`` is the form's ``scheme_level``), the rest to the top
    of the form, prefixed with the field's name."""
    aliases = getattr(form, "field_aliases", {})
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            field = aliases.get(field, field)
            target = field if field in form.fields else None
            if field != NON_FIELD_ERRORS and target is None:
                label = _field_label(form, field)
                errors = [ValidationError(f"{label}: {m}") if label else m for m in _messages(errors)]
            form.add_error(target, errors)
    else:
        form.add_error(None, exc)


def _messages(errors):
    for error in errors:
        yield from ValidationError(error).messages


def _field_label(form, field: str) -> str:
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is not None:
        try:
            return str(model._meta.get_field(field).verbose_name)
        except Exception:  # noqa: BLE001 - not a model field: no label
            return ""
    return ""
