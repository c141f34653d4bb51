"""Input forms of the committee pages. They parse; ``services_committees`` validates
and saves."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Area, AreaKind
from governance.web.forms import AreaChoiceField, DateInput, ScopedForm, area_label

from .models import Committee, CommitteeKind, DecisionKind, MemberRole


class AreaMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return area_label(obj)


def _compounds(user):
    return Area.objects.visible_to(user).filter(kind=AreaKind.COMPOUND).order_by("path")


class CommitteeEditForm(ScopedForm):
    name = forms.CharField(label=_("name"), max_length=150)
    kind = forms.ChoiceField(label=_("kind"), choices=CommitteeKind.choices)
    compounds = AreaMultipleChoiceField(
        label=_("compounds"), queryset=Area.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("The compounds the committee serves (hold Ctrl or ⌘ to choose several)."),
    )

    def scope_fields(self, user):
        self.fields["compounds"].queryset = _compounds(user)


class CommitteeCreateForm(CommitteeEditForm):
    community = AreaChoiceField(
        label=_("community"), queryset=Area.objects.none(),
        help_text=_("The community (or grid) the compounds belong to."),
    )
    term_started_on = forms.DateField(label=_("term started on"), widget=DateInput)
    term_ends_on = forms.DateField(label=_("term ends on"), widget=DateInput)
    elected_on = forms.DateField(label=_("elected on"), widget=DateInput, required=False)

    field_order = ["name", "kind", "community", "compounds", "term_started_on", "term_ends_on", "elected_on"]

    def scope_fields(self, user):
        super().scope_fields(user)
        self.fields["community"].queryset = (
            Area.objects.visible_to(user).filter(kind__in=[AreaKind.COMMUNITY, AreaKind.GRID]).order_by("path")
        )


class ReelectForm(ScopedForm):
    elected_on = forms.DateField(label=_("elected on"), widget=DateInput)
    term_started_on = forms.DateField(label=_("new term starts on"), widget=DateInput)
    term_ends_on = forms.DateField(label=_("new term ends on"), widget=DateInput)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DissolveForm(ScopedForm):
    dissolved_on = forms.DateField(label=_("dissolved on"), required=False, widget=DateInput,
                                   help_text=_("Leave empty for today."))
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MemberForm(ScopedForm):
    name = forms.CharField(label=_("name"), max_length=60, help_text=_("A name only: no phone or ID number."))
    role = forms.ChoiceField(label=_("role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    is_party_member = forms.BooleanField(label=_("party member"), required=False)
    is_community_cadre = forms.BooleanField(
        label=_("community cadre"), required=False,
        help_text=_("A community cadre on the committee is counted as a cross-appointment (双向进入)."),
    )


class MemberAddForm(MemberForm):
    joined_on = forms.DateField(label=_("joined on"), required=False, widget=DateInput,
                                help_text=_("Leave empty for today."))


class MemberLeaveForm(ScopedForm):
    left_on = forms.DateField(label=_("left on"), required=False, widget=DateInput,
                              help_text=_("Leave empty for today."))
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CommitteeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.community.name}）"


class DecisionReportForm(ScopedForm):
    committee = CommitteeChoiceField(label=_("committee"), queryset=Committee.objects.none())
    kind = forms.ChoiceField(label=_("kind of decision"), choices=DecisionKind.choices)
    title = forms.CharField(label=_("title"), max_length=150)
    decision_on = forms.DateField(
        label=_("decision date"), widget=DateInput,
        help_text=_("The day the owners decide. A report filed after that day is marked late."),
    )
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    amount_yuan = forms.DecimalField(label=_("amount (yuan)"), required=False, max_digits=12, decimal_places=2,
                                     min_value=0)

    def scope_fields(self, user):
        self.fields["committee"].queryset = (
            Committee.objects.changeable_by(user).active().select_related("community").order_by("name", "pk")
        )


class ReportNoteForm(ScopedForm):
    """The note of an answer (acknowledge, object, withdraw); objections need one (the
    service says so)."""

    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PartyShareForm(ScopedForm):
    area = AreaChoiceField(label=_("area"), queryset=Area.objects.none())

    def scope_fields(self, user):
        self.fields["area"].queryset = (
            Area.objects.visible_to(user).exclude(kind__in=[AreaKind.COMPOUND, AreaKind.BUILDING]).order_by("path")
        )
