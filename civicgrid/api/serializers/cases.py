from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.cases.choices import HandlingMode, Rating, Status
from civicgrid.cases.forms import STAFF_SOURCES
from civicgrid.cases.models import (
    DEPARTMENT_TYPES,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseTask,
    MatterGroup,
    MatterItem,
    Supervision,
    WhistleCall,
    WhistleResponse,
)
from civicgrid.cases.services import MAX_TEXT
from civicgrid.core.validators import validate_contact_phone

# ------------------------------------------------------------------ catalogue


class MatterGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = MatterGroup
        fields = ["id", "code", "name", "domain", "parent"]
        read_only_fields = fields


class MatterItemSerializer(serializers.ModelSerializer):
    lead_department = serializers.ChoiceField(
        choices=DEPARTMENT_TYPES, allow_blank=True, read_only=True
    )

    class Meta:
        model = MatterItem
        fields = [
            "id",
            "code",
            "name",
            "group",
            "domain",
            "level",
            "mode",
            "lead_department",
            "assist_departments",
            "accept_hours",
            "resolve_kind",
            "resolve_days",
            "urgent_hours",
            "keywords",
            "description",
            "admission_approved_by",
            "admission_approved_on",
            "admission_document",
            "active",
            "revision",
        ]
        read_only_fields = fields


# ------------------------------------------------------------------ cases


class CaseSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    domain = serializers.CharField(source="item.domain", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    grid_name = serializers.CharField(
        source="grid.name", read_only=True, default=None, allow_null=True
    )
    handler_name = serializers.CharField(read_only=True)
    rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "source",
            "item",
            "item_name",
            "domain",
            "level",
            "mode",
            "text",
            "address",
            "lon",
            "lat",
            "located",
            "area",
            "area_name",
            "grid",
            "grid_name",
            "handler_area",
            "handler_unit",
            "handler_name",
            "urgent",
            "sla_state",
            "supervised",
            "rating",
            "accept_due",
            "resolve_due",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class CaseEventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(read_only=True)
    actor_name = serializers.SerializerMethodField()
    attachments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    from_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    to_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "action",
            "action_label",
            "from_status",
            "to_status",
            "actor",
            "actor_name",
            "note",
            "data",
            "at",
            "attachments",
        ]
        read_only_fields = fields

    def get_actor_name(self, obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class CaseAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Download (signed-in browser session).")

    class Meta:
        model = CaseAttachment
        fields = ["id", "event", "content_type", "size", "at", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("cases:attachment", args=[obj.pk])


class CaseTaskSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = CaseTask
        fields = ["id", "unit", "unit_name", "role", "due", "reply", "replied_at"]
        read_only_fields = fields


class WhistleResponseSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = WhistleResponse
        fields = [
            "id",
            "unit",
            "unit_name",
            "due",
            "reported_at",
            "response",
            "late",
            "score",
            "score_comment",
        ]
        read_only_fields = fields


class WhistleCallSerializer(serializers.ModelSerializer):
    responses = WhistleResponseSerializer(many=True, read_only=True)

    class Meta:
        model = WhistleCall
        fields = ["id", "note", "report_hours", "at", "responses"]
        read_only_fields = fields


class SupervisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supervision
        fields = ["id", "note", "at", "answer", "answered_at"]
        read_only_fields = fields


class ActionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    needs_note = serializers.BooleanField()


class CaseDetailSerializer(CaseSerializer):
    merged_into = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    events = CaseEventSerializer(source="ledger", many=True, read_only=True)
    attachments = CaseAttachmentSerializer(source="attachment_list", many=True, read_only=True)
    tasks = CaseTaskSerializer(source="task_list", many=True, read_only=True)
    whistles = WhistleCallSerializer(source="whistle_list", many=True, read_only=True)
    supervisions = SupervisionSerializer(source="supervision_list", many=True, read_only=True)
    actions = ActionSerializer(
        source="action_list",
        many=True,
        read_only=True,
        help_text="The workflow verbs the caller may perform now.",
    )

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "rating_comment",
            "reopen_count",
            "merged_into",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "events",
            "attachments",
            "tasks",
            "whistles",
            "supervisions",
            "actions",
        ]
        read_only_fields = fields


class CaseCreateSerializer(serializers.Serializer):
    """A new case, as on the intake page: a category, a description and a place (a point or
    one of the caller's grids). ``quick`` records, handles and resolves a community-level
    matter at once (三个第一), with ``quick_note`` saying what was done."""

    item = serializers.PrimaryKeyRelatedField(queryset=MatterItem.objects.filter(active=True))
    text = serializers.CharField(max_length=MAX_TEXT)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    grid = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    source = serializers.ChoiceField(choices=list(STAFF_SOURCES), required=False, default="patrol")
    reporter_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    reporter_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    quick = serializers.BooleanField(required=False, default=False)
    quick_note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )

    def validate_reporter_phone(self, value: str) -> str:
        if not value:
            return ""
        try:
            return validate_contact_phone(value)
        except DjangoValidationError as e:
            raise serializers.ValidationError(e.messages)

    def validate(self, attrs):
        if attrs.get("quick") and not (attrs.get("quick_note") or "").strip():
            raise serializers.ValidationError({"quick_note": [_("当场办结须填写处置情况。")]})
        return attrs


# ------------------------------------------------------------------ verbs


class VerbSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The case `version` the caller saw; a stale one is refused with 409.",
    )
    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")


class DispatchSerializer(VerbSerializer):
    to_unit = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="A department's unit id."
    )
    to_area = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="A community or street id."
    )
    mode = serializers.ChoiceField(choices=HandlingMode.choices, required=False, allow_null=True)


class RateSerializer(VerbSerializer):
    rating = serializers.ChoiceField(choices=[c for c in Rating.choices if c[0] != Rating.NONE])


class MergeSerializer(VerbSerializer):
    merged_into = serializers.IntegerField(min_value=1, help_text="Id of the case it duplicates.")


class WhistleSerializer(serializers.Serializer):
    units = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=30
    )
    report_hours = serializers.IntegerField(min_value=1, max_value=72)
    note = serializers.CharField(max_length=2000)


class WhistleReportSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_TEXT)


class WhistleRateSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SuperviseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class SupervisionAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=MAX_TEXT)


class TaskReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=MAX_TEXT)


class LocateSerializer(serializers.Serializer):
    grid = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")


class QueueSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    key = serializers.IntegerField(help_text="Area id, or the department's unit id.")
    name = serializers.CharField()
    received = serializers.IntegerField()
    valid = serializers.IntegerField()
    accepted_in_time = serializers.IntegerField()
    resolved = serializers.IntegerField()
    resolved_in_time = serializers.IntegerField()
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    reopened = serializers.IntegerField()
    whistle_due = serializers.IntegerField()
    whistle_on_time = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    resolution_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)
    reopen_rate = serializers.FloatField(allow_null=True)
    whistle_report_rate = serializers.FloatField(allow_null=True)
    extras = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text=(
            "Figures other parts of the system add to this sheet, by code: patrols_completed, "
            "patrol_coverage_rate, patrols_missed (communities, streets); evaluation_score, "
            "evaluation_rank (communities, departments; when a closed mutual-evaluation round of "
            "the month's year exists). A code is absent when it does not apply to the sheet, "
            "null when the row has no data."
        ),
    )


class AssessmentSerializer(serializers.Serializer):
    month = serializers.CharField()
    by = serializers.CharField()
    communities = FiguresSerializer(many=True)
    streets = FiguresSerializer(many=True)
    departments = FiguresSerializer(many=True)
