"""REST API of micro-wishes (``/api/v1/wishes/``) and their categories
(``/api/v1/wish-categories/``).

The inbox starts from ``Wish.objects.visible_to(user)`` (a wish is anchored at its
compound): a wish outside the caller's scope is a 404. Transitions are POST actions
that call ``wishes.services``; a wish in the wrong state is a 409 (``WishConflict``),
a visible wish the caller may not act on a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from governance import clock
from governance.api.views import ScopedViewSetMixin

from . import services, services_config
from .filters import WishFilterSet
from .models import Category, Level, Wish
from .selectors import HandlerCheck, default_limits, effective_limits, wish_stats
from .serializers import (
    BulkAcceptResponseSerializer,
    BulkAcceptSerializer,
    CategorySerializer,
    CategoryUpdateSerializer,
    ClaimSerializer,
    DefaultLimitSerializer,
    ExactHandlerCheck,
    NoteSerializer,
    RateSerializer,
    RejectSerializer,
    ResolveSerializer,
    StatsQuerySerializer,
    StatsResponseSerializer,
    TimeLimitWriteSerializer,
    WishDetailSerializer,
    WishIntakeSerializer,
    WishSerializer,
    stats_as_dict,
)

CONFLICT = OpenApiResponse(description="The wish is not in a state that allows this (HTTP 409).")
FORBIDDEN = OpenApiResponse(description="The caller sees the wish but may not do this (HTTP 403).")


def _action_schema(request, summary: str):
    return extend_schema(
        request=request, responses={200: WishDetailSerializer, 403: FORBIDDEN, 409: CONFLICT},
        summary=summary,
    )


class WishViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """The staff inbox of micro-wishes in the caller's scope.

    Filters: ``status`` (repeatable), ``category`` (code), ``level``, ``within`` (area
    id: its subtree), ``compound``, ``overdue``, ``due_soon`` (due within 24 h),
    ``claimed``, ``claimer_kind``, ``channel``, ``requested_from``/``requested_to``
    (local dates), ``search`` (tracking code or title). ``ordering``: ``due_at``,
    ``created_at`` (``-`` for descending); default newest first.
    """

    queryset = Wish.objects.select_related("compound", "community", "street", "category")
    filter_backends = [DjangoFilterBackend]
    filterset_class = WishFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "-id")

    def get_serializer_class(self):
        if self.action == "create":
            return WishIntakeSerializer
        if self.action == "list":
            return WishSerializer
        return WishDetailSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["now"] = clock.now()
        user = self.request.user if self.request else None
        # A list decides "handler" from the caller's scope, once; one wish asks the service.
        context["is_handler"] = HandlerCheck(user) if self.action == "list" else ExactHandlerCheck(user)
        return context

    def _detail(self, wish: Wish) -> dict:
        return WishDetailSerializer(wish, context=self.get_serializer_context()).data

    def _params(self, serializer_class):
        params = serializer_class(data=self.request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        return params.validated_data

    @extend_schema(
        request={
            "application/json": WishIntakeSerializer,
            "multipart/form-data": WishIntakeSerializer,
        },
        responses={201: WishDetailSerializer, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs):
        """Record a wish for a resident (phone, mailbox, office day, walk-in, another
        system). The requester's number is checked; the community is notified."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wish = serializer.save()
        return Response(self._detail(wish), status=status.HTTP_201_CREATED)

    # --- transitions -------------------------------------------------------------

    @_action_schema(NoteSerializer, "Accept (社区接单)")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        wish = services.wish_accept(wish=self.get_object(), actor=request.user, **self._params(NoteSerializer))
        return Response(self._detail(wish))

    @_action_schema(ClaimSerializer, "Claim (认领)")
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        wish = self.get_object()
        wish = services.wish_claim(wish=wish, actor=request.user, **self._params(ClaimSerializer))
        return Response(self._detail(wish))

    @_action_schema(NoteSerializer, "Release a claim")
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        wish = self.get_object()
        wish = services.wish_release(wish=wish, actor=request.user, **self._params(NoteSerializer))
        return Response(self._detail(wish))

    @_action_schema(NoteSerializer, "Hand to the next level")
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        wish = self.get_object()
        wish = services.wish_escalate(wish=wish, actor=request.user, **self._params(NoteSerializer))
        return Response(self._detail(wish))

    @_action_schema(
        {"multipart/form-data": ResolveSerializer, "application/json": ResolveSerializer},
        "Resolve (结单), optionally with a photo",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        wish = self.get_object()
        params = self._params(ResolveSerializer)
        wish = services.wish_resolve(
            wish=wish, actor=request.user, note=params["note"], photo=params.get("photo")
        )
        return Response(self._detail(wish))

    @_action_schema(RejectSerializer, "Reject")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        wish = self.get_object()
        wish = services.wish_reject(wish=wish, actor=request.user, **self._params(RejectSerializer))
        return Response(self._detail(wish))

    @_action_schema(NoteSerializer, "Reopen for the resident (within 7 days of the resolution)")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        wish = self.get_object()
        wish = services.wish_reopen(wish=wish, actor=request.user, **self._params(NoteSerializer))
        return Response(self._detail(wish))

    @_action_schema(RateSerializer, "Record the resident's rating")
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        wish = self.get_object()
        params = self._params(RateSerializer)
        wish = services.wish_rate(
            wish=wish, actor=request.user, rating=int(params["rating"]), comment=params["comment"]
        )
        return Response(self._detail(wish))

    @extend_schema(request=BulkAcceptSerializer, responses=BulkAcceptResponseSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-accept")
    def bulk_accept(self, request):
        """Accept several wishes, each on its own: one refused wish does not undo the
        others. Each id gets the answer accepting it alone would have had."""
        ids = list(dict.fromkeys(self._params(BulkAcceptSerializer)["ids"]))
        found = {wish.pk: wish for wish in self.get_queryset().filter(pk__in=ids)}
        results = []
        for pk in ids:
            wish = found.get(pk)
            row = {"id": pk, "tracking_code": None, "status": None, "detail": ""}
            if wish is None:
                results.append({**row, "result": "not_found", "status_code": 404, "detail": "Not found."})
                continue
            row.update(tracking_code=wish.tracking_code)
            try:
                wish = services.wish_accept(wish=wish, actor=request.user)
            except services.WishConflict as exc:
                results.append({**row, "result": "conflict", "status_code": 409, "detail": str(exc)})
            except PermissionDenied as exc:
                results.append({**row, "result": "forbidden", "status_code": 403, "detail": str(exc)})
            else:
                results.append({**row, "result": "accepted", "status_code": 200, "status": wish.status})
                continue
            results[-1]["status"] = Wish.objects.filter(pk=pk).values_list("status", flat=True).first()
        accepted = sum(1 for r in results if r["result"] == "accepted")
        return Response({"accepted": accepted, "refused": len(results) - accepted, "results": results})

    # --- statistics ----------------------------------------------------------------

    @extend_schema(parameters=[StatsQuerySerializer], responses=StatsResponseSerializer)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def stats(self, request):
        """Counts and rates (响应率, 办结率, 满意率) of the wishes submitted on
        [from, to] under ``within``, with each child node ranked.

        Definitions (see ``wishes.selectors``): response rate = accepted within the
        accept limit ÷ (accepted, or still waiting past the accept deadline);
        resolution rate = resolved or closed ÷ all but rejected and withdrawn;
        satisfaction rate = ratings 4 and 5 ÷ rated; overdue = ever overdue or open
        past due now; medians of hours from submission to acceptance and to the
        (last) resolution."""
        params = StatsQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        today = timezone.localdate(clock.now(), timezone.get_default_timezone())
        date_to = data.get("to") or today
        date_from = data.get("from") or date_to.replace(day=1)
        if date_from > date_to:
            date_from = date_to
        result = wish_stats(data["within"], date_from, date_to, user=request.user)
        return Response(StatsResponseSerializer(stats_as_dict(result)).data)


class WishCategoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Wish categories and the time limits in force for each level. Any staff member
    reads them; district administrators (and superusers) change them."""

    queryset = Category.objects.prefetch_related("time_limits")
    serializer_class = CategorySerializer
    pagination_class = None
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_fields = ["is_active"]
    ordering_fields = ["sort_order", "code", "id"]
    ordering = ["sort_order", "code", "id"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def _default_limits(self) -> dict:
        if not hasattr(self, "_defaults"):
            self._defaults = default_limits()
        return self._defaults

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["default_limits"] = self._default_limits()
        return context

    def _fresh(self, category: Category) -> dict:
        category = Category.objects.prefetch_related("time_limits").get(pk=category.pk)
        return CategorySerializer(category, context=self.get_serializer_context()).data

    def _params(self, serializer_class):
        services_config.require_configure(self.request.user)  # 403 before any 400
        params = serializer_class(data=self.request.data)
        params.is_valid(raise_exception=True)
        return params.validated_data

    @extend_schema(request=CategoryUpdateSerializer, responses={200: CategorySerializer, 403: FORBIDDEN})
    def partial_update(self, request, pk=None):
        """Switch automatic escalation of overdue wishes, or retire/restore the category."""
        category = self.get_object()
        params = self._params(CategoryUpdateSerializer)
        category = services_config.category_update(actor=request.user, category=category, **params)
        return Response(self._fresh(category))

    @extend_schema(request=TimeLimitWriteSerializer, responses={200: CategorySerializer, 403: FORBIDDEN})
    @action(detail=True, methods=["post", "put"], url_path="time-limits")
    def time_limits(self, request, pk=None):
        """Set this category's own limits for one level (hours to accept, to resolve).
        They apply to stages that start afterwards."""
        category = self.get_object()
        params = self._params(TimeLimitWriteSerializer)
        services_config.time_limit_set(actor=request.user, category=category, **params)
        return Response(self._fresh(category))

    @extend_schema(
        parameters=[OpenApiParameter("level", str, OpenApiParameter.PATH, enum=Level.values)],
        request=None, responses={200: CategorySerializer, 403: FORBIDDEN},
    )
    @action(
        detail=True, methods=["delete"], url_path=r"time-limits/(?P<level>[a-z]+)",
        url_name="time-limit-clear",
    )
    def clear_time_limit(self, request, pk=None, level=None):
        """Drop this category's own limits for a level: the default applies again."""
        category = self.get_object()
        services_config.require_configure(request.user)
        services_config.time_limit_clear(actor=request.user, category=category, level=level)
        return Response(self._fresh(category))

    @extend_schema(
        methods=["GET"], request=None, responses=DefaultLimitSerializer(many=True),
    )
    @extend_schema(
        methods=["POST", "PUT"], request=TimeLimitWriteSerializer,
        responses={200: DefaultLimitSerializer(many=True), 403: FORBIDDEN},
    )
    @action(detail=False, methods=["get", "post", "put"], url_path="defaults", filter_backends=[])
    def defaults(self, request):
        """The default limits of each level, for categories without their own. A
        district administrator sets one level's with POST or PUT."""
        if request.method != "GET":
            params = self._params(TimeLimitWriteSerializer)
            services_config.time_limit_set(actor=request.user, category=None, **params)
            self.__dict__.pop("_defaults", None)
        entries = [
            {key: entry[key] for key in ("level", "level_display", "accept_hours", "resolve_hours", "source")}
            for entry in effective_limits(None, self._default_limits())
        ]
        return Response(DefaultLimitSerializer(entries, many=True).data)
