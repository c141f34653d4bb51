from django.contrib import admin

from governance.admin import ReadOnlyAdmin

from .models import HierarchyScheme, PartyOrganisation, Post, SchemeLevel


class SchemeLevelInline(admin.TabularInline):
    model = SchemeLevel
    extra = 0
    max_num = 4


@admin.register(HierarchyScheme)
class HierarchySchemeAdmin(admin.ModelAdmin):
    """Schemes are reference data a superuser may extend for a new place."""

    list_display = ["code", "name"]
    inlines = [SchemeLevelInline]


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "scheme", "level", "area", "path"]
    list_filter = ["scheme", "level"]
    search_fields = ["name"]


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["person", "role", "organisation", "started_on", "ended_on", "lives_in_unit", "is_community_cadre"]
    list_filter = ["role", "lives_in_unit", "is_community_cadre"]
