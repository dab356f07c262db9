"""Managing logins and roles. Only the school admin (宣传部) does it; every grant and revoke
is written to the audit log in the same transaction."""

from __future__ import annotations

import time

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
    (length, character classes, not the username); the user must change it at the first
    sign-in, and gets no role until granted."""
    _require_school_admin(actor)
    username = (username or "").strip()
    user = User(
        username=username,
        display_name=(display_name or "").strip(),
        person=person,
        must_change_password=True,  # an initial password set by an admin
    )
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


# --- passwords and the second factor ------------------------------------------------------------


@transaction.atomic
def user_password_change(*, user: User, new_password: str) -> User:
    """The user sets their own password (the view has checked the old one). Clears
    `must_change_password`; audited with the user as actor (never the password)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    validate_password(new_password, user)
    forced = user.must_change_password
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit(
        event=AuditEventType.UPDATE,
        actor=user,
        obj=user,
        detail={"action": "password_changed", "was_forced": forced},
    )
    return user


@transaction.atomic
def user_password_reset(*, actor, user: User, new_password: str) -> User:
    """A school admin sets someone else's password (forgotten, or a new start): the user
    must change it at their next sign-in. Audited (never the password)."""
    _require_school_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=user,
        detail={"action": "password_reset", "must_change_password": True},
    )
    return user


@transaction.atomic
def user_second_factor_enrol(*, user: User, key: str, token: str) -> list[str]:
    """Turns on the second factor: `key` (hex, shown to the user as a QR code) becomes the
    user's only authenticator once `token`, a code the app shows for it, checks out; ten
    new recovery codes replace any old ones. Returns the codes (shown once). Raises
    ValidationError for a wrong code."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice(user=user, key=key, name=_("验证器"), confirmed=True)
    device.full_clean(exclude=["user"])
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    token = (token or "").strip().replace(" ", "")
    if not (token.isdigit() and totp.verify(int(token), device.tolerance)):
        raise ValidationError({"token": _("验证码不正确，请输入验证器当前显示的 6 位数字")})
    device.last_t = totp.t()
    TOTPDevice.objects.filter(user=user).delete()
    device.save()
    codes = _new_recovery_codes(user)
    audit(
        event=AuditEventType.UPDATE,
        actor=user,
        obj=user,
        detail={"action": "second_factor_enrolled", "recovery_codes": len(codes)},
    )
    return codes


@transaction.atomic
def user_recovery_codes_renew(*, user: User) -> list[str]:
    """Ten new recovery codes for an enrolled user; the old ones stop working."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("尚未启用两步验证"))
    codes = _new_recovery_codes(user)
    audit(
        event=AuditEventType.UPDATE,
        actor=user,
        obj=user,
        detail={"action": "recovery_codes_renewed", "recovery_codes": len(codes)},
    )
    return codes


@transaction.atomic
def user_second_factor_reset(*, actor, user: User) -> int:
    """Removes the authenticator and recovery codes of `user`: by a school admin (a lost
    phone), or by the user themself when no role requires one. The next sign-in asks
    for a password only (and, where required, a new enrolment). Returns how many devices
    were removed."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if actor.pk != user.pk:
        _require_school_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=user,
        detail={"action": "second_factor_reset", "by_admin": actor.pk != user.pk},
    )
    return removed


def _new_recovery_codes(user: User) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from .twofactor import RECOVERY_CODES

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _role_detail(assignment: RoleAssignment) -> dict:
    return {
        "role": assignment.role,
        "role_label": str(assignment.get_role_display()),
        "unit_id": assignment.unit_id,
        "unit": assignment.unit.name if assignment.unit_id else None,
    }


# --- sign-on through the school's identity (beian.identity) ---------------------------------


@transaction.atomic
def user_provision_from_identity(
    *, username: str, display_name: str = "", email: str = "", person=None, source: str
) -> User:
    """The login of someone the school's sign-on (CAS, OIDC, LDAP) vouched for: created on
    first sign-in without a usable password and without roles, linked to their roster
    person when known. Name, e-mail and the person link follow the identity on later
    sign-ins. Audited with the user as actor and `source` naming the protocol."""
    username = (username or "").strip()
    user = User.objects.select_for_update().filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username)
        user.set_unusable_password()
        before = {}
    else:
        before = {
            "display_name": user.display_name,
            "email": user.email,
            "person": user.person_id,
        }
    if display_name:
        user.display_name = display_name.strip()[:64]
    if email:
        user.email = email.strip()
    if person is not None and user.person_id != person.pk:
        if User.objects.filter(person=person).exclude(pk=user.pk).exists():
            raise ValidationError(
                _("人员“%(person)s”已关联其他用户，无法关联到 %(username)s")
                % {"person": person, "username": username}
            )
        user.person = person
    after = {"display_name": user.display_name, "email": user.email, "person": user.person_id}
    if not created and before == after:
        return user
    user.full_clean(exclude=["password"])
    user.save()
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if "email" in changes:
        changes["email"] = ["***" if changes["email"][0] else "", "***"]
    audit(
        event=AuditEventType.CREATE if created else AuditEventType.UPDATE,
        actor=user,
        obj=user,
        detail={"source": source, "changes": changes},
    )
    return user


@transaction.atomic
def role_grant_from_identity(*, user: User, role: str, unit=None, source: str):
    """A role derived from the identity's attributes ([identity] role_values of the policy
    file): granted once, never taken away here (a school admin revokes it on the user's
    page). Returns the new assignment, or None when the user already had it."""
    if role not in Role.values:
        raise ValidationError({"role": _("请选择有效的角色")})
    if role in UNIT_ROLES and unit is None:
        return None
    if role not in UNIT_ROLES:
        unit = None
    if RoleAssignment.objects.filter(user=user, role=role, unit=unit).exists():
        return None
    assignment = RoleAssignment(user=user, role=role, unit=unit, granted_by=None)
    assignment._history_user = user
    assignment.save()
    audit(
        event=AuditEventType.ROLE_GRANTED,
        actor=user,
        obj=user,
        detail={**_role_detail(assignment), "source": source},
    )
    return assignment
