"""The token pages: "我的 API 令牌" for every signed-in user, "服务账号" for the school
admin. A new token's secret is shown once, on the page that answers the POST (never
stored, never redirected to, not cached), with a copy button and a curl line."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .forms import ServiceAccountForm, TokenForm
from .models import ApiToken, ServiceAccount


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _require_person(user) -> None:
    if services.is_service_account(user):
        raise PermissionDenied(_("服务账号的令牌由学校管理员管理"))


@never_cache
@login_required
def token_list(request):
    """The user's own tokens, and a form for a new one."""
    _require_person(request.user)
    new_secret = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, new_secret = services.token_create(
                actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request,
        "api/token_list.html",
        {
            "tokens": tokens,
            "form": form,
            "new_secret": new_secret,
            "nav": "tokens",
            "api_base": request.build_absolute_uri("/api/"),
        },
    )


@require_POST
@login_required
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk)
    if token.user_id != request.user.pk and not request.user.is_school_admin:
        raise Http404  # someone else's token is as absent as one that does not exist
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("已撤销令牌“%(name)s”") % {"name": token.name})
    account = ServiceAccount.objects.filter(user_id=token.user_id).first()
    if account is not None and request.user.pk != token.user_id:
        return redirect("api:service_account_detail", account.pk)
    return redirect("api:token_list")


def _require_school_admin(user) -> None:
    if not user.is_school_admin:
        raise PermissionDenied(_("只有学校管理员（宣传部）可以管理服务账号"))


@never_cache
@login_required
def service_account_list(request):
    """Service accounts, and a form for a new one with its first token."""
    _require_school_admin(request.user)
    new_secret = None
    created = None
    form = ServiceAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                created = services.service_account_create(
                    actor=request.user,
                    username=data["username"],
                    purpose=data["purpose"],
                    role=data["role"],
                    unit=data["unit"],
                )
                _token, new_secret = services.token_create(
                    actor=request.user,
                    user=created.user,
                    name=data["token_name"],
                    days=data["days"],
                )
        except ValidationError as exc:
            created = None
            _add_errors(form, exc)
        else:
            form = ServiceAccountForm()
    accounts = ServiceAccount.objects.select_related("user", "created_by").prefetch_related(
        "user__roles__unit", "user__api_tokens"
    )
    return render(
        request,
        "api/service_account_list.html",
        {
            "accounts": accounts,
            "form": form,
            "new_secret": new_secret,
            "created": created,
            "nav": "service_accounts",
            "api_base": request.build_absolute_uri("/api/"),
        },
    )


@never_cache
@login_required
def service_account_detail(request, pk: int):
    """One service account: its role, its tokens (revoke), a new token."""
    _require_school_admin(request.user)
    account = get_object_or_404(ServiceAccount.objects.select_related("user"), pk=pk)
    new_secret = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = services.token_create(
                actor=request.user,
                user=account.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "api/service_account_detail.html",
        {
            "account": account,
            "roles": account.user.roles.select_related("unit"),
            "tokens": ApiToken.objects.filter(user=account.user).order_by("-created_at"),
            "form": form,
            "new_secret": new_secret,
            "nav": "service_accounts",
            "api_base": request.build_absolute_uri("/api/"),
        },
    )
