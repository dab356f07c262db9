"""Compliance pages: the school's overview (findings by severity, rule and unit), the
findings list and its Excel export, a finding's page with waiving (school admins), a unit's
to-do list, the rules, "scan now", the name guard page and the operator's report of the
last post date. Views are thin: reads through `selectors`, writes through `services`;
404 for what the user cannot see, 403 for what they can see but not change."""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.forms import StyledFormMixin
from beian.core.permissions import get_visible_or_404
from beian.core.policy import get_policy
from beian.core.sheets.errors import SheetError
from beian.core.sheets.reader import stream_upload
from beian.core.sheets.writer import write_xlsx
from beian.core.views import ScopedListView, require
from beian.orgs.models import Institution, Unit
from beian.registry.choices import AccountStatus, FilingState
from beian.registry.models import MediaAccount
from beian.registry.selectors import can_edit_record

from . import activity, selectors, services
from .filters import FindingFilterSet
from .models import Finding
from .nameguard import NameClass, NameGuard, SchoolNames
from .rules import RULES
from .tables import FindingTable

# --- overview, list, export --------------------------------------------------------------


@login_required
def overview(request):
    """The school's (or the unit's) view: open findings by severity, by rule and by unit."""
    return render(
        request,
        "compliance/overview.html",
        {
            "summary": selectors.summary(user=request.user),
            "last_scan": selectors.last_scan(),
            "can_scan": request.user.is_school_admin,
            "nav": "compliance",
        },
    )


class FindingListView(ScopedListView):
    model = Finding
    filterset_class = FindingFilterSet
    table_class = FindingTable
    title = gettext_lazy("检查发现")
    nav = "compliance"
    template_name = "compliance/finding_list.html"

    def scoped_queryset(self):
        return selectors.finding_list(user=self.request.user)


#: Columns of the export: (header, width, value of a finding).
EXPORT_COLUMNS = (
    (gettext_lazy("严重程度"), 10, lambda f: f.get_severity_display()),
    (gettext_lazy("规则"), 22, lambda f: f.rule_title),
    (gettext_lazy("对象类型"), 12, lambda f: f.target_kind.label),
    (gettext_lazy("账号/群名称"), 28, lambda f: f.target.name),
    (gettext_lazy("平台"), 12, lambda f: f.target.platform.name),
    (
        gettext_lazy("账号或群号"),
        20,
        lambda f: f.account.external_id if f.account_id else f.group.group_number,
    ),
    (gettext_lazy("责任单位"), 20, lambda f: f.owner_unit.name),
    (gettext_lazy("说明"), 60, lambda f: f.message),
    (gettext_lazy("状态"), 10, lambda f: f.get_state_display()),
    (gettext_lazy("首次发现"), 18, lambda f: timezone.localtime(f.first_seen)),
    (gettext_lazy("最近发现"), 18, lambda f: timezone.localtime(f.last_seen)),
    (gettext_lazy("豁免人"), 12, lambda f: str(f.waived_by) if f.waived_by_id else ""),
    (gettext_lazy("豁免理由"), 30, lambda f: f.waived_reason),
)


@login_required
def finding_export(request):
    """The filtered list as .xlsx (every page, same scope and filters; no cell can run as a
    formula); audited with the filter and the row count."""
    filterset = FindingFilterSet(
        request.GET, queryset=selectors.finding_list(user=request.user), request=request
    )
    if not filterset.is_valid():
        messages.error(request, _("筛选条件有误，请修改后再导出"))
        return redirect("compliance:finding_list")
    exported = 0

    def rows():
        nonlocal exported
        for finding in filterset.qs.iterator(chunk_size=2000):
            exported += 1
            yield [value(finding) for _header, _width, value in EXPORT_COLUMNS]

    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        title_rows=[
            _("检查发现（导出于 %(at)s）") % {"at": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
        ],
        header=[str(header) for header, _width, _value in EXPORT_COLUMNS],
        rows=rows(),
        column_widths=[width for _header, width, _value in EXPORT_COLUMNS],
        sheet_name=_("检查发现"),
        submitter_line=None,
    )
    audit(
        event=AuditEventType.EXPORT,
        actor=request.user,
        request=request,
        detail={
            "what": "compliance_findings",
            "filter": {k: v for k, v in request.GET.items() if v},
            "rows": exported,
        },
    )
    buffer.seek(0)
    name = f"检查发现-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(buffer, as_attachment=True, filename=name)


# --- a finding, waiving ----------------------------------------------------------------------


class WaiveForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("豁免理由"),
        max_length=services.WAIVE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("说明为何接受现状；记录的相关信息变化后豁免自动失效"),
    )


#: Rules whose finding is answered by a late filing (补办备案) of the account.
LATE_FILING_RULES = frozenset({"live_before_approval"})


def _remedy(request, finding: Finding) -> tuple[str, str] | None:
    """The button that does what the finding asks, as (label, url): a late filing (补办)
    for an account running unfiled, or the request already under way. Linked by URL name,
    so compliance does not import the filings app."""
    account = finding.account
    if finding.rule not in LATE_FILING_RULES or account is None or not finding.is_open:
        return None
    if account.is_closed or account.filing_state == FilingState.FILED:
        return None
    under_way = account.filings.filter(status__in=("draft", "pending", "returned")).first()
    if under_way is not None:
        return _("查看进行中的申请"), reverse("filings:detail", args=[under_way.pk])
    if not can_edit_record(request.user, account):
        return None
    return _("补办备案"), reverse("filings:create_late", args=[account.pk])


def _finding_page(request, finding: Finding, waive_form=None, status=200):
    rule = RULES.get(finding.rule)
    return render(
        request,
        "compliance/finding_detail.html",
        {
            "finding": finding,
            "remedy": _remedy(request, finding),
            "rule": rule,
            "parameters": rule.settings_shown(get_policy()) if rule else [],
            "can_waive": request.user.is_school_admin,
            "waive_form": waive_form or WaiveForm(),
            "nav": "compliance",
        },
        status=status,
    )


@login_required
def finding_detail(request, pk: int):
    finding = get_visible_or_404(selectors.finding_for_detail(), request.user, pk=pk)
    return _finding_page(request, finding)


@login_required
@require_POST
def finding_waive(request, pk: int):
    finding = get_visible_or_404(selectors.finding_for_detail(), request.user, pk=pk)
    require(request.user.is_school_admin)
    form = WaiveForm(request.POST)
    if form.is_valid():
        try:
            services.finding_waive(
                finding=finding, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已豁免该检查发现"))
            return redirect("compliance:finding_detail", pk=finding.pk)
    finding.refresh_from_db()
    return _finding_page(request, finding, waive_form=form, status=400)


@login_required
@require_POST
def finding_unwaive(request, pk: int):
    finding = get_visible_or_404(selectors.finding_for_detail(), request.user, pk=pk)
    require(request.user.is_school_admin)
    try:
        services.finding_unwaive(finding=finding, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤销豁免"))
    return redirect("compliance:finding_detail", pk=finding.pk)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@login_required
@require_POST
def scan_now(request):
    require(request.user.is_school_admin)
    services.scan_request(actor=request.user)
    messages.success(request, _("已开始全面检查，完成后刷新本页查看结果"))
    return redirect("compliance:overview")


# --- a unit's to-do list, the rules ----------------------------------------------------------


@login_required
def todo(request):
    """Open findings of the user's units (or of one chosen unit and its subtree), grouped by
    record, with what each rule asks for and a link to the record."""
    units = Unit.objects.visible_to(request.user).order_by("name")
    unit = None
    unit_ids = None
    if request.GET.get("unit"):
        try:
            unit = units.get(pk=int(request.GET["unit"]))
        except (ValueError, Unit.DoesNotExist) as exc:
            raise Http404 from exc
        unit_ids = Unit.objects.subtree_ids([unit.pk])
    page, items = selectors.todo(
        user=request.user, unit_ids=unit_ids, page=request.GET.get("page") or 1
    )
    user = request.user
    return render(
        request,
        "compliance/todo.html",
        {
            "page": page,
            "items": items,
            "units": units,
            "unit": unit,
            "may_report": user.is_school_admin
            or bool(user.admin_unit_ids)
            or user.has_role("operator"),
            "nav": "compliance",
        },
    )


@login_required
def rule_list(request):
    policy = get_policy()
    rules = [
        {"rule": rule, "enabled": rule.enabled(policy), "parameters": rule.settings_shown(policy)}
        for rule in RULES.values()
    ]
    return render(
        request,
        "compliance/rules.html",
        {"rules": rules, "policy_source": policy.source, "nav": "compliance"},
    )


# --- name guard -----------------------------------------------------------------------------

MAX_NAMES = 2000


class NameCheckForm(StyledFormMixin, forms.Form):
    names = forms.CharField(
        label=gettext_lazy("账号名称（每行一个）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    file = forms.FileField(
        label=gettext_lazy("或上传名单"),
        required=False,
        help_text=gettext_lazy("文本（.txt）、CSV 或 Excel 文件，每行第一列为一个名称"),
    )

    def clean(self):
        data = super().clean()
        seen: dict[str, None] = {}

        def add(name: str) -> None:
            name = " ".join(name.split())
            if name:
                seen.setdefault(name[:128], None)
            if len(seen) > MAX_NAMES:
                raise forms.ValidationError(
                    _("一次最多检查 %(max)s 个名称，请拆分名单后分批检查") % {"max": MAX_NAMES}
                )

        for name in (data.get("names") or "").splitlines():
            add(name)
        upload = data.get("file")
        if upload is not None:
            if upload.size > settings.BEIAN_UPLOAD_MAX_BYTES:
                raise forms.ValidationError(
                    _("文件超过 %(mb)s MB")
                    % {"mb": settings.BEIAN_UPLOAD_MAX_BYTES // 1024 // 1024}
                )
            # Parsed in the isolated parser (CSV too) and read row by row: reading stops
            # at the first name past the limit, and read rows are released.
            try:
                _fmt, sheets, close = stream_upload(
                    upload.name, upload.read(), max_bytes=settings.BEIAN_UPLOAD_MAX_BYTES
                )
                try:
                    rows = sheets[0].rows
                    for index in range(len(rows)):
                        row = rows[index]
                        rows[index] = None
                        add(next((str(cell) for cell in row if str(cell).strip()), ""))
                finally:
                    close()
            except SheetError as exc:
                raise forms.ValidationError(exc.message_zh) from exc
        if not seen:
            raise forms.ValidationError(_("请粘贴账号名称或上传名单"))
        data["name_list"] = list(seen)
        return data


CLASS_COLOUR = {
    NameClass.OFFICIAL: "green",
    NameClass.USES_NAME: "orange",
    NameClass.IMITATES: "red",
    NameClass.UNRELATED: "secondary",
}


def _can_check_names(user) -> bool:
    return user.is_superuser or bool(user.role_set)


@login_required
@require_http_methods(["GET", "POST"])
def name_check(request):
    """Paste names (or upload a list) found on the platforms and see how each relates to
    the school's names and the registered accounts' names."""
    require(_can_check_names(request.user))
    institution = Institution.objects.first()
    results = []
    form = NameCheckForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if institution is None:
            messages.error(request, _("尚未设置学校名称，无法检查"))
        else:
            registered = (
                MediaAccount.objects.filter(filing_state=FilingState.FILED)
                .exclude(status=AccountStatus.CLOSED)
                .values_list("name", flat=True)
            )
            guard = NameGuard(SchoolNames.from_institution(institution), registered)
            results = [
                {"verdict": verdict, "colour": CLASS_COLOUR[verdict.name_class]}
                for verdict in guard.check_all(form.cleaned_data["name_list"])
            ]
    return render(
        request,
        "compliance/name_check.html",
        {
            "form": form,
            "results": results,
            "counts": _class_counts(results),
            "institution": institution,
            "nav": "compliance",
        },
    )


def _class_counts(results) -> list[tuple[str, str, int]]:
    counts = dict.fromkeys(NameClass, 0)
    for result in results:
        counts[result["verdict"].name_class] += 1
    return [(c.label, CLASS_COLOUR[c], counts[c]) for c in NameClass] if results else []


# --- activity --------------------------------------------------------------------------------


class ActivityForm(StyledFormMixin, forms.Form):
    on = forms.DateField(
        label=gettext_lazy("最近发布日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_report(request, pk: int):
    """An operator (or an admin) reports the date of the account's latest post."""
    account = get_visible_or_404(
        MediaAccount.objects.select_related("platform", "owner_unit"), request.user, pk=pk
    )
    require(can_edit_record(request.user, account) and not account.is_closed)
    form = ActivityForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            activity.activity_report(
                actor=request.user, account=account, on=form.cleaned_data["on"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已更新最近发布日期"))
            return redirect("registry:account_detail", pk=account.pk)
    return render(
        request,
        "compliance/activity_form.html",
        {"form": form, "account": account, "nav": "accounts"},
    )


# --- the section on a record's detail page ---------------------------------------------------


def record_findings_panel(request, record) -> str:
    """The compliance section of an account's or group's detail page (registered with
    `beian.registry.panels.register_panel`): its open and waived findings, and for an
    account the link to report its last post to those who may edit it."""
    is_account = isinstance(record, MediaAccount)
    may_report = is_account and not record.is_closed and can_edit_record(request.user, record)
    return render_to_string(
        "compliance/_record_findings.html",
        {
            "findings": list(selectors.record_findings(record).select_related("owner_unit")),
            "activity_url": reverse("compliance:activity_report", args=[record.pk])
            if may_report
            else "",
        },
        request=request,
    )
