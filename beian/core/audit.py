"""Writing the audit log. Call inside the service's transaction so the event and the
change it describes commit or roll back together.

`audit()` is the one way a row gets into the log: it masks personal data (one redaction,
`beian.core.masking.redact`, for every row whoever wrote it), takes the client's address
from the connection (or from a trusted proxy's X-Forwarded-For), and appends the row to the
hash chain (`beian.core.auditchain`)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models

from . import auditchain
from .choices import AuditEventType
from .context import current_request
from .masking import redact, redact_text
from .models import AuditEvent


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def trusted_proxies() -> tuple:
    return _networks(tuple(getattr(settings, "BEIAN_TRUSTED_PROXIES", ()) or ()))


def _address(text: str):
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:5123
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks if address.version == network.version)


def client_ip(request) -> str | None:
    """The address the request came from: the connection's peer (REMOTE_ADDR), unless that
    peer is one of our reverse proxies (`BEIAN_TRUSTED_PROXIES`, CIDRs); then the right-most
    address in X-Forwarded-For that is not one of our proxies. Addresses a client wrote to
    the left of that are its own claims and are never taken."""
    if request is None:
        return None
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    networks = trusted_proxies()
    if not networks or not _trusted(peer, networks):
        return str(peer)
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return str(peer)  # garbage where a proxy's entry should be: keep the proxy
        if not _trusted(address, networks):
            return str(address)
    return str(peer)


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
    return auditchain.append(
        event=str(event)[:32],
        actor=actor,
        actor_name=(actor_name or (actor.get_username() if actor else ""))[:150],
        success=success,
        object_type=obj._meta.label[:64] if obj is not None else "",
        object_id=str(obj.pk)[:64] if obj is not None and obj.pk is not None else "",
        object_repr=redact_text(str(obj))[:255] if obj is not None else "",
        ip=client_ip(request),
        detail=redact(auditchain.plain_json(detail or {})),
    )


def audit_raw(
    *,
    event: AuditEventType | str,
    actor=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    success: bool = True,
    request=None,
    detail: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """`audit()` for an object known only by its label and id (middleware, admin)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if request is None:
        request = current_request()
    return auditchain.append(
        event=str(event)[:32],
        actor=actor,
        actor_name=(actor_name or (actor.get_username() if actor else ""))[:150],
        success=success,
        object_type=object_type[:64],
        object_id=str(object_id)[:64],
        object_repr=redact_text(object_repr)[:255],
        ip=client_ip(request),
        detail=redact(auditchain.plain_json(detail or {})),
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
