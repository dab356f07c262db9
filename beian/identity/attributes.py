"""What an identity says about a person, read from the attributes (CAS), claims (OIDC)
or entries (LDAP) of the school's sign-on by the names of the policy's [identity] table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from beian.core.policy import Policy


@dataclass(frozen=True)
class Identity:
    protocol: str
    username: str
    number: str = ""
    name: str = ""
    unit_code: str = ""
    kind: str = ""  # a PersonKind value, or "" when absent / not in kind_values
    status: str = ""  # a PersonStatus value, or ""
    email: str = ""
    roles: tuple[str, ...] = ()
    raw_kind: str = ""
    raw_status: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)


def first(value: Any) -> str:
    """One text value: CAS and LDAP give lists for multi-valued attributes, LDAP bytes."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return "" if value is None else str(value).strip()


def all_values(value: Any) -> list[str]:
    values = value if isinstance(value, list | tuple) else [value]
    return [v for v in (first(item) for item in values) if v]


def read_identity(
    *, protocol: str, username: str, attributes: Mapping[str, Any], policy: Policy
) -> Identity:
    """The identity of one sign-in. The 工号/学号 is the `number_attribute`, or the login
    name itself when that is empty (金智 CAS answers the number as the user)."""
    attrs = dict(attributes or {})
    folded = {str(key).lower(): value for key, value in attrs.items()}

    def attr(name: str) -> Any:
        if not name:
            return None
        return attrs[name] if name in attrs else folded.get(name.lower())

    raw_kind = first(attr(policy.identity.kind_attribute))
    raw_status = first(attr(policy.identity.status_attribute))
    roles = tuple(
        dict.fromkeys(
            policy.identity.role_values[value]
            for value in all_values(attr(policy.identity.role_attribute))
            if value in policy.identity.role_values
        )
    )
    return Identity(
        protocol=protocol,
        username=username.strip(),
        number=first(attr(policy.identity.number_attribute))
        if policy.identity.number_attribute
        else username.strip(),
        name=first(attr(policy.identity.name_attribute)),
        unit_code=first(attr(policy.identity.unit_attribute)),
        kind=policy.identity.kind_values.get(raw_kind, ""),
        status=policy.identity.status_values.get(raw_status, ""),
        email=first(attr(policy.identity.email_attribute)),
        roles=roles,
        raw_kind=raw_kind,
        raw_status=raw_status,
        attributes=attrs,
    )
