"""The inspection part of the API: rounds (`/api/inspections/`) and the graded forms
(`/api/inspection-grades/`, issue 11), scoped like the pages — a unit admin reads the forms
of their units' accounts, an operator those of their own accounts; no personal data.

Answering (issue 13), over the same services as the pages (`inspections.services`):

- `GET /api/inspection-forms/{id}/`: the 年检表 with its pre-filled values and answers;
- `POST /api/inspection-forms/{id}/answers/`: `form_fill` (operator: own accounts; unit
  admin: the subtree), all or nothing, `{field: [中文说明]}` when incomplete or wrong;
- `POST /api/inspection-forms/{id}/rectification/`: `form_rectify_answer`;
- `POST /api/inspection-parts/{id}/submit/`: the unit's opinion, `part_submit`.

A form or part outside the user's scope answers 404, like an absent one."""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.fields import empty
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from beian.inspections import services as inspections
from beian.inspections.choices import FormState, Grade, InspectionStatus, PartState
from beian.inspections.models import Inspection, InspectionForm, InspectionPart
from beian.orgs.api import UnitRefSerializer, display_field, enum_field

from .views import ReadOnlyViewSet
from .writes import ERRORS


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


def FORM_STATE():  # noqa: N802 - one schema component for the form's state, two serializers
    return _FORM_STATE_CLASS(choices=FormState.choices, read_only=True)


_FORM_STATE_CLASS = type(enum_field(FormState, "InspectionFormStateEnum"))


class InspectionGradeSerializer(serializers.ModelSerializer):
    inspection = serializers.IntegerField(source="inspection_id", read_only=True)
    year = serializers.IntegerField(source="inspection.year", read_only=True)
    account = serializers.IntegerField(source="account_id", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    unit = UnitRefSerializer(source="part.unit", read_only=True)
    state = FORM_STATE()
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


# --- answering a form (issue 13): the unit's side of a round, over the same services ------


class InspectionFormSerializer(serializers.ModelSerializer):
    """One 年检表 as the operator sees it before answering: what the registry said when the
    round opened (`prefill`), the current answers (pre-filled from the registry until the
    operator changes them), the items the school added, and whether the user may answer."""

    inspection = serializers.IntegerField(source="inspection_id", read_only=True)
    year = serializers.IntegerField(source="inspection.year", read_only=True)
    deadline = serializers.DateField(source="inspection.deadline", read_only=True)
    part = serializers.IntegerField(source="part_id", read_only=True)
    part_state = serializers.CharField(
        source="part.state", read_only=True, help_text="open 填报中 / submitted 已提交"
    )
    account = serializers.IntegerField(source="account_id", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    unit = UnitRefSerializer(source="part.unit", read_only=True)
    state = FORM_STATE()
    state_display = display_field("get_state_display")
    prefill = serializers.JSONField(
        read_only=True, help_text="发起年检时的登记信息：名称、平台、备案编号、关注人数、团队等"
    )
    extra_items = serializers.ListField(
        source="inspection.extra_items",
        child=serializers.CharField(),
        read_only=True,
        help_text="学校增加的检查项，按顺序在 extra_answers 中作答",
    )
    extra_answers = serializers.SerializerMethodField(
        help_text="对学校增加项的回答，与 extra_items 一一对应"
    )
    can_answer = serializers.SerializerMethodField(
        help_text="当前用户现在能否填写（有编辑该账号的权限、年检未截止、本单位未提交）"
    )
    grade = serializers.CharField(read_only=True)

    class Meta:
        model = InspectionForm
        fields = [
            "id", "inspection", "year", "deadline", "part", "part_state", "account",
            "account_name", "unit", "state", "state_display", "can_answer", "prefill",
            "posts_this_year", "audience", "update_frequency", "last_post_date",
            "team_changes", "had_violations", "was_punished", "had_complaints",
            "incident_details", "content_review", "self_assessment", "extra_items",
            "extra_answers", "filled_at", "grade", "grade_comment", "rectify_items",
            "rectify_deadline", "rectify_answer",
        ]  # fmt: skip
        read_only_fields = fields

    def get_extra_answers(self, form) -> list[str]:
        answers = form.extra_answers or {}
        return [str(answers.get(str(i), "")) for i in range(len(form.inspection.extra_items))]

    def get_can_answer(self, form) -> bool:
        fillable = self.context.get("fillable", set())
        return (
            form.pk in fillable
            and form.state in (FormState.PENDING, FormState.FILLED)
            and form.part.state == PartState.OPEN
            and form.inspection.is_open
            and timezone.localdate() <= form.inspection.deadline
        )


YES_NO_HELP = "true 是 / false 否"


class AnswerBoolean(serializers.BooleanField):
    """是/否 left out of a form-encoded body stays unanswered (DRF reads a missing boolean
    of an HTML form as false, which would answer 否 for the operator)."""

    default_empty_html = empty


class InspectionAnswersSerializer(serializers.Serializer):
    """The answers of a 年检表. Fields left out keep their current (pre-filled) value; the
    form as a whole must then be complete, or nothing is saved."""

    posts_this_year = serializers.IntegerField(
        required=False, min_value=0, max_value=1_000_000, help_text="本年度发布条数"
    )
    audience = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2_000_000_000,
        help_text="当前关注人数（人，不是万）",
    )
    update_frequency = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="更新频率，如“每周 3 次”"
    )
    last_post_date = serializers.DateField(
        required=False, help_text="最近发布日期（不能晚于今天），记为账号的活跃证据"
    )
    team_changes = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text="管理队伍变动"
    )
    had_violations = AnswerBoolean(
        required=False, help_text=f"本年度是否有违规发布（{YES_NO_HELP}）"
    )
    was_punished = AnswerBoolean(required=False, help_text=f"是否被平台处罚（{YES_NO_HELP}）")
    had_complaints = AnswerBoolean(required=False, help_text=f"是否被投诉（{YES_NO_HELP}）")
    incident_details = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="违规、处罚、投诉情况说明（有其一时必填）",
    )
    content_review = AnswerBoolean(
        required=False, help_text=f"是否落实内容三审三校（{YES_NO_HELP}）"
    )
    self_assessment = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text="自评"
    )
    extra_answers = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        required=False,
        max_length=100,
        help_text="对学校增加项的回答，按 extra_items 的顺序",
    )

    def to_service(self, form: InspectionForm) -> dict:
        data = dict(self.validated_data)
        if "extra_answers" in data:
            given = data.pop("extra_answers")
            items = form.inspection.extra_items
            if len(given) > len(items):
                raise serializers.ValidationError(
                    {
                        "extra_answers": [
                            _("学校只增加了 %(n)d 项检查，回答了 %(m)d 项")
                            % {"n": len(items), "m": len(given)}
                        ]
                    }
                )
            data["extra_answers"] = {str(i): text for i, text in enumerate(given)}
        return data


class RectifyInputSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=5000, help_text="整改情况：已做的整改")


class InspectionPartSerializer(serializers.ModelSerializer):
    inspection = serializers.IntegerField(source="inspection_id", read_only=True)
    year = serializers.IntegerField(source="inspection.year", read_only=True)
    deadline = serializers.DateField(source="inspection.deadline", read_only=True)
    unit = UnitRefSerializer(read_only=True)
    state = serializers.CharField(read_only=True, help_text="open 填报中 / submitted 已提交")
    state_display = display_field("get_state_display")
    forms = serializers.SerializerMethodField(help_text="本单位年检表总数")
    unfilled = serializers.SerializerMethodField(help_text="尚未填写完整的年检表数")

    class Meta:
        model = InspectionPart
        fields = [
            "id", "inspection", "year", "deadline", "unit", "state", "state_display",
            "opinion", "submitted_at", "forms", "unfilled",
        ]  # fmt: skip
        read_only_fields = fields

    def get_forms(self, part) -> int:
        return part.n_forms

    def get_unfilled(self, part) -> int:
        return part.n_unfilled


class OpinionInputSerializer(serializers.Serializer):
    opinion = serializers.CharField(
        max_length=5000, help_text="单位意见：本单位对所属账号运行情况的意见"
    )


ANSWER_EXAMPLE = {
    "posts_this_year": 120,
    "audience": 12000,
    "update_frequency": "每周 3 次",
    "last_post_date": "2026-11-28",
    "team_changes": "",
    "had_violations": False,
    "was_punished": False,
    "had_complaints": False,
    "incident_details": "",
    "content_review": True,
    "self_assessment": "运行正常，按期更新。",
    "extra_answers": ["已设立“校园文化”栏目"],
}


@extend_schema_view(
    list=extend_schema(
        summary="年检表列表（填写用）",
        description="当前用户可见账号的年检表，带发起时的预填信息和当前回答；"
        "`can_answer` 表示当前用户现在能否填写。`inspection`、`year`、`account`、`state` 筛选。",
    ),
    retrieve=extend_schema(summary="年检表（预填信息与回答）"),
)
class InspectionFormViewSet(ReadOnlyViewSet):
    queryset_model = InspectionForm
    serializer_class = InspectionFormSerializer
    filterset_class = InspectionGradeFilterSet
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def scoped_queryset(self, user) -> QuerySet:
        return (
            InspectionForm.objects.visible_to(user)
            .select_related("inspection", "account", "part__unit")
            .order_by("-inspection__year", "part__unit__name", "account__name", "pk")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["fillable"] = self._fillable
        return context

    _fillable: set[int] = set()

    def _remember_fillable(self, forms) -> None:
        ids = [f.pk for f in forms]
        self._fillable = set(
            InspectionForm.objects.fillable_by(self.request.user)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        self._remember_fillable(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        form = self.get_object()
        return Response(self._shown(form))

    def _shown(self, form) -> dict:
        form = self.get_queryset().get(pk=form.pk)
        self._remember_fillable([form])
        return self.get_serializer(form).data

    @extend_schema(
        summary="填写年检表（保存回答）",
        description=(
            "与网页“填写年检表”相同，由 `inspections.services.form_fill` 校验并保存：运营者填写"
            "自己运营的账号，单位管理员填写本单位（含下级）账号。未给出的字段保持当前值"
            "（发起年检时按登记信息预填）；保存后整张表须完整，否则不保存任何内容，"
            "并按字段说明缺什么（`{字段: [说明]}`）。本单位已提交或年检已截止时拒绝。"
            "最近发布日期记为账号的活跃证据。"
        ),
        request=InspectionAnswersSerializer,
        responses={200: InspectionFormSerializer, **ERRORS},
        examples=[
            OpenApiExample("完整回答", request_only=True, value=ANSWER_EXAMPLE),
            OpenApiExample(
                "缺项",
                response_only=True,
                status_codes=["400"],
                value={"self_assessment": ["请填写“自评”"]},
            ),
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def answers(self, request, pk=None):
        form = self.get_object()
        given = InspectionAnswersSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with transaction.atomic():
            form = inspections.form_fill(actor=request.user, form=form, data=given.to_service(form))
        return Response(self._shown(form))

    @extend_schema(
        summary="答复整改",
        description="评定为“整改”后，运营者或单位管理员说明已做的整改，宣传部复查后重新评定。",
        request=RectifyInputSerializer,
        responses={200: InspectionFormSerializer, **ERRORS},
        examples=[
            OpenApiExample("答复", request_only=True, value={"answer": "已补齐三审三校记录"})
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def rectification(self, request, pk=None):
        form = self.get_object()
        given = RectifyInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = inspections.form_rectify_answer(
            actor=request.user, form=form, answer=given.validated_data["answer"]
        )
        return Response(self._shown(form))


class InspectionPartFilterSet(django_filters.FilterSet):
    inspection = django_filters.NumberFilter(field_name="inspection_id")
    year = django_filters.NumberFilter(field_name="inspection__year")
    state = django_filters.ChoiceFilter(choices=PartState.choices)

    class Meta:
        model = InspectionPart
        fields = ["inspection", "year", "state"]


@extend_schema_view(
    list=extend_schema(
        summary="单位年检列表",
        description="当前用户可见的单位年检（每个二级单位一份）：状态、单位意见、"
        "年检表数和未填写完整数。",
    ),
    retrieve=extend_schema(summary="单位年检详情"),
)
class InspectionPartViewSet(ReadOnlyViewSet):
    queryset_model = InspectionPart
    serializer_class = InspectionPartSerializer
    filterset_class = InspectionPartFilterSet
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def scoped_queryset(self, user) -> QuerySet:
        return (
            InspectionPart.objects.visible_to(user)
            .select_related("inspection", "unit")
            .annotate(
                n_forms=Count("forms"),
                n_unfilled=Count("forms", filter=Q(forms__state=FormState.PENDING)),
            )
            .order_by("-inspection__year", "unit__name", "pk")
        )

    @extend_schema(
        summary="提交本单位年检（单位意见）",
        description=(
            "与网页相同，由 `inspections.services.part_submit` 处理：本单位管理员（或上级、"
            "学校管理员）填写单位意见，本单位全部年检表一并提交；有未填写完整的年检表时"
            "拒绝并列出账号，不提交任何一张。"
        ),
        request=OpinionInputSerializer,
        responses={200: InspectionPartSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "单位意见",
                request_only=True,
                value={"opinion": "本单位账号运行正常，同意提交。"},
            )
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None):
        part = self.get_object()
        given = OpinionInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        inspections.part_submit(
            actor=request.user, part=part, opinion=given.validated_data["opinion"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=part.pk)).data)
