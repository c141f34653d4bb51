"""The Open311 endpoints."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from governance.apikeys import api_key_check
from governance.errors import Conflict
from governance.validators import validate_mobile

from ..models import OPEN_STATUSES, Category, Channel, RequesterType, Status
from ..services import wish_submit
from .common import (
    CHANGESET,
    MAX_BODY_BYTES,
    MAX_DESCRIPTION_BYTES,
    MAX_DESCRIPTION_CHARS,
    MAX_RESULTS,
    SERVICE_GROUP,
    SPEC_FORMATS,
    SPECIFICATION,
    TITLE_CHARS,
    TOKEN_PREFIX,
    TOKEN_RE,
    Open311Error,
)
from .mapping import _wishes, request_data, status_notes
from .params import (
    _listed,
    date_window,
    jurisdiction_from,
    locate,
    normalise_phone,
    requester_name,
    validation_messages,
)
from .render import error_response, respond

# --- views -----------------------------------------------------------------------------


@method_decorator(csrf_exempt, name="dispatch")
class Open311View(View):
    """Plain Django views: no session, no CSRF (API clients send no cookie), errors
    as the spec's error list in the requested format."""

    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, fmt: str = "json", **kwargs):
        self.fmt = fmt
        try:
            return super().dispatch(request, *args, **kwargs)
        except Open311Error as exc:
            return error_response(exc, fmt)

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = error_response(
            Open311Error(405, _("Method %(method)s is not allowed here.") % {"method": request.method}),
            self.fmt,
        )
        response["Allow"] = ", ".join(m.upper() for m in self._allowed_methods())
        return response

    def ok(self, data, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
        return respond(data, self.fmt, root=root, item=item, status=status)


class DiscoveryView(Open311View):
    def get(self, request):
        jurisdiction_from(request.GET)
        data = {
            "changeset": getattr(settings, "OPEN311_CHANGESET", CHANGESET),
            "contact": getattr(settings, "OPEN311_CONTACT", "区社区治理平台管理员"),
            "key_service": getattr(
                settings, "OPEN311_KEY_SERVICE",
                "API keys are issued by the district administrator (manage.py create_api_key).",
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": request.build_absolute_uri("/open311/v2/"),
                    "changeset": getattr(settings, "OPEN311_CHANGESET", CHANGESET),
                    "type": "test" if settings.DEBUG else "production",
                    "formats": SPEC_FORMATS,
                }
            ],
        }
        return self.ok(data, root="discovery")


def service_data(category: Category) -> dict:
    keywords = [w for w in re.split(r"[、，,；;\s]+", category.description) if w]
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(keywords) or None,
        "group": SERVICE_GROUP,
    }


class ServiceListView(Open311View):
    def get(self, request):
        jurisdiction_from(request.GET)
        services = [service_data(c) for c in Category.objects.filter(is_active=True)]
        return self.ok(services, root="services", item="service")


class ServiceDefinitionView(Open311View):
    def get(self, request, code: str):
        jurisdiction_from(request.GET)
        if not Category.objects.filter(code=code, is_active=True).exists():
            raise Open311Error(404, _("service_code not found: %(code)s") % {"code": code})
        # metadata is false for every service: no extra attributes to fill in.
        return self.ok({"service_code": code, "attributes": []}, root="service_definition")


class RequestListView(Open311View):
    http_method_names = ["get", "post", "head", "options"]

    def get(self, request):
        params = request.GET
        wishes = _wishes(jurisdiction_from(params))
        codes = [code.upper() for code in _listed(params, "service_request_id")]
        if codes:
            # The spec: a list of ids overrides every other filter.
            wishes = wishes.filter(tracking_code__in=codes[:MAX_RESULTS])
        else:
            service_codes = _listed(params, "service_code")
            if service_codes:
                wishes = wishes.filter(category__code__in=service_codes)
            statuses = set(_listed(params, "status"))
            if statuses - {"open", "closed"}:
                raise Open311Error(400, _("status is open or closed."))
            if statuses == {"open"}:
                wishes = wishes.filter(status__in=OPEN_STATUSES)
            elif statuses == {"closed"}:
                wishes = wishes.exclude(status__in=OPEN_STATUSES)
            start, end = date_window(params)
            wishes = wishes.filter(created_at__gte=start, created_at__lte=end)
        wishes = wishes.order_by("-created_at", "-id")[:MAX_RESULTS]
        return self.ok([request_data(w) for w in wishes], root="service_requests", item="request")

    def post(self, request):
        try:
            too_big = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
            too_big = too_big or len(request.body) > MAX_BODY_BYTES
        except (ValueError, RequestDataTooBig):
            too_big = True
        if too_big:
            raise Open311Error(400, _("The request body is larger than %(n)d KB.") % {"n": MAX_BODY_BYTES // 1024})
        params = request.POST
        api_key = api_key_check(params.get("api_key"))
        if api_key is None:
            raise Open311Error(403, _("api_key is missing or not valid."))
        jurisdiction = jurisdiction_from(params)

        service_code = (params.get("service_code") or "").strip()
        category = Category.objects.filter(code=service_code, is_active=True).first()
        if category is None:
            raise Open311Error(400, _("service_code not found: %(code)s") % {"code": service_code})
        compound = locate(params, jurisdiction)
        description = (params.get("description") or "").strip()
        if not description:
            raise Open311Error(400, _("description is required."))
        if len(description.encode("utf-8")) > MAX_DESCRIPTION_BYTES:
            raise Open311Error(400, _("description is larger than 10 KB."))
        if len(description) > MAX_DESCRIPTION_CHARS:
            raise Open311Error(
                400, _("description may have at most %(n)d characters.") % {"n": MAX_DESCRIPTION_CHARS}
            )
        phone = normalise_phone(params.get("phone", ""))
        try:
            validate_mobile(phone)
        except ValidationError as exc:
            raise Open311Error(400, *(f"phone: {m}" for m in exc.messages)) from exc

        token = (request.headers.get("Idempotency-Key") or params.get("token_key") or "").strip()
        if token and not TOKEN_RE.match(token):
            raise Open311Error(
                400, _("Idempotency-Key (token_key) has 1 to 48 letters, digits or . _ ~ -")
            )
        try:
            wish, created = wish_submit(
                compound=compound,
                category=category,
                title=" ".join(description.split())[:TITLE_CHARS],
                description=description,
                requester_name=requester_name(params),
                requester_phone=phone,
                requester_type=RequesterType.RESIDENT,
                channel=Channel.API,
                idempotency_key=f"{TOKEN_PREFIX}{api_key.pk}:{token}" if token else None,
            )
        except ValidationError as exc:
            raise Open311Error(400, *validation_messages(exc)) from exc
        except PermissionDenied as exc:
            raise Open311Error(403, str(exc) or _("Not allowed.")) from exc
        except Conflict as exc:
            raise Open311Error(409, str(exc)) from exc
        if wish.status == Status.SUBMITTED and wish.due_at:
            due = timezone.localtime(wish.due_at).strftime("%Y-%m-%d %H:%M")
            notice = f"已登记，社区将于{due}前接单"
        else:
            notice = status_notes(wish)
        data = [{"service_request_id": wish.tracking_code, "service_notice": notice, "account_id": None}]
        return self.ok(data, root="service_requests", item="request", status=201 if created else 200)


class RequestDetailView(Open311View):
    def get(self, request, code: str):
        wish = _wishes(jurisdiction_from(request.GET)).filter(tracking_code=code.upper()).first()
        if wish is None:
            raise Open311Error(404, _("service_request_id not found: %(code)s") % {"code": code})
        return self.ok([request_data(wish)], root="service_requests", item="request")


class TokenView(Open311View):
    """Ids are returned at once, so a token (the Idempotency-Key or token_key a client
    sent with its POST) is only a second way to find the request it created."""

    def get(self, request, token: str):
        jurisdiction = jurisdiction_from(request.GET)
        found = []
        if TOKEN_RE.match(token):
            wishes = _wishes(jurisdiction).filter(
                Q(idempotency_key__startswith=TOKEN_PREFIX), Q(idempotency_key__endswith=f":{token}")
            )
            found = [
                {"service_request_id": w.tracking_code, "token": token}
                for w in wishes.order_by("created_at", "id")
                if w.idempotency_key.split(":", 2)[2] == token
            ]
        if not found:
            raise Open311Error(404, _("token not found: %(token)s") % {"token": token})
        return self.ok(found, root="service_requests", item="request")


@method_decorator(csrf_exempt, name="dispatch")
class NotFoundView(Open311View):
    http_method_names = ["get", "post", "head", "options", "put", "patch", "delete"]

    def dispatch(self, request, *args, **kwargs):
        fmt = "xml" if request.path.endswith(".xml") else "json"
        return error_response(Open311Error(404, _("No such Open311 endpoint.")), fmt)

