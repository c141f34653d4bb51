"""API of households, owners' ratings and disputes (under /api/v1/).

* ``households/``: list and read (the rating code only for staff who may change the
  compound), ``households/bulk/`` to add many, ``…/<id>/regenerate-code/``,
  ``…/<id>/deactivate/``, ``…/<id>/reactivate/``.
* ``ratings/``: the owners' ratings, for territory staff only (a property company's
  staff never see individual ratings); POST enters one (e.g. a paper ballot) through
  the residents' own service: 201 when new, 200 with ``"replaced": true`` when it
  replaced the household's earlier rating. The household is shown as
  building-unit-room, never with its code.
* ``disputes/``: list, create, update; ``disputes/counts/?area=&year=&half=``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from communities.models import Area
from governance.api.fields import ScopedPrimaryKeyRelatedField
from governance.api.views import ScopedModelViewSet, ScopedViewSetMixin
from governance.scoping import require_writer

from .. import services_residents as services
from ..api_base import PropertyApiMixin
from ..filters_residents import DisputeFilterSet, HouseholdFilterSet, OwnerRatingFilterSet
from ..models import Dispute, DisputeOutcome, Household, OwnerRating, PropertyCompany, RatingPeriod
from ..selectors_ratings import half_bounds
from ..selectors_residents import (
    code_visibility,
    current_half,
    dispute_counts,
    household_label,
)

# --- households ----------------------------------------------------------------------------


class HouseholdSerializer(serializers.ModelSerializer):
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    label = serializers.SerializerMethodField()
    code = serializers.SerializerMethodField(
        help_text="The rating code; null unless the caller may change the compound."
    )

    class Meta:
        model = Household
        fields = ["id", "compound", "compound_name", "building", "unit", "room", "label", "code",
                  "is_active", "created_at"]
        read_only_fields = fields

    def get_label(self, household) -> str:
        return household_label(household)

    def get_code(self, household) -> str | None:
        check = self.context.get("code_check")
        return household.code if check and check(household.compound) else None


class HouseholdBulkSerializer(serializers.Serializer):
    compound = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all())
    lines = serializers.CharField(
        help_text="One household per line: 1-2-301, 1栋,2单元,301, or building,unit,room (CSV)."
    )


class HouseholdBulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    skipped = serializers.IntegerField()


class HouseholdViewSet(PropertyApiMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Households that rate (no personal data). ``within=<area id>``, ``compound=``."""

    queryset = Household.objects.select_related("compound")
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilterSet
    ordering_fields = ["building", "room", "id"]
    ordering = ["compound_id", "building", "unit", "room", "id"]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "code_check": code_visibility(self.request.user)}

    @extend_schema(request=HouseholdBulkSerializer, responses=HouseholdBulkResultSerializer)
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def bulk(self, request):
        require_writer(request.user)
        params = HouseholdBulkSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        result = services.households_bulk_create(actor=request.user, **params.validated_data)
        return Response({"created": result.created, "skipped": result.skipped},
                        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    def _act(self, service):
        household = service(actor=self.request.user, household=self.get_object())
        return Response(self.get_serializer(household).data)

    @extend_schema(request=None, responses=HouseholdSerializer)
    @action(detail=True, methods=["post"], url_path="regenerate-code")
    def regenerate_code(self, request, pk=None):
        return self._act(services.household_regenerate_code)

    @extend_schema(request=None, responses=HouseholdSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        return self._act(services.household_deactivate)

    @extend_schema(request=None, responses=HouseholdSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return self._act(services.household_reactivate)


# --- owners' ratings ------------------------------------------------------------------------


class OwnerRatingSerializer(serializers.ModelSerializer):
    period_label = serializers.CharField(source="period.label", read_only=True)
    company_name = serializers.CharField(source="company.name", read_only=True)
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    household = serializers.SerializerMethodField(help_text="Building-unit-room (never the code).")

    class Meta:
        model = OwnerRating
        fields = ["id", "period", "period_label", "company", "company_name", "compound", "compound_name",
                  "household", *OwnerRating.ASPECTS, "score", "comment", "submitted_at", "times_replaced"]
        read_only_fields = fields

    def get_household(self, rating) -> str:
        return household_label(rating.household)


class OwnerRatingSubmitSerializer(serializers.Serializer):
    period = ScopedPrimaryKeyRelatedField(queryset=RatingPeriod.objects.select_related("district"))
    code = serializers.CharField(max_length=30, help_text="The household's rating code.")
    service = serializers.IntegerField(help_text="1–5")
    cleanliness = serializers.IntegerField(help_text="1–5")
    security = serializers.IntegerField(help_text="1–5")
    maintenance = serializers.IntegerField(help_text="1–5")
    transparency = serializers.IntegerField(help_text="1–5")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class OwnerRatingResponseSerializer(OwnerRatingSerializer):
    replaced = serializers.BooleanField(read_only=True)

    class Meta(OwnerRatingSerializer.Meta):
        fields = [*OwnerRatingSerializer.Meta.fields, "replaced"]
        read_only_fields = fields


class OwnerRatingViewSet(
    PropertyApiMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    mixins.CreateModelMixin, viewsets.GenericViewSet,
):
    """Owners' ratings of property companies. Filters: ``period``, ``company``,
    ``compound``, ``within``, ``replaced``."""

    queryset = OwnerRating.objects.select_related("period", "company", "compound", "household")
    serializer_class = OwnerRatingSerializer
    filterset_class = OwnerRatingFilterSet
    ordering_fields = ["submitted_at", "score", "id"]
    ordering = ["-submitted_at", "-id"]

    @extend_schema(request=OwnerRatingSubmitSerializer, responses={201: OwnerRatingResponseSerializer,
                                                                   200: OwnerRatingResponseSerializer})
    def create(self, request, *args, **kwargs):
        require_writer(request.user)
        params = OwnerRatingSubmitSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        rating, replaced = services.owner_rating_submit(actor=request.user, **params.validated_data)
        data = {**OwnerRatingSerializer(rating, context=self.get_serializer_context()).data, "replaced": replaced}
        return Response(data, status=status.HTTP_200_OK if replaced else status.HTTP_201_CREATED)


# --- disputes ----------------------------------------------------------------------------------


class DisputeSerializer(serializers.ModelSerializer):
    compound = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all())
    company = ScopedPrimaryKeyRelatedField(queryset=PropertyCompany.objects.all(), allow_null=True,
                                           required=False)
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    company_name = serializers.CharField(source="company.name", read_only=True, default=None)
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = Dispute
        fields = ["id", "compound", "compound_name", "company", "company_name", "subject", "parties",
                  "outcome", "outcome_display", "mediated_on", "note", "created_at"]
        read_only_fields = ["created_at"]

    def create(self, validated_data):
        return services.dispute_record(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.dispute_update(actor=self.context["request"].user, dispute=instance, **validated_data)


class DisputeCountsQuerySerializer(serializers.Serializer):
    area = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all(), help_text="The node whose subtree is counted.")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="Default: the current year.")
    half = serializers.ChoiceField(choices=[1, 2], required=False, help_text="1 or 2; default the whole year.")


class DisputeOutcomeCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_outcome = serializers.DictField(child=serializers.IntegerField(),
                                       help_text=f"Keys: {', '.join(DisputeOutcome.values)}.")


class DisputeCountsAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class DisputeChildCountsSerializer(DisputeOutcomeCountsSerializer):
    area = DisputeCountsAreaSerializer()


class DisputeCountsSerializer(serializers.Serializer):
    area = DisputeCountsAreaSerializer()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    totals = DisputeOutcomeCountsSerializer()
    children = DisputeChildCountsSerializer(many=True)


def counts_as_dict(result) -> dict:
    def area(node):
        return {"id": node.pk, "name": node.name, "kind": node.kind}

    def counts(row):
        return {"total": row.total, "by_outcome": row.as_dict()}

    return {
        "area": area(result.area), "date_from": result.start, "date_to": result.end,
        "totals": counts(result.totals),
        "children": [{"area": area(c.area), **counts(c)} for c in result.children],
    }


class DisputeViewSet(PropertyApiMixin, ScopedModelViewSet):
    """Mediated property disputes (no personal data). Filters: ``compound``,
    ``company``, ``within``, ``outcome``, ``mediated_from``/``mediated_to``,
    ``half=2026H1``. A company's staff read their company's disputes."""

    queryset = Dispute.objects.select_related("compound", "company")
    serializer_class = DisputeSerializer
    filterset_class = DisputeFilterSet
    ordering_fields = ["mediated_on", "id"]
    ordering = ["-mediated_on", "-id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        require_writer(request.user)
        return super().create(request, *args, **kwargs)

    @extend_schema(parameters=[DisputeCountsQuerySerializer], responses=DisputeCountsSerializer)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def counts(self, request):
        """Disputes per outcome under ``area`` and per child node, for a year or half year."""
        params = DisputeCountsQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        year = data.get("year") or current_half()[0]
        half = data.get("half")
        if half:
            start, end = half_bounds(year, int(half))
        else:
            start, end = half_bounds(year, 1)[0], half_bounds(year, 2)[1]
        result = dispute_counts(request.user, data["area"], start, end)
        return Response(DisputeCountsSerializer(counts_as_dict(result)).data)


urlpatterns = []


def register(router) -> None:
    router.register("households", HouseholdViewSet, basename="property-household")
    router.register("ratings", OwnerRatingViewSet, basename="property-owner-rating")
    router.register("disputes", DisputeViewSet, basename="property-dispute")

