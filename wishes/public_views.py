"""The public micro-wish pages: no login, phone first, no JavaScript needed.

* File a wish (``wish-submit``, ``wish-submit-compound``): every rendering of the form
  carries a signed one-time token, which becomes the wish's ``idempotency_key``, so a
  double click or a retry files one wish and shows the same page. Anonymous filing is
  rate limited per address and per mobile number (``wishes.ratelimit``).
* Track a wish (``wish-track``): tracking code + the last 4 digits of the mobile number;
  a verified code is remembered in the session (so is one's own just-filed wish), and
  the status page offers withdraw / rate / reopen through the services.
* Public boards (``wish-board``, ``wish-resolved-board``): what a community is working on
  and what it has done, with no personal data.
* The QR poster of a compound (``wish-poster``) is for staff in scope only.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from communities.models import Area, AreaKind
from governance import clock
from governance.models import AuditEvent
from governance.web.forms import attach_errors

from . import ratelimit
from .models import OPEN_STATUSES, Status, Wish
from .public_forms import (
    RateForm,
    ReopenForm,
    TrackLookupForm,
    WishSubmitForm,
    WithdrawForm,
    idempotency_key_from,
    looks_like_code,
    new_form_token,
    normalise_code,
)
from .services import (
    RATING_WINDOW,
    WishConflict,
    wish_rate,
    wish_reopen,
    wish_submit,
    wish_withdraw,
)

SESSION_KEY = "wish_codes"
SESSION_KEEP = 20
BOARD_PAGE_SIZE = 20
SEARCH_LIMIT = 30
BOARD_KINDS = (AreaKind.COMMUNITY, AreaKind.GRID)  # a park's grid acts as its community
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


# --- helpers -----------------------------------------------------------------------


def remember(request, code: str) -> None:
    """This browser has shown it knows the wish (filed it, or gave code + last 4)."""
    codes = [c for c in request.session.get(SESSION_KEY, []) if c != code]
    request.session[SESSION_KEY] = [code, *codes][:SESSION_KEEP]


def is_remembered(request, code: str) -> bool:
    return code in request.session.get(SESSION_KEY, [])


def not_found(request, message=None):
    return render(
        request, "wishes/public/not_found.html", {"message": message}, status=404
    )


def too_many(request, verdict: ratelimit.Verdict, *, what: str):
    response = render(
        request, "wishes/public/rate_limited.html",
        {"what": what, "retry_minutes": max(1, (verdict.retry_after + 59) // 60)},
        status=429,
    )
    response["Retry-After"] = str(verdict.retry_after)
    return response


def place_names(areas) -> dict[int, str]:
    """``area.pk → "district · street · community"`` for compounds, in one query."""
    wanted = {pk for area in areas for pk in area.ancestor_ids}
    above = {
        pk: (kind, name)
        for pk, kind, name in Area.objects.filter(
            pk__in=wanted,
            kind__in=[
                AreaKind.DISTRICT, AreaKind.COUNTY, AreaKind.STREET, AreaKind.TOWN, AreaKind.ZONE,
                AreaKind.COMMUNITY, AreaKind.GRID,
            ],
        ).values_list("pk", "kind", "name")
    }
    labels = {}
    for area in areas:
        names, seen_community = [], False
        for pk in area.ancestor_ids:
            if pk not in above:
                continue
            kind, name = above[pk]
            if kind == AreaKind.GRID and seen_community:
                continue  # the community says enough; its grids are internal
            seen_community = seen_community or kind == AreaKind.COMMUNITY
            names.append(name)
        labels[area.pk] = " · ".join(names)
    return labels


def search_compounds(query: str):
    if not query:
        return []
    compounds = list(
        Area.objects.filter(kind=AreaKind.COMPOUND, name__icontains=query).order_by("name", "pk")[
            :SEARCH_LIMIT
        ]
    )
    labels = place_names(compounds)
    for compound in compounds:
        compound.place = labels.get(compound.pk, "")
    return compounds


def form_url(compound: Area) -> str:
    """The absolute address of a compound's wish form (for QR codes and texts)."""
    path = reverse("wish-submit-compound", args=[compound.code])
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


# --- home ----------------------------------------------------------------------------


def home(request):
    return render(request, "wishes/public/home.html")


# --- filing a wish ------------------------------------------------------------------


class SubmitView(View):
    """``/wish/new/``: find your compound; ``/wish/new/<code>/``: the form for it.
    Both accept the form's POST (the compound travels in a hidden field)."""

    template_name = "wishes/public/submit_form.html"

    def get(self, request, code=None):
        if code is None:
            query = request.GET.get("q", "").strip()[:50]
            return render(request, "wishes/public/submit_pick.html", {
                "query": query, "results": search_compounds(query), "searched": bool(query),
                "search_limit": SEARCH_LIMIT,
            })
        compound = Area.objects.filter(code=code, kind=AreaKind.COMPOUND).first()
        if compound is None:
            return not_found(request, _("There is no residential compound with this code. Search for your compound instead."))
        form = WishSubmitForm(initial={"compound": compound.code, "token": new_form_token()})
        return self.render_form(request, form, compound)

    def post(self, request, code=None):
        form = WishSubmitForm(request.POST, request.FILES)
        # A repeat of a form already filed (double click, retry, back and send again):
        # the same wish, the same page, and nothing counted against the limits.
        key = idempotency_key_from(request.POST.get("token", ""))
        if key:
            existing = Wish.objects.filter(idempotency_key=key).values_list("tracking_code", flat=True).first()
            if existing:
                remember(request, existing)
                return redirect("wish-submitted", code=existing)
        if not form.is_valid():
            return self.invalid(request, form)
        data = form.cleaned_data
        verdict = ratelimit.hit_all(
            ("submit_ip", ratelimit.client_ip(request)),
            ("submit_phone", data["requester_phone"]),
        )
        if not verdict.allowed:
            return too_many(request, verdict, what="submit")
        try:
            wish, _created = wish_submit(
                compound=form.compound_area,
                category=data["category"],
                title=data["title"],
                description=data["description"],
                requester_type=data["requester_type"],
                requester_name=data["requester_name"],
                requester_phone=data["requester_phone"],
                photo=data.get("photo"),
                idempotency_key=form.idempotency_key,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.invalid(request, form)
        remember(request, wish.tracking_code)
        return redirect("wish-submitted", code=wish.tracking_code)

    def invalid(self, request, form):
        if "token" in form.errors:
            form.renew_token()
        compound = form.compound_area
        if compound is None or compound.kind != AreaKind.COMPOUND:
            compound = None
        return self.render_form(request, form, compound)

    def render_form(self, request, form, compound):
        place = place_names([compound]).get(compound.pk, "") if compound else ""
        photo_lost = bool(form.is_bound and request.FILES.get("photo") and form.errors and "photo" not in form.errors)
        return render(request, self.template_name, {
            "form": form, "compound": compound, "place": place,
            "photo_lost": photo_lost,
        })


def submitted(request, code):
    """The page after filing: the tracking code, big. Only for the browser that filed
    it (or has verified it): the code is what lets one follow the wish."""
    code = normalise_code(code)
    if not is_remembered(request, code):
        return redirect(f"{reverse('wish-track')}?{urlencode({'code': code})}")
    wish = Wish.objects.select_related("compound", "category").filter(tracking_code=code).first()
    if wish is None:
        return not_found(request)
    return render(request, "wishes/public/submitted.html", {
        "wish": wish, "track_url": settings.PUBLIC_BASE_URL.rstrip("/") + reverse("wish-track"),
    })


# --- tracking ------------------------------------------------------------------------


class TrackView(View):
    template_name = "wishes/public/track_lookup.html"

    def get(self, request):
        code = normalise_code(request.GET.get("code", ""))[:20]
        form = TrackLookupForm(initial={"code": code} if code else None)
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = TrackLookupForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        code, last4 = form.cleaned_data["code"], form.cleaned_data["last4"]
        verdict = ratelimit.hit_all(
            ("track_ip", ratelimit.client_ip(request)), ("track_code", code)
        )
        if not verdict.allowed:
            return too_many(request, verdict, what="track")
        phone = None
        if looks_like_code(code):
            phone = Wish.objects.filter(tracking_code=code).values_list("requester_phone", flat=True).first()
        # One message whatever is wrong, and compared in constant time.
        if phone is None or not hmac.compare_digest(phone[-4:].encode(), last4.encode()):
            form.add_error(None, _("No wish matches this tracking code and these digits. Check both and try again."))
            return render(request, self.template_name, {"form": form})
        remember(request, code)
        return redirect("wish-track-detail", code=code)


ACTION_LABELS = {
    "submitted": gettext_lazy("Wish received"),
    "accepted": gettext_lazy("Accepted"),
    "escalated": gettext_lazy("Handed to the next level"),
    "claimed": gettext_lazy("Claimed"),
    "released": gettext_lazy("Claim released"),
    "resolved": gettext_lazy("Resolved"),
    "rejected": gettext_lazy("Not accepted"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "rated": gettext_lazy("Rated"),
    "reopened": gettext_lazy("Reopened"),
    "closed": gettext_lazy("Closed"),
}
# Notes shown to the public: the channel, the resolution, the resident's own words
# and the rating. Notes of staff actions (accept, escalate, claim...) may name people.
PUBLIC_NOTE_ACTIONS = {"submitted", "resolved", "withdrawn", "rated", "reopened", "closed"}


def status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else ""


def public_timeline(wish: Wish) -> list[dict]:
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Wish), object_id=wish.pk
    ).only("at", "action", "from_state", "to_state", "note").order_by("at", "id")
    return [
        {
            "at": event.at,
            "action": str(ACTION_LABELS.get(event.action, _("Other update"))),
            "before": status_label(event.from_state) if event.from_state != event.to_state else "",
            "after": status_label(event.to_state) if event.from_state != event.to_state else "",
            "note": event.note if event.action in PUBLIC_NOTE_ACTIONS else "",
        }
        for event in events
    ]


def _verified_wish(request, code):
    """The wish behind ``code`` if this browser has verified it, else a response."""
    code = normalise_code(code)
    if not is_remembered(request, code):
        return None, redirect(f"{reverse('wish-track')}?{urlencode({'code': code})}")
    wish = (
        Wish.objects.select_related("category", "compound", "community", "street")
        .filter(tracking_code=code).first()
    )
    if wish is None:
        return None, not_found(request)
    return wish, None


def _detail(request, wish: Wish, *, forms=None, error="", status=200):
    now = clock.now()
    can_reopen = (
        wish.status in DONE_STATUSES and wish.resolved_at is not None
        and now - wish.resolved_at <= RATING_WINDOW
    )
    forms = forms or {}
    context = {
        "wish": wish,
        "place": place_names([wish.compound]).get(wish.compound_id, ""),
        "timeline": public_timeline(wish),
        "error": error,
        "is_open": wish.is_open,
        "is_done": wish.status in DONE_STATUSES,
        "overdue": bool(wish.is_open and wish.due_at and now > wish.due_at),
        "withdraw_form": forms.get("withdraw") or (WithdrawForm(prefix="withdraw") if wish.is_open else None),
        "rate_form": forms.get("rate") or (RateForm(prefix="rate") if wish.status == Status.RESOLVED else None),
        "reopen_form": forms.get("reopen") or (ReopenForm(prefix="reopen") if can_reopen else None),
        "reopen_until": wish.resolved_at + RATING_WINDOW if wish.resolved_at else None,
    }
    return render(request, "wishes/public/track_detail.html", context, status=status)


def track_detail(request, code):
    wish, response = _verified_wish(request, code)
    if response is not None:
        return response
    return _detail(request, wish)


class WishActionView(View):
    """POST one resident action to the service; errors go back onto the status page."""

    form_class = None
    prefix = ""
    success_message = ""

    def perform(self, wish, data):
        raise NotImplementedError

    def post(self, request, code):
        wish, response = _verified_wish(request, code)
        if response is not None:
            return response
        form = self.form_class(request.POST, prefix=self.prefix)
        if not form.is_valid():
            return _detail(request, wish, forms={self.prefix: form})
        try:
            self.perform(wish, form.cleaned_data)
        except WishConflict as exc:
            wish.refresh_from_db()
            return _detail(request, wish, error=str(exc), status=409)
        except ValidationError as exc:
            attach_errors(form, exc)
            return _detail(request, wish, forms={self.prefix: form})
        messages.success(request, self.success_message)
        return redirect("wish-track-detail", code=wish.tracking_code)


class WithdrawView(WishActionView):
    form_class = WithdrawForm
    prefix = "withdraw"
    success_message = gettext_lazy("Your wish was withdrawn.")

    def perform(self, wish, data):
        wish_withdraw(wish=wish, note=data["note"].strip())


class RateView(WishActionView):
    form_class = RateForm
    prefix = "rate"
    success_message = gettext_lazy("Thank you for your rating.")

    def perform(self, wish, data):
        wish_rate(wish=wish, rating=data["rating"], comment=data["comment"])


class ReopenView(WishActionView):
    form_class = ReopenForm
    prefix = "reopen"
    success_message = gettext_lazy("Your wish was reopened; it is back with the staff who resolved it.")

    def perform(self, wish, data):
        wish_reopen(wish=wish, note=data["note"].strip())


# --- public boards -------------------------------------------------------------------


def board_index(request):
    rows = list(
        Wish.objects.public()
        .values("community__code", "community__name", "street__name")
        .annotate(
            open_count=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            done_count=Count("id", filter=Q(status__in=DONE_STATUSES)),
        )
        .order_by("street__name", "community__name")
    )
    streets: dict[str, list] = {}
    for row in rows:
        streets.setdefault(row["street__name"], []).append(row)
    return render(request, "wishes/public/board_index.html", {"streets": streets})


def _board_community(request, code):
    community = Area.objects.filter(code=code, kind__in=BOARD_KINDS).first()
    if community is None:
        return None, not_found(request, _("There is no community with this code."))
    return community, None


def _board(request, code, *, resolved: bool):
    community, response = _board_community(request, code)
    if response is not None:
        return response
    wishes = Wish.objects.filter(community=community).select_related("category", "compound")
    counts = wishes.aggregate(
        open_count=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        done_count=Count("id", filter=Q(status__in=DONE_STATUSES)),
    )
    # Only the columns the board shows: no names, phones or descriptions are even read.
    if resolved:
        wishes = wishes.filter(status__in=DONE_STATUSES).only(
            "title", "status", "created_at", "resolved_at", "resolved_level", "resolution_note",
            "rating", "rating_comment", "category__name", "compound__name",
        ).order_by("-resolved_at", "-id")
    else:
        wishes = wishes.filter(status__in=OPEN_STATUSES).only(
            "title", "status", "level", "created_at", "claimer_kind", "due_at",
            "category__name", "compound__name",
        ).order_by("-created_at", "-id")
    paginator = Paginator(wishes, BOARD_PAGE_SIZE)
    paginator.count = counts["done_count" if resolved else "open_count"]  # no extra COUNT
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "wishes/public/board.html", {
        "community": community, "page_obj": page, "wishes": page.object_list,
        "resolved": resolved, "now": clock.now(), **counts,
    })


def board(request, code):
    return _board(request, code, resolved=False)


def resolved_board(request, code):
    return _board(request, code, resolved=True)


# --- poster (staff) --------------------------------------------------------------------


@login_required
def poster(request, code):
    compound = (
        Area.objects.visible_to(request.user).filter(code=code, kind=AreaKind.COMPOUND).first()
    )
    if compound is None:
        raise Http404
    import segno

    url = form_url(compound)
    qr = segno.make(url, error="m", micro=False)
    return render(request, "wishes/public/poster.html", {
        "compound": compound,
        "place": place_names([compound]).get(compound.pk, ""),
        "url": url,
        "qr_svg": qr.svg_inline(scale=1, border=4, light="#fff", omitsize=True, title=compound.name),
    })
