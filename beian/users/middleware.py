"""Before anything else, a signed-in person finishes signing in: types the code of their
authenticator (enrolled users), changes a password an admin set (`must_change_password`),
or enrols an authenticator when their role requires one. Only the page of that step,
signing out and static files are reachable meanwhile. A session whose person has left the
school (离职 / 毕业) since it began is ended, with the reason. Token-authenticated API
requests (no session login) and service accounts pass untouched."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import twofactor
from .leavers import ENDED_SESSION_KEY, end_leaver_session

_STEP_ROUTES = {
    "verify": "login_verify",
    "password": "me:password_change",
    "enrol": "me:otp_setup",
}
_MESSAGES = {
    "verify": "请先输入动态验证码完成登录",
    "password": "请先修改管理员为您设置的初始密码",
    "enrol": "您的角色须启用两步验证，请先绑定验证器",
}


def owed_step(request) -> str:
    """ "verify", "password", "enrol" or "" for the signed-in user of `request`."""
    step = twofactor.pending_step(request)
    if step == twofactor.STEP_VERIFY:
        return "verify"
    if request.user.must_change_password:
        return "password"
    if step == twofactor.STEP_ENROL:
        return "enrol"
    return ""


def _is_htmx(request) -> bool:
    """An htmx request (read from the header: django-htmx's middleware runs after this one)."""
    return request.headers.get("HX-Request") == "true"


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not getattr(user, "is_service", False)
            and hasattr(request, "session")
            and not request.path.startswith(settings.STATIC_URL)
        ):
            ended = end_leaver_session(request)
            if ended is not None:
                return self._ended(request, ended)
            step = owed_step(request)
            if step:
                target = reverse(_STEP_ROUTES[step])
                allowed = {target, reverse("logout")}
                if step == "enrol":
                    allowed.add(reverse("me:recovery_codes"))
                if request.path not in allowed:
                    return self._send_to(request, step, target)
        return self.get_response(request)

    def _ended(self, request, message: str):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "person_left"}, status=401)
        request.session[ENDED_SESSION_KEY] = message  # the login page says why
        target = reverse("login")
        response = redirect(target)
        if _is_htmx(request):
            response["HX-Redirect"] = target
        return response

    def _send_to(self, request, step: str, target: str):
        message = _(_MESSAGES[step])
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": f"sign_in_{step}"}, status=403)
        if request.method == "GET" and request.path != "/":
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        response = redirect(target)
        if _is_htmx(request):
            response["HX-Redirect"] = target
        return response
