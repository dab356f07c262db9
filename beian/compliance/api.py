"""Serializer of compliance findings for the read-only API (`beian.api`)."""

from rest_framework import serializers

from beian.orgs.api import UnitRefSerializer, display_field, enum_field
from beian.registry.api import AccountRefSerializer, GroupRefSerializer

from .choices import FindingState, Severity, TargetKind
from .models import Finding


class FindingSerializer(serializers.ModelSerializer):
    """One breach of one rule by one account or group (exactly one of `account`, `group`)."""

    rule_title = serializers.CharField(read_only=True)
    severity = enum_field(Severity, "SeverityEnum")
    severity_display = display_field("get_severity_display")
    state = enum_field(FindingState, "FindingStateEnum")
    state_display = display_field("get_state_display")
    target_kind = enum_field(TargetKind, "TargetKindEnum")
    account = AccountRefSerializer(read_only=True, allow_null=True)
    group = GroupRefSerializer(read_only=True, allow_null=True)
    owner_unit = UnitRefSerializer(read_only=True)
    waived_by = serializers.CharField(
        read_only=True, allow_null=True, help_text="豁免人（姓名或用户名）"
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "rule",
            "rule_title",
            "severity",
            "severity_display",
            "state",
            "state_display",
            "target_kind",
            "account",
            "group",
            "owner_unit",
            "message",
            "first_seen",
            "last_seen",
            "resolved_at",
            "times_opened",
            "waived_by",
            "waived_reason",
            "waived_at",
        ]
        read_only_fields = fields
