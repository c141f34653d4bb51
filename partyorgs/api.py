"""REST API for hierarchy schemes, party organisations and their posts."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from communities.models import Area, Enterprise, Person
from governance.api.fields import ScopedPrimaryKeyRelatedField
from governance.api.views import ScopedModelViewSet

from . import services
from .filters import PartyOrgFilterSet, PostFilterSet
from .models import HierarchyScheme, PartyOrganisation, Post, SchemeLevel


class SchemeLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchemeLevel
        fields = ["number", "name", "covers"]


class HierarchySchemeSerializer(serializers.ModelSerializer):
    levels = SchemeLevelSerializer(many=True, read_only=True)

    class Meta:
        model = HierarchyScheme
        fields = ["id", "code", "name", "description", "levels"]


class HierarchySchemeViewSet(viewsets.ReadOnlyModelViewSet):
    """The naming schemes of the four party-organisation levels (reference data)."""

    queryset = HierarchyScheme.objects.prefetch_related("levels").order_by("code")
    serializer_class = HierarchySchemeSerializer
    pagination_class = None


class PartyOrgSerializer(serializers.ModelSerializer):
    parent = ScopedPrimaryKeyRelatedField(
        queryset=PartyOrganisation.objects.all(), allow_null=True, required=False
    )
    covered_area = ScopedPrimaryKeyRelatedField(
        queryset=Area.objects.all(), allow_null=True, required=False
    )
    covered_enterprise = ScopedPrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), allow_null=True, required=False
    )
    level_name = serializers.CharField(read_only=True)
    covered_name = serializers.SerializerMethodField()

    class Meta:
        model = PartyOrganisation
        fields = [
            "id", "scheme", "level", "level_name", "name", "parent", "covered_area",
            "covered_enterprise", "covered_name", "area", "path", "depth", "founded_on",
            "created_at", "updated_at",
        ]
        read_only_fields = ["area", "path", "depth", "created_at", "updated_at"]

    def get_covered_name(self, obj) -> str:
        return str(obj.covered_unit)

    def validate(self, attrs):
        if self.instance is not None and {"scheme", "level"} & attrs.keys():
            changed = {
                k for k in ("scheme", "level") if k in attrs and attrs[k] != getattr(self.instance, k)
            }
            if changed:
                raise serializers.ValidationError(
                    {k: ["The scheme and level of an organisation cannot change."] for k in changed}
                )
        return attrs

    def create(self, validated_data):
        return services.party_org_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("scheme", None)
        validated_data.pop("level", None)
        return services.party_org_update(
            actor=self.context["request"].user, org=instance, **validated_data
        )


class PartyOrgViewSet(ScopedModelViewSet):
    """Party organisations. ``within=<area id>`` limits to the territory subtree."""

    queryset = PartyOrganisation.objects.with_related()
    serializer_class = PartyOrgSerializer
    filterset_class = PartyOrgFilterSet
    ordering_fields = ["path", "name", "level", "id"]
    ordering = ["path"]
    service_delete = staticmethod(services.party_org_delete)
    delete_kwarg = "org"


class PostSerializer(serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyRelatedField(queryset=PartyOrganisation.objects.all())
    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all())
    person_name = serializers.CharField(source="person.name", read_only=True)
    note = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Post
        fields = [
            "id", "organisation", "person", "person_name", "role", "lives_in_unit",
            "is_community_cadre", "started_on", "ended_on", "note",
        ]
        read_only_fields = ["ended_on"]
        extra_kwargs = {"started_on": {"required": False, "help_text": "Defaults to today."}}

    def create(self, validated_data):
        return services.post_appoint(actor=self.context["request"].user, **validated_data)


class PostEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class PostViewSet(ScopedModelViewSet):
    """Posts in party organisations. Appoint with POST; end with ``POST …/end/``."""

    queryset = Post.objects.select_related("person")
    serializer_class = PostSerializer
    filterset_class = PostFilterSet
    ordering_fields = ["started_on", "id"]
    ordering = ["organisation_id", "role", "id"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=PostEndSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        post = self.get_object()
        params = PostEndSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        post = services.post_end(actor=request.user, post=post, **params.validated_data)
        return Response(PostSerializer(post, context=self.get_serializer_context()).data)
