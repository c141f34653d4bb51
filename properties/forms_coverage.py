"""Input forms of the cross-appointment and coverage pages. They parse;
``services_crossappointments`` validates and saves."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Area, AreaKind
from governance.web.forms import AreaChoiceField, DateInput, ScopedForm
from partyorgs.models import PartyOrganisation

from .models import Committee, CrossAppointmentKind, PropertyCompany

COMMUNITY_KINDS = [AreaKind.COMMUNITY, AreaKind.GRID]


class CrossAppointmentForm(ScopedForm):
    kind = forms.ChoiceField(label=_("kind"), choices=CrossAppointmentKind.choices)
    person_name = forms.CharField(label=_("name"), max_length=60, help_text=_("A name only: no phone or ID number."))
    community = AreaChoiceField(label=_("community"), queryset=Area.objects.none(),
                                help_text=_("Where the appointment is counted."))
    started_on = forms.DateField(label=_("started on"), widget=DateInput)
    committee = forms.ModelChoiceField(
        label=_("owners' committee"), queryset=Committee.objects.none(), required=False,
        help_text=_("For a community cadre on an owners' committee."),
    )
    company = forms.ModelChoiceField(
        label=_("company"), queryset=PropertyCompany.objects.none(), required=False,
        help_text=_("For a company party member on the community party committee."),
    )
    party_org = forms.ModelChoiceField(
        label=_("party committee"), queryset=PartyOrganisation.objects.none(), required=False,
        help_text=_("The community's party committee (the organisation covering the community)."),
    )

    def scope_fields(self, user):
        self.fields["community"].queryset = (
            Area.objects.changeable_by(user).filter(kind__in=COMMUNITY_KINDS).order_by("path")
        )
        self.fields["committee"].queryset = (
            Committee.objects.visible_to(user).active().select_related("community").order_by("community__path", "name")
        )
        self.fields["company"].queryset = PropertyCompany.objects.visible_to(user).order_by("name", "pk")
        self.fields["party_org"].queryset = (
            PartyOrganisation.objects.visible_to(user).filter(covered_area__kind__in=COMMUNITY_KINDS).order_by("path")
        )


class CrossAppointmentEndForm(ScopedForm):
    ended_on = forms.DateField(label=_("ended on"), required=False, widget=DateInput,
                               help_text=_("Leave empty for today."))
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class AreaPickForm(ScopedForm):
    """``?area=<id>`` of the overview pages: areas inside the user's read scope."""

    area = AreaChoiceField(label=_("area"), queryset=Area.objects.none())

    def scope_fields(self, user):
        from governance.web.mixins import in_read_scope

        qs = Area.objects.visible_to(user).exclude(kind__in=[AreaKind.COMPOUND, AreaKind.BUILDING]).order_by("path")
        self.fields["area"].queryset = qs
        self.fields["area"].widget.choices = [
            (a.pk, self.fields["area"].label_from_instance(a))
            for a in qs.only("pk", "name", "kind", "depth", "path") if in_read_scope(user, a)
        ]
