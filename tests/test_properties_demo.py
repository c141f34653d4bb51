"""The property demo in 分宜县 (``manage.py load_demo``): the seed's figures, through the
services, loaded once."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, Q

from communities.models import Area, AreaKind
from governance.models import AuditEvent
from properties.demo import COMPANY_LOGIN
from properties.models import (
    COMPANY_MODES,
    CommitteeMember,
    CrossAppointment,
    CrossAppointmentKind,
    Dispute,
    PeriodStatus,
    PropertyCompany,
    RatingPeriod,
    RatingResult,
    ResultStatus,
    ServiceMode,
)

pytestmark = pytest.mark.django_db


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", "--no-wishes", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    return load()


def check_31_companies_all_with_a_party_organisation(demo):
    companies = PropertyCompany.objects.filter(area__code="360521")
    assert companies.count() == 31
    assert all(c.has_party_org for c in companies)
    assert "Property services in 分宜县" in demo


def check_every_compound_has_one_current_mode_and_157_have_no_company():
    county = Area.objects.get(code="360521")
    compounds = Area.objects.within(county).filter(kind=AreaKind.COMPOUND)
    assert compounds.count() == 208
    current = ServiceMode.objects.current().filter(compound__in=compounds)
    assert current.count() == 208
    companyless = current.exclude(kind__in=[str(k) for k in COMPANY_MODES])
    assert companyless.count() == 157
    by_mode = dict(companyless.values_list("kind").annotate(n=Count("id")))
    assert set(by_mode) == {"agency", "area_wide", "bundled", "fallback", "self_managed"}
    assert current.filter(kind="trust").count() == 4
    assert current.filter(kind="emergency", contract_ends_on__isnull=False).count() == 2
    # Written by the service: each mode has its audit event.
    assert AuditEvent.objects.filter(action__icontains="mode").count() >= 208


def check_three_coverage_shows_the_compounds_without_a_committee():
    from properties.selectors_coverage import three_coverage_totals

    totals = three_coverage_totals(Area.objects.get(code="360521"))
    assert (totals.compounds, totals.with_party_org, totals.with_service) == (208, 208, 208)
    # 124 committees cover 194 compounds (company-less ones in pairs); 14 have none.
    assert totals.with_committee == totals.all_three == 194


def check_committee_members_are_992_with_631_party_members():
    members = CommitteeMember.objects.current()
    totals = members.aggregate(n=Count("id"), party=Count("id", filter=Q(is_party_member=True)))
    assert totals == {"n": 992, "party": 631}
    assert round(100 * totals["party"] / totals["n"], 1) == 63.6
    current = CrossAppointment.objects.current()
    assert current.filter(kind=CrossAppointmentKind.CADRE_ON_COMMITTEE).count() == 14
    assert current.filter(kind=CrossAppointmentKind.COMPANY_MEMBER_ON_PARTY_COMMITTEE).count() == 19


def check_one_period_is_closed_and_published_with_ranked_results(client):
    period = RatingPeriod.objects.get(district__code="360521")
    assert period.status == PeriodStatus.CLOSED
    results = RatingResult.objects.filter(period=period)
    assert results.filter(status=ResultStatus.RATED).count() >= 25
    assert results.filter(status=ResultStatus.INSUFFICIENT_SAMPLE).count() == 2
    assert results.filter(rank=1).exists()
    page = client.get(f"/property/results/{period.pk}/")
    assert page.status_code == 200
    best = results.get(rank=1) if results.filter(rank=1).count() == 1 else results.filter(rank=1).first()
    assert best.company.name in page.content.decode()


def check_disputes_and_the_company_login():
    assert Dispute.objects.filter(compound__path__startswith=Area.objects.get(code="360521").path).count() == 460
    assert PropertyCompany.objects.filter(staff__user__username=COMPANY_LOGIN).count() == 1


def test_the_demo_has_the_seed_figures_and_loads_once(demo, client):
    """One load for all the checks: the demo takes a while."""
    check_31_companies_all_with_a_party_organisation(demo)
    check_every_compound_has_one_current_mode_and_157_have_no_company()
    check_committee_members_are_992_with_631_party_members()
    check_three_coverage_shows_the_compounds_without_a_committee()
    check_one_period_is_closed_and_published_with_ranked_results(client)
    check_disputes_and_the_company_login()

    models = apps.get_models()
    before = {m._meta.label: m._default_manager.count() for m in models}
    load()
    after = {m._meta.label: m._default_manager.count() for m in models}
    assert after == before
