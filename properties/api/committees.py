"""API of owners' and self-management committees (under /api/v1/).

* ``committees/``: list, read, create, update (name, kind, compounds). Filters:
  ``kind``, ``within``, ``community``, ``compound``, ``active``, ``overdue``,
  ``due_within_days``, ``search``. The detail adds the current members, the current
  term and the terms' history. ``POST committees/<id>/reelect/`` (换届),
  ``POST committees/<id>/dissolve/``; ``committees/party-share/?area=<id>``.
* ``committee-members/``: list, read, add, correct; ``POST …/<id>/leave/``.
* ``decision-reports/``: major-decision pre-reports; list, read (with the time line),
  file; ``POST …/<id>/acknowledge/``, ``…/object/`` (a note is required),
  ``…/withdraw/`` — each only while the report is ``filed`` (else 409).
* ``property-reminders/``: the reminders sent (read-only; ``kind``, ``committee``, ``within``).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from communities.models import Area
from governance.api.fields import ScopedPrimaryKeyRelatedField
from governance.api.views import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin
from governance.audit import events_for

from .. import services_committees as services
from ..api_base import PropertyApiMixin
from ..filters_committees import (
    CommitteeFilterSet,
    CommitteeMemberFilterSet,
    DecisionReportFilterSet,
    ReminderFilterSet,
    local_today,
)
from ..models import Committee, CommitteeMember, CommitteeTerm, DecisionReport, Reminder
from ..selectors_committees import (
    committee_list,
    current_members,
    party_share,
    reelection_state,
    share_percent,
)


def _user(serializer):
    return serializer.context["request"].user


def _refuse_changes(serializer, attrs, names, message):
    if serializer.instance is None:
        return
    changed = [n for n in names if n in attrs and attrs[n] != getattr(serializer.instance, n)]
    if changed:
        raise serializers.ValidationError({n: [message] for n in changed})


# --- committees ------------------------------------------------------------------------------


class CommitteeTermSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommitteeTerm
        fields = ["number", "started_on", "ends_on", "elected_on"]


class MemberSerializer(serializers.ModelSerializer):
    committee = ScopedPrimaryKeyRelatedField(queryset=Committee.objects.all())
    committee_name = serializers.CharField(source="committee.name", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    cross_appointment = serializers.SerializerMethodField(
        help_text="The cross-appointment (双向进入) this member's cadre post is counted as, if any."
    )

    class Meta:
        model = CommitteeMember
        fields = ["id", "committee", "committee_name", "name", "role", "role_display", "is_party_member",
                  "is_community_cadre", "joined_on", "left_on", "cross_appointment"]
        read_only_fields = ["left_on"]
        extra_kwargs = {"joined_on": {"required": False, "help_text": "Defaults to today."}}

    def get_cross_appointment(self, member) -> int | None:
        appointment = getattr(member, "cross_appointment", None)  # none: the reverse accessor raises
        return appointment.pk if appointment else None

    def validate(self, attrs):
        _refuse_changes(self, attrs, ("committee", "joined_on"), "This cannot change; the member leaves instead.")
        return attrs

    def create(self, validated_data):
        return services.committee_member_add(actor=_user(self), **validated_data)

    def update(self, instance, validated_data):
        fields = {k: v for k, v in validated_data.items() if k in services.MEMBER_FIELDS}
        return services.committee_member_update(actor=_user(self), member=instance, **fields)


class CommitteeSerializer(serializers.ModelSerializer):
    community = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all())
    community_name = serializers.CharField(source="community.name", read_only=True)
    compounds = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all(), many=True)
    compound_names = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    reelection_state = serializers.SerializerMethodField(
        help_text="ok, due_90 (term ends in 31–90 days), due_30 (0–30 days), overdue, dissolved."
    )
    is_overdue = serializers.SerializerMethodField()
    members_count = serializers.SerializerMethodField(help_text="Current members.")
    party_members_count = serializers.SerializerMethodField()
    cadres_count = serializers.SerializerMethodField(help_text="Current members who are community cadres.")
    party_share = serializers.SerializerMethodField(help_text="Party members among current members, in %.")
    elected_on = serializers.DateField(write_only=True, required=False, allow_null=True,
                                       help_text="When term 1 was elected (creation only).")

    class Meta:
        model = Committee
        fields = ["id", "name", "kind", "kind_display", "community", "community_name", "compounds",
                  "compound_names", "term_number", "term_started_on", "term_ends_on", "elected_on",
                  "dissolved_on", "reelection_state", "is_overdue", "members_count", "party_members_count",
                  "cadres_count", "party_share", "created_at", "updated_at"]
        read_only_fields = ["term_number", "dissolved_on", "created_at", "updated_at"]

    def _counts(self, committee) -> tuple[int, int, int]:
        if hasattr(committee, "members_count"):
            return committee.members_count, committee.party_members_count, committee.cadres_count
        members = list(committee.members.current().values_list("is_party_member", "is_community_cadre"))
        return len(members), sum(p for p, _c in members), sum(c for _p, c in members)

    def get_compound_names(self, committee) -> list[str]:
        return [c.name for c in committee.compounds.all()]

    def get_reelection_state(self, committee) -> str:
        return getattr(committee, "reelection_state", None) or reelection_state(committee, local_today())

    def get_is_overdue(self, committee) -> bool:
        return self.get_reelection_state(committee) == "overdue"

    def get_members_count(self, committee) -> int:
        return self._counts(committee)[0]

    def get_party_members_count(self, committee) -> int:
        return self._counts(committee)[1]

    def get_cadres_count(self, committee) -> int:
        return self._counts(committee)[2]

    @extend_schema_field(OpenApiTypes.NUMBER)
    def get_party_share(self, committee):
        members, party, _cadres = self._counts(committee)
        share = share_percent(party, members)
        return float(share) if share is not None else None

    def validate(self, attrs):
        _refuse_changes(self, attrs, ("community", "term_started_on", "term_ends_on"),
                        "This cannot change here (terms change by re-election).")
        return attrs

    def create(self, validated_data):
        return services.committee_create(actor=_user(self), **validated_data)

    def update(self, instance, validated_data):
        fields = {k: v for k, v in validated_data.items() if k in services.UPDATE_FIELDS}
        return services.committee_update(actor=_user(self), committee=instance, **fields)


class CommitteeDetailSerializer(CommitteeSerializer):
    # Plain strings here: the enums stay in one component each (stable schema names).
    kind = serializers.CharField(read_only=True, help_text="owners or self_management.")
    members = serializers.SerializerMethodField(help_text="Current members, director first.")
    current_term = serializers.SerializerMethodField()
    terms = serializers.SerializerMethodField(help_text="Every term, the first first.")

    class Meta(CommitteeSerializer.Meta):
        fields = [*CommitteeSerializer.Meta.fields, "members", "current_term", "terms"]

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, committee):
        return MemberSerializer(current_members(committee), many=True, context=self.context).data

    @extend_schema_field(CommitteeTermSerializer)
    def get_current_term(self, committee):
        return {"number": committee.term_number, "started_on": committee.term_started_on,
                "ends_on": committee.term_ends_on,
                "elected_on": next((t.elected_on for t in self._terms(committee)
                                    if t.number == committee.term_number), None)}

    @extend_schema_field(CommitteeTermSerializer(many=True))
    def get_terms(self, committee):
        return CommitteeTermSerializer(self._terms(committee), many=True).data

    def _terms(self, committee):
        if not hasattr(committee, "_terms_cache"):
            committee._terms_cache = list(committee.terms.order_by("number"))
        return committee._terms_cache


class ReelectSerializer(serializers.Serializer):
    elected_on = serializers.DateField()
    term_started_on = serializers.DateField()
    term_ends_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DissolveSerializer(serializers.Serializer):
    dissolved_on = serializers.DateField(required=False, allow_null=True, help_text="Defaults to today.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PartyShareQuerySerializer(serializers.Serializer):
    area = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all(), help_text="The node whose subtree is counted.")


class ShareAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class ShareFiguresSerializer(serializers.Serializer):
    committees = serializers.IntegerField()
    members = serializers.IntegerField()
    party_members = serializers.IntegerField()
    cadres = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True, help_text="Party members among members, in %, one decimal.")


class ChildShareSerializer(ShareFiguresSerializer):
    area = ShareAreaSerializer()


class CommitteeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CommitteeShareSerializer(ShareFiguresSerializer):
    committee = CommitteeRefSerializer()
    community = ShareAreaSerializer()


class PartyShareSerializer(serializers.Serializer):
    area = ShareAreaSerializer()
    totals = ShareFiguresSerializer()
    own = ShareFiguresSerializer(help_text="Committees anchored at the area itself.")
    children = ChildShareSerializer(many=True)
    committees = CommitteeShareSerializer(many=True)


def share_as_dict(result) -> dict:
    def area(node):
        return {"id": node.pk, "name": node.name, "kind": node.kind}

    def figures(row):
        return {"committees": row.committees, "members": row.members, "party_members": row.party_members,
                "cadres": row.cadres, "share": float(row.share) if row.share is not None else None}

    return {
        "area": area(result.area), "totals": figures(result.totals), "own": figures(result.own),
        "children": [{"area": area(row.area), **figures(row)} for row in result.children],
        "committees": [
            {"committee": {"id": row.committee.pk, "name": row.committee.name}, "community": area(row.area),
             **figures(row)}
            for row in result.committees
        ],
    }


class CommitteeViewSet(PropertyApiMixin, ScopedModelViewSet):
    """Owners' and self-management committees; a committee is dissolved, not deleted."""

    queryset = Committee.objects.all()
    serializer_class = CommitteeSerializer
    filterset_class = CommitteeFilterSet
    ordering_fields = ["name", "term_ends_on", "id"]
    ordering = ["community_id", "name", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return committee_list(self.request.user, local_today())

    def get_serializer_class(self):
        return CommitteeDetailSerializer if self.action == "retrieve" else CommitteeSerializer

    def _detail(self, committee, code=status.HTTP_200_OK):
        committee = self.get_queryset().get(pk=committee.pk)
        return Response(CommitteeDetailSerializer(committee, context=self.get_serializer_context()).data, status=code)

    @extend_schema(responses={201: CommitteeDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._detail(serializer.save(), status.HTTP_201_CREATED)

    @extend_schema(responses=CommitteeDetailSerializer)
    def update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        return self._detail(serializer.save())

    @extend_schema(request=ReelectSerializer, responses=CommitteeDetailSerializer)
    @action(detail=True, methods=["post"])
    def reelect(self, request, pk=None):
        """Record a re-election (换届): the next term becomes current."""
        committee = self.get_object()
        params = ReelectSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        return self._detail(services.committee_reelect(actor=request.user, committee=committee,
                                                       **params.validated_data))

    @extend_schema(request=DissolveSerializer, responses=CommitteeDetailSerializer)
    @action(detail=True, methods=["post"])
    def dissolve(self, request, pk=None):
        committee = self.get_object()
        params = DissolveSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        return self._detail(services.committee_dissolve(actor=request.user, committee=committee,
                                                        **params.validated_data))

    @extend_schema(parameters=[PartyShareQuerySerializer], responses=PartyShareSerializer)
    @action(detail=False, methods=["get"], url_path="party-share", filter_backends=[], pagination_class=None)
    def party_share(self, request):
        """Share of party members among the current members of the active committees
        under ``area``: per committee, per child node and in total (only committees the
        caller sees count)."""
        params = PartyShareQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        result = party_share(request.user, params.validated_data["area"])
        return Response(PartyShareSerializer(share_as_dict(result)).data)


# --- members ------------------------------------------------------------------------------------


class MemberLeaveSerializer(serializers.Serializer):
    left_on = serializers.DateField(required=False, allow_null=True, help_text="Defaults to today.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CommitteeMemberViewSet(
    PropertyApiMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet,
):
    """Committee members (names only). Add with POST; ``POST …/<id>/leave/``."""

    queryset = CommitteeMember.objects.select_related("committee", "cross_appointment")
    serializer_class = MemberSerializer
    filterset_class = CommitteeMemberFilterSet
    ordering_fields = ["name", "joined_on", "id"]
    ordering = ["committee_id", "role", "name", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(request=MemberLeaveSerializer, responses=MemberSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        member = self.get_object()
        params = MemberLeaveSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        member = services.committee_member_leave(actor=request.user, member=member, **params.validated_data)
        member = self.get_queryset().get(pk=member.pk)
        return Response(MemberSerializer(member, context=self.get_serializer_context()).data)


# --- decision pre-reports ----------------------------------------------------------------------


class DecisionReportSerializer(serializers.ModelSerializer):
    committee = ScopedPrimaryKeyRelatedField(queryset=Committee.objects.all())
    committee_name = serializers.CharField(source="committee.name", read_only=True)
    community = serializers.IntegerField(source="committee.community_id", read_only=True)
    community_name = serializers.CharField(source="committee.community.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    # Read-only, and a plain string: a second "status" enum would rename the wishes' one.
    status = serializers.CharField(read_only=True, help_text="filed, acknowledged, objected or withdrawn.")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    filed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DecisionReport
        fields = ["id", "committee", "committee_name", "community", "community_name", "kind", "kind_display",
                  "title", "description", "amount_yuan", "decision_on", "filed_at", "is_late", "status",
                  "status_display", "filed_by", "reviewed_by", "reviewed_at", "review_note"]
        read_only_fields = ["filed_at", "is_late", "status", "filed_by", "reviewed_by", "reviewed_at", "review_note"]

    def create(self, validated_data):
        return services.decision_report_file(actor=_user(self), **validated_data)


class DecisionTimelineEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    note = serializers.CharField()


class DecisionReportDetailSerializer(DecisionReportSerializer):
    # A plain string here: the enum stays in one component (stable schema names).
    kind = serializers.CharField(read_only=True)
    timeline = serializers.SerializerMethodField(help_text="Filed, answered, withdrawn: the audit trail, oldest first.")

    class Meta(DecisionReportSerializer.Meta):
        fields = [*DecisionReportSerializer.Meta.fields, "timeline"]

    @extend_schema_field(DecisionTimelineEventSerializer(many=True))
    def get_timeline(self, report):
        return [
            {"at": e.at, "action": e.action, "actor": e.actor.get_username() if e.actor else None,
             "from_state": e.from_state, "to_state": e.to_state, "note": e.note}
            for e in events_for(report)
        ]


class ReportNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionReportViewSet(
    PropertyApiMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    mixins.CreateModelMixin, viewsets.GenericViewSet,
):
    """Major-decision pre-reports (重大物业决策事项事前报告). Filters: ``status``,
    ``late``, ``kind``, ``committee``, ``within``, ``decision_from``/``decision_to``."""

    queryset = DecisionReport.objects.select_related("committee__community", "filed_by", "reviewed_by")
    serializer_class = DecisionReportSerializer
    filterset_class = DecisionReportFilterSet
    ordering_fields = ["filed_at", "decision_on", "id"]
    ordering = ["-filed_at", "-id"]

    def get_serializer_class(self):
        return DecisionReportDetailSerializer if self.action != "list" else DecisionReportSerializer

    def _detail(self, report, code=status.HTTP_200_OK):
        report = self.get_queryset().get(pk=report.pk)
        return Response(DecisionReportDetailSerializer(report, context=self.get_serializer_context()).data,
                        status=code)

    @extend_schema(request=DecisionReportSerializer, responses={201: DecisionReportDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = DecisionReportSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return self._detail(serializer.save(), status.HTTP_201_CREATED)

    def _act(self, service, request):
        report = self.get_object()
        params = ReportNoteSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        return self._detail(service(actor=request.user, report=report, **params.validated_data))

    @extend_schema(request=ReportNoteSerializer, responses=DecisionReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The community acknowledges the report (only while it is filed)."""
        return self._act(services.decision_report_acknowledge, request)

    @extend_schema(request=ReportNoteSerializer, responses=DecisionReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="object", url_name="object")
    def object_(self, request, pk=None):
        """The community raises objections; ``note`` says which (required)."""
        return self._act(services.decision_report_object, request)

    @extend_schema(request=ReportNoteSerializer, responses=DecisionReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The committee withdraws the report (only while it is filed)."""
        return self._act(services.decision_report_withdraw, request)


# --- reminders ----------------------------------------------------------------------------------


class ReminderSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    committee_name = serializers.CharField(source="committee.name", read_only=True, default=None)

    class Meta:
        model = Reminder
        fields = ["id", "kind", "kind_display", "area", "area_name", "committee", "committee_name", "period",
                  "key", "message", "created_at", "emailed_at"]
        read_only_fields = fields


class ReminderViewSet(PropertyApiMixin, ScopedReadOnlyViewSet):
    """Reminders the periodic jobs sent (re-elections, rating periods closing)."""

    queryset = Reminder.objects.select_related("area", "committee")
    serializer_class = ReminderSerializer
    filterset_class = ReminderFilterSet
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]


urlpatterns = []


def register(router) -> None:
    router.register("committees", CommitteeViewSet, basename="property-committee")
    router.register("committee-members", CommitteeMemberViewSet, basename="property-committee-member")
    router.register("decision-reports", DecisionReportViewSet, basename="property-decision-report")
    router.register("property-reminders", ReminderViewSet, basename="property-reminder")
