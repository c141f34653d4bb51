"""Input forms of the party-organisation pages. They parse; services validate and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Area, Enterprise, Person
from governance.web.forms import AreaChoiceField, DateInput, ParseOnlyModelForm, ScopedForm

from .models import PartyOrganisation, PostRole, SchemeLevel


class PartyOrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth - 1, 0)}{obj.name}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.area.name}）"


class _PartyOrgFields(ParseOnlyModelForm):
    def scope_fields(self, user):
        self.fields["parent"].queryset = PartyOrganisation.objects.visible_to(user)
        self.fields["covered_area"].queryset = Area.objects.visible_to(user)
        self.fields["covered_enterprise"].queryset = Enterprise.objects.visible_to(user)
        for name in ("parent", "covered_area", "covered_enterprise"):
            self.fields[name].empty_label = "—"


class PartyOrgCreateForm(_PartyOrgFields):
    """The scheme and level are chosen together, as one of the schemes' named levels."""

    scheme_level = forms.ChoiceField(
        label=_("level"),
        help_text=_("The schemes name their four levels differently; pick the one that fits."),
    )
    # The service reports problems with the scheme or the level on those names.
    field_aliases = {"level": "scheme_level", "scheme": "scheme_level"}

    class Meta:
        model = PartyOrganisation
        fields = ["scheme_level", "name", "parent", "covered_area", "covered_enterprise", "founded_on"]
        field_classes = {"parent": PartyOrgChoiceField, "covered_area": AreaChoiceField}
        widgets = {"founded_on": DateInput}

    def scope_fields(self, user):
        super().scope_fields(user)
        levels = list(SchemeLevel.objects.select_related("scheme").order_by("scheme__code", "number"))
        self.levels = {str(level.pk): level for level in levels}
        groups: dict = {}
        for level in levels:
            groups.setdefault(level.scheme.name, []).append((str(level.pk), str(level)))
        self.fields["scheme_level"].choices = [("", "—"), *groups.items()]

    def clean_scheme_level(self):
        return self.levels[self.cleaned_data["scheme_level"]]


class PartyOrgEditForm(_PartyOrgFields):
    """Scheme and level do not change; a new parent re-hangs the organisation."""

    class Meta:
        model = PartyOrganisation
        fields = ["name", "parent", "covered_area", "covered_enterprise", "founded_on"]
        field_classes = {"parent": PartyOrgChoiceField, "covered_area": AreaChoiceField}
        widgets = {"founded_on": DateInput}


class PostAppointForm(ScopedForm):
    """Appoint someone already registered, or type the name of someone new (they are
    registered with the organisation's area)."""

    person = PersonChoiceField(
        label=_("person"), queryset=Person.objects.none(), required=False, empty_label="—"
    )
    new_person_name = forms.CharField(
        label=_("or a new person's name"), max_length=60, required=False
    )
    new_person_is_party_member = forms.BooleanField(
        label=_("the new person is a party member"), required=False, initial=True
    )
    role = forms.ChoiceField(label=_("post"), choices=PostRole.choices)
    started_on = forms.DateField(
        label=_("started on"), required=False, widget=DateInput,
        help_text=_("Leave empty for today."),
    )
    lives_in_unit = forms.BooleanField(
        label=_("lives in the covered unit (resident secretary)"), required=False
    )
    is_community_cadre = forms.BooleanField(label=_("community cadre"), required=False)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def scope_fields(self, user):
        self.fields["person"].queryset = (
            Person.objects.visible_to(user).select_related("area").order_by("name", "pk")
        )

    def clean(self):
        data = super().clean()
        person, name = data.get("person"), (data.get("new_person_name") or "").strip()
        if person is None and not name and "person" not in self.errors:
            raise forms.ValidationError(_("Choose a person or type a new name."))
        if person is not None and name:
            raise forms.ValidationError(_("Choose a person or type a new name, not both."))
        return data


class PostEndForm(ScopedForm):
    ended_on = forms.DateField(
        label=_("ended on"), required=False, widget=DateInput,
        help_text=_("Leave empty for today."),
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
