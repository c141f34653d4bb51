"""Serializers of the micro-wish API. They only read and validate input; every change
goes through ``wishes.services`` (state) or ``wishes.services_config`` (configuration)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communities.models import Area
from governance.api.fields import ScopedPrimaryKeyRelatedField
from governance.audit import events_for
from governance.validators import mask_mobile

from . import services
from .models import (
    OPEN_STATUSES,
    Category,
    Channel,
    ClaimerKind,
    Level,
    Rating,
    RejectReason,
    RequesterType,
    Wish,
)
from .selectors import effective_limits
from .uploads import clean_photo

BULK_MAX = 200


def photo_field(**kwargs) -> serializers.FileField:
    # The same check as the web forms: JPEG/PNG/WebP by their first bytes, size cap,
    # random file name (wishes.uploads.clean_photo).
    return serializers.FileField(
        required=False, allow_null=True, allow_empty_file=False,
        validators=[clean_photo],
        help_text="A photo (JPEG, PNG or WebP; at most 5 MB), sent as multipart/form-data.",
        **kwargs,
    )


class ExactHandlerCheck:
    """For one wish: ask :func:`wishes.services.is_handler` itself."""

    def __init__(self, user):
        self.user = user

    def __call__(self, wish: Wish) -> bool:
        return services.is_handler(self.user, wish)


class WishSerializer(serializers.ModelSerializer):
    """A wish in the inbox. The requester's number is masked (138****1234) unless the
    caller handles the wish."""

    compound_name = serializers.CharField(source="compound.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    claimer_kind_display = serializers.CharField(source="get_claimer_kind_display", read_only=True)
    is_overdue = serializers.SerializerMethodField()
    is_handler = serializers.SerializerMethodField()
    requester_phone = serializers.SerializerMethodField()

    class Meta:
        model = Wish
        fields = [
            "id", "tracking_code", "compound", "compound_name", "community", "community_name",
            "street", "street_name", "category", "category_name", "title", "description",
            "status", "status_display", "level", "level_display", "stage", "due_at",
            "is_overdue", "was_overdue", "claimer_kind", "claimer_kind_display", "claimer_name",
            "channel", "channel_display", "requester_type", "requester_name", "requester_phone",
            "is_handler", "created_at", "accepted_at", "resolved_at", "rating",
        ]
        read_only_fields = fields

    def _is_handler(self, wish: Wish) -> bool:
        cache = self.context.setdefault("_handler_cache", {})
        if wish.pk not in cache:
            check = self.context.get("is_handler")
            cache[wish.pk] = bool(check and check(wish))
        return cache[wish.pk]

    def get_is_overdue(self, wish: Wish) -> bool:
        now = self.context.get("now")
        return bool(now and wish.status in OPEN_STATUSES and wish.due_at and wish.due_at < now)

    def get_is_handler(self, wish: Wish) -> bool:
        return self._is_handler(wish)

    def get_requester_phone(self, wish: Wish) -> str:
        return wish.requester_phone if self._is_handler(wish) else mask_mobile(wish.requester_phone)


class TimelineEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.CharField(allow_null=True, help_text="The staff member's username; null for the resident or the system.")
    actor_name = serializers.CharField(allow_null=True)
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    note = serializers.CharField()


class WishDetailSerializer(WishSerializer):
    # Plain strings: the same choices as ``level`` and the reject action's ``reason``.
    resolved_level = serializers.CharField(read_only=True, help_text="The level that resolved it; empty before.")
    reject_reason = serializers.CharField(read_only=True, help_text="Empty unless rejected.")
    reject_reason_display = serializers.CharField(source="get_reject_reason_display", read_only=True)
    requester_type_display = serializers.CharField(source="get_requester_type_display", read_only=True)
    photo = serializers.SerializerMethodField(help_text="Address of the photo (staff login), or null.")
    resolution_photo = serializers.SerializerMethodField(
        help_text="Address of the photo of the result (staff login), or null."
    )
    timeline = serializers.SerializerMethodField()

    def _photo_url(self, wish: Wish, which: str) -> str | None:
        # Through the scoped photo view, never a public media address.
        if not getattr(wish, "photo" if which == "photo" else "resolution_photo"):
            return None
        url = reverse("wish-photo", args=[wish.pk, which])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_photo(self, wish: Wish) -> str | None:
        return self._photo_url(wish, "photo")

    def get_resolution_photo(self, wish: Wish) -> str | None:
        return self._photo_url(wish, "result")

    class Meta(WishSerializer.Meta):
        fields = [
            *WishSerializer.Meta.fields,
            "requester_type_display", "photo", "stage_started_at", "claimed_at",
            "accepted_late", "resolved_level", "resolution_note", "resolution_photo",
            "reject_reason", "reject_reason_display", "rating_comment", "rated_at", "closed_at",
            "updated_at", "timeline",
        ]
        read_only_fields = fields

    @staticmethod
    def _timeline(wish: Wish) -> list[dict]:
        return [
            {
                "at": event.at,
                "action": event.action,
                "actor": event.actor.get_username() if event.actor else None,
                "actor_name": (event.actor.get_full_name() or event.actor.get_username()) if event.actor else None,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "note": event.note,
            }
            for event in events_for(wish)
        ]

    @extend_schema_field(TimelineEventSerializer(many=True))
    def get_timeline(self, wish: Wish) -> list[dict]:
        return TimelineEventSerializer(self._timeline(wish), many=True).data


class WishIntakeSerializer(serializers.Serializer):
    """Staff recording a wish for a resident (a call, a letter, an office day)."""

    compound = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all())
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
    title = serializers.CharField(max_length=60)
    description = serializers.CharField(max_length=2000)
    requester_name = serializers.CharField(max_length=40)
    requester_phone = serializers.CharField(max_length=11)
    requester_type = serializers.ChoiceField(choices=RequesterType.choices, default=RequesterType.RESIDENT)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        help_text="How the wish reached the staff member; not 'web' (the residents' own form).",
    )
    photo = photo_field()

    def validate_channel(self, value):
        if value == Channel.WEB:
            raise serializers.ValidationError(
                _("The web form is the residents' own; choose how the wish reached you.")
            )
        return value

    def create(self, validated_data):
        wish, _created = services.wish_submit(actor=self.context["request"].user, **validated_data)
        return wish


# --- parameters of the actions -------------------------------------------------


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ClaimSerializer(serializers.Serializer):
    claimer_kind = serializers.ChoiceField(choices=ClaimerKind.choices)
    claimer_name = serializers.CharField(
        required=False, allow_blank=True, max_length=60, default="",
        help_text="Who takes it on; defaults to the caller's name.",
    )


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="What was done.")
    photo = photo_field()


class RejectSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=RejectReason.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="",
        help_text="Required when the reason is 'other'.",
    )


class RateSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class BulkAcceptSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=BULK_MAX
    )


class BulkAcceptResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    result = serializers.ChoiceField(choices=["accepted", "conflict", "forbidden", "not_found"])
    status_code = serializers.IntegerField(help_text="What accepting this wish alone would have answered.")
    detail = serializers.CharField(allow_blank=True)
    tracking_code = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True, help_text="The wish's status afterwards.")


class BulkAcceptResponseSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = BulkAcceptResultSerializer(many=True)


# --- statistics ----------------------------------------------------------------


class StatsQuerySerializer(serializers.Serializer):
    within = ScopedPrimaryKeyRelatedField(
        queryset=Area.objects.all(), help_text="The area whose subtree is measured."
    )

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword, hence added here.
        fields["from"] = serializers.DateField(
            required=False, help_text="First day (Asia/Shanghai), included; default the 1st of the month of 'to'."
        )
        fields["to"] = serializers.DateField(
            required=False, help_text="Last day (Asia/Shanghai), included; default today."
        )
        return fields

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"from": _("The first day comes after the last day.")})
        return attrs


class WishStatsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    accepted = serializers.IntegerField()
    accepted_on_time = serializers.IntegerField()
    response_base = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    resolved = serializers.IntegerField()
    resolution_base = serializers.IntegerField()
    resolution_rate = serializers.FloatField(allow_null=True)
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    satisfaction_rate = serializers.FloatField(allow_null=True)
    overdue = serializers.IntegerField()
    median_accept_hours = serializers.FloatField(allow_null=True)
    median_resolve_hours = serializers.FloatField(allow_null=True)


class StatsAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class ChildStatsSerializer(serializers.Serializer):
    area = StatsAreaSerializer()
    rank = serializers.IntegerField()
    stats = WishStatsSerializer()


class StatsResponseSerializer(serializers.Serializer):
    area = StatsAreaSerializer()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    as_of = serializers.DateTimeField()
    totals = WishStatsSerializer()
    children = ChildStatsSerializer(many=True)


def stats_as_dict(result) -> dict:
    def area(node):
        return {"id": node.pk, "name": node.name, "kind": node.kind}

    return {
        "area": area(result.area),
        "date_from": result.date_from,
        "date_to": result.date_to,
        "as_of": result.as_of,
        "totals": result.totals.as_dict(),
        "children": [
            {"area": area(child.area), "rank": child.rank, "stats": child.stats.as_dict()}
            for child in result.children
        ],
    }


# --- categories and time limits ------------------------------------------------


class TimeLimitEntrySerializer(serializers.Serializer):
    level = serializers.CharField()
    level_display = serializers.CharField()
    accept_hours = serializers.IntegerField(help_text="In force for this category.")
    resolve_hours = serializers.IntegerField(help_text="In force for this category.")
    source = serializers.ChoiceField(
        choices=["category", "default", "fallback"],
        help_text="Where the limit in force comes from: the category's own, the default, or the built-in fallback.",
    )
    default_accept_hours = serializers.IntegerField()
    default_resolve_hours = serializers.IntegerField()


class CategorySerializer(serializers.ModelSerializer):
    time_limits = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = [
            "id", "code", "name", "description", "escalate_when_overdue", "is_active",
            "sort_order", "time_limits",
        ]
        read_only_fields = fields

    @extend_schema_field(TimeLimitEntrySerializer(many=True))
    def get_time_limits(self, category: Category) -> list[dict]:
        return TimeLimitEntrySerializer(
            effective_limits(category, self.context.get("default_limits", {})), many=True
        ).data


class CategoryUpdateSerializer(serializers.Serializer):
    escalate_when_overdue = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs):
        allowed = set(self.fields)
        other = sorted(set(getattr(self, "initial_data", {}) or {}) - allowed)
        if other:
            raise serializers.ValidationError(
                {name: [_("This field cannot be changed here.")] for name in other}
            )
        return attrs


class TimeLimitWriteSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    accept_hours = serializers.IntegerField(help_text="More than 0.")
    resolve_hours = serializers.IntegerField(help_text="More than 0.")


class DefaultLimitSerializer(serializers.Serializer):
    level = serializers.CharField()
    level_display = serializers.CharField()
    accept_hours = serializers.IntegerField()
    resolve_hours = serializers.IntegerField()
    source = serializers.ChoiceField(choices=["default", "fallback"])
