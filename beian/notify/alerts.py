"""Security alerts to the school admins (issue 9, finding 11):

- an account locked out after repeated failed sign-ins (django-axes `user_locked_out`;
  wrong passwords and wrong second-factor codes count alike);
- a burst of refused requests: at least `BEIAN_DENIED_BURST` answers 403/404 to one
  address, or to one signed-in user, within `BEIAN_DENIED_WINDOW_SECONDS` (counted in the
  cache by `DeniedBurstMiddleware`; the audit log records each refusal itself).

Each alert goes in-app to every active school admin at once, and as a due point of the
school's root unit, so that the unit's enabled channels (a WeCom / DingTalk / Feishu robot,
or e-mail) carry it on the next delivery run. One alert per address (or user) and kind per
`BEIAN_ALERT_QUIET_SECONDS` (30 minutes): a scan cannot flood the admins.

Counts live in Django's cache: per process with the default local-memory cache, shared by
all workers when CACHES points at Redis (docs/security.md)."""

from __future__ import annotations

import logging
import time

from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import cache
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.audit import client_ip
from beian.orgs.models import Unit
from beian.users.choices import Role
from beian.users.models import User

from .services import deliver_inbox, reminder_schedule

logger = logging.getLogger(__name__)

ALERT_KIND = "security_alert"
DENIED_STATUSES = frozenset({403, 404})


def school_admins() -> list[User]:
    return list(
        User.objects.filter(is_active=True, roles__role=Role.SCHOOL_ADMIN).distinct().order_by("pk")
    )


def _root_unit_id() -> int | None:
    return (
        Unit.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True).first()
    )


def security_alert(*, key: str, text: str) -> bool:
    """Tell the school admins (in-app now; the root unit's channels on the next run) unless
    an alert with this key went out within the quiet time. Returns whether it was sent."""
    if not cache.add(f"beian:alert:{key}", 1, settings.BEIAN_ALERT_QUIET_SECONDS):
        return False
    now = timezone.now()
    link = reverse("core:audit_list")
    admins = school_admins()
    # Delivered now, not after a commit: a lockout or a probe happened even if the request's
    # transaction rolls back.
    deliver_inbox(admins, text, link=link, subject=f"security:{key}", kind=ALERT_KIND, email=False)
    unit_id = _root_unit_id()
    if unit_id is not None:
        reminder_schedule(
            key=f"security:{key}:{int(now.timestamp())}",
            unit=unit_id,
            kind=ALERT_KIND,
            text=text,
            link=link,
            subject=f"security:{key}",
            due_at=now,
        )
    logger.warning("security alert: %s", text)
    return True


# --- lockouts ---------------------------------------------------------------------------------


@receiver(user_locked_out)
def _alert_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    ip = ip_address or client_ip(request) or "?"
    text = _("安全提醒：用户名“%(username)s”连续登录失败，已锁定 30 分钟（来源 IP %(ip)s）") % {
        "username": str(username or "")[:150],
        "ip": ip,
    }
    try:
        security_alert(key=f"lockout:{ip}", text=text)
    except Exception:  # noqa: BLE001 - an alert must never break signing in
        logger.exception("could not send the lockout alert")


# --- bursts of refused requests -------------------------------------------------------------------


def _count(key: str, now: float) -> int:
    """Record one refusal under `key` and answer how many fell within the window."""
    window = settings.BEIAN_DENIED_WINDOW_SECONDS
    cache_key = f"beian:denied:{key}"
    stamps = [t for t in cache.get(cache_key, []) if t > now - window]
    stamps.append(now)
    stamps = stamps[-max(settings.BEIAN_DENIED_BURST, 1) :]
    cache.set(cache_key, stamps, window)
    return len(stamps)


def note_denied(request) -> None:
    """Count one 403/404 answer for the address and the user of `request`; alert on a burst."""
    now = time.time()
    threshold = settings.BEIAN_DENIED_BURST
    minutes = settings.BEIAN_DENIED_WINDOW_SECONDS // 60
    ip = client_ip(request) or "?"
    if _count(f"ip:{ip}", now) >= threshold:
        security_alert(
            key=f"denied:ip:{ip}",
            text=_(
                "安全提醒：IP %(ip)s 在 %(minutes)d 分钟内有 %(count)d 次以上请求被拒绝"
                "（403/404），可能在探测系统，请查看审计日志"
            )
            % {"ip": ip, "minutes": minutes, "count": threshold},
        )
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    if _count(f"user:{user.pk}", now) >= threshold:
        security_alert(
            key=f"denied:user:{user.pk}",
            text=_(
                "安全提醒：用户“%(user)s”在 %(minutes)d 分钟内有 %(count)d 次以上请求被拒绝"
                "（403/404），请查看审计日志"
            )
            % {"user": user.get_username(), "minutes": minutes, "count": threshold},
        )


class DeniedBurstMiddleware:
    """Counts the 403 and 404 answers (see `note_denied`); never changes a response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in DENIED_STATUSES:
            try:
                note_denied(request)
            except Exception:  # noqa: BLE001 - counting must never break a page
                logger.exception("could not count a refused request")
        return response
