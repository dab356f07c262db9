"""Signing in through the school's identity: link the login to its roster person, keep
the person's unit, kind and status current (through the orgs services, audited), refuse
those who have left and flag their open roles to the school admins.

`sign_in()` is what every backend calls once the protocol has vouched for a username."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from beian.core.policy import get_policy
from beian.notify import services as notify_services
from beian.notify.models import Notification
from beian.orgs import services as orgs_services
from beian.orgs.choices import PersonKind, PersonStatus
from beian.orgs.models import Person, Unit
from beian.users import services as users_services
from beian.users.choices import Role
from beian.users.models import RoleAssignment, User

from .attributes import Identity, read_identity

logger = logging.getLogger(__name__)

#: Session key C's one-time-password middleware reads: "sso" after a sign-on login.
AUTH_KIND_SESSION_KEY = "beian_auth_backend_kind"
#: Session key of the protocol of the current sign-on (cas, oidc, ldap); the logout view
#: uses it to sign out of the CAS server as well.
PROTOCOL_SESSION_KEY = "beian_sso_protocol"
#: Set at a sign-on of a user without roles: the home page sends them to the no-role page.
NO_ROLE_SESSION_KEY = "beian_identity_no_role"
#: request attribute carrying a refusal to the middleware, which shows the refused page.
REFUSAL_ATTRIBUTE = "beian_identity_refusal"

LEAVER_SUBJECT = "identity-leaver:user:{pk}"


class SignInRefused(PermissionDenied):
    """A sign-in the school's identity vouched for but Beian refuses (the person has left).
    Django's authenticate() stops at a PermissionDenied, so no other backend is tried."""

    def __init__(self, message: str, *, person: Person | None = None, status: str = ""):
        super().__init__(message)
        self.message, self.person, self.status = message, person, status


def sign_in(
    *, protocol: str, username: str, attributes: Mapping[str, Any], request=None
) -> User | None:
    """The Beian user of a sign-on identity, created and kept in step; raises
    SignInRefused (and tells the middleware through `request`) for a leaver."""
    policy = get_policy()
    identity = read_identity(
        protocol=protocol, username=username, attributes=attributes, policy=policy
    )
    if not identity.username:
        return None
    try:
        user, person = _sync(identity)
    except ValidationError as exc:
        message = _(
            "统一身份认证提供的信息无法写入本系统：%(errors)s。请联系党委宣传部（学校管理员）。"
        ) % {"errors": "；".join(_messages(exc))}
        logger.warning("sign-on %s of %s refused: %s", protocol, identity.username, exc)
        if request is not None:
            setattr(request, REFUSAL_ATTRIBUTE, {"message": message, "flagged": False})
        raise SignInRefused(message) from exc
    if person is not None and person.status != PersonStatus.IN_POST:
        flagged = _flag_open_roles(user, person)
        message = _(
            "%(name)s（%(number)s）在学校名册中的状态为“%(status)s”，不能再登录本系统。"
            "如有误，请联系所在单位或党委宣传部核实名册。"
        ) % {"name": person.name, "number": person.number, "status": person.get_status_display()}
        if request is not None:
            setattr(
                request,
                REFUSAL_ATTRIBUTE,
                {"message": message, "person": person, "flagged": flagged, "leaver": True},
            )
        raise SignInRefused(message, person=person, status=person.status)
    if not user.is_active:
        return None
    if request is not None:
        request.beian_identity_protocol = protocol  # read by the user_logged_in receiver
    return user


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            "、".join(errors) if field == NON_FIELD_ERRORS else f"{field}：{'、'.join(errors)}"
            for field, errors in exc.message_dict.items()
        ]
    return list(exc.messages)


@transaction.atomic
def _sync(identity: Identity) -> tuple[User, Person | None]:
    policy = get_policy()
    source = identity.protocol
    username = identity.username
    existing = User.objects.select_related("person").filter(username=username).first()
    person = None
    if identity.number:
        person = Person.objects.filter(number=identity.number).first()
    if person is None and existing is not None and existing.person_id:
        person = existing.person
    taken = False  # the roster person belongs to another login: neither link nor create
    linked = User.objects.filter(person=person).first() if person is not None else None
    if linked is not None and existing is None:
        # The person already has a login (a local account a school admin made for them):
        # the school's identity signs them in to that login rather than a second one.
        username, existing = linked.username, linked
    elif linked is not None and linked != existing:
        logger.warning(
            "sign-on %s: %s is linked to login %s; %s stays unlinked",
            source, person.number, linked.username, username,
        )  # fmt: skip
        person, taken = None, True
    unit = Unit.objects.filter(code=identity.unit_code).first() if identity.unit_code else None
    if identity.unit_code and unit is None:
        logger.warning("sign-on %s: unit code %r not in the unit tree", source, identity.unit_code)

    user = users_services.user_provision_from_identity(
        username=username,
        display_name=identity.name or (person.name if person else ""),
        email=identity.email,
        source=source,
    )
    data: dict[str, Any] = {}
    if identity.name:
        data["name"] = identity.name
    if identity.kind:
        data["kind"] = identity.kind
    if unit is not None:
        data["unit"] = unit
    if identity.status:
        data["status"] = identity.status
    if identity.email:
        data["email"] = identity.email
    if person is not None:
        if data:
            person = orgs_services.person_sync_from_identity(
                person=person, number=person.number, data=data, actor=user, source=source
            )
    elif (
        not taken
        and policy.identity.create_people
        and identity.number
        and identity.name
        and unit is not None
    ):
        data.setdefault("kind", PersonKind.STAFF)
        data.setdefault("status", PersonStatus.IN_POST)
        person = orgs_services.person_sync_from_identity(
            person=None, number=identity.number, data=data, actor=user, source=source
        )
    if person is not None and user.person_id != person.pk:
        user = users_services.user_provision_from_identity(
            username=username, person=person, source=source
        )
    if person is not None and person.status == PersonStatus.IN_POST:
        for role in identity.roles:
            users_services.role_grant_from_identity(
                user=user, role=role, unit=person.unit, source=source
            )
    return user, person


def _flag_open_roles(user: User, person: Person) -> bool:
    """Tell the school admins once (per latest role grant) that someone who has left still
    holds roles in Beian, so that they revoke or hand them over."""
    assignments = list(user.roles.select_related("unit").order_by("-granted_at"))
    if not assignments:
        return False
    subject = LEAVER_SUBJECT.format(pk=user.pk)
    already = Notification.objects.filter(
        subject=subject, created_at__gte=assignments[0].granted_at
    ).exists()
    if already:
        return True
    admins = User.objects.filter(is_active=True, roles__role=Role.SCHOOL_ADMIN).distinct()
    roles = "、".join(str(a) for a in assignments)
    text = _(
        "%(name)s（%(number)s）在学校名册中已%(status)s，但仍担任：%(roles)s。"
        "请撤销或交接这些角色。"
    ) % {
        "name": person.name,
        "number": person.number,
        "status": person.get_status_display(),
        "roles": roles,
    }
    with transaction.atomic():
        notify_services.notification_send(
            recipients=list(admins),
            text=text[:500],
            link=reverse("users:user_detail", args=[user.pk]),
            subject=subject,
            unit=person.unit,
            kind="identity-leaver",
        )
    return True


def whom_to_ask(user: User) -> dict[str, list[User]]:
    """Who can grant a role to `user`: the admins of their unit and of the units above it
    (nearest first), and the school admins."""
    unit_admins: list[User] = []
    if user.person_id and user.person is not None:
        ancestors, unit = [], user.person.unit
        while unit is not None and len(ancestors) < 20:
            ancestors.append(unit)
            unit = unit.parent
        seen = set()
        for unit in ancestors:
            for assignment in (
                RoleAssignment.objects.filter(role=Role.UNIT_ADMIN, unit=unit, user__is_active=True)
                .select_related("user")
                .order_by("user__username")
            ):
                if assignment.user_id not in seen:
                    seen.add(assignment.user_id)
                    unit_admins.append(assignment.user)
    school_admins = list(
        User.objects.filter(is_active=True, roles__role=Role.SCHOOL_ADMIN)
        .distinct()
        .order_by("username")
    )
    return {"unit_admins": unit_admins, "school_admins": school_admins}
