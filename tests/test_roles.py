"""Granting and revoking staff roles, and the housekeeping job."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance import services
from governance.models import AuditEvent, StaffRole
from governance.scoping import scope_for
from governance.tasks import clear_expired_sessions

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_street_can_grant_community_roles_inside_it_only(tree, staff):
    newcomer = UserFactory()
    assert scope_for(newcomer).is_empty
    services.role_grant(
        actor=staff.street_staff, user=newcomer, area=tree.community, role="community_staff"
    )
    assert scope_for(newcomer).read_paths == (tree.community.path,)
    again = services.role_grant(
        actor=staff.street_staff, user=newcomer, area=tree.community, role="community_staff"
    )
    assert StaffRole.objects.filter(user=newcomer).count() == 1 and again.user == newcomer
    assert AuditEvent.objects.filter(action="granted").count() == 1
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=staff.other_street_staff, user=newcomer, area=tree.community, role="community_staff"
        )


def test_a_role_must_sit_on_its_kind_of_node(tree, staff):
    with pytest.raises(ValidationError) as err:
        services.role_grant(
            actor=staff.superuser, user=UserFactory(), area=tree.compound, role="street_staff"
        )
    assert "area" in err.value.message_dict


def test_only_superusers_appoint_district_admins(tree, staff):
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=staff.district_admin, user=UserFactory(), area=tree.district, role="district_admin"
        )


def test_revoking_removes_the_scope_and_is_recorded_once(tree, staff):
    role = StaffRole.objects.get(user=staff.community_staff)
    services.role_revoke(actor=staff.street_staff, staff_role=role, note="调离")
    services.role_revoke(actor=staff.street_staff, staff_role=role)
    assert not StaffRole.objects.filter(user=staff.community_staff).exists()
    assert scope_for(staff.community_staff).is_empty
    assert AuditEvent.objects.filter(action="revoked").count() == 1


def test_clearing_expired_sessions_is_safe_to_run_twice(db):
    live, dead = SessionStore(), SessionStore()
    live.create()
    dead.create()
    Session.objects.filter(session_key=dead.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(days=1)
    )
    assert clear_expired_sessions() == 1
    assert clear_expired_sessions() == 0
    assert Session.objects.filter(session_key=live.session_key).exists()
