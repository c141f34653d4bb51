from django.contrib import admin

from governance.admin import ReadOnlyAdmin

from .models import Area, Enterprise, Person


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "code", "path", "households", "is_old_compound"]
    list_filter = ["kind", "is_old_compound"]
    search_fields = ["name", "code"]


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["name", "credit_code", "kind", "area"]
    list_filter = ["kind"]
    search_fields = ["name", "credit_code"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "area", "is_party_member"]
    search_fields = ["name"]
