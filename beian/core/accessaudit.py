"""Recording reads and refusals in the audit log (issue 9, finding 3).

`AccessAuditMiddleware` looks at every response and appends an audit row for:

- refusals: a 403 (a forged grant or POST refused by a service, a page out of scope), a 404
  for anyone (a probe of ids or paths), a 401 of the API, and an anonymous request for a
  page that needs a login (answered with the redirect to /login/); a CSRF failure as its
  own event;
- reads worth knowing about, by URL name (`AUDITED_READS`): downloads of filing forms,
  attachments and stamped scans, single-record pages that show personal data, import
  previews and reads of the audit log itself — only when they succeeded.

Rate limit: one row per actor (or, anonymous, per address) + event + object per minute, and
at most `MAX_PER_MINUTE` rows per actor + event per minute, so a scan cannot flood the log;
the limit is read from the log itself, so it holds across worker processes.

Views need not call anything: this keeps the list in one place. URL names are strings, so
core still knows no domain model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.db import DatabaseError
from django.shortcuts import resolve_url
from django.utils import timezone

from .audit import audit_raw, client_ip
from .choices import AuditEventType
from .models import AuditEvent

logger = logging.getLogger(__name__)

MAX_PER_MINUTE = 30
WINDOW = dt.timedelta(minutes=1)

#: url name → (event, model label of the object, URL keyword holding its id).
AUDITED_READS: dict[str, tuple[str, str, str | None]] = {
    "filings:docx": (AuditEventType.DOWNLOAD, "filings.Filing", "pk"),
    "filings:attachment": (AuditEventType.DOWNLOAD, "filings.FilingAttachment", "attachment_pk"),
    "campaigns:campaign_attachment": (
        AuditEventType.DOWNLOAD,
        "campaigns.CampaignAttachment",
        "attachment_pk",
    ),
    "campaigns:task_scan_file": (AuditEventType.DOWNLOAD, "campaigns.CampaignTask", "pk"),
    "transfer:account_form_docx": (AuditEventType.DOWNLOAD, "registry.MediaAccount", "pk"),
    "orgs:person_detail": (AuditEventType.VIEW_RECORD, "orgs.Person", "pk"),
    "users:user_detail": (AuditEventType.VIEW_RECORD, "users.User", "pk"),
    "registry:account_detail": (AuditEventType.VIEW_RECORD, "registry.MediaAccount", "pk"),
    "registry:group_detail": (AuditEventType.VIEW_RECORD, "registry.ChatGroup", "pk"),
    "api:person-detail": (AuditEventType.VIEW_RECORD, "orgs.Person", "pk"),
    "transfer:import_preview": (AuditEventType.IMPORT_PREVIEW, "", "token"),
    "core:audit_list": (AuditEventType.AUDIT_READ, "", None),
}

#: Pages anyone may open without signing in: an anonymous visit there is no probe.
PUBLIC_PATHS = ("/", "/login/", "/logout/")
#: What browsers ask for by themselves: a 404 there is nobody's probe.
BROWSER_PATHS = ("/favicon.ico", "/robots.txt", "/apple-touch-icon.png")


def _who(request) -> tuple[object | None, str]:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, user.get_username()
    return None, ""


def _limited(event: str, user, ip: str | None, object_type: str, object_id: str) -> bool:
    """Whether this row would exceed the rate limit (one per object per minute, at most
    MAX_PER_MINUTE per actor and event)."""
    since = timezone.now() - WINDOW
    rows = AuditEvent.objects.filter(event=event, at__gte=since)
    rows = rows.filter(actor=user) if user is not None else rows.filter(actor=None, ip=ip)
    if rows.filter(object_type=object_type, object_id=object_id).exists():
        return True
    return rows.count() >= MAX_PER_MINUTE


def record(request, event: str, *, object_type="", object_id="", object_repr="", detail=None):
    user, _name = _who(request)
    object_id = str(object_id)[:64]
    if _limited(event, user, client_ip(request), object_type, object_id):
        return None
    return audit_raw(
        event=event,
        actor=user,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        success=event not in (AuditEventType.DENIED, AuditEventType.CSRF_FAILED),
        request=request,
        detail=detail,
    )


def _path_key(request) -> str:
    """A short key for a path (the object of a refusal), stable within the minute."""
    path = request.path
    return path if len(path) <= 64 else hashlib.sha256(path.encode()).hexdigest()[:64]


def _refusal(request, response) -> tuple[str, str] | None:
    status = response.status_code
    if request.path in BROWSER_PATHS or request.path.startswith("/apple-touch-icon"):
        return None
    if getattr(request, "_beian_csrf_failed", False):
        return AuditEventType.CSRF_FAILED, "csrf"
    if status in (401, 403):
        return AuditEventType.DENIED, str(status)
    if status == 404:
        return AuditEventType.DENIED, "404"
    user, _ = _who(request)
    if user is None and status == 302 and request.path not in PUBLIC_PATHS:
        login = resolve_url(settings.LOGIN_URL)
        location = response.get("Location", "")
        if location.startswith(login) and "next=" in location:
            return AuditEventType.DENIED, "login_required"
    return None


def _object_repr(label: str, pk) -> str:
    if not label or pk is None:
        return ""
    from django.apps import apps

    try:
        obj = apps.get_model(label)._default_manager.filter(pk=pk).first()
    except (LookupError, ValueError, DatabaseError):
        return ""
    return str(obj) if obj is not None else ""


class AccessAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        try:
            self.process(request, response)
        except DatabaseError:
            # Never turn a page into a 500 because its read could not be recorded (the write
            # paths audit inside their own transactions and fail there); say so in the log.
            logger.exception(
                "could not record %s %s in the audit log", request.method, request.path
            )
        return response

    def process(self, request, response) -> None:
        refusal = _refusal(request, response)
        if refusal is not None:
            event, reason = refusal
            record(
                request,
                event,
                object_id=_path_key(request),
                object_repr=request.path[:255],
                detail={"path": request.path[:300], "method": request.method, "reason": reason},
            )
            return
        if response.status_code != 200:
            return
        match = getattr(request, "resolver_match", None)
        if match is None or match.view_name not in AUDITED_READS:
            return
        event, label, kwarg = AUDITED_READS[match.view_name]
        if event == AuditEventType.AUDIT_READ:
            # What was looked for; turning pages of the same search is the same read.
            params = request.GET.copy()
            for key in ("page", "per_page", "sort"):
                params.pop(key, None)
            query = params.urlencode()
            record(
                request,
                event,
                object_id=hashlib.sha256(query.encode()).hexdigest()[:16] if query else "",
                detail={"filters": query[:300]} if query else {},
            )
            return
        pk = match.kwargs.get(kwarg) if kwarg else None
        record(
            request,
            event,
            object_type=label,
            object_id="" if pk is None else str(pk),
            object_repr=_object_repr(label, pk) if event != AuditEventType.IMPORT_PREVIEW else "",
            detail={"path": request.path[:300]},
        )
