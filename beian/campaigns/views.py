"""Pages of the campaigns: the school's campaign list, form, detail; a unit's tasks and the
task page where records are confirmed, corrected, closed or added. Thin adapters: reads
through `selectors`, writes through `services`, single objects through
`get_visible_or_404` (404 for "absent" and "not yours" alike)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beian.core.files import serve_file
from beian.core.permissions import get_visible_or_404
from beian.core.views import require
from beian.orgs.models import Unit

from . import selectors, services
from . import sheets as sheet_layouts
from .choices import CampaignStatus, ItemAction, SheetCode, TaskState
from .forms import (
    AttachmentForm,
    CampaignForm,
    ClosingForm,
    ReturnForm,
    ScanForm,
    checklist_text,
)
from .models import Campaign, CampaignAttachment, CampaignTask, TaskItem, TaskSheet

PAGE_SIZE = 100


def _campaign(request, pk: int) -> Campaign:
    return get_visible_or_404(Campaign, request.user, pk=pk)


def _task(request, pk: int) -> CampaignTask:
    qs = CampaignTask.objects.select_related("campaign", "unit")
    return get_visible_or_404(qs, request.user, pk=pk)


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _school_root(user) -> Unit:
    root = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        raise Http404
    return root


# --- the school's pages --------------------------------------------------------------------


@login_required
def campaign_list(request):
    campaigns = list(selectors.campaign_list(user=request.user))
    tasks = {}
    if not request.user.sees_everything:
        for task in selectors.task_list(user=request.user):
            tasks.setdefault(task.campaign_id, []).append(task)
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": campaigns,
            "tasks_by_campaign": tasks,
            "can_create": request.user.is_school_admin,
            "nav": "campaigns",
        },
    )


@login_required
def campaign_create(request):
    require(request.user.is_school_admin)
    owner = _school_root(request.user)
    form = CampaignForm(request.POST or None, owner_unit=owner)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                actor=request.user,
                owner_unit=owner,
                data=form.campaign_data(),
                units=list(form.cleaned_data["units"]) or None,
                platforms=list(form.cleaned_data["platforms"]),
                checklist=form.checklist_entries(),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已保存草稿，检查无误后点击“下发”"))
            return redirect("campaigns:campaign_detail", campaign.pk)
    return render(
        request,
        "campaigns/campaign_form.html",
        {"form": form, "title": _("新建填报任务"), "nav": "campaigns"},
    )


@login_required
def campaign_edit(request, pk: int):
    campaign = _campaign(request, pk)
    require(request.user.is_school_admin and campaign.status != CampaignStatus.CLOSED)
    initial = {
        "kind": campaign.kind,
        "title": campaign.title,
        "notice": campaign.notice,
        "scope": campaign.scope,
        "platforms": list(campaign.platforms.all()),
        "units": list(campaign.units.all()),
        "opens_on": campaign.opens_on,
        "deadline": campaign.deadline,
        "sheets": campaign.sheets,
        "group_min_members": campaign.group_min_members,
        "checklist": checklist_text(campaign),
    }
    form = CampaignForm(request.POST or None, initial=initial, owner_unit=campaign.owner_unit)
    if not campaign.is_draft:
        for name, field in form.fields.items():
            if name not in services.OPEN_CAMPAIGN_FIELDS:
                field.disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.campaign_data()
        extra = {}
        if campaign.is_draft:
            extra = {
                "units": list(form.cleaned_data["units"]) or None,
                "platforms": list(form.cleaned_data["platforms"]),
                "checklist": form.checklist_entries(),
            }
        else:
            data = {k: data[k] for k in services.OPEN_CAMPAIGN_FIELDS}
        try:
            services.campaign_update(actor=request.user, campaign=campaign, data=data, **extra)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("campaigns:campaign_detail", campaign.pk)
    return render(
        request,
        "campaigns/campaign_form.html",
        {"form": form, "campaign": campaign, "title": _("修改填报任务"), "nav": "campaigns"},
    )


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    progress = selectors.campaign_progress(campaign, user=request.user)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": progress,
            "summary": selectors.state_summary(campaign),
            "attachments": list(campaign.attachments.all()),
            "checklist": list(campaign.checklist.all()),
            "sheet_labels": [SheetCode(code).label for code in campaign.sheets],
            "units": services.scope_units(campaign) if campaign.is_draft else [],
            "threshold": services.group_threshold(campaign),
            "is_admin": request.user.is_school_admin,
            "attachment_form": AttachmentForm(),
            "nav": "campaigns",
        },
    )


def _campaign_action(request, pk: int, action, success: str):
    campaign = _campaign(request, pk)
    require(request.user.is_school_admin)
    try:
        result = action(campaign)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("campaigns:campaign_detail", campaign.pk)
    messages.success(request, success)
    return redirect("campaigns:campaign_detail", getattr(result, "pk", campaign.pk))


@login_required
@require_POST
def campaign_open(request, pk: int):
    return _campaign_action(
        request,
        pk,
        lambda c: services.campaign_open(actor=request.user, campaign=c),
        _("已下发，各单位的填报任务已生成"),
    )


@login_required
@require_POST
def campaign_close(request, pk: int):
    return _campaign_action(
        request,
        pk,
        lambda c: services.campaign_close(actor=request.user, campaign=c),
        _("已结束该填报任务"),
    )


@login_required
@require_POST
def campaign_copy(request, pk: int):
    return _campaign_action(
        request,
        pk,
        lambda c: services.campaign_copy(actor=request.user, source=c),
        _("已复制为新的草稿，请修改标题和日期"),
    )


@login_required
@require_POST
def campaign_attach(request, pk: int):
    campaign = _campaign(request, pk)
    require(request.user.is_school_admin)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件"))
        return redirect("campaigns:campaign_detail", campaign.pk)
    try:
        services.campaign_attach(actor=request.user, campaign=campaign, upload=form.files["file"])
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("附件已上传"))
    return redirect("campaigns:campaign_detail", campaign.pk)


@login_required
def campaign_attachment(request, pk: int, attachment_pk: int):
    campaign = _campaign(request, pk)
    item = get_object_or_404(CampaignAttachment, pk=attachment_pk, campaign=campaign)
    return _file(item.file, item.content_type, item.original_name or f"附件-{item.pk}")


# --- a unit's pages ------------------------------------------------------------------------


@login_required
def task_list(request):
    tasks = list(selectors.task_list(user=request.user)[:500])
    counts = selectors.task_counts(tasks)
    rows = [{"task": t, "counts": counts[t.pk]} for t in tasks]
    return render(request, "campaigns/task_list.html", {"rows": rows, "nav": "campaigns"})


@login_required
def task_detail(request, pk: int):
    task = _task(request, pk)
    return render(request, "campaigns/task_detail.html", _task_context(request, task))


def _task_context(request, task: CampaignTask, params=None) -> dict:
    """Everything the task page shows; `params` are its query (filter, page), by default the
    request's own."""
    params = request.GET if params is None else params
    action = params.get("action") or ""
    if action not in ItemAction.values:
        action = ""
    items = selectors.task_items(task, user=request.user, action=action or None)
    page = Paginator(items, PAGE_SIZE).get_page(params.get("page"))
    perms = selectors.task_permissions(request.user, task)
    actable = selectors.actable_item_ids(task, user=request.user) if perms["editable"] else set()
    counts = selectors.task_counts([task])[task.pk]
    checklist = list(task.campaign.checklist.all())
    answers = task.checklist_answers or {}
    return {
        "task": task,
        "campaign": task.campaign,
        "page": page,
        "action": action,
        "actions": ItemAction.choices,
        "counts": counts,
        "perms": perms,
        "actable": actable,
        "checklist": [(item, answers.get(str(item.pk))) for item in checklist],
        "gaps": services.submission_gaps(task) if perms["can_submit"] else [],
        "sheets": [(code, SheetCode(code).label) for code in task.campaign.sheets],
        "submitted_sheets": list(task.sheets.filter(submission=task.submission_count)),
        "events": list(task.events.select_related("actor").order_by("-at", "-pk")[:20]),
        "scan_form": ScanForm(),
        "return_form": ReturnForm(),
        "nav": "campaigns",
    }


def _item(request, pk: int, item_pk: int) -> tuple[CampaignTask, TaskItem]:
    task = _task(request, pk)
    item = get_object_or_404(
        TaskItem.objects.select_related("account__platform", "group__platform"),
        pk=item_pk,
        task=task,
    )
    return task, item


def _item_response(request, task, item_pk: int):
    """The updated row for htmx, with the page's counts, filter chips, state and submit box
    out of band (the filter and page come from the page's address); else back to the page."""
    if request.htmx:
        task = _task(request, task.pk)
        params = QueryDict(urlsplit(request.htmx.current_url or "").query)
        context = _task_context(request, task, params)
        context["item"] = TaskItem.objects.select_related(
            "account__platform", "account__owner_unit", "group__platform", "group__owner_unit"
        ).get(pk=item_pk)
        return render(request, "campaigns/_item_response.html", context)
    return redirect(reverse("campaigns:task_detail", args=[task.pk]) + f"#item-{item_pk}")


def _item_action(request, pk: int, item_pk: int, action, success: str):
    task, item = _item(request, pk, item_pk)
    try:
        action(item)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        if request.htmx:
            return HttpResponse(
                "；".join(exc.messages), status=400, content_type="text/plain; charset=utf-8"
            )
        _errors(request, exc)
    else:
        if not request.htmx:
            messages.success(request, success)
    return _item_response(request, task, item.pk)


@login_required
@require_POST
def item_confirm(request, pk: int, item_pk: int):
    return _item_action(
        request,
        pk,
        item_pk,
        lambda item: services.task_item_confirm(
            actor=request.user, item=item, note=request.POST.get("note", "")
        ),
        _("已确认"),
    )


@login_required
@require_POST
def item_correct(request, pk: int, item_pk: int):
    return _item_action(
        request,
        pk,
        item_pk,
        lambda item: services.task_item_correct(
            actor=request.user, item=item, note=request.POST.get("note", "")
        ),
        _("已标记为已修改"),
    )


@login_required
def item_close(request, pk: int, item_pk: int):
    task, item = _item(request, pk, item_pk)
    require(TaskItem.objects.actable_by(request.user).filter(pk=item.pk).exists())
    form = ClosingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_item_mark_closing(
                actor=request.user,
                item=item,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
                proof=form.cleaned_data["proof"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已申请注销/解散"))
            return redirect(reverse("campaigns:task_detail", args=[task.pk]) + f"#item-{item.pk}")
    return render(
        request,
        "campaigns/item_close.html",
        {"task": task, "item": item, "form": form, "nav": "campaigns"},
    )


def _task_action(request, pk: int, action, success: str):
    task = _task(request, pk)
    try:
        action(task)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, success)
    return redirect("campaigns:task_detail", task.pk)


@login_required
@require_POST
def task_confirm_all(request, pk: int):
    def act(task):
        count = services.task_confirm_all_unchanged(actor=request.user, task=task)
        messages.info(request, _("%(count)d 条记录已确认无变化") % {"count": count})

    return _task_action(request, pk, act, _("已全部确认"))


@login_required
@require_POST
def task_checklist(request, pk: int):
    task = _task(request, pk)
    answers, notes = {}, {}
    for item in task.campaign.checklist.all():
        value = request.POST.get(f"item-{item.pk}", "")
        answers[item.pk] = {"yes": True, "no": False}.get(value)
        notes[item.pk] = request.POST.get(f"note-{item.pk}", "")
    return _task_action(
        request,
        pk,
        lambda t: services.task_checklist_answer(
            actor=request.user, task=t, answers=answers, notes=notes
        ),
        _("检查项已保存"),
    )


@login_required
@require_POST
def task_zero(request, pk: int):
    zero = request.POST.get("zero", "1") == "1"
    return _task_action(
        request,
        pk,
        lambda t: services.task_zero_report(actor=request.user, task=t, zero=zero),
        _("已标记为零报告") if zero else _("已撤销零报告"),
    )


@login_required
@require_POST
def task_scan(request, pk: int):
    task = _task(request, pk)
    require(CampaignTask.objects.answerable_by(request.user).filter(pk=task.pk).exists())
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择签字盖章的扫描件"))
        return redirect("campaigns:task_detail", task.pk)
    return _task_action(
        request,
        pk,
        lambda t: services.task_scan_upload(actor=request.user, task=t, upload=form.files["file"]),
        _("扫描件已上传"),
    )


@login_required
def task_scan_file(request, pk: int):
    task = _task(request, pk)
    if not task.scan:
        raise Http404
    extension = task.scan.name.rsplit(".", 1)[-1]
    content_type = {"pdf": "application/pdf", "png": "image/png"}.get(extension, "image/jpeg")
    return _file(task.scan, content_type, f"{task.unit.name}-签字盖章扫描件.{extension}")


@login_required
def task_sheet(request, pk: int, code: str):
    """One summary sheet of the task: the one kept with the last submission, or (before
    submitting) generated now from the unit's records, to print, sign and stamp."""
    task = _task(request, pk)
    if code not in task.campaign.sheets:
        raise Http404
    name = sheet_layouts.file_name(code, task.unit.name)
    kept = TaskSheet.objects.filter(task=task, code=code, submission=task.submission_count)
    kept = kept.first() if task.submission_count else None
    if kept is not None and task.state in (TaskState.SUBMITTED, TaskState.CONFIRMED):
        return _file(kept.file, XLSX, name)
    accounts, groups = services.task_records(task)
    data, _rows, _digest = sheet_layouts.render_sheet(
        code, accounts=accounts, groups=groups, user=request.user, unit_name=task.unit.name
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = _disposition(name)
    return response


@login_required
@require_POST
def task_submit(request, pk: int):
    def act(task):
        if task.state == TaskState.RETURNED:
            return services.task_resubmit(actor=request.user, task=task)
        return services.task_submit(actor=request.user, task=task)

    return _task_action(request, pk, act, _("已提交，等待宣传部确认"))


@login_required
@require_POST
def task_return(request, pk: int):
    task = _task(request, pk)
    require(request.user.is_school_admin)
    return _task_action(
        request,
        task.pk,
        lambda t: services.task_return(
            actor=request.user, task=t, comment=request.POST.get("comment", "")
        ),
        _("已退回"),
    )


@login_required
@require_POST
def task_confirm(request, pk: int):
    task = _task(request, pk)
    require(request.user.is_school_admin)
    return _task_action(
        request,
        task.pk,
        lambda t: services.task_confirm(actor=request.user, task=t),
        _("已确认该单位的填报"),
    )


# --- files ---------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _disposition(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(name)}"


def _file(field, content_type: str, name: str):
    return serve_file(field, content_type=content_type, filename=name)
