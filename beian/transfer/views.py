"""Pages and downloads of imports and exports. Thin adapters: the services decide and
write; the stash keeps an upload between its preview and its commit.

Import: upload (choose kind, unit, file) → preview (counts; per row its status, changes
and messages at their cells; a checkbox to leave out each error row) → commit → result.
Exports answer on the list's query string (same filters, same scope) with `format` and
`layout`.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.models import AuditEvent
from beian.core.permissions import get_visible_or_404
from beian.core.sheets import SheetError, match_key
from beian.core.views import require
from beian.orgs.models import Unit
from beian.registry import selectors as registry_selectors
from beian.registry.models import AccountMember, Platform
from beian.registry.platforms import spellings as platform_spellings

from . import services, spellings, stash
from .exporters import PersonalData, blank_template, export_spec
from .forms import ImportForm
from .layouts import KIND_LABELS, TEMPLATES
from .plan import ImportPlan, Status
from .reports import error_report
from .selectors import InvalidFilters, export_queryset
from .word import MAX_FORMS_PER_ZIP, docx_name, render_account_docx, render_zip

PREVIEW_PAGE_SIZE = 200
LIST_URLS = {
    "accounts": "registry:account_list",
    "groups": "registry:group_list",
    "units": "orgs:unit_list",
    "people": "orgs:person_list",
}
SHOW = {
    "all": None,
    "error": {Status.ERROR},
    "warning": None,
    "new": {Status.NEW},
    "update": {Status.UPDATE},
    "unchanged": {Status.UNCHANGED},
    "dropped": {Status.DROPPED},
}


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- import ------------------------------------------------------------------------------


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the size cap, so an oversized file
    costs neither memory nor disk (Django would otherwise spool all of it first)."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = services.max_upload_bytes()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_big = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def _too_big(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > services.max_upload_bytes() + 64 * 1024  # form fields and boundaries


@csrf_exempt  # checked below, after the upload handlers are set (Django's documented way)
@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    require(services.can_import(request.user))
    if request.method == "POST":
        if _too_big(request):  # refused before a byte of the body is read
            form = ImportForm(user=request.user)
            limit = services.max_upload_bytes() // (1024 * 1024)
            form.errors["file"] = form.error_class([_("文件过大，上限 %(mb)s MB") % {"mb": limit}])
            return _import_page(request, form, status=413)
        request.upload_handlers.insert(0, LimitedUploadHandler(request))
    return _import_start(request)


def _import_page(request, form, status: int = 200):
    return render(
        request,
        "transfer/import.html",
        {
            "form": form,
            "templates": [(key, spec.label) for key, spec in TEMPLATES.items()],
            "nav": "import",
            "title": _("导入表格"),
        },
        status=status,
    )


@csrf_protect
def _import_start(request):
    initial = {"kind": request.GET.get("kind", "accounts")}
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user,
                      initial=initial)  # fmt: skip
    if getattr(request, "upload_too_big", False):
        limit = services.max_upload_bytes() // (1024 * 1024) or 1
        form.is_valid()
        form.errors["file"] = form.error_class([_("文件过大，上限 %(mb)s MB") % {"mb": limit}])
        return _import_page(request, form, status=413)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        kind = form.cleaned_data["kind"]
        unit = form.cleaned_data["unit"]
        try:
            plan = services.import_preview(
                actor=request.user, kind=kind, file_name=upload.name, data=data, unit=unit
            )
        except SheetError as error:
            form.add_error("file", error.message_zh)
        else:
            stashed = stash.create(
                request, data=data, file_name=upload.name, kind=kind,
                unit_id=unit.pk if unit else None,
            )  # fmt: skip
            stashed.save_plan(plan)
            return redirect("transfer:import_preview", token=stashed.token)
    return _import_page(request, form)


def _upload_or_404(request, token: str) -> stash.Upload:
    require(services.can_import(request.user))
    upload = stash.get(request, token)
    if upload is None:
        raise Http404
    return upload


@login_required
@require_GET
def import_preview(request, token: str):
    upload = _upload_or_404(request, token)
    stored = upload.plan_dict()
    plan = ImportPlan.from_dict(stored)
    counts = stored["counts"]
    show = request.GET.get("show", "error" if counts["error"] else "all")
    if show not in SHOW:
        show = "all"
    rows = plan.rows
    if show == "warning":
        rows = [row for row in rows if row.warnings]
    elif SHOW[show] is not None:
        rows = [row for row in rows if row.status in SHOW[show]]
    page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    on_page = {row.number for row in page}
    tabs = [
        ("all", _("全部"), counts["total"]),
        ("error", _("错误"), counts["error"]),
        ("warning", _("警告"), counts["warning"]),
        ("new", _("新增"), counts["new"]),
        ("update", _("更新"), counts["update"]),
        ("unchanged", _("无变化"), counts["unchanged"]),
    ]
    if counts["dropped"]:
        tabs.append(("dropped", _("已跳过"), counts["dropped"]))
    unknown = spellings.unknown_spellings(plan) if counts["error"] else []
    teach = None
    if unknown:
        school = spellings.institution_unit_id(request.user, upload.meta.get("unit_id"))
        if spellings.can_teach(request.user, school):
            active = Platform.objects.filter(is_active=True).order_by("sort_order", "name")
            teach = {
                False: [p for p in active if not p.for_groups],
                True: [p for p in active if p.for_groups],
            }
    return render(
        request,
        "transfer/preview.html",
        {
            "upload": upload,
            "plan": plan,
            "counts": counts,
            "page": page,
            "show": show,
            "dropped": set(plan.dropped),
            "dropped_elsewhere": sorted(set(plan.dropped) - on_page),
            "tabs": tabs,
            "unit": Unit.objects.filter(pk=upload.meta.get("unit_id")).first(),
            "reupload": ImportForm(
                user=request.user,
                initial={"kind": upload.meta["kind"], "unit": upload.meta.get("unit_id")},
            ),
            "list_url": LIST_URLS[plan.kind],
            "unknown_spellings": [
                (u, teach[u.for_groups] if teach else None, _suggested(u, teach))
                for u in unknown[:20]
            ],
            "can_teach": teach is not None,
            "nav": "import",
            "title": _("导入预览"),
        },
    )


@login_required
@require_POST
def import_commit(request, token: str):
    upload = _upload_or_404(request, token)
    meta = upload.meta
    droppable = set(meta.get("errors", [])) | set(meta.get("drop", []))
    drop = {int(v) for v in request.POST.getlist("drop") if v.isdigit()} & droppable
    if request.POST.get("drop_all_errors"):
        drop |= droppable
    unit = Unit.objects.filter(pk=meta.get("unit_id")).first() if meta.get("unit_id") else None
    try:
        outcome = services.import_commit(
            actor=request.user,
            kind=meta["kind"],
            file_name=upload.file_name,
            data=upload.data,
            unit=unit,
            drop=drop,
            expected=upload.digests(),
        )
    except services.PlanChanged as changed:
        upload.save_plan(changed.plan)
        messages.warning(
            request,
            _("已按您的选择重新核对，共 %(n)s 行的结果与预览不同，请确认后再次提交")
            % {"n": len(changed.rows)},
        )
        return redirect("transfer:import_preview", token=upload.token)
    except services.ImportBlocked as blocked:
        upload.save_plan(blocked.plan)
        messages.error(
            request,
            _("仍有错误行，未导入任何数据。请修改文件后重新上传，或勾选“跳过此行”后再提交。"),
        )
        return redirect(f"{reverse('transfer:import_preview', args=[upload.token])}?show=error")
    except SheetError as error:
        stash.discard(request, token)
        messages.error(request, error.message_zh)
        return redirect("transfer:import_start")
    stash.discard(request, token)
    return redirect("transfer:import_done", pk=outcome.event_id)


def _suggested(unknown, teach) -> int | None:
    """The platform the resolver's "是否为…？" hint names, to preselect it."""
    if not teach or not unknown.suggestion:
        return None
    key = match_key(unknown.suggestion)
    for platform in teach[unknown.for_groups]:
        if any(match_key(name) == key for name in platform_spellings(platform)):
            return platform.pk
    return None


@login_required
@require_POST
def import_teach(request, token: str):
    """A school admin teaches the school a platform spelling from the preview ("企微" →
    企业微信群); the preview is then checked again with it."""
    upload = _upload_or_404(request, token)
    meta = upload.meta
    school_id = spellings.institution_unit_id(request.user, meta.get("unit_id"))
    require(spellings.can_teach(request.user, school_id))
    platform = Platform.objects.filter(pk=request.POST.get("platform") or None).first()
    spelling = request.POST.get("spelling", "")
    back = reverse("transfer:import_preview", args=[upload.token])
    if platform is None:
        messages.error(request, _("请选择“%(s)s”对应的平台") % {"s": spelling})
        return redirect(back)
    try:
        spellings.platform_spelling_create(
            actor=request.user,
            institution_unit=Unit.objects.get(pk=school_id),
            spelling=spelling,
            platform=platform,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(back)
    unit = Unit.objects.filter(pk=meta.get("unit_id")).first() if meta.get("unit_id") else None
    try:
        plan = services.import_preview(
            actor=request.user,
            kind=meta["kind"],
            file_name=upload.file_name,
            data=upload.data,
            unit=unit,
            drop=meta.get("drop", []),
        )
    except SheetError as error:
        messages.error(request, error.message_zh)
        return redirect(back)
    upload.save_plan(plan)
    messages.success(
        request,
        _("已记住：本校表格中的“%(s)s”即“%(p)s”。已按此重新核对。")
        % {"s": spelling.strip(), "p": platform.name},
    )
    return redirect(back)


@login_required
@require_POST
def import_cancel(request, token: str):
    _upload_or_404(request, token)
    stash.discard(request, token)
    messages.info(request, _("已取消导入，上传的文件已删除"))
    return redirect("transfer:import_start")


@login_required
@require_GET
def import_done(request, pk: int):
    event = AuditEvent.objects.filter(
        pk=pk, event=AuditEventType.IMPORT, actor_id=request.user.pk
    ).first()
    if event is None:
        raise Http404
    detail = event.detail
    return render(
        request,
        "transfer/done.html",
        {
            "event": event,
            "detail": detail,
            "kind_label": KIND_LABELS.get(detail.get("kind"), ""),
            "list_url": LIST_URLS.get(detail.get("kind"), "registry:account_list"),
            "nav": "import",
            "title": _("导入完成"),
        },
    )


@login_required
@require_GET
def import_errors(request, token: str):
    upload = _upload_or_404(request, token)
    try:
        data = error_report(upload.data, upload.file_name, upload.plan_dict())
    except SheetError as error:
        return HttpResponseBadRequest(error.message_zh, content_type="text/plain; charset=utf-8")
    stem = upload.file_name.rsplit(".", 1)[0][:60]
    return _download(data, f"错误报告-{stem}.xlsx", services.CONTENT_TYPES["xlsx"])


@login_required
@require_GET
def template_download(request, key: str):
    require(services.can_import(request.user))
    spec = TEMPLATES.get(key)
    if spec is None:
        raise Http404
    return _download(
        blank_template(spec), f"{spec.label}-空白模板.xlsx", services.CONTENT_TYPES["xlsx"]
    )


# --- export ------------------------------------------------------------------------------


def _export(request, kind: str):
    fmt = request.GET.get("format", "xlsx")
    layout = request.GET.get("layout", "")
    if fmt not in services.CONTENT_TYPES:
        return HttpResponseBadRequest(_("不支持的格式"), content_type="text/plain; charset=utf-8")
    spec = export_spec(kind, layout)
    if layout and spec.key != layout:
        return HttpResponseBadRequest(_("不支持的格式"), content_type="text/plain; charset=utf-8")
    try:
        queryset, unit_name = export_queryset(kind, request.user, request.GET.dict(), request)
    except InvalidFilters:
        return HttpResponseBadRequest(_("筛选条件无效"), content_type="text/plain; charset=utf-8")
    exported = services.export_file(
        actor=request.user,
        kind=kind,
        queryset=queryset,
        layout=spec.key,
        fmt=fmt,
        filters=request.GET.dict(),
        unit_name=unit_name,
    )
    return _download(exported.data, exported.name, exported.content_type)


@login_required
@require_GET
def export_accounts(request):
    return _export(request, "accounts")


@login_required
@require_GET
def export_groups(request):
    return _export(request, "groups")


@login_required
@require_GET
def export_units(request):
    return _export(request, "units")


@login_required
@require_GET
def export_people(request):
    return _export(request, "people")


# --- Word --------------------------------------------------------------------------------


def _audit_docx(request, *, fmt: str, records: int, layout: str, data: bytes, **extra) -> None:
    audit(
        event=AuditEventType.EXPORT,
        actor=request.user,
        request=request,
        detail={
            "kind": "account_form",
            "layout": layout,
            "format": fmt,
            "rows": records,
            "sha256": hashlib.sha256(data).hexdigest(),
            **extra,
        },
    )


@login_required
@require_GET
def account_form_docx(request, pk: int):
    account = get_visible_or_404(registry_selectors.account_for_detail(), request.user, pk=pk)
    layout = request.GET.get("layout", "")
    data = render_account_docx(
        account, layout=layout, full_personal_data=request.user.can_see_personal_data(account)
    )
    _audit_docx(request, fmt="docx", records=1, layout=layout, data=data, record=account.pk)
    return _download(
        data,
        docx_name(account),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@login_required
@require_GET
def account_forms_zip(request):
    layout = request.GET.get("layout", "")
    try:
        queryset, _unit = export_queryset("accounts", request.user, request.GET.dict(), request)
    except InvalidFilters:
        return HttpResponseBadRequest(_("筛选条件无效"), content_type="text/plain; charset=utf-8")
    total = queryset.count()
    if total > MAX_FORMS_PER_ZIP:
        return HttpResponseBadRequest(
            _("一次最多导出 %(max)s 份备案表（当前 %(n)s 个账号），请缩小筛选范围")
            % {"max": MAX_FORMS_PER_ZIP, "n": total},
            content_type="text/plain; charset=utf-8",
        )
    personal = PersonalData(request.user, AccountMember)
    accounts = queryset.select_related("platform", "owner_unit", "guiding_unit")
    data, count = render_zip(
        accounts,
        layout=layout,
        full_personal_data=lambda a: personal.full(a.owner_unit_id, a.pk),
    )
    _audit_docx(
        request, fmt="zip", records=count, layout=layout, data=data, filters=request.GET.dict()
    )
    return _download(data, "新媒体备案表.zip", "application/zip")
