"""Signing in safely: the second step of signing in (the authenticator's code), one's own
password and two-step verification (the user menu's 修改密码 and 两步验证), and the school
admin's password and second-factor resets on a user's page. docs/security.md."""

from __future__ import annotations

from binascii import unhexlify

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.views import require

from . import services, twofactor
from .middleware import owed_step
from .models import User
from .security_forms import CodeForm, EnrolForm, PasswordChangeForm, PasswordResetForm

ENROL_KEY = "beian_otp_enrol_key"
CODES_KEY = "beian_recovery_codes"


def _next_url(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


# --- the second step of signing in -----------------------------------------------------------------


@login_required
def login_verify(request):
    """After the password: the code of the user's authenticator, or one recovery code.
    A wrong code counts as a failed sign-in (django-axes), so five lock the username."""
    user = request.user
    if twofactor.pending_step(request) != twofactor.STEP_VERIFY:
        return redirect(_next_url(request))
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return get_lockout_response(request, credentials=credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _verified_device(user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            twofactor.step_done(request)
            method = "recovery_code" if device.__class__.__name__ == "StaticDevice" else "totp"
            audit(
                event=AuditEventType.LOGIN,
                actor=user,
                request=request,
                detail={"second_factor": method},
            )
            if method == "recovery_code":
                left = twofactor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "您用了一个恢复码登录，还剩 %(left)d 个。手机找回或更换后请在“两步验证”页重新生成恢复码。"
                    )
                    % {"left": left},
                )
            return redirect(_next_url(request))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False) or AxesProxyHandler.is_locked(
            request, credentials
        ):
            logout(request)
            return get_lockout_response(request, credentials=credentials)
        form.add_error("token", _("验证码不正确。连续失败 5 次将锁定 30 分钟。"))
    return render(
        request,
        "users/login_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


def _verified_device(user, token: str):
    """The device that accepts `token`: the authenticator for 6 digits, else a recovery code."""
    candidates = []
    totp = twofactor.totp_device(user)
    recovery = twofactor.recovery_device(user)
    if token.isdigit() and len(token) == 6 and totp:
        candidates.append(totp)
    elif recovery:
        candidates.append(recovery)
    for device in candidates:
        verified = django_otp.verify_token(user, device.persistent_id, token.lower())
        if verified is not None:
            return verified
    return None


# --- one's own password --------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change page, saved through `user_password_change` (audited, and it
    clears a forced change)."""

    form_class = PasswordChangeForm
    template_name = "users/password_change.html"
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = self.request.user.must_change_password
        context["next"] = self.request.GET.get("next", "")
        return context

    def form_valid(self, form):
        user = services.user_password_change(
            user=self.request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("密码已修改"))
        if owed_step(self.request) == "enrol":
            return redirect("me:otp_setup")
        return redirect(_next_url(self.request))

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


# --- two-step verification --------------------------------------------------------------------


@login_required
def security(request):
    user = request.user
    return render(
        request,
        "users/security.html",
        {
            "enrolled": twofactor.is_enrolled(user),
            "required": twofactor.is_required(user),
            "codes_left": twofactor.recovery_codes_left(user),
            "device": twofactor.totp_device(user),
        },
    )


@login_required
def otp_setup(request):
    """Scan the QR code (or type the key) into an authenticator app, then confirm with the
    code it shows. The key lives in the session until confirmed."""
    user = request.user
    key = request.session.get(ENROL_KEY)
    if not key or request.GET.get("new"):
        key = request.session[ENROL_KEY] = default_key()
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.user_second_factor_enrol(
                user=user, key=key, token=form.cleaned_data["token"]
            )
        except ValidationError as exc:
            form.add_error("token", exc.message_dict.get("token", exc.messages))
        else:
            del request.session[ENROL_KEY]
            device = twofactor.totp_device(user)
            django_otp.login(request, device)
            twofactor.step_done(request)
            request.session[CODES_KEY] = codes
            messages.success(request, _("两步验证已启用"))
            return redirect("me:recovery_codes")
    device = TOTPDevice(user=user, key=key)
    secret = _base32(key)
    return render(
        request,
        "users/otp_setup.html",
        {
            "form": form,
            "qr": twofactor.qr_svg(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": twofactor.is_required(user),
            "enrolled": twofactor.is_enrolled(user),
        },
        status=400 if form.errors else 200,
    )


def _base32(key: str) -> str:
    from base64 import b32encode

    return b32encode(unhexlify(key)).decode().rstrip("=")


@login_required
def recovery_codes(request):
    """The recovery codes just made, shown once (GET); POST makes ten new ones."""
    if request.method == "POST":
        try:
            codes = services.user_recovery_codes_renew(user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("me:security")
        request.session[CODES_KEY] = codes
        return redirect("me:recovery_codes")
    codes = request.session.pop(CODES_KEY, None)
    if not codes:
        messages.info(request, _("恢复码只在生成时显示一次；如已遗失，请生成新的恢复码。"))
        return redirect("me:security")
    return render(request, "users/recovery_codes.html", {"codes": codes})


@login_required
@require_POST
def otp_disable(request):
    if twofactor.is_required(request.user):
        raise PermissionDenied(_("您的角色须启用两步验证，不能关闭"))
    services.user_second_factor_reset(actor=request.user, user=request.user)
    messages.success(request, _("两步验证已关闭"))
    return redirect("me:security")


# --- the school admin's resets on a user's page ------------------------------------------------


@login_required
def password_reset(request, pk: int):
    require(request.user.is_school_admin)
    subject = get_object_or_404(User, pk=pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_reset(
                actor=request.user, user=subject, new_password=form.cleaned_data["password1"]
            )
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            messages.success(
                request,
                _("已为 %(user)s 设置新密码；对方下次登录时须先修改密码") % {"user": subject},
            )
            return redirect("users:user_detail", pk=subject.pk)
    return render(
        request,
        "users/password_reset.html",
        {"form": form, "subject": subject, "nav": "users"},
        status=400 if form.errors else 200,
    )


@login_required
def otp_reset(request, pk: int):
    require(request.user.is_school_admin)
    subject = get_object_or_404(User, pk=pk)
    if request.method == "POST":
        services.user_second_factor_reset(actor=request.user, user=subject)
        messages.success(
            request,
            _("已重置 %(user)s 的两步验证；对方下次登录后须重新绑定验证器（如其角色要求）")
            % {"user": subject},
        )
        return redirect("users:user_detail", pk=subject.pk)
    return render(
        request,
        "users/otp_reset.html",
        {"subject": subject, "enrolled": subject.has_second_factor, "nav": "users"},
    )
