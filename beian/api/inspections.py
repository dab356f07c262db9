"""The inspection part of the read-only API (issue 11): rounds (`/api/inspections/`) and
the graded forms (`/api/inspection-grades/`), scoped like the pages — a unit admin reads
the forms of their units' accounts, an operator those of their own accounts. Forms carry
the grade, the rectification and the answers of the 年检表; no personal data."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from beian.inspections.choices import FormState, Grade, InspectionStatus
from beian.inspections.models import Inspection, InspectionForm
from beian.orgs.api import UnitRefSerializer, display_field, enum_field

from .views import ReadOnlyViewSet


class InspectionSerializer(serializers.ModelSerializer):
    status = enum_field(InspectionStatus, "InspectionStatusEnum")
    status_display = display_field("get_status_display")
    owner_unit = UnitRefSerializer(read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id", "year", "title", "status", "status_display", "owner_unit", "opens_on",
            "deadline", "extra_items", "published", "published_at", "closed_at",
        ]  # fmt: skip
        read_only_fields = fields


class InspectionGradeSerializer(serializers.ModelSerializer):
    inspection = serializers.IntegerField(source="inspection_id", read_only=True)
    year = serializers.IntegerField(source="inspection.year", read_only=True)
    account = serializers.IntegerField(source="account_id", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    unit = UnitRefSerializer(source="part.unit", read_only=True)
    state = enum_field(FormState, "InspectionFormStateEnum")
    state_display = display_field("get_state_display")
    grade = serializers.CharField(
        read_only=True,
        help_text="pass 合格 / rectify 整改 / fail 不合格 / missed 未参检；空：待评定",
    )
    grade_display = display_field("get_grade_display")

    class Meta:
        model = InspectionForm
        fields = [
            "id", "inspection", "year", "account", "account_name", "unit", "state",
            "state_display", "grade", "grade_display", "graded_at", "was_rectified",
            "rectify_deadline", "rectify_items", "rectify_answered_at", "posts_this_year",
            "audience", "update_frequency", "last_post_date", "content_review",
            "had_violations", "was_punished", "had_complaints", "closing_filing",
            "marked_for_closing",
        ]  # fmt: skip
        read_only_fields = fields


class InspectionFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter()
    status = django_filters.ChoiceFilter(choices=InspectionStatus.choices)

    class Meta:
        model = Inspection
        fields = ["year", "status", "published"]


class InspectionGradeFilterSet(django_filters.FilterSet):
    inspection = django_filters.NumberFilter(field_name="inspection_id")
    year = django_filters.NumberFilter(field_name="inspection__year")
    account = django_filters.NumberFilter(field_name="account_id")
    grade = django_filters.ChoiceFilter(choices=Grade.choices)
    state = django_filters.ChoiceFilter(choices=FormState.choices)

    class Meta:
        model = InspectionForm
        fields = ["inspection", "year", "account", "grade", "state"]


@extend_schema_view(
    list=extend_schema(
        summary="年检列表", description="当前用户可见的年检（有其可见账号的年检表的）。"
    ),
    retrieve=extend_schema(summary="年检详情"),
)
class InspectionViewSet(ReadOnlyViewSet):
    queryset_model = Inspection
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet

    def scoped_queryset(self, user) -> QuerySet:
        return (
            Inspection.objects.visible_to(user)
            .select_related("owner_unit")
            .order_by("-year", "-pk")
        )


@extend_schema_view(
    list=extend_schema(
        summary="年检结果（年检表与评定）",
        description="当前用户可见账号的年检表：状态、评定（合格/整改/不合格/未参检）、整改要求与期限；"
        "`inspection`、`year`、`account`、`grade`、`state` 筛选。",
    ),
    retrieve=extend_schema(summary="年检表详情"),
)
class InspectionGradeViewSet(ReadOnlyViewSet):
    queryset_model = InspectionForm
    serializer_class = InspectionGradeSerializer
    filterset_class = InspectionGradeFilterSet

    def scoped_queryset(self, user) -> QuerySet:
        return (
            InspectionForm.objects.visible_to(user)
            .select_related("inspection", "account", "part__unit")
            .order_by("-inspection__year", "pk")
        )
