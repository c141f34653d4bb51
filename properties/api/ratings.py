"""REST API of the star rating (星级评价), under /api/v1/:

* ``rating-periods/`` list, detail, create, update; POST ``…/<id>/open/``,
  ``…/<id>/close/``, ``…/<id>/recompute/``; GET ``…/<id>/results/`` (ranked);
* ``org-reviews/`` list, detail, create (a second review by the same node replaces
  the first: HTTP 200 and ``"replaced": true``);
* ``inspections/`` list, detail, create; GET ``inspections/checklist/``;
* ``rating-results/`` read-only (company staff see their own company's results).

Everything starts from ``visible_to`` (outside → 404); writes call
``properties.services_ratings`` (visible but not changeable → 403, wrong state → 409).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from communities.models import Area
from governance.api.fields import ScopedPrimaryKeyRelatedField
from governance.api.views import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin

from .. import services_ratings as services
from ..access import company_ids_for
from ..api_base import PropertyApiMixin
from ..checklist import checklist_as_dicts
from ..filters_ratings import (
    InspectionFilterSet,
    OrgReviewFilterSet,
    RatingPeriodFilterSet,
    RatingResultFilterSet,
)
from ..models import (
    Inspection,
    OrgReview,
    PeriodStatus,
    PropertyCompany,
    RatingPeriod,
    RatingResult,
    ResultStatus,
)
from ..selectors_ratings import period_results

CONFLICT = OpenApiResponse(description="The period is not in a state that allows this (HTTP 409).")
FORBIDDEN = OpenApiResponse(description="The caller sees the period but may not do this (HTTP 403).")


# Inline enums: a shared component named after the field ("Status") would collide with
# the other models' status choices in the schema.
@extend_schema_field({"type": "string", "enum": PeriodStatus.values})
class PeriodStatusField(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "string", "enum": ResultStatus.values})
class ResultStatusField(serializers.ChoiceField):
    pass


class RatingPeriodSerializer(serializers.ModelSerializer):
    district = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all())
    district_name = serializers.CharField(source="district.name", read_only=True)
    label = serializers.CharField(read_only=True)
    status = PeriodStatusField(choices=PeriodStatus.choices, read_only=True)
    opens_at = serializers.DateTimeField(required=False, help_text="Defaults to 1 June / 1 December, 00:00.")
    closes_at = serializers.DateTimeField(required=False, help_text="Defaults to 15 July / 15 January, 00:00.")

    class Meta:
        model = RatingPeriod
        fields = [
            "id", "district", "district_name", "year", "half", "label", "status", "opens_at", "closes_at",
            "weight_owners", "weight_review", "weight_inspection", "star5_min", "star4_min", "star3_min",
            "star2_min", "min_owner_ratings", "opened_at", "closed_at", "created_at",
        ]
        read_only_fields = ["status", "opened_at", "closed_at", "created_at"]
        validators = []  # the service says which period exists already

    def create(self, validated_data):
        return services.period_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        fixed = {k for k in ("district", "year", "half") if k in validated_data
                 and validated_data.pop(k) != getattr(instance, k)}
        if fixed:
            raise serializers.ValidationError(
                {k: ["The district and half year of a period cannot change."] for k in sorted(fixed)}
            )
        return services.period_update(actor=self.context["request"].user, period=instance, **validated_data)


class RatingResultSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)
    status = ResultStatusField(choices=ResultStatus.choices, read_only=True)

    class Meta:
        model = RatingResult
        fields = [
            "id", "period", "company", "company_name", "status", "rank", "stars", "total",
            "owner_count", "owner_score", "review_score", "inspection_score",
        ]


def _period_action(summary):
    return extend_schema(
        request=None, summary=summary,
        responses={200: RatingPeriodSerializer, 403: FORBIDDEN, 409: CONFLICT},
    )


class RatingPeriodViewSet(PropertyApiMixin, ScopedModelViewSet):
    """Rating periods per district and half year. District administrators create,
    change, open, close and recompute them; staff of the district read them; company
    staff see the closed periods their company has results in."""

    queryset = RatingPeriod.objects.select_related("district")
    serializer_class = RatingPeriodSerializer
    filterset_class = RatingPeriodFilterSet
    ordering_fields = ["year", "closes_at", "id"]
    ordering = ["-year", "-half", "district_id", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        # Company staff reach periods through their results (a join): distinct rows.
        return queryset.distinct() if company_ids_for(self.request.user) else queryset

    def _respond(self, period):
        return Response(self.get_serializer(period).data)

    @_period_action("Open a scheduled period for rating")
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._respond(services.period_open(actor=request.user, period=self.get_object()))

    @_period_action("Close an open period and publish its results")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._respond(services.period_close(actor=request.user, period=self.get_object()))

    @_period_action("Compute a closed period's results again")
    @action(detail=True, methods=["post"])
    def recompute(self, request, pk=None):
        return self._respond(services.period_recompute(actor=request.user, period=self.get_object()))

    @extend_schema(responses=RatingResultSerializer(many=True), summary="The period's ranked results")
    @action(detail=True, methods=["get"], filterset_class=None)
    def results(self, request, pk=None):
        period = self.get_object()
        page = self.paginate_queryset(period_results(period))
        data = RatingResultSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


class PeriodField(ScopedPrimaryKeyRelatedField):
    """A period the caller sees (one row even for the staff of several companies)."""

    def get_queryset(self):
        return super().get_queryset().distinct()


class OrgReviewSerializer(serializers.ModelSerializer):
    period = PeriodField(queryset=RatingPeriod.objects.all())
    company = ScopedPrimaryKeyRelatedField(queryset=PropertyCompany.objects.all())
    area = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all())
    company_name = serializers.CharField(source="company.name", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    replaced = serializers.SerializerMethodField(help_text="Whether this replaced the node's earlier score.")

    class Meta:
        model = OrgReview
        fields = ["id", "period", "company", "company_name", "area", "area_name", "score", "note",
                  "reviewed_at", "replaced"]
        read_only_fields = ["reviewed_at"]
        validators = []  # one per node: a second review replaces the first (the service)

    def get_replaced(self, obj) -> bool:
        return getattr(obj, "replaced", False)

    def create(self, validated_data):
        return services.org_review_submit(actor=self.context["request"].user, **validated_data)


class OrgReviewViewSet(PropertyApiMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                       mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Organisation reviews: a community's or street's score (0–100) of a company
    serving inside it. Reviewing again replaces the node's score (200, ``replaced``)."""

    queryset = OrgReview.objects.select_related("company", "area")
    serializer_class = OrgReviewSerializer
    filterset_class = OrgReviewFilterSet
    ordering_fields = ["reviewed_at", "score", "id"]
    ordering = ["-reviewed_at", "-id"]

    @extend_schema(responses={200: OrgReviewSerializer, 201: OrgReviewSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = serializer.save()
        code = status.HTTP_200_OK if review.replaced else status.HTTP_201_CREATED
        return Response(self.get_serializer(review).data, status=code)


class InspectionSerializer(serializers.ModelSerializer):
    period = PeriodField(queryset=RatingPeriod.objects.all())
    company = ScopedPrimaryKeyRelatedField(queryset=PropertyCompany.objects.all())
    compound = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all())
    company_name = serializers.CharField(source="company.name", read_only=True)
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    items = serializers.DictField(
        child=serializers.IntegerField(), help_text="Points per checklist item code (see inspections/checklist/)."
    )

    class Meta:
        model = Inspection
        fields = ["id", "period", "company", "company_name", "compound", "compound_name", "inspected_on",
                  "items", "score", "note", "created_at"]
        read_only_fields = ["score", "created_at"]

    def create(self, validated_data):
        return services.inspection_record(actor=self.context["request"].user, **validated_data)


class ChecklistItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    max_points = serializers.IntegerField()
    guidance = serializers.CharField()


class InspectionViewSet(PropertyApiMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                        mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Quality inspections: points per checklist item at one compound; the score is
    their sum. ``inspections/checklist/`` lists the items and their maxima."""

    queryset = Inspection.objects.select_related("company", "compound")
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet
    ordering_fields = ["inspected_on", "score", "id"]
    ordering = ["-inspected_on", "-id"]

    @extend_schema(responses=ChecklistItemSerializer(many=True), summary="The inspection checklist")
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def checklist(self, request):
        return Response(checklist_as_dicts())


class RatingResultViewSet(PropertyApiMixin, ScopedReadOnlyViewSet):
    """Published results (one row per company and closed period). Filters: ``period``,
    ``company``, ``stars`` (repeatable), ``status``, ``search`` (company name)."""

    queryset = RatingResult.objects.select_related("company")
    serializer_class = RatingResultSerializer
    filterset_class = RatingResultFilterSet
    ordering_fields = ["total", "rank", "id"]
    ordering = ["-period_id", "rank", "company__name", "id"]


urlpatterns = []


def register(router) -> None:
    router.register("rating-periods", RatingPeriodViewSet, basename="property-rating-period")
    router.register("org-reviews", OrgReviewViewSet, basename="property-org-review")
    router.register("inspections", InspectionViewSet, basename="property-inspection")
    router.register("rating-results", RatingResultViewSet, basename="property-rating-result")
