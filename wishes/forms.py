"""Forms of the staff micro-wish pages. They only parse input: the services in
``wishes.services`` check the state, the scope and the rules (see
governance/web/forms.py)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Area, AreaKind
from governance.web.forms import AreaChoiceField, DateInput, ScopedForm

from .models import LEVEL_ORDER, Category, Channel, ClaimerKind, Level, RejectReason, RequesterType
from .uploads import clean_photo

#: Channels staff record a wish from (the web form and the API file their own).
STAFF_CHANNELS = [Channel.MAILBOX, Channel.OFFICE_DAY, Channel.PHONE, Channel.WALK_IN]

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class PhotoField(forms.FileField):
    """An optional photo, checked by its first bytes and size (``wishes.uploads``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}))
        kwargs.setdefault("help_text", _("JPEG, PNG or WebP, at most 5 MB."))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        return clean_photo(super().clean(data, initial) or None)


# --- actions on one wish ---------------------------------------------------------


class NoteForm(ScopedForm):
    """Accept, release, escalate: an optional note for the history."""

    note = forms.CharField(
        label=_("note"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EscalateForm(NoteForm):
    note = forms.CharField(
        label=_("why it goes to the next level"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ClaimForm(ScopedForm):
    claimer_kind = forms.ChoiceField(label=_("claimed by (kind)"), choices=ClaimerKind.choices)
    claimer_name = forms.CharField(
        label=_("name"), required=False, max_length=60,
        help_text=_("The person, team or unit taking the wish on; empty: your own name."),
    )


class ResolveForm(ScopedForm):
    note = forms.CharField(
        label=_("what was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = PhotoField(label=_("photo of the result"))


class RejectForm(ScopedForm):
    reason = forms.ChoiceField(label=_("reason"), choices=[("", "—"), *RejectReason.choices])
    note = forms.CharField(
        label=_("explanation"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for “other”; the resident is told the reason."),
    )


# --- intake -------------------------------------------------------------------------


class CompoundChoiceField(forms.ModelChoiceField):
    """A compound with the node it hangs under, so two 幸福小区 in one street differ."""

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.parent.name}）" if obj.parent_id else obj.name


class IntakeForm(ScopedForm):
    """A wish recorded by staff for a resident or merchant (mailbox, office day, phone,
    walk-in). Only compounds the user may change are offered."""

    channel = forms.ChoiceField(
        label=_("channel"), choices=[("", "—"), *((c.value, c.label) for c in STAFF_CHANNELS)],
        help_text=_("How the wish reached you."),
    )
    compound = CompoundChoiceField(label=_("compound"), queryset=Area.objects.none(), empty_label="—")
    category = forms.ModelChoiceField(label=_("category"), queryset=Category.objects.none(), empty_label="—")
    title = forms.CharField(label=_("title"), max_length=60)
    description = forms.CharField(
        label=_("description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
    )
    requester_type = forms.ChoiceField(
        label=_("requester type"), choices=RequesterType.choices, initial=RequesterType.RESIDENT,
    )
    requester_name = forms.CharField(label=_("requester name"), max_length=40)
    requester_phone = forms.CharField(
        label=_("requester mobile"), max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("11 digits; the resident gets text messages about the wish."),
    )
    photo = PhotoField(label=_("photo"))
    # One key per form shown: a double click or a resent form files the wish once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def scope_fields(self, user):
        self.fields["compound"].queryset = (
            Area.objects.changeable_by(user)
            .filter(kind=AreaKind.COMPOUND)
            .select_related("parent")
            .order_by("parent__name", "name", "pk")
        )
        self.fields["category"].queryset = Category.objects.filter(is_active=True)


# --- metrics period -------------------------------------------------------------------


class MetricsForm(forms.Form):
    """``within`` (an area in the user's own subtrees), ``from`` and ``to`` (local dates).

    ``areas`` validates ``within``; ``options`` are the areas the drop-down offers (not
    every compound of a district: those are reached from the ranking table)."""

    within = AreaChoiceField(label=_("area"), queryset=Area.objects.none(), required=False)

    def __init__(self, *args, areas, options, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["within"]
        field.queryset = areas
        field.widget.choices = [(a.pk, field.label_from_instance(a)) for a in options]
        # "from" is a Python keyword: added by name.
        self.fields["from"] = forms.DateField(label=_("first day"), required=False, widget=DateInput())
        self.fields["to"] = forms.DateField(label=_("last day"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            self.add_error("from", _("The first day comes after the last day."))
        return data


# --- categories and time limits ------------------------------------------------------


class HoursField(forms.CharField):
    """Hours as typed (in a text box, so that whatever was typed is shown again with the
    error), or None when empty. Not even parsed here: ``wishes.services_config``
    parses and checks them, so that every level's mistakes come back at once."""

    def __init__(self, **kwargs):
        attrs = {"inputmode": "numeric", "size": 6, "autocomplete": "off"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        kwargs.setdefault("empty_value", None)
        super().__init__(**kwargs)


def hours_field_names(level: str) -> tuple[str, str]:
    return f"{level}_accept_hours", f"{level}_resolve_hours"


class LevelHoursForm(ScopedForm):
    """Accept and resolve hours for each level (community, street, service centre):
    fields ``<level>_accept_hours`` and ``<level>_resolve_hours``."""

    hours_required = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for level in LEVEL_ORDER:
            accept, resolve = hours_field_names(level)
            required = self.hours_required
            self.fields[accept] = HoursField(label=_("accept within (hours)"), required=required)
            self.fields[resolve] = HoursField(label=_("resolve within (hours)"), required=required)

    def level_rows(self) -> list[dict]:
        """Per level: its name and its two bound fields, for a table of inputs."""
        rows = []
        for level in LEVEL_ORDER:
            accept, resolve = hours_field_names(level)
            rows.append({
                "level": str(level), "label": Level(level).label,
                "accept": self[accept], "resolve": self[resolve],
            })
        return rows

    def hours(self, level: str) -> tuple[str | None, str | None]:
        accept, resolve = hours_field_names(level)
        return self.cleaned_data.get(accept), self.cleaned_data.get(resolve)


class CategorySettingsForm(LevelHoursForm):
    """A category's escalation flag, whether it takes new wishes, and its own time
    limits per level: both hours empty means "use the default", one empty is a
    mistake (the view says so, with the services' errors)."""

    hours_required = False

    escalate_when_overdue = forms.BooleanField(
        label=_("escalate when overdue"), required=False,
        help_text=_("Hand an overdue wish to the next level automatically."),
    )
    is_active = forms.BooleanField(
        label=_("active"), required=False,
        help_text=_("An inactive category takes no new wishes; its wishes carry on."),
    )


class DefaultLimitsForm(LevelHoursForm):
    """The default limits per level, for categories without their own."""
