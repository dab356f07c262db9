"""A user whose Person has left the school (离职 / 毕业 in the roster) signs in no more:
not with a local password (the login form), not with an API token (beian/api), just as the
school's sign-on refuses them (beian/identity). Each refusal is audited."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import gettext as _

from beian.core.audit import audit
from beian.core.choices import AuditEventType

#: The roster status of someone in post (orgs' PersonStatus.IN_POST; the person is read
#: through the user's relation, so this app imports nothing of orgs).
IN_POST = "in_post"
#: A refused token is audited at most once an hour (a script may retry every minute).
TOKEN_AUDIT_SECONDS = 3600


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
