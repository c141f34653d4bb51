"""factory_boy factories. Tree nodes are created through the services' tree_insert so
that paths are real; use the ``tree`` fixture in conftest.py for a ready-made tree."""

import itertools

import factory
from django.contrib.auth import get_user_model

from communities.models import Area, AreaKind, Enterprise, Person
from governance.models import StaffRole
from governance.tree import tree_insert
from governance.validators import USCC_ALPHABET, uscc_check_char
from partyorgs.models import HierarchyScheme, PartyOrganisation

_codes = itertools.count(1)


def make_uscc(n: int) -> str:
    body = f"91370830{n:09d}"[:17]
    body = "".join(ch if ch in USCC_ALPHABET else "0" for ch in body)
    return body + uscc_check_char(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_area(kind: str, parent: Area | None = None, **fields) -> Area:
    n = next(_codes)
    fields.setdefault("name", f"{AreaKind(kind).label} {n}")
    fields.setdefault("code", f"{kind[:3].upper()}-{n}")
    area = Area(kind=kind, **fields)
    return tree_insert(area, parent=parent)


def make_org(scheme_code: str, level: int, *, parent=None, area=None, enterprise=None, name=None):
    scheme = HierarchyScheme.objects.get(code=scheme_code)
    org = PartyOrganisation(
        scheme=scheme,
        level=level,
        name=name or f"org {next(_codes)}",
        covered_area=area,
        covered_enterprise=enterprise,
        area=enterprise.area if enterprise else area,
    )
    return tree_insert(org, parent=parent)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"企业{n}")
    credit_code = factory.Sequence(lambda n: make_uscc(n + 1000))
    kind = Enterprise.Kind.PRIVATE_ENTERPRISE


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"居民{n}")


def give_role(user, area: Area, role: str) -> StaffRole:
    from governance.scoping import forget_scope

    forget_scope(user)
    return StaffRole.objects.create(user=user, area=area, role=role)


def submit_wish(tree, *, category="lighting", **extra):
    """File a wish at the tree's compound through the intake service."""
    from wishes.models import Category
    from wishes.services import wish_submit

    fields = {
        "compound": tree.compound,
        "category": Category.objects.get(code=category),
        "title": "楼道灯坏了",
        "description": "3单元楼道灯不亮",
        "requester_name": "王阿姨",
        "requester_phone": "13812341234",
    }
    fields.update(extra)
    wish, _created = wish_submit(**fields)
    return wish
