"""REST API for territory nodes, enterprises and people (``/api/v1/``)."""

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.api.fields import ScopedPrimaryKeyRelatedField
from governance.api.views import ScopedModelViewSet

from . import services
from .filters import AreaFilterSet, EnterpriseFilterSet
from .models import Area, Enterprise, Person


class AreaSerializer(serializers.ModelSerializer):
    parent = ScopedPrimaryKeyRelatedField(
        queryset=Area.objects.all(), allow_null=True, required=False
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Area
        fields = [
            "id", "kind", "kind_display", "name", "code", "parent", "path", "depth",
            "address", "latitude", "longitude", "households", "is_old_compound", "build_year",
            "created_at", "updated_at",
        ]
        read_only_fields = ["path", "depth", "created_at", "updated_at"]

    def create(self, validated_data):
        return services.area_create(actor=self.context["request"].user, **validated_data)

    @transaction.atomic
    def update(self, instance, validated_data):
        actor = self.context["request"].user
        if "parent" in validated_data:
            instance = services.area_move(
                actor=actor, area=instance, new_parent=validated_data.pop("parent")
            )
        return services.area_update(actor=actor, area=instance, **validated_data)


class CoverageSerializer(serializers.Serializer):
    compounds = serializers.IntegerField()
    compounds_covered = serializers.IntegerField()
    compound_rate = serializers.FloatField(allow_null=True)
    enterprises = serializers.IntegerField()
    enterprises_covered = serializers.IntegerField()
    enterprise_rate = serializers.FloatField(allow_null=True)
    secretaries = serializers.IntegerField()
    resident_secretaries = serializers.IntegerField()
    cadre_secretaries = serializers.IntegerField()
    concurrent_secretaries = serializers.IntegerField()


class AreaViewSet(ScopedModelViewSet):
    """Territory nodes. ``within=<id>`` limits a list to one subtree."""

    queryset = Area.objects.all()
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
    ordering_fields = ["path", "name", "code", "kind", "id"]
    ordering = ["path"]
    service_delete = staticmethod(services.area_delete)
    delete_kwarg = "area"

    @extend_schema(
        responses=inline_serializer(
            "AreaCoverage",
            {"area": serializers.IntegerField(), "coverage": CoverageSerializer()},
        )
    )
    @action(detail=True, methods=["get"])
    def coverage(self, request, pk=None):
        """Share of compounds and enterprises under this node with a party organisation,
        and how many secretaries are residents, cadres, or hold several posts."""
        from partyorgs.selectors import area_coverage

        area = self.get_object()
        return Response({"area": area.pk, "coverage": area_coverage(area).as_dict()})


class EnterpriseSerializer(serializers.ModelSerializer):
    area = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all())
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "id", "name", "credit_code", "kind", "kind_display", "area", "address",
            "employees", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_credit_code(self, value):
        return value.strip().upper()

    def create(self, validated_data):
        return services.enterprise_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.enterprise_update(
            actor=self.context["request"].user, enterprise=instance, **validated_data
        )


class EnterpriseViewSet(ScopedModelViewSet):
    """Enterprises (两新组织) registered in a grid, community or development zone."""

    queryset = Enterprise.objects.all()
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    ordering_fields = ["name", "credit_code", "id"]
    ordering = ["name", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class PersonSerializer(serializers.ModelSerializer):
    area = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all())

    class Meta:
        model = Person
        fields = ["id", "name", "area", "is_party_member", "created_at"]
        read_only_fields = ["created_at"]

    def create(self, validated_data):
        return services.person_create(actor=self.context["request"].user, **validated_data)


class PersonViewSet(ScopedModelViewSet):
    """People who hold posts. Only a name, where they are registered and party membership."""

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_fields = ["area", "is_party_member"]
    ordering_fields = ["name", "id"]
    ordering = ["name", "id"]
    http_method_names = ["get", "post", "head", "options"]
