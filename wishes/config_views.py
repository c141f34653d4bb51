"""Staff pages of the micro-wish configuration: the categories with the time limits in
force per level (any staff member reads them), and the forms where district
administrators (and superusers) change a category or the default limits.

Every change goes through ``wishes.services_config`` with ``actor=request.user``, all
of one form in one transaction (:class:`governance.web.mixins.ServiceFormView`): a
``ValidationError`` brings the form back with the input kept and nothing saved. Users
who may not configure get the 403 page on GET and POST of the edit pages.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.forms.forms import NON_FIELD_ERRORS
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from governance.web.mixins import ServiceFormView, StaffRequiredMixin
from governance.web.timeline import timeline

from . import services_config
from .forms import CategorySettingsForm, DefaultLimitsForm, hours_field_names
from .models import LEVEL_ORDER, Category, Level, TimeLimit
from .selectors import default_limits, effective_limits
from .views import WishPageMixin

#: The audit actions of categories and time limits, as the history shows them.
CONFIG_ACTIONS = {
    "time_limit_set": _("time limit set"),
    "time_limit_cleared": _("own time limit removed; the default applies"),
}

ONE_EMPTY = _("Enter both hours, or leave both empty to use the default.")

_LIMITS_TEXT = re.compile(r"^(\d+)h/(\d+)h$")


def _limits_label(state: str) -> str:
    """``"24h/168h"`` (as ``services_config`` records it) spelled out."""
    match = _LIMITS_TEXT.match(state)
    if not match:
        return state
    return gettext("accept within %(accept)s h, resolve within %(resolve)s h") % {
        "accept": match[1], "resolve": match[2],
    }


def _flags_label(state: str) -> str:
    """``"escalate_when_overdue=true, is_active=false"`` spelled out."""
    parts = []
    for item in filter(None, state.split(", ")):
        name, sep, value = item.partition("=")
        if not sep:
            parts.append(item)
            continue
        try:
            label = str(Category._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            label = name
        parts.append(f"{label}: {gettext('yes') if value == 'true' else gettext('no')}")
    return ", ".join(parts)


def _level_names() -> dict[str, str]:
    """A level's label in any of the portal's languages → its label in the current one
    (``services_config`` records the level by its label, in the actor's language)."""
    current = {str(level): str(level.label) for level in Level}
    names = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.update({str(level.label): current[str(level)] for level in Level})
    return names


def config_timeline(user, *objects):
    """The audit time line of categories or default time limits, made readable."""
    entries = timeline(user, *objects)
    levels = _level_names() if entries else {}
    for entry in entries:
        event = entry.event
        entry.action = str(CONFIG_ACTIONS.get(event.action, entry.action))
        if event.action == "updated":
            # The states name the fields ("escalate when overdue: yes"); so did the note.
            label, entry.note = _flags_label, ""
        else:
            label, entry.note = _limits_label, levels.get(event.note, event.note)
        entry.before, entry.after = label(event.from_state), label(event.to_state)
        if event.action == "time_limit_cleared":
            entry.after = gettext("default")
    return entries


def write_levels(form, write) -> None:
    """Call ``write(level, accept_hours, resolve_hours)`` for every level and collect
    the services' errors under the form's field names (``street_accept_hours``...), so
    that every level's mistakes show at once. Raises them together at the end; the
    caller's transaction then undoes whatever was written."""
    errors: dict[str, list] = {}
    for level in LEVEL_ORDER:
        accept, resolve = form.hours(level)
        try:
            write(level, accept, resolve)
        except ValidationError as exc:
            accept_name, resolve_name = hours_field_names(level)
            names = {"accept_hours": accept_name, "resolve_hours": resolve_name}
            items = (
                exc.error_dict.items() if hasattr(exc, "error_dict")
                else [(NON_FIELD_ERRORS, exc.error_list)]
            )
            for field, field_errors in items:
                errors.setdefault(names.get(field, field), []).extend(field_errors)
    if errors:
        raise ValidationError(errors)


def level_rows(form, limits: list[dict]) -> list[dict]:
    """The form's hour fields per level, with the limits in force beside them."""
    by_level = {entry["level"]: entry for entry in limits}
    return [{**row, "limit": by_level[row["level"]]} for row in form.level_rows()]


class ConfigureRequiredMixin:
    """District administrators and superusers only (``services_config.can_configure``):
    the others get the 403 page, on GET and on POST, before any form is parsed. Put it
    before a view built on :class:`StaffRequiredMixin`."""

    def prepare(self):
        services_config.require_configure(self.request.user)
        super().prepare()


# --- the overview ------------------------------------------------------------------------


class WishSettingsView(WishPageMixin, StaffRequiredMixin, TemplateView):
    """Categories, the limits in force per level and where they come from, and the
    default limits. Two queries for the table, whatever the number of categories."""

    template_name = "wishes/staff/settings.html"

    def get_context_data(self, **kwargs):
        defaults = default_limits()
        categories = list(Category.objects.prefetch_related("time_limits"))
        for category in categories:
            category.limits = effective_limits(category, defaults)
        return super().get_context_data(
            categories=categories,
            defaults=effective_limits(None, defaults),
            levels=[Level(level).label for level in LEVEL_ORDER],
            can_configure=services_config.can_configure(self.request.user),
            **kwargs,
        )


# --- one category ------------------------------------------------------------------------


class WishCategorySettingsView(ConfigureRequiredMixin, WishPageMixin, ServiceFormView):
    """A category's escalation flag, whether it takes new wishes, and its own limits
    per level (both hours empty: the default applies)."""

    form_class = CategorySettingsForm
    template_name = "wishes/staff/settings_category.html"

    def prepare(self):
        super().prepare()
        self.category = get_object_or_404(
            Category.objects.prefetch_related("time_limits"), code=self.kwargs["code"]
        )
        self.limits = effective_limits(self.category, default_limits())

    def get_title(self):
        return _("Category %(name)s") % {"name": self.category.name}

    def get_initial(self):
        initial = {
            "escalate_when_overdue": self.category.escalate_when_overdue,
            "is_active": self.category.is_active,
        }
        for entry in self.limits:
            if entry["source"] == "category":
                accept, resolve = hours_field_names(entry["level"])
                initial[accept], initial[resolve] = entry["accept_hours"], entry["resolve_hours"]
        return initial

    def perform(self, form):
        user = self.request.user
        category = services_config.category_update(
            actor=user, category=self.category,
            escalate_when_overdue=form.cleaned_data["escalate_when_overdue"],
            is_active=form.cleaned_data["is_active"],
        )

        def write(level, accept, resolve):
            if accept is None and resolve is None:
                services_config.time_limit_clear(actor=user, category=category, level=level)
            elif accept is None or resolve is None:
                empty = "accept_hours" if accept is None else "resolve_hours"
                raise ValidationError({empty: ONE_EMPTY})
            else:
                services_config.time_limit_set(
                    actor=user, category=category, level=level,
                    accept_hours=accept, resolve_hours=resolve,
                )

        write_levels(form, write)
        return category

    def get_success_message(self):
        message = _(
            "The category %(name)s was saved. Changed limits apply to stages that start from now on."
        )
        return message % {"name": self.category.name}

    def get_success_url(self):
        return reverse("wish-settings")

    def get_cancel_url(self):
        return reverse("wish-settings")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            category=self.category,
            level_rows=level_rows(context["form"], self.limits),
            timeline=config_timeline(self.request.user, self.category),
        )
        return context


# --- the defaults ------------------------------------------------------------------------


class WishDefaultLimitsView(ConfigureRequiredMixin, WishPageMixin, ServiceFormView):
    """The default accept and resolve hours of each level, for categories without
    limits of their own."""

    form_class = DefaultLimitsForm
    template_name = "wishes/staff/settings_defaults.html"
    title = _("Default time limits")
    success_message = _(
        "The default time limits were saved. They apply to stages that start from now on."
    )

    def prepare(self):
        super().prepare()
        self.limits = effective_limits(None, default_limits())

    def get_initial(self):
        initial = {}
        for entry in self.limits:
            accept, resolve = hours_field_names(entry["level"])
            initial[accept], initial[resolve] = entry["accept_hours"], entry["resolve_hours"]
        return initial

    def perform(self, form):
        user = self.request.user

        def write(level, accept, resolve):
            services_config.time_limit_set(
                actor=user, category=None, level=level, accept_hours=accept, resolve_hours=resolve,
            )

        write_levels(form, write)

    def get_success_url(self):
        return reverse("wish-settings")

    def get_cancel_url(self):
        return reverse("wish-settings")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = TimeLimit.objects.filter(category__isnull=True)
        context.update(
            level_rows=level_rows(context["form"], self.limits),
            timeline=config_timeline(self.request.user, *rows),
        )
        return context
