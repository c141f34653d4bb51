"""The admin shows property records to superusers, read-only (writes go through the
services, which audit them)."""

import pytest
from django.contrib import admin

from properties.models import PropertyCompany

from .property_factories import make_company, make_mode

pytestmark = pytest.mark.django_db


def test_superusers_read_every_property_list_and_cannot_add(client, tree, staff):
    company = make_company(tree.district, name="海棠物业")
    make_mode(tree.compound, company=company)
    client.force_login(staff.superuser)
    models = [m for m in admin.site._registry if m._meta.app_label == "properties"]
    assert PropertyCompany in models and len(models) >= 9
    for model in models:
        url = f"/admin/properties/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/properties/propertycompany/add/").status_code == 403
    assert "海棠物业" in client.get("/admin/properties/propertycompany/").content.decode()
