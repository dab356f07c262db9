"""Registry pages: lists, detail pages, forms for accounts and chat groups, closing and
dissolving, and the school admin's tier override. Views are thin: they read through
`selectors`, write through `services`, and answer 404 for records out of the user's scope
and 403 for records the user can see but not change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from beian.core.files import image_content_type, serve_file
from beian.core.permissions import get_visible_or_404
from beian.core.views import ScopedListView, require

from . import selectors, services
from .filters import AccountFilterSet, GroupFilterSet
from .forms import AccountForm, CloseForm, GroupForm, TeamFormSet, TierForm
from .models import ChatGroup, MediaAccount
from .panels import render_panels
from .tables import AccountTable, GroupTable, format_audience

# --- lists ---------------------------------------------------------------------------


class AccountListView(ScopedListView):
    model = MediaAccount
    filterset_class = AccountFilterSet
    table_class = AccountTable
    title = gettext_lazy("新媒体账号")
    nav = "accounts"
    create_url = "registry:account_create"
    template_name = "registry/account_list.html"
    export_url = "transfer:export_accounts"
    export_layouts = (
        (gettext_lazy("信息汇总表（平顶山学院附件2格式）"), "format=xlsx&layout=pdsu"),
        (gettext_lazy("清查表（湖南女子学院格式）"), "format=xlsx&layout=hnwu"),
        (gettext_lazy("CSV（.csv）"), "format=csv"),
    )
    import_kind = "accounts"

    def scoped_queryset(self):
        return selectors.account_list(user=self.request.user)

    def can_create(self) -> bool:
        return selectors.can_create_records(self.request.user)


class GroupListView(ScopedListView):
    model = ChatGroup
    filterset_class = GroupFilterSet
    table_class = GroupTable
    title = gettext_lazy("即时群聊")
    nav = "groups"
    create_url = "registry:group_create"
    export_url = "transfer:export_groups"
    export_layouts = (
        (gettext_lazy("Excel 汇总表（.xlsx）"), "format=xlsx"),
        (gettext_lazy("CSV（.csv）"), "format=csv"),
    )
    import_kind = "groups"

    def scoped_queryset(self):
        return selectors.group_list(user=self.request.user)

    def can_create(self) -> bool:
        return selectors.can_create_records(self.request.user)


# --- detail pages --------------------------------------------------------------------


@login_required
def account_detail(request, pk: int):
    account = get_visible_or_404(selectors.account_for_detail(), request.user, pk=pk)
    return render(
        request,
        "registry/account_detail.html",
        {
            "account": account,
            "team": selectors.record_team(account),
            "history": selectors.record_history(account),
            "audience": format_audience(account.audience),
            "user_sees_personal": request.user.can_see_personal_data(account),
            "panels": render_panels(request, account),
            "nav": "accounts",
            **selectors.record_permissions(request.user, account),
        },
    )


@login_required
def account_qr(request, pk: int):
    """The account's QR code image, to those who may see the account (never MEDIA_URL)."""
    account = get_visible_or_404(MediaAccount.objects.all(), request.user, pk=pk)
    return serve_file(
        account.qr_code,
        content_type=image_content_type(account.qr_code.name),
        filename=f"qr-{account.pk}.{account.qr_code.name.rsplit('.', 1)[-1]}",
        as_attachment=False,
    )


@login_required
def group_detail(request, pk: int):
    group = get_visible_or_404(selectors.group_for_detail(), request.user, pk=pk)
    return render(
        request,
        "registry/group_detail.html",
        {
            "group": group,
            "team": selectors.record_team(group),
            "history": selectors.record_history(group),
            "user_sees_personal": request.user.can_see_personal_data(group),
            "panels": render_panels(request, group),
            "nav": "groups",
            **selectors.record_permissions(request.user, group),
        },
    )


# --- create and edit -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request):
    require(selectors.can_create_records(request.user))
    return _record_form(request, form_class=AccountForm, record=None)


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request, pk: int):
    account = _editable_or_403(request, selectors.account_for_detail(), pk)
    if account.is_closed:
        messages.warning(request, _("已注销的账号不能修改"))
        return redirect("registry:account_detail", pk=account.pk)
    return _record_form(request, form_class=AccountForm, record=account)


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    require(selectors.can_create_records(request.user))
    return _record_form(request, form_class=GroupForm, record=None)


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request, pk: int):
    group = _editable_or_403(request, selectors.group_for_detail(), pk)
    if group.is_dissolved:
        messages.warning(request, _("已解散的群聊不能修改"))
        return redirect("registry:group_detail", pk=group.pk)
    return _record_form(request, form_class=GroupForm, record=group)


_KINDS = {
    AccountForm: {
        "create": services.account_create,
        "update": services.account_update,
        "arg": "account",
        "detail": "registry:account_detail",
        "list": "registry:account_list",
        "nav": "accounts",
        "template": "registry/account_form.html",
        "new": gettext_lazy("登记新媒体账号"),
        "created": gettext_lazy("已登记账号“%(name)s”"),
        "updated": gettext_lazy("已保存账号“%(name)s”"),
    },
    GroupForm: {
        "create": services.group_create,
        "update": services.group_update,
        "arg": "group",
        "detail": "registry:group_detail",
        "list": "registry:group_list",
        "nav": "groups",
        "template": "registry/group_form.html",
        "new": gettext_lazy("登记即时群聊"),
        "created": gettext_lazy("已登记群聊“%(name)s”"),
        "updated": gettext_lazy("已保存群聊“%(name)s”"),
    },
}


def _record_form(request, *, form_class, record):
    """The create/edit page of an account or a group with its team. The record, its team
    and the audit row are written by one service call: all or nothing."""
    kind = _KINDS[form_class]
    user = request.user
    instance = record if record is not None else form_class._meta.model()
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, instance=instance, user=user)
        team = TeamFormSet(request.POST, prefix="team", user=user, record=record)
        if form.is_valid() and team.is_valid():
            try:
                if record is None:
                    saved = kind["create"](
                        actor=user, data=form.service_data(), team=team.members()
                    )
                else:
                    saved = kind["update"](
                        actor=user,
                        data=form.service_data(),
                        team=team.members(),
                        **{kind["arg"]: record},
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                message = kind["created"] if record is None else kind["updated"]
                messages.success(request, message % {"name": saved.name})
                return redirect(kind["detail"], pk=saved.pk)
    else:
        form = form_class(instance=instance, user=user)
        team = TeamFormSet(prefix="team", user=user, record=record)
    return render(
        request,
        kind["template"],
        {
            "form": form,
            "team": team,
            "record": record,
            "title": kind["new"] if record is None else _("编辑：%(name)s") % {"name": record.name},
            "cancel_url": (kind["detail"], record.pk) if record is not None else None,
            "list_url": kind["list"],
            "nav": kind["nav"],
        },
    )


# --- closing, dissolving, tier -------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def account_close(request, pk: int):
    account = _editable_or_403(request, selectors.account_for_detail(), pk)
    if account.is_closed:
        messages.info(request, _("该账号已经注销"))
        return redirect("registry:account_detail", pk=account.pk)
    require(selectors.can_close_record(request.user, account))
    if services.account_close_needs_approval(account):
        # The policy routes closing this filed account through approval: the button
        # opens the closing request (注销申请) instead of closing it.
        messages.info(request, services.ClosingNeedsApproval.for_request(account).message)
        return redirect("filings:closing_account", account_pk=account.pk)
    verb = _("注销")
    form = CloseForm(request.POST or None, verb=verb)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_close(
                actor=request.user,
                account=account,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"closed_on": "on", "closed_reason": "reason"})
        else:
            messages.success(request, _("账号“%(name)s”已注销") % {"name": account.name})
            return redirect("registry:account_detail", pk=account.pk)
    return render(
        request,
        "registry/close_form.html",
        {
            "form": form,
            "record": account,
            "verb": verb,
            "title": _("注销账号：%(name)s") % {"name": account.name},
            "detail_url": "registry:account_detail",
            "nav": "accounts",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_dissolve(request, pk: int):
    group = _editable_or_403(request, selectors.group_for_detail(), pk)
    if group.is_dissolved:
        messages.info(request, _("该群聊已经解散"))
        return redirect("registry:group_detail", pk=group.pk)
    require(selectors.can_close_record(request.user, group))
    verb = _("解散")
    form = CloseForm(request.POST or None, verb=verb)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_dissolve(
                actor=request.user,
                group=group,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(
                form, exc, aliases={"dissolved_on": "on", "dissolved_reason": "reason"}
            )
        else:
            messages.success(request, _("群聊“%(name)s”已解散") % {"name": group.name})
            return redirect("registry:group_detail", pk=group.pk)
    return render(
        request,
        "registry/close_form.html",
        {
            "form": form,
            "record": group,
            "verb": verb,
            "title": _("解散群聊：%(name)s") % {"name": group.name},
            "detail_url": "registry:group_detail",
            "nav": "groups",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_tier(request, pk: int):
    account = get_visible_or_404(selectors.account_for_detail(), request.user, pk=pk)
    require(selectors.can_set_tier(request.user))
    if account.is_closed:
        messages.warning(request, _("已注销的账号不能修改"))
        return redirect("registry:account_detail", pk=account.pk)
    form = TierForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_set_tier(
                actor=request.user,
                account=account,
                tier=form.cleaned_data["tier"],
                reason=form.cleaned_data["tier_override_reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已调整账号分级"))
            return redirect("registry:account_detail", pk=account.pk)
    return render(
        request,
        "registry/tier_form.html",
        {
            "form": form,
            "account": account,
            "title": _("调整分级：%(name)s") % {"name": account.name},
            "nav": "accounts",
        },
    )


# --- helpers -------------------------------------------------------------------------


def _editable_or_403(request, queryset, pk: int):
    """The record if the user may change it; 404 if they cannot see it, 403 if they can
    see it but not change it."""
    record = get_visible_or_404(queryset, request.user, pk=pk)
    require(queryset.editable_by(request.user).filter(pk=record.pk).exists())
    return record


def add_service_errors(form, exc: ValidationError, aliases: dict[str, str] | None = None):
    """Put a service's ValidationError on the form: on the field it names when the form has
    it, at the top of the form otherwise."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.error_dict.items():
        name = (aliases or {}).get(name, name)
        if name in form.fields and name not in form.errors:
            form.add_error(name, errors)
        else:
            texts = [m for e in errors for m in e.messages]
            label = form.fields[name].label if name in form.fields else None
            form.add_error(None, [f"{label}：{t}" if label else t for t in texts])
