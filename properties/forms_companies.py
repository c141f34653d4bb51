"""Input forms of the company and service-mode pages. They parse;
``services_companies`` validates and saves."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from communities.models import Area, Enterprise
from governance.web.forms import AreaChoiceField, DateInput, ScopedForm
from partyorgs.models import PartyOrganisation

from .models import COMPANY_MODES, PropertyCompany, ServiceModeKind
from .services_companies import COMPANY_AREA_KINDS, STREET_KINDS


class CompanyEditForm(ScopedForm):
    name = forms.CharField(label=_("name"), max_length=150)
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18)
    area = AreaChoiceField(
        label=_("registered with"), queryset=Area.objects.none(),
        help_text=_("The district or street that keeps this company's record."),
    )
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("contact person"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20, required=False)
    contact_email = forms.EmailField(label=_("contact e-mail"), required=False)
    enterprise = forms.ModelChoiceField(label=_("enterprise record"), queryset=Enterprise.objects.none(),
                                        required=False)
    party_org = forms.ModelChoiceField(label=_("party organisation"), queryset=PartyOrganisation.objects.none(),
                                       required=False)
    party_branch = forms.ModelChoiceField(
        label=_("property party general branch (物业党总支)"), queryset=PartyOrganisation.objects.none(),
        required=False,
    )

    def scope_fields(self, user):
        self.fields["area"].queryset = (
            Area.objects.changeable_by(user).filter(kind__in=COMPANY_AREA_KINDS).order_by("path")
        )
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by("name", "pk")
        orgs = PartyOrganisation.objects.visible_to(user).order_by("path")
        self.fields["party_org"].queryset = orgs
        self.fields["party_branch"].queryset = orgs


class CompanyUpdateForm(CompanyEditForm):
    is_active = forms.BooleanField(label=_("active"), required=False)


class StaffAddForm(ScopedForm):
    username = forms.CharField(label=_("user name"), max_length=150,
                               help_text=_("The login of the company's employee."))

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError(_("No user with this user name."))
        return user


class ConfirmForm(ScopedForm):
    """A form with nothing to fill in (the action is confirmed by posting it)."""


class CompanyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name if obj.is_active else f"{obj.name}（{_('inactive')}）"


class ServiceModeForm(ScopedForm):
    kind = forms.ChoiceField(label=_("service mode"), choices=ServiceModeKind.choices)
    company = CompanyChoiceField(
        label=_("company"), queryset=PropertyCompany.objects.none(), required=False,
        help_text=_("For a professional, trust-model or emergency company."),
    )
    responsible_body = forms.CharField(
        label=_("responsible body"), max_length=150, required=False,
        help_text=_("For the five modes without a company: who answers for the compound."),
    )
    started_on = forms.DateField(label=_("started on"), widget=DateInput)
    contract_ends_on = forms.DateField(
        label=_("contract ends on"), widget=DateInput, required=False,
        help_text=_("The agreed end of a company's contract (required for an emergency company)."),
    )
    trust_street = AreaChoiceField(label=_("supervising street"), queryset=Area.objects.none(), required=False,
                                   help_text=_("Trust model only."))
    trust_charity = forms.CharField(label=_("supervising charity federation"), max_length=150, required=False,
                                    help_text=_("Trust model only."))
    accounts_url = forms.URLField(label=_("published accounts (link)"), required=False, assume_scheme="https")
    accounts_file = forms.FileField(label=_("published accounts (file)"), required=False,
                                    help_text=_("PDF, JPEG or PNG, at most 10 MB."))
    note = forms.CharField(label=_("note"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    company_modes = COMPANY_MODES

    def __init__(self, *args, compound, **kwargs):
        self.compound = compound
        super().__init__(*args, **kwargs)

    def scope_fields(self, user):
        self.fields["company"].queryset = PropertyCompany.objects.visible_to(user).order_by("name", "pk")
        self.fields["trust_street"].queryset = Area.objects.filter(
            pk__in=self.compound.ancestor_ids, kind__in=STREET_KINDS
        ).order_by("path")


class ServiceModeEndForm(ScopedForm):
    ended_on = forms.DateField(label=_("ended on"), required=False, widget=DateInput,
                               help_text=_("Leave empty for today."))
    note = forms.CharField(label=_("note"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

