"""A user whose Person has left the school (离职 / 毕业 in the roster) signs in no more:
not with a local password (the login form), not with an API token (beian/api), just as the
school's sign-on refuses them (beian/identity); and a session opened before the roster
said so ends within a minute (`end_leaver_session`). Each refusal is audited."""

from __future__ import annotations

import time

from django.contrib.auth import logout
from django.core.cache import cache
from django.utils.translation import gettext as _

from beian.core.audit import audit
from beian.core.choices import AuditEventType

#: The roster status of someone in post (orgs' PersonStatus.IN_POST; the person is read
#: through the user's relation, so this app imports nothing of orgs).
IN_POST = "in_post"
#: A refused token is audited at most once an hour (a script may retry every minute).
TOKEN_AUDIT_SECONDS = 3600
#: How often a signed-in session reads its person's roster status again.
SESSION_CHECK_SECONDS = 60
SESSION_CHECKED_KEY = "beian_roster_checked_at"
#: The reason an ended session carries (in the new, anonymous session) to the login page.
ENDED_SESSION_KEY = "beian_session_ended"


def leaver_message(user) -> str | None:
    """The Chinese refusal for a user whose Person has left, or None."""
    person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
    if person is None or person.status == IN_POST:
        return None
    return _(
        "%(name)s（%(number)s）在学校名册中的状态为“%(status)s”，不能再登录本系统。"
        "如有误，请联系所在单位或党委宣传部核实名册。"
    ) % {"name": person.name, "number": person.number, "status": person.get_status_display()}


def refuse_leaver_login(user, *, request=None) -> str | None:
    """The refusal of a local-password login of a leaver (audited), or None to let it in."""
    message = leaver_message(user)
    if message is not None:
        audit(
            event=AuditEventType.LOGIN_FAILED,
            actor_name=user.username,
            obj=user,
            success=False,
            request=request,
            detail={"reason": "person_left", "status": user.person.status, "via": "password"},
        )
    return message


def refuse_leaver_token(user, *, token=None, request=None) -> bool:
    """True (and audited, once an hour per token) when a token's owner has left."""
    message = leaver_message(user)
    if message is None:
        return False
    key = f"beian:leaver-token:{getattr(token, 'pk', user.pk)}"
    if cache.add(key, 1, TOKEN_AUDIT_SECONDS):
        audit(
            event=AuditEventType.LOGIN_FAILED,
            actor_name=user.username,
            obj=token if token is not None else user,
            success=False,
            request=request,
            detail={"reason": "person_left", "status": user.person.status, "via": "api_token"},
        )
    return True


def end_leaver_session(request) -> str | None:
    """Signs out a user whose Person has left since the session began (read at most once a
    minute per session: a roster sync or an admin's edit takes effect within that time) and
    returns the reason to show; None while the person is in post."""
    user = request.user
    if not getattr(user, "person_id", None):
        return None
    now = time.time()
    checked = request.session.get(SESSION_CHECKED_KEY)
    if checked is not None and 0 <= now - checked < SESSION_CHECK_SECONDS:
        return None
    message = leaver_message(user)
    if message is None:
        request.session[SESSION_CHECKED_KEY] = now
        return None
    audit(
        event=AuditEventType.SESSION_EXPIRED,
        actor=user,
        obj=user,
        success=False,
        request=request,
        detail={"reason": "person_left", "status": user.person.status, "via": "session"},
    )
    logout(request)
    return message
