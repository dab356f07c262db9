"""Serializers and filters of campaigns and unit tasks for the read-only API (`beian.api`).
Scoped like the pages: a campaign through `Campaign.objects.visible_to` (drafts are the
school's own), a task through `CampaignTask.objects.visible_to` (a unit admin reads only
the tasks of their own units)."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from beian.orgs.api import UnitRefSerializer, display_field, enum_field

from .choices import CampaignKind, CampaignScope, CampaignStatus, ItemAction, TaskState
from .models import Campaign, CampaignTask


class CampaignSerializer(serializers.ModelSerializer):
    kind = enum_field(CampaignKind, "CampaignKindEnum")
    kind_display = display_field("get_kind_display")
    scope = enum_field(CampaignScope, "CampaignScopeEnum")
    status = enum_field(CampaignStatus, "CampaignStatusEnum")
    status_display = display_field("get_status_display")
    owner_unit = UnitRefSerializer(read_only=True)
    sheets = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "title",
            "kind",
            "kind_display",
            "scope",
            "status",
            "status_display",
            "owner_unit",
            "opens_on",
            "deadline",
            "sheets",
            "group_min_members",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = fields


class CampaignRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "title", "deadline"]
        read_only_fields = fields


class TaskCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    corrected = serializers.IntegerField()
    closing = serializers.IntegerField()
    added = serializers.IntegerField()


class TaskSerializer(serializers.ModelSerializer):
    campaign = CampaignRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True)
    state = enum_field(TaskState, "TaskStateEnum")
    state_display = display_field("get_state_display")
    late = serializers.BooleanField(source="is_late", read_only=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = CampaignTask
        fields = [
            "id",
            "campaign",
            "unit",
            "state",
            "state_display",
            "late",
            "zero_report",
            "started_at",
            "submitted_at",
            "first_submitted_at",
            "submission_count",
            "returned_at",
            "return_comment",
            "confirmed_at",
            "counts",
        ]
        read_only_fields = fields

    @extend_schema_field(TaskCountsSerializer)
    def get_counts(self, task) -> dict[str, int]:
        """Records of the task by what the unit did with them (annotated: `with_counts`)."""
        return {key: getattr(task, f"n_{key}", 0) for key in ("total", *ItemAction.values)}


def with_counts(tasks: QuerySet[CampaignTask]) -> QuerySet[CampaignTask]:
    """The tasks with their item counts annotated (one query for a page of tasks)."""
    annotations = {"n_total": Count("items")}
    for action in ItemAction.values:
        annotations[f"n_{action}"] = Count("items", filter=Q(items__action=action))
    return tasks.annotate(**annotations)


class CampaignFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CampaignKind.choices)
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields: list[str] = []


class TaskFilterSet(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id")
    unit = django_filters.NumberFilter(field_name="unit_id")
    state = django_filters.ChoiceFilter(choices=TaskState.choices)

    class Meta:
        model = CampaignTask
        fields: list[str] = []
