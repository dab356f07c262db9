"""Pages of the approval workflow. Thin adapters: they read through `selectors`, write
through `services`, and fetch single requests with `get_visible_or_404` (404 for both
"absent" and "not yours"). A forged POST meets the same checks in the services."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beian.core.files import serve_file
from beian.core.permissions import get_visible_or_404
from beian.core.policy import get_policy
from beian.core.views import require
from beian.registry.models import ChatGroup, MediaAccount

from . import chains, selectors, services
from .choices import AttachmentKind, DocxLayout, FilingKind, FilingStatus
from .docx import default_layout, render_filing_docx
from .forms import (
    AttachmentForm,
    DecisionForm,
    FilingForm,
    TakeOverForm,
    TeamFormSet,
    pledge_required_for,
    team_initial,
)
from .models import Filing, FilingAttachment
from .pledge import PLEDGE_TEXT, PLEDGE_TITLE

PAGE_SIZE = 30

# --- lists ---------------------------------------------------------------------------


def _list(request, *, queryset, title: str, tab: str):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "title": title,
        "tab": tab,
        "page": page,
        "filings": page.object_list,
        "counts": selectors.pending_counts(request.user),
        "can_apply": selectors.can_apply(request.user),
        "nav": "filings",
    }
    return render(request, "filings/list.html", context)


@login_required
def mine(request):
    return _list(
        request,
        queryset=selectors.filings_of(request.user).order_by("-created_at", "-pk"),
        title=_("我的申请"),
        tab="mine",
    )


@login_required
def waiting(request):
    return _list(
        request,
        queryset=selectors.filings_waiting_for(request.user),
        title=_("待我审批"),
        tab="waiting",
    )


@login_required
def filing_list(request):
    queryset = selectors.filings_visible(request.user).order_by("-created_at", "-pk")
    status = request.GET.get("status", "")
    if status in FilingStatus.values:
        queryset = queryset.filter(status=status)
    kind = request.GET.get("kind", "")
    if kind in FilingKind.values:
        queryset = queryset.filter(kind=kind)
    return _list(request, queryset=queryset, title=_("全部申请"), tab="all")


# --- opening a request ---------------------------------------------------------------


def _form_page(request, *, kind, title, initial, record=None, team_rows=None, units=None):
    """GET shows the form; POST validates form, team and pledge and calls the service."""
    user = request.user
    pledge_required = pledge_required_for(kind)
    with_team = kind in (FilingKind.NEW, FilingKind.LATE, FilingKind.CHANGE)
    if request.method == "POST":
        form = FilingForm(
            request.POST,
            request.FILES,
            kind=kind,
            user=user,
            units=units,
            pledge_required=pledge_required,
            instance=Filing(kind=kind, applicant=user),
        )
        formset = TeamFormSet(request.POST, prefix="team") if with_team else None
        if form.is_valid() and (formset is None or formset.is_valid()):
            submit = "save_draft" not in request.POST
            try:
                with transaction.atomic():
                    filing = _create(kind, form, formset, record, user, submit)
            except ValidationError as exc:
                _errors_to_form(exc, form, formset)
            except PermissionDenied as exc:
                _refused_to_form(exc, form)
            else:
                if filing.status == FilingStatus.DRAFT:
                    messages.success(request, _("已保存草稿"))
                elif filing.status == FilingStatus.APPROVED:
                    messages.success(request, _("已报备，变更已生效"))
                else:
                    messages.success(request, _("已提交，等待审批"))
                return redirect("filings:detail", filing.pk)
    else:
        form = FilingForm(
            initial=initial, kind=kind, user=user, units=units, pledge_required=pledge_required
        )
        formset = (
            TeamFormSet(prefix="team", initial=team_initial(team_rows or [])) if with_team else None
        )
    return render(
        request,
        "filings/form.html",
        {
            "title": title,
            "kind": kind,
            "form": form,
            "formset": formset,
            "record": record,
            "pledge_title": PLEDGE_TITLE,
            "pledge_text": PLEDGE_TEXT,
            "nav": "filings",
            "can_draft": True,
        },
    )


def _create(kind, form, formset, record, user, submit):
    fields = form.service_fields()
    team = formset.rows() if formset is not None else None
    attachments = []
    if form.cleaned_data.get("attachment"):
        attachments.append((AttachmentKind.APPLICATION, form.cleaned_data["attachment"]))
    pledge = bool(form.cleaned_data.get("pledge"))
    if kind == FilingKind.CHANGE:
        declared = fields.pop("change_kinds", [])
        effective_on = fields.pop("effective_on")
        return services.change_report_create(
            actor=user,
            account=record,
            effective_on=effective_on,
            fields=fields,
            team=team,
            declared_kinds=declared,
            pledge_accepted=pledge,
            submit=submit,
        )
    if kind == FilingKind.CLOSING:
        return services.closing_request_create(
            actor=user,
            reason=fields["reason"],
            closing_on=fields["closing_on"],
            account=record if isinstance(record, MediaAccount) else None,
            group=record if isinstance(record, ChatGroup) else None,
            submit=submit,
        )
    return services.filing_create(
        actor=user,
        kind=kind,
        fields=fields,
        team=team,
        pledge_accepted=pledge,
        account=record if isinstance(record, MediaAccount) else None,
        group=record if isinstance(record, ChatGroup) else None,
        attachments=attachments,
        submit=submit,
    )


def _refused_to_form(exc: PermissionDenied, form) -> None:
    """A submission the services refuse (e.g. a unit the user may not file for) keeps
    what was typed and says why, in Chinese, rather than answering a bare 403."""
    message = str(exc) if exc.args else _("您无权提交该申请")
    field = "owner_unit" if "owner_unit" in form.fields and "单位" in message else None
    form.add_error(field, message)


def _errors_to_form(exc: ValidationError, form, formset) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
        elif field == "team" and formset is not None:
            formset._non_form_errors = formset.error_class(errors)
        else:
            form.add_error(None, errors)


@login_required
def create(request):
    """A filing for a new account (新开设备案)."""
    require(selectors.can_apply(request.user))
    units = selectors.applicable_units(request.user)
    initial = {"owner_unit": units.first().pk if units.count() == 1 else None}
    return _form_page(
        request, kind=FilingKind.NEW, title=_("新媒体账号备案申请"), initial=initial, units=units
    )


@login_required
def create_late(request, account_pk: int):
    """A late filing (补办) for an account already running."""
    account = get_visible_or_404(
        MediaAccount.objects.select_related("platform"), request.user, pk=account_pk
    )
    require(selectors.can_request_for(request.user, account))
    initial = {
        "account_name": account.name,
        "external_id": account.external_id,
        "url": account.url,
        "guiding_unit": account.guiding_unit_id,
        "created_month": account.created_month,
        "verified": account.verified,
        "verified_month": account.verified_month,
        "columns": account.columns,
        "update_frequency": account.update_frequency,
        "introduction": account.introduction,
        **selectors.responsible_of(account),
    }
    return _form_page(
        request,
        kind=FilingKind.LATE,
        title=_("补办备案：%(name)s") % {"name": account.name},
        initial=initial,
        record=account,
        team_rows=selectors.team_rows_of(account),
    )


@login_required
def create_group(request, group_pk: int):
    group = get_visible_or_404(ChatGroup, request.user, pk=group_pk)
    require(selectors.can_request_for(request.user, group))
    return _form_page(
        request,
        kind=FilingKind.GROUP,
        title=_("群聊备案：%(name)s") % {"name": group.name},
        initial={},
        record=group,
    )


@login_required
def change_create(request, account_pk: int):
    """A change report (变更) of an account."""
    account = get_visible_or_404(MediaAccount, request.user, pk=account_pk)
    require(selectors.can_request_for(request.user, account) and not account.is_closed)
    initial = {
        "account_name": account.name,
        "external_id": account.external_id,
        "url": account.url,
        "guiding_unit": account.guiding_unit_id,
        "columns": account.columns,
        "update_frequency": account.update_frequency,
        "introduction": account.introduction,
        "effective_on": timezone.localdate(),
        **selectors.responsible_of(account),
    }
    return _form_page(
        request,
        kind=FilingKind.CHANGE,
        title=_("变更报备：%(name)s") % {"name": account.name},
        initial=initial,
        record=account,
        team_rows=selectors.team_rows_of(account),
    )


@login_required
def closing_account(request, account_pk: int):
    account = get_visible_or_404(MediaAccount, request.user, pk=account_pk)
    require(selectors.can_request_for(request.user, account) and not account.is_closed)
    return _form_page(
        request,
        kind=FilingKind.CLOSING,
        title=_("注销申请：%(name)s") % {"name": account.name},
        initial={"closing_on": timezone.localdate()},
        record=account,
    )


@login_required
def closing_group(request, group_pk: int):
    group = get_visible_or_404(ChatGroup, request.user, pk=group_pk)
    require(selectors.can_request_for(request.user, group) and not group.is_dissolved)
    return _form_page(
        request,
        kind=FilingKind.CLOSING,
        title=_("解散申请：%(name)s") % {"name": group.name},
        initial={"closing_on": timezone.localdate()},
        record=group,
    )


# --- one request ---------------------------------------------------------------------


def _get_filing(request, pk: int) -> Filing:
    return get_visible_or_404(selectors.filing_for_detail(), request.user, pk=pk)


@login_required
def detail(request, pk: int):
    filing = _get_filing(request, pk)
    perms = selectors.filing_permissions(request.user, filing)
    answers = {"round_no": filing.round, "position": filing.current_position}
    return render(
        request,
        "filings/detail.html",
        {
            "filing": filing,
            "perms": perms,
            "open_step": selectors.open_step_view(request.user, filing),
            "take_over_form": TakeOverForm(initial=answers) if perms["can_take_over"] else None,
            "members": list(filing.members.select_related("person")),
            "rounds": selectors.steps_by_round(filing),
            "events": selectors.timeline(filing),
            "attachments": list(filing.attachments.select_related("uploaded_by")),
            "decision_form": DecisionForm(initial=answers) if perms["can_decide"] else None,
            "attachment_form": AttachmentForm() if perms["can_attach"] else None,
            "layouts": DocxLayout.choices,
            "default_layout": default_layout(),
            "pledge_title": PLEDGE_TITLE,
            "nav": "filings",
        },
    )


@login_required
def edit(request, pk: int):
    """The applicant corrects a draft or returned request and (re)submits it."""
    filing = _get_filing(request, pk)
    perms = selectors.filing_permissions(request.user, filing)
    require(perms["can_edit"])
    kind = filing.kind
    with_team = kind in (FilingKind.NEW, FilingKind.LATE, FilingKind.CHANGE)
    pledge_required = pledge_required_for(kind)
    units = selectors.applicable_units(request.user) if kind == FilingKind.NEW else None
    if request.method == "POST":
        form = FilingForm(
            request.POST,
            request.FILES,
            kind=kind,
            user=request.user,
            units=units,
            pledge_required=pledge_required,
            instance=filing,
        )
        formset = TeamFormSet(request.POST, prefix="team") if with_team else None
        if form.is_valid() and (formset is None or formset.is_valid()):
            fields = form.service_fields()
            if kind == FilingKind.CHANGE:
                fields["change_kinds"] = fields.get("change_kinds") or []
            try:
                with transaction.atomic():
                    updated = services.filing_update(
                        filing=filing,
                        actor=request.user,
                        fields=fields,
                        team=formset.rows() if formset is not None else None,
                        pledge_accepted=bool(form.cleaned_data.get("pledge")),
                    )
                    if form.cleaned_data.get("attachment"):
                        services.filing_attach(
                            filing=updated,
                            actor=request.user,
                            upload=form.cleaned_data["attachment"],
                            kind=AttachmentKind.APPLICATION,
                        )
                    if "save_draft" not in request.POST:
                        services.filing_submit(filing=updated, actor=request.user)
            except ValidationError as exc:
                _errors_to_form(exc, form, formset)
            except PermissionDenied as exc:
                _refused_to_form(exc, form)
            else:
                messages.success(
                    request, _("已保存") if "save_draft" in request.POST else _("已重新提交")
                )
                return redirect("filings:detail", filing.pk)
    else:
        form = FilingForm(
            instance=filing,
            kind=kind,
            user=request.user,
            units=units,
            pledge_required=pledge_required,
            initial={
                "pledge": bool(filing.pledge_accepted_at),
                "change_kinds": filing.change_kinds,
            },
        )
        rows = [
            {
                "role": m.role,
                "name": m.name,
                "identity": m.identity,
                "unit_name": m.unit_name,
                "post": m.post,
                "mobile": m.mobile,
                "qq": m.qq,
                "email": m.email,
            }
            for m in filing.members.all()
        ]
        formset = TeamFormSet(prefix="team", initial=rows) if with_team else None
    return render(
        request,
        "filings/form.html",
        {
            "title": _("修改申请：%(name)s") % {"name": filing.account_name},
            "kind": kind,
            "form": form,
            "formset": formset,
            "filing": filing,
            "record": filing.account or filing.group,
            "pledge_title": PLEDGE_TITLE,
            "pledge_text": PLEDGE_TEXT,
            "nav": "filings",
            "can_draft": True,
        },
    )


def _act(request, pk: int, action, success: str):
    filing = _get_filing(request, pk)
    try:
        action(filing)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("filings:detail", filing.pk)


@login_required
@require_POST
def submit(request, pk: int):
    return _act(
        request,
        pk,
        lambda f: services.filing_submit(filing=f, actor=request.user),
        _("已提交，等待审批"),
    )


@login_required
@require_POST
def withdraw(request, pk: int):
    return _act(
        request,
        pk,
        lambda f: services.filing_withdraw(
            filing=f, actor=request.user, reason=request.POST.get("reason", "")
        ),
        _("已撤回申请"),
    )


@login_required
@require_POST
def decide(request, pk: int):
    """Approve, reject or return — only the current step's approver (the service checks
    it again under lock; a forged POST by anyone else gets 403). The form names the round
    and step it answers: a second click, a second tab or a step decided meanwhile is told
    what became of that step and changes nothing."""
    filing = _get_filing(request, pk)
    form = DecisionForm(request.POST)
    answered = form.answered_step()
    if answered is not None:
        stale = chains.stale_decision_message(filing, round_no=answered[0], position=answered[1])
        if stale:
            messages.warning(request, stale)
            return redirect("filings:detail", filing.pk)
    require(selectors.can_decide(request.user, filing))
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("filings:detail", filing.pk)
    decision = form.cleaned_data["decision"]
    texts = {"approve": _("已同意"), "reject": _("已不同意，申请办结"), "return": _("已退回修改")}
    return _act(
        request,
        pk,
        lambda f: services.filing_decide(
            filing=f,
            actor=request.user,
            decision=decision,
            comment=form.cleaned_data["comment"],
            round_no=form.cleaned_data["round_no"],
            position=form.cleaned_data["position"],
        ),
        texts[decision],
    )


@login_required
@require_POST
def take_over(request, pk: int):
    """A school admin takes over a step whose office has lost every approver."""
    filing = _get_filing(request, pk)
    form = TakeOverForm(request.POST)
    answered = form.answered_step()
    if answered is not None:
        stale = chains.stale_decision_message(filing, round_no=answered[0], position=answered[1])
        if stale:
            messages.warning(request, stale)
            return redirect("filings:detail", filing.pk)
    require(chains.take_over_office(request.user, filing, get_policy()) is not None)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("filings:detail", filing.pk)
    return _act(
        request,
        pk,
        lambda f: services.filing_step_take_over(
            filing=f,
            actor=request.user,
            round_no=form.cleaned_data["round_no"],
            position=form.cleaned_data["position"],
            reason=form.cleaned_data["reason"],
        ),
        _("已接办该审批步骤，请审批"),
    )


@login_required
def download_docx(request, pk: int):
    """The filled 备案表 (.docx), in the layout the deployment chose or `?layout=`."""
    filing = _get_filing(request, pk)
    require(selectors.filing_permissions(request.user, filing)["can_download_form"])
    layout = request.GET.get("layout") or default_layout()
    if layout not in DocxLayout.values:
        raise Http404
    masked = not selectors.sees_personal_data(request.user, filing)
    content = render_filing_docx(filing, layout, masked=masked)
    name = f"备案表-{filing.registration_number or filing.pk}-{filing.account_name}.docx"
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_POST
def attach(request, pk: int):
    """Upload a file: the signed application, or the stamped 备案表 scan once approved."""
    filing = _get_filing(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    kind = request.POST.get("kind", AttachmentKind.OTHER)
    require(selectors.can_attach(request.user, filing, kind))
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("filings:detail", filing.pk)
    return _act(
        request,
        pk,
        lambda f: services.filing_attach(
            filing=f, actor=request.user, upload=form.cleaned_data["file"], kind=kind
        ),
        _("已上传"),
    )


@login_required
def attachment(request, pk: int, attachment_pk: int):
    filing = _get_filing(request, pk)
    item = get_object_or_404(FilingAttachment, pk=attachment_pk, filing=filing)
    extension = item.file.name.rsplit(".", 1)[-1]
    return serve_file(
        item.file,
        content_type=item.content_type,
        as_attachment=request.GET.get("inline") != "1",
        filename=f"{filing.account_name}-{item.get_kind_display()}-{item.pk}.{extension}",
    )
