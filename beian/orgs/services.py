"""Writes to the unit tree and the people roster. Each service checks who may write,
validates the row, saves it and appends an audit row in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from beian.core.audit import audit, changed_fields
from beian.core.choices import AuditEventType
from beian.core.hooks import records_changed
from beian.core.masking import MASKERS
from beian.core.validators import normalize_phone

from .choices import PersonKind, PersonStatus
from .models import Person, Unit
from .selectors import unit_kinds_for

UNIT_FIELDS = ("name", "short_name", "kind", "code", "parent", "head", "is_active")
PERSON_FIELDS = (
    "name",
    "number",
    "kind",
    "unit",
    "post",
    "cadre_level",
    "status",
    "mobile",
    "email",
    "qq",
)
PERSONAL_FIELDS = ("mobile", "email", "qq")


def _snapshot(obj, fields) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _clean_text(data: dict[str, Any], fields) -> dict[str, Any]:
    cleaned = dict(data)
    for name in fields:
        if isinstance(cleaned.get(name), str):
            cleaned[name] = " ".join(cleaned[name].split())
    return cleaned


def _check_unit_rules(actor, *, unit: Unit, before: dict[str, Any] | None) -> None:
    """Who may put which unit where: the school admin anywhere; a unit admin only inside
    their subtree (the parent must be theirs unless it is unchanged), only with kinds below
    the second level unless the kind is unchanged, and with a head they can see."""
    if actor.is_school_admin:
        return
    editable = actor.admin_unit_ids
    parent_changed = before is None or before["parent"] != unit.parent
    if parent_changed and (unit.parent_id is None or unit.parent_id not in editable):
        raise PermissionDenied(_("只能在本单位及下级单位范围内设置上级单位"))
    kind_changed = before is None or before["kind"] != unit.kind
    if kind_changed and unit.kind not in dict(unit_kinds_for(actor)):
        raise PermissionDenied(_("二级单位及以上的单位类型由宣传部设置"))
    head_changed = before is None or before["head"] != unit.head
    if (
        head_changed
        and unit.head_id is not None
        and not Person.objects.visible_to(actor).filter(pk=unit.head_id).exists()
    ):
        raise PermissionDenied(_("只能从本单位范围内的人员中选择第一责任人"))


@transaction.atomic
def unit_create(
    *,
    actor,
    name: str,
    kind: str,
    parent: Unit | None = None,
    short_name: str = "",
    code: str = "",
    head: Person | None = None,
    is_active: bool = True,
) -> Unit:
    """Adds a unit to the tree. The school admin may add one anywhere; a unit admin only
    below a unit of their subtree."""
    if not (actor.is_school_admin or actor.admin_unit_ids):
        raise PermissionDenied(_("您没有新增单位的权限"))
    data = _clean_text(
        {
            "name": name,
            "short_name": short_name,
            "kind": kind,
            "code": code,
            "parent": parent,
            "head": head,
            "is_active": is_active,
        },
        ("name", "short_name", "code"),
    )
    unit = Unit(**data)
    _check_unit_rules(actor, unit=unit, before=None)
    unit.full_clean()
    unit._history_user = actor
    unit.save()
    audit(
        event=AuditEventType.CREATE,
        actor=actor,
        obj=unit,
        detail={"changes": changed_fields({}, _snapshot(unit, UNIT_FIELDS))},
    )
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, data: dict[str, Any]) -> Unit:
    """Changes a unit's fields (`data` holds any of UNIT_FIELDS). The school admin may change
    any unit; a unit admin the units of their subtree, without moving a unit out of it."""
    unknown = set(data) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unit_update() got unknown fields: {sorted(unknown)}")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not actor.can_edit_in_unit(unit.pk):
        raise PermissionDenied(_("您没有修改该单位的权限"))
    before = _snapshot(unit, UNIT_FIELDS)
    for name, value in _clean_text(data, ("name", "short_name", "code")).items():
        setattr(unit, name, value)
    changes = changed_fields(before, _snapshot(unit, UNIT_FIELDS))
    if not changes:
        return unit
    _check_unit_rules(actor, unit=unit, before=before)
    unit.full_clean()
    unit._history_user = actor
    unit.save()
    audit(event=AuditEventType.UPDATE, actor=actor, obj=unit, detail={"changes": changes})
    if changes.keys() & {"head", "kind", "parent"}:
        records_changed(units=[unit.pk])
    return unit


def _check_person_unit(actor, unit: Unit | None) -> None:
    if unit is None or not actor.can_edit_in_unit(unit.pk):
        raise PermissionDenied(_("只能在本单位及下级单位范围内登记人员"))


@transaction.atomic
def person_create(
    *,
    actor,
    name: str,
    unit: Unit,
    kind: str = PersonKind.STAFF,
    number: str = "",
    post: str = "",
    cadre_level: str = "",
    status: str = PersonStatus.IN_POST,
    mobile: str = "",
    email: str = "",
    qq: str = "",
) -> Person:
    """Adds someone to the roster. The school admin may add anyone; a unit admin people of
    the units in their subtree. Mobile numbers are stored as 11 digits."""
    _check_person_unit(actor, unit)
    data = _clean_text(
        {
            "name": name,
            "number": number,
            "kind": kind,
            "unit": unit,
            "post": post,
            "cadre_level": cadre_level or "",
            "status": status,
            "mobile": normalize_phone(mobile),
            "email": (email or "").strip(),
            "qq": (qq or "").strip(),
        },
        ("name", "number", "post"),
    )
    person = Person(**data)
    person.full_clean()
    person._history_user = actor
    person.save()
    audit(
        event=AuditEventType.CREATE,
        actor=actor,
        obj=person,
        detail={"changes": _redacted(changed_fields({}, _snapshot(person, PERSON_FIELDS)))},
    )
    return person


@transaction.atomic
def person_update(*, actor, person: Person, data: dict[str, Any]) -> Person:
    """Changes a person's fields (`data` holds any of PERSON_FIELDS). Both the person's
    current unit and, when moved, the new unit must be in the actor's write scope. The
    records whose teams the person is on are re-checked after commit (their kind, status
    and cadre level are what the team rules judge)."""
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update() got unknown fields: {sorted(unknown)}")
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_person_unit(actor, person.unit)
    before = _snapshot(person, PERSON_FIELDS)
    data = _clean_text(data, ("name", "number", "post"))
    if "mobile" in data:
        data["mobile"] = normalize_phone(data["mobile"])
    if "cadre_level" in data:
        data["cadre_level"] = data["cadre_level"] or ""
    for name in ("email", "qq"):
        if name in data:
            data[name] = (data[name] or "").strip()
    for name, value in data.items():
        setattr(person, name, value)
    changes = changed_fields(before, _snapshot(person, PERSON_FIELDS))
    if not changes:
        return person
    if "unit" in changes:
        _check_person_unit(actor, person.unit)
    person.full_clean()
    person._history_user = actor
    person.save()
    audit(
        event=AuditEventType.UPDATE, actor=actor, obj=person, detail={"changes": _redacted(changes)}
    )
    records_changed(people=[person.pk])
    return person


def _redacted(changes: dict[str, list]) -> dict[str, list]:
    """The audit log records that personal data changed, not the values themselves: the log
    is read by auditors, who are not entitled to them."""
    return {
        name: [MASKERS[name](old or ""), MASKERS[name](new or "")]
        if name in PERSONAL_FIELDS
        else [old, new]
        for name, (old, new) in changes.items()
    }


# --- identity sync (the school's sign-on tells us who a person is) ---------------------------

IDENTITY_FIELDS = ("name", "kind", "unit", "status", "email")


@transaction.atomic
def person_sync_from_identity(
    *, person: Person | None, number: str, data: dict[str, Any], actor, source: str
) -> Person:
    """Keeps the roster in step with the school's identity at each sign-in: creates the
    person when `person` is None (needs name, kind and unit), otherwise updates the fields
    of `data` (any of IDENTITY_FIELDS) that differ. Not checked against a write scope: the
    values come from the school's own identity system, not from `actor` (the person signing
    in, recorded in the audit row with `source`, e.g. "cas")."""
    unknown = set(data) - set(IDENTITY_FIELDS)
    if unknown:
        raise TypeError(f"person_sync_from_identity() got unknown fields: {sorted(unknown)}")
    data = _clean_text(dict(data), ("name",))
    if "email" in data:
        data["email"] = (data["email"] or "").strip()
    if person is None:
        person = Person(number=(number or "").strip(), **data)
        person.full_clean()
        person._history_user = actor
        person.save()
        changes = changed_fields({}, _snapshot(person, PERSON_FIELDS))
        audit(
            event=AuditEventType.CREATE,
            actor=actor,
            obj=person,
            detail={"source": source, "changes": _redacted(changes)},
        )
        return person
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = _snapshot(person, PERSON_FIELDS)
    for name, value in data.items():
        setattr(person, name, value)
    changes = changed_fields(before, _snapshot(person, PERSON_FIELDS))
    if not changes:
        return person
    person.full_clean()
    person._history_user = actor
    person.save()
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=person,
        detail={"source": source, "changes": _redacted(changes)},
    )
    records_changed(people=[person.pk])
    return person
