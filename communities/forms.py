"""Input forms of the territory and enterprise pages. They parse; services validate and save."""

from governance.scoping import scope_for
from governance.web.forms import AreaChoiceField, ParseOnlyModelForm

from .models import ENTERPRISE_AREA_KINDS, Area, Enterprise


class AreaForm(ParseOnlyModelForm):
    """Create or edit a territory node. A new parent on edit is a move (``area_move``)."""

    class Meta:
        model = Area
        fields = [
            "parent", "kind", "name", "code", "address", "households",
            "is_old_compound", "build_year", "latitude", "longitude",
        ]
        field_classes = {"parent": AreaChoiceField}

    def scope_fields(self, user):
        parent = self.fields["parent"]
        parent.queryset = Area.objects.visible_to(user)
        parent.empty_label = "—"
        if self.instance.pk is None and not scope_for(user).sees_all:
            # Only a superuser adds a root (district, county); everyone else picks a parent.
            parent.required = True


class EnterpriseForm(ParseOnlyModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "kind", "area", "address", "employees"]
        field_classes = {"area": AreaChoiceField}

    def scope_fields(self, user):
        # Only the kinds of node an enterprise can be registered in are offered.
        self.fields["area"].queryset = Area.objects.visible_to(user).filter(
            kind__in=sorted(ENTERPRISE_AREA_KINDS)
        )
        self.fields["credit_code"].widget.attrs.update(
            {"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}
        )

