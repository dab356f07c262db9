"""The write API: thin adapters over the same forms and services as the pages.

- `POST /api/filings/`: a filing (new, late, group), change report or closing request,
  checked by the page's 备案表 form and created (and submitted) by
  `filings.services.filing_create` / `change_report_create` / `closing_request_create`;
  `POST /api/filings/{id}/submit/` submits a draft or returned one.
- `POST /api/accounts/{id}/activity/`: report the last post date
  (`registry.activity.account_activity_record`).
- `POST /api/imports/` → preview (`transfer.import_preview`), `POST
  /api/imports/{id}/commit/` → all-or-nothing write (`transfer.import_commit`).
- `POST /api/campaign-tasks/{id}/confirm/`, `…/checklist/`, `…/submit/`: answer a unit's
  task (`campaigns.services`).

Records are found through the user's scope (404 outside it); the services check the
right to write again. Refusals are Chinese messages naming the field (`{field: [..]}`).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from beian.campaigns import services as campaigns
from beian.campaigns.api import TaskSerializer
from beian.campaigns.choices import TaskState
from beian.campaigns.models import TaskItem
from beian.core.sheets.errors import SheetError
from beian.filings import selectors as filing_selectors
from beian.filings import services as filings
from beian.filings.choices import FilingKind
from beian.filings.forms import FilingForm, TeamMemberForm, pledge_required_for
from beian.filings.models import Filing
from beian.orgs.models import Unit
from beian.registry import activity
from beian.registry.models import ChatGroup, MediaAccount
from beian.transfer.services import ImportBlocked, PlanChanged

from . import serializers as s
from . import services
from .models import SheetUpload
from .views import AccountViewSet, ApiViewSet, CampaignTaskViewSet

ERRORS = {
    400: OpenApiResponse(
        description="输入有误：`{字段: [中文说明]}`，或 `{detail, code}`",
        examples=[
            OpenApiExample(
                "字段错误", value={"account_name": ["这个字段是必填项。"]}, response_only=True
            )
        ],
    ),
    403: OpenApiResponse(description="没有权限：`{detail, code}`"),
    404: OpenApiResponse(description="不存在或不在您的范围内"),
}


def _form_data(data: dict) -> MultiValueDict:
    """The request's fields as the page's form reads them (lists stay lists)."""
    plain = MultiValueDict()
    for key, value in data.items():
        if key in ("team", "kind", "submit", "pledge", "account", "group"):
            continue
        if isinstance(value, list):
            plain.setlist(key, [str(v) for v in value])
        elif isinstance(value, bool):
            plain[key] = "on" if value else ""
        elif value is not None:
            plain[key] = str(value)
    return plain


def _team(rows) -> list[dict] | None:
    if rows is None:
        return None
    team, errors = [], {}
    for number, row in enumerate(rows, start=1):
        form = TeamMemberForm(data={k: v for k, v in row.items() if v is not None})
        if not form.is_valid():
            for field, messages in form.errors.items():
                errors[f"team[{number}].{field}"] = messages
            continue
        team.append({k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
    if errors:
        raise DRFValidationError(errors)
    return team


def _record(user, model, pk):
    if pk is None:
        return None
    return get_object_or_404(model.objects.visible_to(user), pk=pk)


@extend_schema_view(
    list=extend_schema(
        summary="备案申请列表",
        description="当前用户可见的备案、变更和注销申请（与“备案审批”页相同的范围）。",
    ),
    retrieve=extend_schema(summary="备案申请详情"),
)
class FilingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    queryset_model = Filing
    serializer_class = s.FilingSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    filter_backends = []

    def scoped_queryset(self, user) -> QuerySet:
        return filing_selectors.filings_visible(user).order_by("-created_at", "-pk")

    @extend_schema(
        summary="提交备案申请（新开设、补办、群聊备案、变更报备、注销/解散）",
        description=(
            "字段与网页上的备案表相同，由同一表单和服务校验：`kind=new` 须有 owner_unit、"
            "platform、account_name、responsible_name、goes_live_on；`late`/`change`/"
            "`closing` 须有 account（`closing` 也可为 group）；`change` 须有 effective_on。"
            "`submit=false` 只保存草稿。需要承诺书时 `pledge` 须为 true。"
        ),
        request=s.FilingInputSerializer,
        responses={201: s.FilingSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "新开设账号备案",
                request_only=True,
                value={
                    "kind": "new",
                    "owner_unit": 3,
                    "platform": 1,
                    "account_name": "计算机学院团委",
                    "responsible_name": "张书记",
                    "responsible_phone": "13812341234",
                    "goes_live_on": "2026-12-20",
                    "pledge": True,
                    "team": [
                        {
                            "role": "operator",
                            "name": "李同学",
                            "identity": "student",
                            "mobile": "13900001111",
                        }
                    ],
                },
            ),
            OpenApiExample(
                "变更报备",
                request_only=True,
                value={
                    "kind": "change",
                    "account": 40,
                    "account_name": "计算机学院团委（新名）",
                    "effective_on": "2026-12-01",
                    "pledge": True,
                },
            ),
        ],
    )
    def create(self, request, *args, **kwargs):
        given = s.FilingInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        user = request.user
        kind = data["kind"]
        account = _record(user, MediaAccount, data.get("account"))
        group = _record(user, ChatGroup, data.get("group"))
        form = FilingForm(
            data=_form_data(request.data if hasattr(request.data, "items") else {}),
            kind=kind,
            user=user,
            units=filing_selectors.applicable_units(user),
            pledge_required=pledge_required_for(kind),
            instance=Filing(kind=kind, applicant=user),
        )
        if "pledge" in form.fields:
            form.data = form.data.copy()
            form.data["pledge"] = "on" if data.get("pledge") else ""
        if not form.is_valid():
            raise DRFValidationError(form.errors)
        team = (
            _team(data.get("team"))
            if kind in (FilingKind.NEW, FilingKind.LATE, FilingKind.CHANGE)
            else None
        )
        fields = form.service_fields()
        pledge = bool(form.cleaned_data.get("pledge"))
        submit = data.get("submit", True)
        with transaction.atomic():
            if kind == FilingKind.CHANGE:
                if account is None:
                    raise DRFValidationError({"account": [_("请指明账号")]})
                declared = fields.pop("change_kinds", [])
                filing = filings.change_report_create(
                    actor=user,
                    account=account,
                    effective_on=fields.pop("effective_on"),
                    fields=fields,
                    team=team,
                    declared_kinds=declared,
                    pledge_accepted=pledge,
                    submit=submit,
                )
            elif kind == FilingKind.CLOSING:
                if (account is None) == (group is None):
                    raise DRFValidationError({"account": [_("请指明一个账号或一个群聊")]})
                filing = filings.closing_request_create(
                    actor=user,
                    reason=fields["reason"],
                    closing_on=fields["closing_on"],
                    account=account,
                    group=group,
                    submit=submit,
                )
            else:
                filing = filings.filing_create(
                    actor=user,
                    kind=kind,
                    fields=fields,
                    team=team,
                    pledge_accepted=pledge,
                    account=account,
                    group=group,
                    submit=submit,
                )
        return Response(s.FilingSerializer(filing).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="提交草稿或退回修改的申请",
        request=None,
        responses={200: s.FilingSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        filing = self.get_object()
        filing = filings.filing_submit(filing=filing, actor=request.user)
        return Response(s.FilingSerializer(filing).data)


class AccountWriteViewSet(AccountViewSet):
    """The accounts' read endpoints plus the report of activity."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="填报账号最近发布日期",
        description="与账号页“填报最近发布”相同：须能编辑该账号；日期不能晚于今天，"
        "也不能早于账号创建月份。",
        request=s.ActivityInputSerializer,
        responses={200: s.ActivityResultSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "填报",
                request_only=True,
                value={"on": "2026-11-30", "reference": "https://mp.weixin.qq.com/s/…"},
            )
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def activity(self, request, pk=None):
        account = self.get_object()
        given = s.ActivityInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        account = activity.account_activity_record(
            actor=request.user,
            account=account,
            on=given.validated_data["on"],
            source=s.ACTIVITY_SOURCE,
            reference=given.validated_data.get("reference", ""),
        )
        return Response(
            {
                "id": account.pk,
                "name": account.name,
                "last_post_date": account.last_post_date,
                "last_post_source": account.last_post_source,
            }
        )


def _preview(upload: SheetUpload, plan=None) -> dict:
    data = {
        "id": upload.key,
        "kind": upload.kind,
        "file": upload.file_name,
        "error_rows": upload.error_rows,
        "committed": upload.committed_at is not None,
    }
    if plan is not None:
        shown = plan.as_dict(include_unchanged=False)
        data.update(counts=shown["counts"], messages=shown["messages"], rows=shown["rows"])
    else:
        data.update(counts={}, messages=[], rows=[])
    return data


@extend_schema_view(
    retrieve=extend_schema(
        summary="导入预览的状态",
        description="上传者本人可见；两小时内可提交。",
        responses={200: s.ImportPreviewSerializer, 404: ERRORS[404]},
    ),
)
class ImportViewSet(mixins.RetrieveModelMixin, ApiViewSet):
    """Sheets sent for an import: the preview, then the commit."""

    queryset_model = SheetUpload
    serializer_class = s.ImportPreviewSerializer
    parser_classes = [MultiPartParser, FormParser]
    filter_backends = []
    lookup_field = "key"
    lookup_value_regex = "[A-Za-z0-9_-]{22}"

    def scoped_queryset(self, user) -> QuerySet:
        return SheetUpload.objects.filter(user=user).defer("data")

    def retrieve(self, request, *args, **kwargs):
        return Response(_preview(self.get_object()))

    @extend_schema(
        summary="上传表格并预览导入（不写入）",
        description=(
            "与网页“导入”相同的规则逐行检查（人员、单位、账号、群聊），返回每行的结果和"
            "预览编号 `id`；有错误的行在 `error_rows`。学校管理员可导入全部，"
            "二级单位管理员须指定本单位 `unit`。"
        ),
        request={"multipart/form-data": s.ImportInputSerializer},
        responses={201: s.ImportPreviewSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        given = s.ImportInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        unit = None
        if data.get("unit") is not None:
            unit = Unit.objects.visible_to(request.user).filter(pk=data["unit"]).first()
            if unit is None:
                raise DRFValidationError({"unit": [_("单位不存在或不在您的范围内")]})
        upload_file = data["file"]
        try:
            upload, plan = services.sheet_upload_preview(
                actor=request.user,
                kind=data["kind"],
                file_name=upload_file.name or "upload",
                data=upload_file.read(),
                unit=unit,
            )
        except SheetError as exc:
            raise DRFValidationError({"file": [exc.message_zh]}) from exc
        return Response(_preview(upload, plan), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="提交导入（全部写入或全部不写）",
        description=(
            "写入预览过的同一份表格。仍有未舍弃的错误行、或预览后数据有变化时拒绝"
            "（`code`: `import_blocked` / `plan_changed`），不写入任何数据。"
        ),
        request=s.ImportCommitSerializer,
        responses={200: s.ImportResultSerializer, **ERRORS},
        examples=[OpenApiExample("舍弃第 7 行", request_only=True, value={"drop": [7]})],
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser, MultiPartParser])
    def commit(self, request, key=None):
        upload = get_object_or_404(SheetUpload.objects.filter(user=request.user), key=key)
        given = s.ImportCommitSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            outcome = services.sheet_upload_commit(
                actor=request.user, upload=upload, drop=given.validated_data.get("drop", ())
            )
        except ImportBlocked as exc:
            return Response(
                {
                    "detail": str(exc),
                    "code": "import_blocked",
                    "error_rows": exc.plan.error_rows(),
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        except PlanChanged as exc:
            return Response(
                {"detail": str(exc), "code": "plan_changed", "rows": exc.rows},
                status=status.HTTP_409_CONFLICT,
            )
        except SheetError as exc:
            raise DRFValidationError({"file": [exc.message_zh]}) from exc
        return Response(
            {
                "written": outcome.written,
                "counts": outcome.detail.get("counts", {}),
                "audit_event": outcome.event_id,
            }
        )


class CampaignTaskWriteViewSet(CampaignTaskViewSet):
    """The unit tasks' read endpoints plus answering a task."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="确认记录无误",
        description="逐条确认（`items`，任务条目 id），或 `all_unchanged=true` 全部确认无变化；"
        "只能处理自己有权处理的记录。",
        request=s.ConfirmItemsSerializer,
        responses={200: s.CountSerializer, **ERRORS},
        examples=[OpenApiExample("全部确认", request_only=True, value={"all_unchanged": True})],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request, pk=None):
        task = self.get_object()
        given = s.ConfirmItemsSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with transaction.atomic():
            if data.get("all_unchanged"):
                count = campaigns.task_confirm_all_unchanged(actor=request.user, task=task)
            else:
                ids = data.get("items") or []
                if not ids:
                    raise DRFValidationError({"items": [_("请列出要确认的记录，或选择全部确认")]})
                items = {i.pk: i for i in TaskItem.objects.filter(task=task, pk__in=ids)}
                missing = sorted(set(ids) - set(items))
                if missing:
                    raise DRFValidationError(
                        {"items": [_("该任务中没有这些记录：%(ids)s") % {"ids": missing}]}
                    )
                for pk in ids:
                    campaigns.task_item_confirm(actor=request.user, item=items[pk])
                count = len(ids)
        return Response({"confirmed": count})

    @extend_schema(
        summary="回答检查清单",
        request=s.ChecklistInputSerializer,
        responses={200: TaskSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "回答",
                request_only=True,
                value={"answers": [{"item": 1, "answer": True, "note": ""}]},
            )
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def checklist(self, request, pk=None):
        task = self.get_object()
        given = s.ChecklistInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        answers = {a["item"]: a["answer"] for a in given.validated_data["answers"]}
        notes = {a["item"]: a.get("note", "") for a in given.validated_data["answers"]}
        campaigns.task_checklist_answer(actor=request.user, task=task, answers=answers, notes=notes)
        return Response(TaskSerializer(self.get_object()).data)

    @extend_schema(
        summary="提交本单位填报",
        description="与任务页相同：所有记录已处理（或零报告）、检查清单已答、已上传签字盖章"
        "扫描件；缺任何一项都拒绝并逐项说明。已退回的任务再次提交。",
        request=None,
        responses={200: TaskSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None):
        task = self.get_object()
        if task.state == TaskState.RETURNED:
            campaigns.task_resubmit(actor=request.user, task=task)
        else:
            campaigns.task_submit(actor=request.user, task=task)
        return Response(TaskSerializer(self.get_object()).data)


__all__ = [
    "AccountWriteViewSet",
    "CampaignTaskWriteViewSet",
    "FilingViewSet",
    "ImportViewSet",
]
