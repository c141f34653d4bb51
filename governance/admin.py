from django.contrib import admin
from django.core.exceptions import ValidationError

from . import services
from .models import ApiKey, AuditEvent, StaffRole


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records whose writes must go through services (tree paths, audit): the admin
    shows them, the portal's pages and API change them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "area", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "area__name", "area__code"]
    autocomplete_fields = ["user", "area"]

    def has_change_permission(self, request, obj=None):
        return obj is None  # a role is granted or revoked, never edited in place

    def save_model(self, request, obj, form, change):
        try:
            granted = services.role_grant(
                actor=request.user, user=obj.user, area=obj.area, role=obj.role
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        obj.pk = granted.pk

    def delete_model(self, request, obj):
        services.role_revoke(actor=request.user, staff_role=obj)

    def delete_queryset(self, request, queryset):
        for staff_role in queryset:
            services.role_revoke(actor=request.user, staff_role=staff_role)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "content_type", "object_id", "from_state", "to_state"]
    list_filter = ["action", "content_type"]
    search_fields = ["note", "from_state", "to_state"]
    date_hierarchy = "at"


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    """Keys are created and revoked with ``manage.py create_api_key`` (the key is shown
    once there); the admin lists them."""

    list_display = ["name", "prefix", "is_active", "created_at", "last_used_at"]
