from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.models import StaffRole
from governance.scoping import scope_for


class StaffRoleSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    area_kind = serializers.CharField(source="area.kind", read_only=True)
    area_path = serializers.CharField(source="area.path", read_only=True)
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = StaffRole
        fields = ["id", "role", "role_display", "area", "area_name", "area_kind", "area_path", "can_edit"]

    def get_can_edit(self, obj) -> bool:
        return StaffRole.Role(obj.role).can_edit


class MeView(APIView):
    """The caller, their staff roles and the subtrees they may read and change."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "name": serializers.CharField(),
                "is_superuser": serializers.BooleanField(),
                "roles": StaffRoleSerializer(many=True),
                "read_paths": serializers.ListField(child=serializers.CharField()),
                "write_paths": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request):
        user = request.user
        scope = scope_for(user)
        roles = StaffRole.objects.filter(user=user).select_related("area").order_by("area__path", "role")
        return Response(
            {
                "id": user.pk,
                "username": user.get_username(),
                "name": user.get_full_name() or user.get_username(),
                "is_superuser": user.is_superuser,
                "roles": StaffRoleSerializer(roles, many=True).data,
                "read_paths": ["/"] if scope.sees_all else list(scope.read_paths),
                "write_paths": ["/"] if scope.sees_all else list(scope.write_paths),
            }
        )
