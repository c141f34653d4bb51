"""API of cross-appointments (双向进入、交叉任职) and 三覆盖 (under /api/v1/).

* ``cross-appointments/``: list, read, record. Filters: ``kind``, ``within``,
  ``community``, ``company``, ``committee``, ``current``, ``search``.
  ``POST cross-appointments/<id>/end/`` (409 when it has ended already);
  ``cross-appointments/counts/?area=<id>``: current ones per kind, per child node.
* ``areas/<id>/three-coverage/``: 三覆盖 of the compounds under the area (see
  ``properties.selectors_coverage``); 404 when the area is not visible or not inside
  the caller's read scope.

Route names: ``cross-appointment-list`` / ``-detail`` / ``-end`` / ``-counts`` and
``area-three-coverage`` (without the ``property-`` prefix, which the staff pages use).
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.models import Area
from governance.api.fields import ScopedPrimaryKeyRelatedField
from governance.api.views import ScopedViewSetMixin
from governance.scoping import require_writer
from partyorgs.models import PartyOrganisation

from .. import services_crossappointments as services
from ..api_base import IsPropertyUser, PropertyApiMixin
from ..filters_coverage import CrossAppointmentFilterSet
from ..models import Committee, CrossAppointment, PropertyCompany
from ..selectors_coverage import coverage_area_or_404, cross_appointment_counts, three_coverage


class AreaRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


def area_ref(area) -> dict | None:
    return {"id": area.pk, "name": area.name, "kind": area.kind} if area is not None else None


# --- cross-appointments -------------------------------------------------------------------------


class CrossAppointmentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    community = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all())
    community_name = serializers.CharField(source="community.name", read_only=True)
    committee = ScopedPrimaryKeyRelatedField(queryset=Committee.objects.all(), required=False, allow_null=True)
    committee_name = serializers.CharField(source="committee.name", read_only=True, default=None)
    company = ScopedPrimaryKeyRelatedField(queryset=PropertyCompany.objects.all(), required=False, allow_null=True)
    company_name = serializers.CharField(source="company.name", read_only=True, default=None)
    party_org = ScopedPrimaryKeyRelatedField(
        queryset=PartyOrganisation.objects.all(), required=False, allow_null=True,
        help_text="The community's party committee (company members only).",
    )
    party_org_name = serializers.CharField(source="party_org.name", read_only=True, default=None)
    member = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The committee member this appointment follows (set by the committee pages)."
    )
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = CrossAppointment
        fields = ["id", "kind", "kind_display", "person_name", "community", "community_name", "committee",
                  "committee_name", "member", "company", "company_name", "party_org", "party_org_name",
                  "started_on", "ended_on", "is_current", "created_at"]
        read_only_fields = ["ended_on", "created_at"]
        extra_kwargs = {"person_name": {"trim_whitespace": False}}

    def get_is_current(self, appointment) -> bool:
        return appointment.ended_on is None

    def create(self, validated_data):
        return services.cross_appointment_record(actor=self.context["request"].user, **validated_data)


class CrossAppointmentEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, allow_null=True, help_text="Defaults to today.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class CountsQuerySerializer(serializers.Serializer):
    area = serializers.IntegerField(help_text="The node whose subtree is counted.")


class KindCountsSerializer(serializers.Serializer):
    cadre_on_committee = serializers.IntegerField()
    company_member_on_party_committee = serializers.IntegerField()
    total = serializers.IntegerField()


class ChildCountsSerializer(KindCountsSerializer):
    area = AreaRefSerializer()


class AppointmentCountsSerializer(serializers.Serializer):
    area = AreaRefSerializer()
    totals = KindCountsSerializer()
    own = KindCountsSerializer(help_text="Appointments anchored at the area itself.")
    children = ChildCountsSerializer(many=True)


def counts_as_dict(result) -> dict:
    return {
        "area": area_ref(result.area), "totals": result.totals.as_dict(), "own": result.own.as_dict(),
        "children": [{"area": area_ref(row.area), **row.as_dict()} for row in result.children],
    }


class CrossAppointmentViewSet(
    PropertyApiMixin,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Cross-appointments (双向进入、交叉任职): community cadres on owners' committees and
    company party members on community party committees. Ended, never deleted."""

    queryset = CrossAppointment.objects.select_related("community", "committee", "company", "party_org")
    serializer_class = CrossAppointmentSerializer
    filterset_class = CrossAppointmentFilterSet
    ordering_fields = ["person_name", "started_on", "id"]
    ordering = ["community_id", "kind", "person_name", "id"]

    def create(self, request, *args, **kwargs):
        require_writer(request.user)
        return super().create(request, *args, **kwargs)

    @extend_schema(request=CrossAppointmentEndSerializer, responses=CrossAppointmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End a current cross-appointment (409 when it has ended already)."""
        appointment = self.get_object()
        params = CrossAppointmentEndSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        appointment = services.cross_appointment_end(
            actor=request.user, appointment=appointment, ended_on=data.get("ended_on"), note=data.get("note", ""),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=appointment.pk)).data)

    @extend_schema(parameters=[CountsQuerySerializer], responses=AppointmentCountsSerializer)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def counts(self, request):
        """Current cross-appointments by kind under ``area``: in total, at the area itself
        and per child node (404 when the area is not inside the caller's read scope)."""
        params = CountsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        area = coverage_area_or_404(request.user, params.validated_data["area"])
        return Response(AppointmentCountsSerializer(counts_as_dict(cross_appointment_counts(request.user, area))).data)


# --- 三覆盖 --------------------------------------------------------------------------------------


class CoverageFiguresSerializer(serializers.Serializer):
    compounds = serializers.IntegerField()
    with_party_org = serializers.IntegerField()
    with_committee = serializers.IntegerField()
    with_service = serializers.IntegerField()
    all_three = serializers.IntegerField()
    party_org_share = serializers.FloatField(allow_null=True, help_text="In %, one decimal.")
    committee_share = serializers.FloatField(allow_null=True)
    service_share = serializers.FloatField(allow_null=True)
    all_three_share = serializers.FloatField(allow_null=True)


class CoverageRowSerializer(CoverageFiguresSerializer):
    area = AreaRefSerializer()
    community = AreaRefSerializer(allow_null=True, help_text="For a compound row: its community.")


class MissingCompoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    community = AreaRefSerializer(allow_null=True)


class MissingListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    compounds = MissingCompoundSerializer(many=True, help_text="The first 200, in tree order.")


class MissingSerializer(serializers.Serializer):
    party_org = MissingListSerializer()
    committee = MissingListSerializer()
    service = MissingListSerializer()


class ThreeCoverageSerializer(serializers.Serializer):
    area = AreaRefSerializer()
    totals = CoverageFiguresSerializer()
    rows_are_compounds = serializers.BooleanField(
        help_text="True under a community, grid or compound (a row per compound), else a row per child node."
    )
    rows = CoverageRowSerializer(many=True)
    missing = MissingSerializer()


def coverage_as_dict(result) -> dict:
    return {
        "area": area_ref(result.area),
        "totals": result.totals.figures(),
        "rows_are_compounds": result.rows_are_compounds,
        "rows": [
            {"area": area_ref(row.area), "community": area_ref(row.community), **row.figures()}
            for row in result.rows
        ],
        "missing": {
            name: {
                "count": items.count,
                "compounds": [
                    {"id": c.pk, "name": c.name, "community": area_ref(c.community)} for c in items.compounds
                ],
            }
            for name, items in result.missing.items()
        },
    }


class ThreeCoverageView(APIView):
    """三覆盖 of the compounds under an area: party organisation (the compound's own or
    its grid's), an active committee, a current property service; totals, per child
    node (per compound under a community or grid) and the compounds missing each."""

    permission_classes = [IsPropertyUser]

    @extend_schema(responses=ThreeCoverageSerializer, operation_id="areas_three_coverage_retrieve")
    def get(self, request, pk: int):
        area = coverage_area_or_404(request.user, pk)
        return Response(
            ThreeCoverageSerializer(coverage_as_dict(three_coverage(request.user, area))).data,
            status=status.HTTP_200_OK,
        )


urlpatterns = [
    path("areas/<int:pk>/three-coverage/", ThreeCoverageView.as_view(), name="area-three-coverage"),
]


def register(router) -> None:
    router.register("cross-appointments", CrossAppointmentViewSet, basename="cross-appointment")
