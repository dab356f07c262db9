"""Request-size limits enforced before the body is read (docs/uploads.md).

Django reads a request body lazily, but the first `request.POST` of a multipart request
(the CSRF check does it for every POST) parses the whole body and spools each file to a
temporary file, whatever its size: a 400 MB body would be written to disk before any form
could refuse it. Two guards stop that:

- `RequestSizeLimitMiddleware` answers 413 from the declared ``Content-Length`` alone,
  before anything reads a byte of the body, when it exceeds the route's limit
  (`BEIAN_REQUEST_LIMITS` by route name, else `BEIAN_REQUEST_MAX_BYTES`);
- it puts `SizeLimitUploadHandler` first in the request's upload handlers: it counts the
  bytes of every file as they stream in and aborts the parse (before the bytes reach the
  handler that spools them) once one file passes `BEIAN_UPLOAD_MAX_BYTES` or the body
  passes the route's limit — for a body whose length was not declared up front, and for
  files that are too large within an allowed envelope.

The abort raises `RequestTooLarge` (a `RequestDataTooBig`, so Django stops parsing and
logs it on the ``django.security`` logger); `bad_request` (``handler400``) turns it into
the same Chinese 413 page as the middleware.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

MB = 1024 * 1024


class RequestTooLarge(RequestDataTooBig):
    """The body (or one file in it) is over its limit; answered with a 413 page."""

    def __init__(self, limit: int, *, per_file: bool = False):
        super().__init__(f"request body over {limit} bytes")
        self.limit = limit
        self.per_file = per_file


def upload_max_bytes() -> int:
    """The largest single file any form accepts."""
    return int(getattr(settings, "BEIAN_UPLOAD_MAX_BYTES", 20 * MB))


def default_request_max_bytes() -> int:
    """A whole request body: one upload plus room for the form's other fields."""
    configured = getattr(settings, "BEIAN_REQUEST_MAX_BYTES", None)
    return int(configured) if configured else upload_max_bytes() + MB


def route_limit(path_info: str) -> int:
    """The body limit of the route `path_info` resolves to (by "namespace:name" in
    `BEIAN_REQUEST_LIMITS`), else the default; an unknown path gets the default too."""
    limits = getattr(settings, "BEIAN_REQUEST_LIMITS", None) or {}
    if limits:
        try:
            match = resolve(path_info)
        except Resolver404:
            match = None
        if match is not None and match.view_name in limits:
            return int(limits[match.view_name])
    return default_request_max_bytes()


def _megabytes(size: int) -> str:
    value = size / MB
    return f"{value:.1f}".rstrip("0").rstrip(".")


def too_large_response(request, limit: int, *, declared: int | None = None, per_file=False):
    """The 413 page: rendered without context processors or the database (it answers
    before the session and the user are loaded), like the 500 page."""
    if per_file:
        reason = _("单个文件不能超过 %(limit)s MB，本次上传未被接收。") % {
            "limit": _megabytes(upload_max_bytes())
        }
    elif declared:
        reason = _("本次提交的内容共 %(size)s MB，超过了上限 %(limit)s MB，未被接收。") % {
            "size": _megabytes(declared),
            "limit": _megabytes(limit),
        }
    else:
        reason = _("本次提交的内容超过了上限 %(limit)s MB，未被接收。") % {
            "limit": _megabytes(limit)
        }
    body = loader.get_template("413.html").render({"reason": reason, "path": request.path})
    response = HttpResponse(body, status=413)
    response["Cache-Control"] = "no-store"
    return response


class SizeLimitUploadHandler(FileUploadHandler):
    """First of the upload handlers: passes chunks on while they are under the limits,
    raises `RequestTooLarge` before a chunk over them reaches the spooling handlers."""

    def __init__(self, request=None, *, limit: int, per_file: int):
        super().__init__(request)
        self.limit = limit
        self.per_file = per_file
        self.file_bytes = 0
        self.total = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit:
            raise RequestTooLarge(self.limit)
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file_bytes = 0

    def receive_data_chunk(self, raw_data, start):
        self.file_bytes += len(raw_data)
        self.total += len(raw_data)
        if self.file_bytes > self.per_file:
            self._discard()
            raise RequestTooLarge(self.per_file, per_file=True)
        if self.total > self.limit:
            self._discard()
            raise RequestTooLarge(self.limit)
        return raw_data

    def _discard(self) -> None:
        """Remove what the handlers after this one spooled of the file being refused."""
        for handler in getattr(self.request, "upload_handlers", ()):
            if handler is not self:
                handler.upload_interrupted()

    def file_complete(self, file_size):
        return None


class RequestSizeLimitMiddleware:
    """Refuse an over-long body from its Content-Length, before any middleware or view
    reads it; cap the bytes a multipart parse may take in (see the module's notes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = route_limit(request.path_info)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return too_large_response(request, limit, declared=declared)
        request.upload_handlers.insert(
            0, SizeLimitUploadHandler(request, limit=limit, per_file=upload_max_bytes())
        )
        return self.get_response(request)


@requires_csrf_token
def bad_request(request, exception=None):
    """handler400: a refused upload (`RequestTooLarge`) is a 413 with its reason; any other
    bad request keeps Django's plain 400."""
    if isinstance(exception, RequestTooLarge):
        return too_large_response(request, exception.limit, per_file=exception.per_file)
    return defaults.bad_request(request, exception)
