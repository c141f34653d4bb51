"""Base views of the staff pages. Scoping happens here and in the services, nowhere else.

* :class:`StaffRequiredMixin`: logged in and holding a staff role (else the login
  page, or the "no role" page with a 403).
* :class:`ScopedObjectMixin`: the object comes from ``Model.objects.visible_to(user)``,
  so a record outside the user's scope is a 404.
* :class:`ServiceFormView`: parse a form, call a service with ``actor=request.user``;
  a ``ValidationError`` goes back onto the form (nothing saved), a
  ``PermissionDenied`` from the service's ``require_change`` is Django's 403.
* :class:`FilteredListView`: a shared ``FilterSet`` over ``visible_to(user)``, paginated.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from governance.scoping import can_change, scope_for

from .forms import attach_errors


class StaffRequiredMixin(AccessMixin):
    """Logged-in users with at least one staff role (or superusers)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.has_access(request.user):
            return render(request, "no_role.html", {"no_role": True}, status=403)
        self.prepare()
        return super().dispatch(request, *args, **kwargs)

    def has_access(self, user) -> bool:
        """Whether a logged-in user may use these pages at all (a staff role)."""
        return not scope_for(user).is_empty

    def prepare(self) -> None:
        """Load what the view works on (after the access check, before get/post)."""

    def get_context_data(self, **kwargs):
        scope = scope_for(self.request.user)
        # Whether to offer "new ..." buttons at all; each write is still checked.
        kwargs.setdefault("user_can_write", scope.can_write)
        return super().get_context_data(**kwargs)


class ScopedObjectMixin(SingleObjectMixin):
    """The object is looked up in ``model.objects.visible_to(user)``: outside → 404,
    whatever the method. Put it before :class:`StaffRequiredMixin` (or a view built on
    it) so that its :meth:`prepare` runs."""

    def get_queryset(self):
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model.")
        return self.scoped(self.model)

    def scoped(self, model):
        return model._default_manager.visible_to(self.request.user)

    def prepare(self) -> None:
        super().prepare()
        self.object = self.get_object()

    def get_object(self, queryset=None):
        if queryset is None and getattr(self, "object", None) is not None:
            return self.object  # loaded once, in prepare()
        return super().get_object(queryset)


def get_visible_or_404(model, user, pk):
    """``model`` row ``pk`` if the user can see it; anything else (not a number,
    outside the scope, missing) is a 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(model._default_manager.visible_to(user), pk=pk)


def visible_from_query(request, model, param):
    """The record named by ``?param=<pk>``, or None if the parameter is absent."""
    value = request.GET.get(param)
    return get_visible_or_404(model, request.user, value) if value else None


def in_read_scope(user, area) -> bool:
    """Whether ``area`` lies inside a subtree the user holds a role on (not merely one
    of the context nodes above it). Figures about a whole subtree, such as coverage,
    are shown only for these, so a community's staff do not see their street's totals."""
    scope = scope_for(user)
    return scope.sees_all or any(area.path.startswith(p) for p in scope.read_paths)


class ServiceFormView(StaffRequiredMixin, FormView):
    """Parse a form and hand the values to a service.

    Subclasses implement :meth:`perform` (call the service, return the saved object)
    and may set :attr:`change_target` in :meth:`prepare`: the record the user must
    be able to change, checked on GET and POST before any form is parsed, so that a
    user who may only read gets the 403 page, not a form and its errors. The
    service's own ``require_change`` checks again when it writes.
    """

    template_name = "web/form.html"
    title = ""
    submit_label = _("Save")
    success_message = _("Saved.")
    change_target = None

    def _require_change_target(self):
        if self.change_target is not None and not can_change(self.request.user, self.change_target):
            raise PermissionDenied(_("You may not change records outside your scope."))

    def get(self, request, *args, **kwargs):
        self._require_change_target()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._require_change_target()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            with transaction.atomic():
                # One transaction: a view that calls two services (move then update,
                # register a person then appoint them) saves both or neither.
                self.saved = self.perform(form)
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.get_success_message())
        return redirect(self.get_success_url())

    def get_success_message(self):
        return self.success_message

    #: URL name of the page to go to after saving, given the saved object's pk.
    success_url_name = ""

    def get_success_url(self):
        return reverse(self.success_url_name, args=[self.saved.pk])

    def get_title(self):
        return self.title

    def get_cancel_url(self):
        return None

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.get_title(),
            submit_label=self.submit_label,
            cancel_url=self.get_cancel_url(),
            **kwargs,
        )


class ServiceEditView(ScopedObjectMixin, ServiceFormView):
    """Edit a visible record through a service. The form starts from the record."""

    def prepare(self):
        super().prepare()
        self.change_target = self.object

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if issubclass(self.get_form_class(), forms.ModelForm):
            kwargs["instance"] = self.object
        return kwargs

    def get_cancel_url(self):
        return reverse(self.success_url_name, args=[self.object.pk])


class FilteredListView(StaffRequiredMixin, ListView):
    """A list of ``model.objects.visible_to(user)`` filtered by the same FilterSet as
    the API, paginated (``?page_size=`` one of :attr:`page_sizes`)."""

    filterset_class = None
    paginate_by = 50
    page_sizes = (10, 20, 50, 100)

    def base_queryset(self):
        return self.model._default_manager.visible_to(self.request.user)

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.base_queryset(), request=self.request
        )
        self.adapt_filter_form(self.filterset.form)
        if self.filterset.is_bound and not self.filterset.is_valid():
            # Say what is wrong rather than show a list that only looks filtered.
            return self.filterset.queryset.none()
        return self.filterset.qs

    def adapt_filter_form(self, form) -> None:
        """Adjust widgets for the HTML page (validation stays the FilterSet's)."""

    def get_paginate_by(self, queryset):
        try:
            size = int(self.request.GET.get("page_size", ""))
        except ValueError:
            return self.paginate_by
        return size if size in self.page_sizes else self.paginate_by

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filterset=self.filterset, page_sizes=self.page_sizes, **kwargs
        )

