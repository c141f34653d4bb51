"""API of the property company registry and of how compounds are served (/api/v1/).

* ``property-companies/``: list, read, register (POST), correct (PATCH; ``is_active``
  too). Filters: ``search`` (name, code), ``within`` (registered within the area),
  ``has_party_org``, ``is_active``. The detail adds the compounds served now, and the
  staff's user names for those who may change the company.
  ``POST property-companies/<id>/staff/`` and ``…/staff/remove/`` with
  ``{"user": <id or user name>}`` give or take the property-company role.
* ``service-modes/``: list, read; POST sets a compound's mode (201; 200 with the
  current mode when identical), ``POST service-modes/<id>/end/``. Filters:
  ``compound``, ``within``, ``kind``, ``company``, ``current``, ``has_company``,
  ``search``. ``accounts_file`` may be sent as multipart form data.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from communities.models import Area, Enterprise
from governance.api.fields import ScopedPrimaryKeyRelatedField
from governance.api.views import ScopedModelViewSet, ScopedViewSetMixin
from governance.scoping import can_change, require_change, scope_for
from partyorgs.models import PartyOrganisation

from .. import services_companies as services
from ..api_base import IsPropertyUser, PropertyApiMixin
from ..filters_companies import PropertyCompanyFilterSet, ServiceModeFilterSet
from ..models import PropertyCompany, ServiceMode
from ..selectors_companies import company_list, mode_list, served_compounds


class MayWriteSomewhere(BasePermission):
    """Writes need an editing role somewhere (company staff and read-only roles: 403)."""

    message = "You may only read these records."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return scope_for(request.user).can_write


def _user(serializer):
    return serializer.context["request"].user


# --- companies ---------------------------------------------------------------------------------


class CompanySerializer(serializers.ModelSerializer):
    area = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all(), help_text="Where the company is registered.")
    area_name = serializers.CharField(source="area.name", read_only=True)
    enterprise = ScopedPrimaryKeyRelatedField(queryset=Enterprise.objects.all(), required=False, allow_null=True)
    party_org = ScopedPrimaryKeyRelatedField(
        queryset=PartyOrganisation.objects.all(), required=False, allow_null=True
    )
    party_org_name = serializers.CharField(source="party_org.name", read_only=True, default=None)
    party_branch = ScopedPrimaryKeyRelatedField(
        queryset=PartyOrganisation.objects.all(), required=False, allow_null=True
    )
    party_branch_name = serializers.CharField(source="party_branch.name", read_only=True, default=None)
    has_party_org = serializers.BooleanField(read_only=True)
    compounds_count = serializers.SerializerMethodField(help_text="Compounds the company serves now.")

    class Meta:
        model = PropertyCompany
        fields = ["id", "name", "credit_code", "area", "area_name", "address", "contact_name", "contact_phone",
                  "contact_email", "enterprise", "party_org", "party_org_name", "party_branch",
                  "party_branch_name", "has_party_org", "is_active", "compounds_count", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        # The service checks the code (and says clearly when it is taken).
        extra_kwargs = {"credit_code": {"validators": []}, "is_active": {"required": False}}

    def get_compounds_count(self, company) -> int:
        count = getattr(company, "compounds_count", None)
        if count is None:
            count = company.service_modes.filter(ended_on__isnull=True).count()
        return count

    def create(self, validated_data):
        validated_data.pop("is_active", None)
        return services.company_create(actor=_user(self), **validated_data)

    def update(self, instance, validated_data):
        is_active = validated_data.pop("is_active", None)
        fields = {k: v for k, v in validated_data.items() if k in services.COMPANY_FIELDS}
        if fields:
            instance = services.company_update(actor=_user(self), company=instance, **fields)
        if is_active is not None:
            instance = services.company_set_active(actor=_user(self), company=instance, is_active=is_active)
        return instance


class ServedCompoundSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="compound_id")
    name = serializers.CharField(source="compound.name")
    kind = serializers.CharField(help_text="The service mode.")
    started_on = serializers.DateField()
    contract_ends_on = serializers.DateField(allow_null=True)


class CompanyDetailSerializer(CompanySerializer):
    compounds = serializers.SerializerMethodField(help_text="Compounds served now (those the caller sees).")
    staff = serializers.SerializerMethodField(
        help_text="User names of the company's staff; null unless the caller may change the company."
    )

    class Meta(CompanySerializer.Meta):
        fields = [*CompanySerializer.Meta.fields, "compounds", "staff"]

    @extend_schema_field(ServedCompoundSerializer(many=True))
    def get_compounds(self, company):
        return ServedCompoundSerializer(served_compounds(company, _user(self)), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_staff(self, company):
        if not can_change(_user(self), company):
            return None
        return list(company.staff.order_by("user__username").values_list("user__username", flat=True))


class StaffUserSerializer(serializers.Serializer):
    user = serializers.CharField(help_text="A user id or user name.")

    def validate_user(self, value):
        users = get_user_model().objects
        match = users.filter(pk=int(value)).first() if value.isdigit() else None
        match = match or users.filter(username=value).first()
        if match is None:
            raise serializers.ValidationError("No user with this id or user name.")
        return match


class PropertyCompanyViewSet(PropertyApiMixin, ScopedModelViewSet):
    """The property company registry (company staff read their own company)."""

    permission_classes = [IsPropertyUser, MayWriteSomewhere]
    queryset = PropertyCompany.objects.all()
    serializer_class = CompanySerializer
    filterset_class = PropertyCompanyFilterSet
    ordering_fields = ["name", "id"]
    ordering = ["name", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return company_list(self.request.user)

    def get_serializer_class(self):
        return CompanySerializer if self.action == "list" else CompanyDetailSerializer

    def _detail(self, company, code=status.HTTP_200_OK):
        company = self.get_queryset().get(pk=company.pk)
        return Response(CompanyDetailSerializer(company, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=CompanySerializer, responses={201: CompanyDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = CompanySerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return self._detail(serializer.save(), status.HTTP_201_CREATED)

    @extend_schema(request=CompanySerializer, responses=CompanyDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        company = self.get_object()
        require_change(request.user, company)
        serializer = CompanySerializer(company, data=request.data, partial=True,
                                       context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return self._detail(serializer.save())

    def _staff(self, request, service):
        company = self.get_object()
        require_change(request.user, company)  # before any look-up of user names
        params = StaffUserSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        service(actor=request.user, company=company, user=params.validated_data["user"])
        return self._detail(company)

    @extend_schema(request=StaffUserSerializer, responses=CompanyDetailSerializer)
    @action(detail=True, methods=["post"])
    def staff(self, request, pk=None):
        """Give a user the company's role (read-only access to its records)."""
        return self._staff(request, services.company_staff_add)

    @extend_schema(request=StaffUserSerializer, responses=CompanyDetailSerializer)
    @action(detail=True, methods=["post"], url_path="staff/remove", url_name="staff-remove")
    def staff_remove(self, request, pk=None):
        """Take the company's role from a user."""
        return self._staff(request, services.company_staff_remove)


# --- service modes -----------------------------------------------------------------------------


class ServiceModeSerializer(serializers.ModelSerializer):
    compound = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all())
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    company = ScopedPrimaryKeyRelatedField(queryset=PropertyCompany.objects.all(), required=False, allow_null=True)
    company_name = serializers.CharField(source="company.name", read_only=True, default=None)
    trust_street = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all(), required=False, allow_null=True)
    trust_street_name = serializers.CharField(source="trust_street.name", read_only=True, default=None)
    accounts_file = serializers.FileField(write_only=True, required=False, allow_null=True,
                                          help_text="PDF, JPEG or PNG, at most 10 MB.")
    accounts_file_url = serializers.SerializerMethodField(help_text="Where staff download the accounts file.")
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = ServiceMode
        fields = ["id", "compound", "compound_name", "kind", "kind_display", "company", "company_name",
                  "responsible_body", "trust_street", "trust_street_name", "trust_charity", "accounts_url",
                  "accounts_file", "accounts_file_url", "started_on", "contract_ends_on", "ended_on", "note",
                  "is_current", "created_at"]
        read_only_fields = ["ended_on", "created_at"]
        validators = []  # one current mode per compound: the service ends the old one

    def get_accounts_file_url(self, mode) -> str | None:
        if not mode.accounts_file:
            return None
        return reverse("property-service-mode-accounts", args=[mode.pk])

    def create(self, validated_data):
        return services.service_mode_set(actor=_user(self), **validated_data)


class ServiceModeEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, allow_null=True, help_text="Defaults to today.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ServiceModeViewSet(
    PropertyApiMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    mixins.CreateModelMixin, viewsets.GenericViewSet,
):
    """How each compound is served, with history. POST makes a mode current."""

    permission_classes = [IsPropertyUser, MayWriteSomewhere]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = ServiceMode.objects.all()
    serializer_class = ServiceModeSerializer
    filterset_class = ServiceModeFilterSet
    ordering_fields = ["started_on", "id"]
    ordering = ["compound_id", "-started_on", "-id"]

    def get_queryset(self):
        return mode_list(self.request.user)

    def _detail(self, mode, code=status.HTTP_200_OK):
        mode = self.get_queryset().get(pk=mode.pk)
        return Response(ServiceModeSerializer(mode, context=self.get_serializer_context()).data, status=code)

    @extend_schema(responses={201: ServiceModeSerializer, 200: ServiceModeSerializer})
    def create(self, request, *args, **kwargs):
        """Set a compound's mode: the current one ends the day this one starts. 200 with
        the current mode when it is identical (nothing changed)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        compound = serializer.validated_data["compound"]
        before = ServiceMode.objects.filter(compound=compound, ended_on__isnull=True).values_list("pk", flat=True)
        before = set(before)
        mode = serializer.save()
        return self._detail(mode, status.HTTP_200_OK if mode.pk in before else status.HTTP_201_CREATED)

    @extend_schema(request=ServiceModeEndSerializer, responses=ServiceModeSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the current mode (409 if it has ended already)."""
        mode = self.get_object()
        params = ServiceModeEndSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        return self._detail(services.service_mode_end(actor=request.user, mode=mode, **params.validated_data))


urlpatterns = []


def register(router) -> None:
    router.register("property-companies", PropertyCompanyViewSet, basename="property-company")
    router.register("service-modes", ServiceModeViewSet, basename="service-mode")
