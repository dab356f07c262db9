"""Sending a kept file (an attachment, a scan, a QR code) from a view that has checked
the user's permission: uploaded files are never served straight from MEDIA_URL.

With `BEIAN_SENDFILE = "none"` (the default) Django streams the file itself. Behind a web
server the bytes can be left to it after the permission check (docs/operations.md):

- ``nginx``: an ``X-Accel-Redirect`` to `BEIAN_SENDFILE_NGINX_PREFIX` + the file's name
  in storage, served by an ``internal`` location aliased to MEDIA_ROOT;
- ``apache``: an ``X-Sendfile`` with the file's absolute path (mod_xsendfile, with
  ``XSendFilePath`` set to MEDIA_ROOT).
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

SENDFILE_MODES = ("none", "nginx", "apache")


def sendfile_mode() -> str:
    mode = (getattr(settings, "BEIAN_SENDFILE", "none") or "none").strip().lower()
    if mode not in SENDFILE_MODES:
        raise ImproperlyConfigured(
            f"BEIAN_SENDFILE must be one of {', '.join(SENDFILE_MODES)}, not {mode!r}"
        )
    return mode


IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
               "webp": "image/webp"}  # fmt: skip


def image_content_type(name: str) -> str:
    """The type of a kept image by its stored name (application/octet-stream otherwise:
    sent with nosniff, a browser never runs it)."""
    extension = (name or "").rsplit(".", 1)[-1].lower()
    return IMAGE_TYPES.get(extension, "application/octet-stream")


def serve_file(field, *, content_type: str, filename: str, as_attachment: bool = True):
    """The response that sends `field` (a FieldFile) to a user already allowed to see it."""
    if not field:
        raise Http404
    mode = sendfile_mode()
    if mode == "none":
        try:
            handle = field.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle, content_type=content_type, as_attachment=as_attachment, filename=filename
        )
    else:
        response = HttpResponse(content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
        if mode == "nginx":
            prefix = getattr(settings, "BEIAN_SENDFILE_NGINX_PREFIX", "/protected-media/")
            response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(field.name)
        else:
            response["X-Sendfile"] = field.path
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
