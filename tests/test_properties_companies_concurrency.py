"""Two changes of one compound's service mode at the same moment, over real
PostgreSQL connections: the compound's row lock puts them one after the other."""

import datetime

import pytest
from django.db import connection

from properties import services_companies as services
from properties.models import ServiceMode

from .concurrent import run_together
from .property_factories import make_company

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.concurrency,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_simultaneous_mode_changes_leave_one_current_mode(tree, staff, clock):
    company = make_company(tree.district, name="海棠物业")
    started = datetime.date(2026, 2, 1)
    results = run_together(
        lambda: services.service_mode_set(actor=staff.community_staff, compound=tree.compound,
                                          kind="professional", company=company, started_on=started),
        lambda: services.service_mode_set(actor=staff.street_staff, compound=tree.compound,
                                          kind="fallback", responsible_body="府街社区居委会", started_on=started),
    )
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    modes = list(ServiceMode.objects.filter(compound=tree.compound).order_by("id"))
    assert len(modes) == 2
    assert [m.ended_on for m in modes] == [started, None]  # the later one ended the earlier one
    assert ServiceMode.objects.filter(compound=tree.compound).current().count() == 1


def test_the_same_mode_set_twice_at_once_is_stored_once(tree, staff, clock):
    company = make_company(tree.district, name="海棠物业")

    def job():
        return services.service_mode_set(actor=staff.community_staff, compound=tree.compound,
                                         kind="professional", company=company, started_on=datetime.date(2026, 2, 1))

    results = run_together(job, job)
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert results[0][1].pk == results[1][1].pk
    assert ServiceMode.objects.filter(compound=tree.compound).count() == 1
