"""Reads about property companies and how compounds are served (constant queries
per list, whatever its length)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from .models import PropertyCompany, ServiceMode


def company_list(user):
    """The companies ``user`` sees, with ``compounds_count`` (compounds they serve now,
    all of them) and ``party_org_present`` (a party organisation or 物业党总支 recorded)."""
    return (
        PropertyCompany.objects.visible_to(user)
        .select_related("area", "party_org", "party_branch")
        .annotate(
            compounds_count=Count("service_modes", filter=Q(service_modes__ended_on__isnull=True), distinct=True),
            party_org_present=ExpressionWrapper(
                Q(party_org__isnull=False) | Q(party_branch__isnull=False), output_field=BooleanField()
            ),
        )
        .order_by("name", "id")
    )


def mode_list(user):
    """The service modes ``user`` sees, with what their list pages show."""
    return ServiceMode.objects.visible_to(user).select_related("compound__parent", "company", "trust_street")


@dataclass
class CompoundService:
    current: ServiceMode | None
    history: list[ServiceMode]  # every mode, the latest first (the current one included)


def compound_service(compound) -> CompoundService:
    """The compound's current mode and its history (one query)."""
    modes = list(
        ServiceMode.objects.filter(compound=compound).select_related("company", "trust_street")
        .order_by("-started_on", "-id")
    )
    current = next((m for m in modes if m.ended_on is None), None)
    return CompoundService(current=current, history=modes)


def served_compounds(company, user=None, *, current_only: bool = True):
    """The modes in which ``company`` serves compounds (current ones by default),
    limited to the rows ``user`` sees when given."""
    qs = ServiceMode.objects.filter(company=company) if user is None else (
        ServiceMode.objects.visible_to(user).filter(company=company)
    )
    if current_only:
        qs = qs.filter(ended_on__isnull=True)
    return qs.select_related("compound__parent").order_by("compound__name", "compound_id", "-started_on")
