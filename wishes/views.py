"""Staff pages of the micro-wishes: the inbox, one wish with its actions, intake on a
resident's behalf, the metrics and the user's notifications.

Every page starts from ``Wish.objects.visible_to(user)`` (outside → 404, see
governance/web/mixins.py) and every change goes through ``wishes.services`` with
``actor=request.user``: a ``PermissionDenied`` there is the 403 page, a
``WishConflict`` (someone got there first) the wish's page again with the reason and
HTTP 409, a ``ValidationError`` the form again with the input kept.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.forms import CheckboxSelectMultiple, Select
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, ListView

from communities.models import Area, AreaKind
from governance import clock
from governance.scoping import can_change, require_writer
from governance.validators import mask_mobile
from governance.web.forms import DateInput, narrow_area_widget
from governance.web.mixins import (
    FilteredListView,
    ScopedObjectMixin,
    ServiceEditView,
    ServiceFormView,
    StaffRequiredMixin,
)
from governance.web.timeline import timeline

from . import notify, services
from .filters import DUE_SOON, WishFilterSet
from .forms import (
    ClaimForm,
    EscalateForm,
    IntakeForm,
    NoteForm,
    RejectForm,
    ResolveForm,
)
from .models import Level, Notification, Status, Wish

#: The audit actions of a wish, as the history shows them.
WISH_ACTIONS = {
    "submitted": _("submitted"),
    "accepted": _("accepted"),
    "claimed": _("claimed"),
    "released": _("claim released"),
    "escalated": _("handed to the next level"),
    "resolved": _("resolved"),
    "rejected": _("rejected"),
    "withdrawn": _("withdrawn by the resident"),
    "rated": _("rated"),
    "reopened": _("reopened"),
    "closed": _("closed"),
}


# --- helpers ---------------------------------------------------------------------------


def due_state(wish: Wish, now: datetime.datetime) -> str:
    """"overdue" or "due-soon" (within 24 hours) for an open wish, else "" (the same
    bounds as the inbox's filters)."""
    if not wish.is_open or wish.due_at is None:
        return ""
    if wish.due_at < now:
        return "overdue"
    if wish.due_at <= now + DUE_SOON:
        return "due-soon"
    return ""


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# Events without a staff actor: these the resident did (anything else is the sweep).
RESIDENT_ACTIONS = {
    "submitted": _("resident"),
    "withdrawn": _("resident"),
    "rated": _("resident"),
    "reopened": _("resident"),
}


def wish_timeline(user, wish: Wish):
    """The shared audit time line, with the wish's actions and states spelled out."""
    statuses = dict(Status.choices)
    entries = timeline(user, wish, actorless=RESIDENT_ACTIONS)
    for entry in entries:
        event = entry.event
        entry.action = str(WISH_ACTIONS.get(event.action, entry.action))
        if event.from_state == event.to_state:
            # A claim or a release: the state did not change, the note says what did.
            entry.before = entry.after = ""
        else:
            entry.before = str(statuses.get(event.from_state, entry.before))
            entry.after = str(statuses.get(event.to_state, entry.after))
    return entries


def available_actions(user, wish: Wish) -> set[str]:
    """The actions whose forms the page shows; the services decide again on POST."""
    if not wish.is_open:
        return set()
    handles = can_change(user, wish.handling_area)
    actions = set()
    if not wish.claimer_kind:
        actions.add("claim")  # 认领: anybody who sees the wish may put a name on it
    elif wish.claimer_user_id == user.pk or handles:
        actions.add("release")
    if handles:
        actions.add("reject")
        actions.add("accept" if wish.status == Status.SUBMITTED else "resolve")
        if wish.level != Level.CENTRE:
            actions.add("escalate")
    return actions


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class WishPageMixin:
    """The micro-wish pages' sub-navigation: the unread notifications count (one query)."""

    def get_context_data(self, **kwargs):
        kwargs.setdefault("unread_notifications", unread_count(self.request.user))
        return super().get_context_data(**kwargs)


# --- inbox -------------------------------------------------------------------------------


YES_NO = [("", "—"), ("true", _("yes")), ("false", _("no"))]


class WishInboxView(WishPageMixin, FilteredListView):
    model = Wish
    filterset_class = WishFilterSet
    template_name = "wishes/staff/wish_inbox.html"
    paginate_by = 20
    page_sizes = (5, 10, 20, 50, 100)

    def base_queryset(self):
        # No phones in the list, and two joins whatever the page size.
        return super().base_queryset().select_related("compound", "category")

    def adapt_filter_form(self, form):
        user = self.request.user
        form.fields["status"].widget = CheckboxSelectMultiple(choices=form.fields["status"].choices)
        for name in ("overdue", "due_soon", "claimed"):
            form.fields[name].widget = Select(choices=YES_NO)
        for name in ("requested_from", "requested_to"):
            form.fields[name].widget = DateInput()
        form.fields["category"].empty_label = "—"
        for name in ("level", "claimer_kind", "channel", "ordering"):
            field = form.fields[name]
            choices = [c for c in field.choices if c[0] != ""]
            field.empty_label = "—"
            field.choices = choices  # the field puts its empty label first again
        areas = list(
            Area.objects.visible_to(user)
            .exclude(kind__in=[AreaKind.BUILDING, AreaKind.COMPOUND])
            .only("pk", "name", "kind", "depth", "path")
        )
        narrow_area_widget(form.fields["within"], areas)
        compounds = (
            Area.objects.visible_to(user)
            .filter(kind=AreaKind.COMPOUND)
            .select_related("parent")
            .order_by("parent__name", "name", "pk")
        )
        form.fields["compound"].widget.choices = [("", "—")] + [
            (c.pk, f"{c.name}（{c.parent.name}）" if c.parent_id else c.name) for c in compounds
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = clock.now()
        wishes = list(context["object_list"])
        for wish in wishes:
            wish.due_state = due_state(wish, now)
        ordering = self.request.GET.get("ordering", "")
        context.update(
            wishes=wishes,
            now=now,
            ordering=ordering,
            due_order="-due_at" if ordering == "due_at" else "due_at",
            created_order="created_at" if ordering == "-created_at" else "-created_at",
            any_submitted=any(w.status == Status.SUBMITTED for w in wishes),
        )
        return context


class WishBulkAcceptView(StaffRequiredMixin, View):
    """Accept the ticked wishes, each on its own (``wish_bulk_accept``); report how many
    were accepted and why the others were not. Back to the inbox as it was filtered."""

    http_method_names = ["post"]
    max_listed = 10

    def post(self, request):
        ids = {int(v) for v in request.POST.getlist("ids") if v.isdigit()}
        back = _safe_next(request, reverse("wish-inbox"))
        if not ids:
            messages.warning(request, _("Tick the wishes to accept first."))
            return redirect(back)
        wishes = list(
            Wish.objects.visible_to(request.user).filter(pk__in=ids).order_by("created_at", "pk")
        )
        accepted, refused = services.wish_bulk_accept(wishes=wishes, actor=request.user)
        missing = len(ids) - len(wishes)
        if accepted:
            messages.success(
                request,
                ngettext("%(n)d wish was accepted.", "%(n)d wishes were accepted.", len(accepted))
                % {"n": len(accepted)},
            )
        if refused or missing:
            count = len(refused) + missing
            messages.warning(
                request,
                ngettext("%(n)d wish was not accepted:", "%(n)d wishes were not accepted:", count)
                % {"n": count},
            )
            for wish, reason in refused[: self.max_listed]:
                messages.warning(request, f"{wish.tracking_code} · {reason}")
            if len(refused) > self.max_listed:
                messages.warning(
                    request, _("… and %(n)d more.") % {"n": len(refused) - self.max_listed}
                )
            if missing:
                messages.warning(
                    request,
                    ngettext(
                        "%(n)d wish was not found in your scope.",
                        "%(n)d wishes were not found in your scope.",
                        missing,
                    )
                    % {"n": missing},
                )
        return redirect(back)


# --- one wish ------------------------------------------------------------------------------


def _wish_queryset(qs):
    return qs.select_related(
        "compound", "community", "street", "category", "submitted_by", "claimer_user"
    )


ACTION_FORMS = {
    "accept": NoteForm,
    "claim": ClaimForm,
    "release": NoteForm,
    "escalate": EscalateForm,
    "resolve": ResolveForm,
    "reject": RejectForm,
}


def action_form(action: str, user, data=None, files=None):
    return ACTION_FORMS[action](data, files, user=user, auto_id=f"id_{action}_%s")


class WishPageBase(WishPageMixin, ScopedObjectMixin):
    model = Wish
    context_object_name = "wish"
    template_name = "wishes/staff/wish_detail.html"

    def get_queryset(self):
        return _wish_queryset(super().get_queryset())

    def detail_context(self, wish: Wish, **bound_forms) -> dict:
        user = self.request.user
        now = clock.now()
        actions = available_actions(user, wish)
        forms = {
            action: bound_forms.get(action) or action_form(action, user)
            for action in ACTION_FORMS
            if action in actions or action in bound_forms
        }
        handler = services.is_handler(user, wish)
        return {
            "wish": wish,
            "now": now,
            "due_state": due_state(wish, now),
            "is_handler": handler,
            "phone": wish.requester_phone if handler else mask_mobile(wish.requester_phone),
            "forms": forms,
            "timeline": wish_timeline(user, wish),
        }


class WishPhotoView(WishPageMixin, ScopedObjectMixin, StaffRequiredMixin, View):
    """A wish's photos, for staff who can see the wish. Photos may show residents and
    their homes, so they are not under a public media URL: every request goes
    through the same visibility rule as the wish itself (404 outside the scope)."""

    model = Wish
    fields = {"photo": "photo", "result": "resolution_photo"}

    def get(self, request, pk, which):
        wish = self.get_object()
        if which not in self.fields:
            raise Http404
        upload = getattr(wish, self.fields[which])
        if not upload:
            raise Http404
        response = FileResponse(upload.open("rb"), content_type=_content_type(upload.name))
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


def _content_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(
        ext, "application/octet-stream"
    )


class WishDetailView(WishPageBase, StaffRequiredMixin, DetailView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.detail_context(self.object), **kwargs)


class WishActionView(WishPageBase, ServiceEditView):
    """POST one action on a wish; its form lives on the wish's page."""

    action = ""
    http_method_names = ["post"]
    success_url_name = "wish-detail"
    conflict = ""

    def prepare(self):
        super().prepare()
        # Who may act depends on the action and the wish's level (a grid secretary
        # may claim, only the handling level may accept): the services decide.
        self.change_target = None

    def get_form_class(self):
        return ACTION_FORMS[self.action]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "auto_id": f"id_{self.action}_%s"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.conflict:
            # The wish as it is now, its forms fresh, and what stopped the action.
            context.update(self.detail_context(self.object), conflict=self.conflict)
        else:
            # The action's form again, with its errors and the input kept.
            context.update(self.detail_context(self.object, **{self.action: context["form"]}))
        return context

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except services.WishConflict as exc:
            self.object = self.get_queryset().get(pk=self.object.pk)
            self.conflict = str(exc)
            return self.render_to_response(self.get_context_data(form=form), status=409)

    def get_success_url(self):
        return reverse("wish-detail", args=[self.object.pk])


class WishAcceptView(WishActionView):
    action = "accept"
    success_message = _("The wish was accepted; the clock for resolving it runs now.")

    def perform(self, form):
        return services.wish_accept(wish=self.object, actor=self.request.user, **form.cleaned_data)


class WishClaimView(WishActionView):
    action = "claim"
    success_message = _("The claim was recorded.")

    def perform(self, form):
        return services.wish_claim(wish=self.object, actor=self.request.user, **form.cleaned_data)


class WishReleaseView(WishActionView):
    action = "release"
    success_message = _("The claim was released.")

    def perform(self, form):
        return services.wish_release(wish=self.object, actor=self.request.user, **form.cleaned_data)


class WishEscalateView(WishActionView):
    action = "escalate"
    success_message = _("The wish was handed to the next level.")

    def perform(self, form):
        return services.wish_escalate(wish=self.object, actor=self.request.user, **form.cleaned_data)


class WishResolveView(WishActionView):
    action = "resolve"
    success_message = _("The wish was resolved; the resident is asked to rate it.")

    def perform(self, form):
        data = form.cleaned_data
        return services.wish_resolve(
            wish=self.object, actor=self.request.user, note=data["note"], photo=data["photo"]
        )


class WishRejectView(WishActionView):
    action = "reject"
    success_message = _("The wish was rejected; the resident is told the reason.")

    def perform(self, form):
        return services.wish_reject(wish=self.object, actor=self.request.user, **form.cleaned_data)


# --- intake -------------------------------------------------------------------------------


class WishIntakeView(WishPageMixin, ServiceFormView):
    """A wish that came by mailbox, on the office day, by phone or at the counter,
    recorded by staff for the resident (``?compound=<pk>`` preselects the compound)."""

    form_class = IntakeForm
    template_name = "wishes/staff/wish_intake.html"
    title = _("Record a wish for a resident")
    submit_label = _("Record the wish")
    success_url_name = "wish-detail"

    def get(self, request, *args, **kwargs):
        require_writer(request.user, message=_("Only staff who may change an area can record wishes."))
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        compound = self.request.GET.get("compound", "")
        return {"compound": compound} if compound.isdigit() else {}

    def get_cancel_url(self):
        return reverse("wish-inbox")

    def perform(self, form):
        wish, self.created = services.wish_submit(actor=self.request.user, **form.cleaned_data)
        return wish

    def get_success_message(self):
        if self.created:
            return _("The wish %(code)s was recorded; its community has been notified.") % {
                "code": self.saved.tracking_code
            }
        return _("This form had been sent already: here is the wish it recorded.")


# --- notifications -------------------------------------------------------------------------


class NotificationListView(WishPageMixin, StaffRequiredMixin, ListView):
    template_name = "wishes/staff/notifications.html"
    paginate_by = 50
    context_object_name = "notifications"

    def get_queryset(self):
        return (
            Notification.objects.filter(recipient=self.request.user)
            .select_related("wish")
            .order_by("-created_at", "-id")
        )


class NotificationsMarkReadView(StaffRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        count = notify.notifications_mark_read(user=request.user)
        if count:
            messages.success(
                request,
                ngettext(
                    "%(n)d notification marked as read.", "%(n)d notifications marked as read.", count
                )
                % {"n": count},
            )
        return redirect("wish-notifications")
