"""The school's side of a round: the board (every unit's task, filters, sorting, remind,
confirm or return in bulk), the 通报 (page, Word, Excel), the consolidated summary in each
of the campaign's layouts and what changed since the previous round (page, Excel).

Read by the school admin, the leader and the auditor (global roles); only the school admin
acts. Others answer 403 once they may see the campaign at all (404 otherwise)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.permissions import get_visible_or_404
from beian.core.views import require

from . import board, bulk, bulletin, consolidated, diff
from .board_tables import BoardFilterSet, BoardTable
from .choices import CampaignStatus
from .models import Campaign

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _campaign(request, pk: int) -> Campaign:
    """The campaign, for the roles that read the board (global roles); 404 if not visible."""
    campaign = get_visible_or_404(
        Campaign.objects.select_related("owner_unit"), request.user, pk=pk
    )
    require(request.user.sees_everything)
    if campaign.is_draft:
        raise Http404
    return campaign


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def campaign_board(request, pk: int):
    campaign = _campaign(request, pk)
    tasks = board.board_tasks(campaign, user=request.user)
    filterset = BoardFilterSet(request.GET or None, queryset=tasks, campaign=campaign)
    all_rows = board.board_rows(tasks, deadline=campaign.deadline)
    rows = all_rows
    if filterset.is_bound and filterset.is_valid():
        kept = set(filterset.qs.values_list("pk", flat=True))
        rows = [row for row in all_rows if row.pk in kept]
    table = BoardTable(rows)
    RequestConfig(request, paginate=False).configure(table)
    is_admin = request.user.is_school_admin
    return render(
        request,
        "campaigns/board/board.html",
        {
            "campaign": campaign,
            "table": table,
            "rows": table.sorted_rows(),
            "filter": filterset,
            "summary": board.board_summary(all_rows),
            "shown": len(rows),
            "slow": sum(1 for r in all_rows if r.slow),
            "is_admin": is_admin,
            "can_act": is_admin and campaign.status == CampaignStatus.OPEN,
            "is_final": board.today() >= campaign.deadline,
            "layouts": consolidated.layouts(campaign),
            "nav": "campaigns",
        },
    )


@login_required
@require_POST
def board_decide(request, pk: int):
    """Confirm or return the selected submissions, all or nothing."""
    campaign = _campaign(request, pk)
    require(request.user.is_school_admin)
    ids = [int(v) for v in request.POST.getlist("tasks") if v.isdigit()]
    tasks = campaign.tasks.filter(pk__in=ids)
    decision = request.POST.get("decision")
    comment = request.POST.get("comment", "")
    try:
        if decision == "confirm":
            n = bulk.tasks_confirm(actor=request.user, tasks=tasks, comment=comment)
            messages.success(request, _("已确认 %(n)d 个单位的填报") % {"n": n})
        elif decision == "return":
            n = bulk.tasks_return(actor=request.user, tasks=tasks, comment=comment)
            messages.success(request, _("已退回 %(n)d 个单位的填报") % {"n": n})
        else:
            messages.error(request, _("请选择“确认”或“退回”"))
            return redirect("campaigns:campaign_board", campaign.pk)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("campaigns:campaign_board", campaign.pk)
    return redirect("campaigns:campaign_board", campaign.pk)


@login_required
@require_POST
def board_remind(request, pk: int):
    """Remind the selected units, or every slow one (`all=1`)."""
    campaign = _campaign(request, pk)
    require(request.user.is_school_admin)
    if request.POST.get("all"):
        tasks = board.slow_tasks(campaign, user=request.user)
    else:
        ids = [int(v) for v in request.POST.getlist("tasks") if v.isdigit()]
        tasks = campaign.tasks.filter(pk__in=ids)
    try:
        n = bulk.tasks_remind(actor=request.user, tasks=tasks)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已提醒 %(n)d 个单位") % {"n": n})
    return redirect("campaigns:campaign_board", campaign.pk)


# --- 通报 -------------------------------------------------------------------------------------


@login_required
def campaign_bulletin(request, pk: int):
    campaign = _campaign(request, pk)
    result = bulletin.build_bulletin(campaign, user=request.user)
    return render(
        request,
        "campaigns/board/bulletin.html",
        {
            "campaign": campaign,
            "bulletin": result,
            "summary_text": bulletin.summary_text(result),
            "rule_labels": bulletin._rule_labels(),
            "nav": "campaigns",
        },
    )


@login_required
def campaign_bulletin_file(request, pk: int, fmt: str):
    campaign = _campaign(request, pk)
    result = bulletin.build_bulletin(campaign, user=request.user)
    if fmt == "docx":
        data, content_type = bulletin.bulletin_docx(result), DOCX
    elif fmt == "xlsx":
        data, content_type = bulletin.bulletin_xlsx(result), XLSX
    else:
        raise Http404
    audit(
        event=AuditEventType.EXPORT,
        actor=request.user,
        obj=campaign,
        detail={"export": f"bulletin.{fmt}", "lines": len(result.lines)},
    )
    return _download(data, f"{result.title}.{fmt}", content_type)


# --- consolidated summary ------------------------------------------------------------------


@login_required
def campaign_summary(request, pk: int, code: str):
    campaign = _campaign(request, pk)
    if code not in campaign.sheets:
        raise Http404
    include = request.GET.get("submitted") == "1"
    data, rows, digest = consolidated.consolidated_sheet(
        campaign, code, user=request.user, include_submitted=include
    )
    audit(
        event=AuditEventType.EXPORT,
        actor=request.user,
        obj=campaign,
        detail={"export": f"summary:{code}", "rows": rows, "sha256": digest},
    )
    return _download(data, consolidated.file_name(campaign, code), XLSX)


# --- changes since the previous round ---------------------------------------------------


@login_required
def campaign_diff(request, pk: int):
    campaign = _campaign(request, pk)
    result = diff.round_diff(campaign, user=request.user)
    return render(
        request,
        "campaigns/board/diff.html",
        {"campaign": campaign, "diff": result, "totals": result.totals, "nav": "campaigns"},
    )


@login_required
def campaign_diff_file(request, pk: int):
    campaign = _campaign(request, pk)
    result = diff.round_diff(campaign, user=request.user)
    audit(
        event=AuditEventType.EXPORT,
        actor=request.user,
        obj=campaign,
        detail={"export": "diff.xlsx", "units": len(result.units)},
    )
    return _download(diff.diff_xlsx(result), f"{campaign.title}-与上一轮相比的变化.xlsx", XLSX)
