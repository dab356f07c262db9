"""Authentication events go to the audit log (they have no service of ours to live in)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit
from .choices import AuditEventType
from .middleware import LOGIN_AT_KEY


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    import time

    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = time.time()
    audit(event=AuditEventType.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit(event=AuditEventType.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", ""))[:150]
    audit(
        event=AuditEventType.LOGIN_FAILED,
        success=False,
        request=request,
        actor_name=username,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit(
        event=AuditEventType.LOCKOUT,
        success=False,
        request=request,
        actor_name=str(username or "")[:150],
    )
