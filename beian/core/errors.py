"""Our own error pages: 403, 404, 500 and the CSRF failure, in Chinese and in the site layout.

403 and 404 render with the request (the layout, the navigation, the institution's name);
500 renders without context processors and without the database, which may be what failed.
Wired in `config/urls.py` (handler403/404/500) and `CSRF_FAILURE_VIEW`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token


def _back_url(request) -> str:
    """The page the user came from, when it is on this site (never another origin)."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return ""
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc != request.get_host():
        return ""
    if parts.path == request.path:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _refused_what(request) -> str:
    if request.method in ("GET", "HEAD"):
        return _("您没有权限查看此页面。")
    return _("您没有权限执行此操作，本次提交未被保存。")


def _message(exception) -> str:
    """The service's own Chinese explanation, when the refusal carries one."""
    if isinstance(exception, PermissionDenied) and exception.args:
        text = str(exception.args[0]).strip()
        if text and not text.isascii():
            return text
    return ""


@requires_csrf_token
def permission_denied(request, exception=None):
    context = {
        "refused": _refused_what(request),
        "reason": _message(exception),
        "path": request.path,
        "back_url": _back_url(request),
    }
    body = loader.render_to_string("403.html", context, request)
    return HttpResponseForbidden(body)


@requires_csrf_token
def page_not_found(request, exception=None):
    context = {"path": request.path, "back_url": _back_url(request)}
    body = loader.render_to_string("404.html", context, request)
    return HttpResponseNotFound(body)


@requires_csrf_token
def server_error(request):
    """No request context: context processors read the database, which may be down."""
    body = loader.get_template("500.html").render({})
    return HttpResponseServerError(body)


def csrf_failure(request, reason=""):
    """A form posted without a valid CSRF token: mostly a page left open past the session's
    idle timeout, or cookies blocked. Say so and how to recover."""
    request._beian_csrf_failed = True  # recorded by core/accessaudit.py
    context = {
        "refused": _("本次提交未被保存：页面已过期或安全校验未通过。"),
        "reason": _(
            "可能是页面停留时间过长、已在其他窗口退出登录，或浏览器禁用了 Cookie。"
            "请返回上一页，刷新后重新填写并提交。"
        ),
        "path": request.path,
        "back_url": _back_url(request),
        "csrf": True,
    }
    body = loader.render_to_string("403.html", context, request)
    return HttpResponseForbidden(body)
