"""The second factor (两步验证): a TOTP authenticator app (django-otp's TOTPDevice) and ten
one-time recovery codes (otp_static). Reads and small helpers; the writes are the
`user_second_factor_*` services.

Which step a session still owes is worked out once at sign-in and kept in the session
(`STEP_KEY`), so that ordinary pages cost no query: "verify" (enrolled: type the code),
"enrol" (a role of `[auth] require_2fa_roles` without an authenticator) or "" (nothing).
A sign-in through the school's single sign-on (`SSO_SESSION_KEY` = "sso", set by
beian.identity) owes nothing when `[auth] sso_counts_as_second_factor`."""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from beian.core.policy import get_policy

STEP_KEY = "beian_2fa_step"
SSO_SESSION_KEY = "beian_auth_backend_kind"
STEP_VERIFY = "verify"
STEP_ENROL = "enrol"
RECOVERY_CODES = 10


def totp_device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device else 0


def is_required(user) -> bool:
    """Whether this user must use a second factor: one of their roles is listed in the
    policy's `[auth] require_2fa_roles` (a superuser counts as a school admin), and the
    deployment enforces it (settings.BEIAN_ENFORCE_2FA). Service accounts never."""
    if not settings.BEIAN_ENFORCE_2FA or getattr(user, "is_service", False):
        return False
    policy = get_policy()
    roles = policy.auth.require_2fa_roles
    return user.has_role(*roles) or (user.is_superuser and "school_admin" in roles)


def signed_in_through_sso(request) -> bool:
    return request.session.get(SSO_SESSION_KEY) == "sso"


def sso_is_enough(request) -> bool:
    policy = get_policy()
    return signed_in_through_sso(request) and policy.auth.sso_counts_as_second_factor


def step_at_sign_in(user) -> str:
    """What a fresh session of `user` owes (see the module docstring)."""
    if getattr(user, "is_service", False):
        return ""
    if is_enrolled(user):
        return STEP_VERIFY
    if is_required(user):
        return STEP_ENROL
    return ""


def pending_step(request) -> str:
    """The step this session still owes: "verify", "enrol" or ""."""
    session = request.session
    if STEP_KEY not in session:  # a session from before this check existed
        session[STEP_KEY] = step_at_sign_in(request.user)
    step = session[STEP_KEY]
    if step and sso_is_enough(request):
        return ""
    return step


def step_done(request) -> None:
    request.session[STEP_KEY] = ""


def qr_svg(url: str) -> str:
    """The otpauth:// URL as an inline SVG QR code (drawn here: no image service)."""
    import segno  # here, not with the module: every process loads this one, few draw a QR code

    return segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#182433")
