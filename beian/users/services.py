"""Managing logins and roles. Only the school admin (宣传部) does it; every grant and revoke
is written to the audit log in the same transaction."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from beian.core.audit import audit
from beian.core.choices import AuditEventType

from .choices import UNIT_ROLES, Role
from .models import RoleAssignment, User


def _require_school_admin(actor) -> None:
    if not (actor is not None and actor.is_authenticated and actor.is_school_admin):
        raise PermissionDenied(_("只有学校管理员（宣传部）可以管理用户和角色"))


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    display_name: str = "",
    person=None,
) -> User:
    """Creates a local login. The initial password must pass the password validators
    (length, character classes, not the username); the user gets no role until granted."""
    _require_school_admin(actor)
    username = (username or "").strip()
    user = User(username=username, display_name=(display_name or "").strip(), person=person)
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit(
        event=AuditEventType.CREATE,
        actor=actor,
        obj=user,
        detail={
            "username": user.username,
            "display_name": user.display_name,
            "person": str(person) if person else None,
        },
    )
    return user


@transaction.atomic
def role_grant(*, actor, user: User, role: str, unit=None) -> RoleAssignment:
    """Gives `user` a role. Unit admins and league approvers are scoped to a unit subtree
    and need a unit; the other roles are not tied to a unit and must not have one."""
    _require_school_admin(actor)
    if role not in Role.values:
        raise ValidationError({"role": _("请选择有效的角色")})
    if role in UNIT_ROLES and unit is None:
        raise ValidationError({"unit": _("二级单位管理员和校团委审批人须指定管辖单位")})
    if role not in UNIT_ROLES and unit is not None:
        raise ValidationError({"unit": _("该角色不限定单位，请不要选择管辖单位")})
    user = User.objects.select_for_update().get(pk=user.pk)
    if RoleAssignment.objects.filter(user=user, role=role, unit=unit).exists():
        raise ValidationError(_("该用户已有此角色"))
    assignment = RoleAssignment(user=user, role=role, unit=unit, granted_by=actor)
    assignment._history_user = actor
    assignment.save()
    audit(
        event=AuditEventType.ROLE_GRANTED,
        actor=actor,
        obj=user,
        detail=_role_detail(assignment),
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    """Takes a role away. The last school admin's role cannot be revoked, so the registry
    is never left without anyone able to manage it."""
    _require_school_admin(actor)
    assignment = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("user", "unit")
        .get(pk=assignment.pk)
    )
    if assignment.role == Role.SCHOOL_ADMIN:
        others = (
            RoleAssignment.objects.select_for_update()
            .filter(role=Role.SCHOOL_ADMIN, user__is_active=True)
            .exclude(user_id=assignment.user_id)
        )
        if not others.exists():
            if assignment.user_id == actor.pk:
                message = _(
                    "您是最后一位学校管理员，不能撤销自己的学校管理员角色。"
                    "请先为另一位用户授予学校管理员角色。"
                )
            else:
                message = _(
                    "%(user)s 是最后一位学校管理员，不能撤销。请先为另一位用户授予学校管理员角色。"
                ) % {"user": assignment.user}
            raise ValidationError(message)
    detail = _role_detail(assignment)
    user = assignment.user
    assignment._history_user = actor
    assignment.delete()
    audit(event=AuditEventType.ROLE_REVOKED, actor=actor, obj=user, detail=detail)


def _role_detail(assignment: RoleAssignment) -> dict:
    return {
        "role": assignment.role,
        "role_label": str(assignment.get_role_display()),
        "unit_id": assignment.unit_id,
        "unit": assignment.unit.name if assignment.unit_id else None,
    }
