"""Writing the audit log. Call inside the service's transaction so the event and the
change it describes commit or roll back together."""

from __future__ import annotations

from typing import Any

from django.db import models

from .choices import AuditEventType
from .context import current_request
from .models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return ip or None


def audit(
    *,
    event: AuditEventType | str,
    actor=None,
    obj: models.Model | None = None,
    success: bool = True,
    request=None,
    detail: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one row to the audit log."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    request_user = getattr(request, "user", None)
    if actor is None and request_user is not None and request_user.is_authenticated:
        actor = request_user
    if request is None:
        request = current_request()
    return AuditEvent.objects.create(
        event=str(event),
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor else ""),
        success=success,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        ip=client_ip(request),
        detail=detail or {},
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """The fields whose value differs, as {field: [before, after]} with JSON-safe values."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in after
        if before.get(key) != after.get(key)
    }


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)
