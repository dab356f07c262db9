"""Spellings of platforms that a school teaches the importers from the import preview
("企微" → 企业微信群): which school an import belongs to, who may teach, and the one
service that writes a spelling (history, audit row, same transaction).

A school is a node of the unit tree of kind 学校; its spellings serve every import into
its subtree. Built-in shorthand lives in the platform catalogue
(`beian.registry.platforms`); what is taught here only adds to it and never overrides it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.sheets import clean_text, match_key
from beian.orgs.choices import UnitKind
from beian.orgs.models import Unit
from beian.registry.models import Platform
from beian.registry.platforms import spellings
from beian.users.choices import Role

from .models import PlatformSpelling

MAX_SPELLING = 64


def _school_of(unit_id: int | None, tree: dict[int, tuple[int | None, str]]) -> int | None:
    """The nearest unit of kind 学校 at or above `unit_id`."""
    seen: set[int] = set()
    while unit_id is not None and unit_id not in seen:
        seen.add(unit_id)
        parent_id, kind = tree.get(unit_id, (None, ""))
        if kind == UnitKind.SCHOOL:
            return unit_id
        unit_id = parent_id
    return None


def institution_unit_id(actor, unit: Unit | int | None = None) -> int | None:
    """The school an import by `actor` (into `unit`, when chosen) belongs to: the school of
    the unit; else of the actor's role units, of the actor's own unit; else the only
    school of the tree. None when that cannot be told (several schools, no hint)."""
    tree = {
        pk: (parent_id, kind)
        for pk, parent_id, kind in Unit.objects.values_list("pk", "parent_id", "kind")
    }
    hints: list[int | None] = []
    if unit is not None:
        hints.append(unit if isinstance(unit, int) else unit.pk)
    hints += [a.unit_id for a in actor.role_assignments if a.unit_id]
    if actor.person_id:
        person = actor.person
        hints.append(person.unit_id if person is not None else None)
    for hint in hints:
        school = _school_of(hint, tree)
        if school is not None:
            return school
    schools = [pk for pk, (_parent, kind) in tree.items() if kind == UnitKind.SCHOOL]
    return schools[0] if len(schools) == 1 else None


def can_teach(actor, institution_id: int | None) -> bool:
    """Only a school admin of that school teaches it spellings (a school admin whose role
    names a unit is the admin of that unit's school; one without a unit, of every school)."""
    if institution_id is None or not actor.is_authenticated or not actor.is_school_admin:
        return False
    if actor.is_superuser:
        return True
    units = [a.unit_id for a in actor.role_assignments if a.role == Role.SCHOOL_ADMIN and a.unit_id]
    if not units:
        return True
    tree = {
        pk: (parent_id, kind)
        for pk, parent_id, kind in Unit.objects.values_list("pk", "parent_id", "kind")
    }
    return any(_school_of(unit_id, tree) == institution_id for unit_id in units)


def learned(institution_id: int | None) -> list[tuple[str, int, bool]]:
    """(spelling, platform id, for_groups) of what the school has taught."""
    if institution_id is None:
        return []
    return list(
        PlatformSpelling.objects.filter(institution_unit_id=institution_id).values_list(
            "spelling", "platform_id", "for_groups"
        )
    )


def learned_for(actor, unit: Unit | None = None) -> list[tuple[str, int, bool]]:
    """What the school of an import by `actor` (into `unit`) has taught."""
    return learned(institution_unit_id(actor, unit))


def _builtin_owner(key: str, for_groups: bool) -> Platform | None:
    """The platform of that kind whose built-in or stored spellings include `key`."""
    for platform in Platform.objects.filter(for_groups=for_groups):
        if any(match_key(name) == key for name in spellings(platform)):
            return platform
    return None


@transaction.atomic
def platform_spelling_create(
    *, actor, institution_unit: Unit, spelling: str, platform: Platform, request=None
) -> PlatformSpelling:
    """Teach the school that `spelling` means `platform` (in sheets of that platform's
    kind: account sheets or group sheets). Re-teaching a spelling the school taught before
    points it at the new platform. Refused for a spelling the catalogue already knows."""
    if not can_teach(actor, institution_unit.pk):
        raise PermissionDenied(_("只有学校管理员（宣传部）可以添加平台写法"))
    text = clean_text(spelling)
    key = match_key(text)
    if not key:
        raise ValidationError({"spelling": _("请填写平台的写法")})
    if len(text) > MAX_SPELLING:
        raise ValidationError({"spelling": _("写法过长（最多 %(n)s 个字）") % {"n": MAX_SPELLING}})
    if not platform.is_active:
        raise ValidationError({"platform": _("平台“%(name)s”已停用") % {"name": platform.name}})
    known = _builtin_owner(key, platform.for_groups)
    if known is not None:
        raise ValidationError(
            {"spelling": _("“%(s)s”已经是“%(p)s”的写法，无需添加") % {"s": text, "p": known.name}}
        )
    found = (
        PlatformSpelling.objects.select_for_update()
        .filter(institution_unit=institution_unit, key=key, for_groups=platform.for_groups)
        .first()
    )
    before = None
    if found is None:
        found = PlatformSpelling(
            institution_unit=institution_unit,
            key=key,
            for_groups=platform.for_groups,
            created_by=actor,
        )
    else:
        before = found.platform.name
    found.spelling = text
    found.platform = platform
    found._history_user = actor
    found.save()
    audit(
        event=AuditEventType.CREATE if before is None else AuditEventType.UPDATE,
        actor=actor,
        obj=found,
        request=request,
        detail={
            "kind": "platform_spelling",
            "school": institution_unit.name,
            "spelling": text,
            "platform": platform.name,
            **({"before": before} if before is not None else {}),
        },
    )
    return found


_UNKNOWN = re.compile(
    r"^未找到(?P<kind>账号平台|群聊平台)“(?P<value>.*?)”(?:，是否为“(?P<hint>.*?)”？)?$"
)


@dataclass(frozen=True)
class UnknownSpelling:
    """A platform spelling an import did not know, as the preview offers to teach it."""

    value: str
    for_groups: bool
    rows: int
    suggestion: str = ""

    @property
    def kind(self) -> str:
        return "群聊平台" if self.for_groups else "账号平台"


def unknown_spellings(plan) -> list[UnknownSpelling]:
    """The distinct unknown platform spellings of a plan's errors, most rows first."""
    found: dict[tuple[str, bool], list] = {}
    for row in plan.rows:
        for message in row.errors:
            match = _UNKNOWN.match(message.text)
            if match is None:
                continue
            key = (match["value"], match["kind"] == "群聊平台")
            entry = found.setdefault(key, [0, match["hint"] or ""])
            entry[0] += 1
    return sorted(
        (
            UnknownSpelling(value, groups, count, hint)
            for (value, groups), (count, hint) in found.items()
        ),  # fmt: skip
        key=lambda u: (-u.rows, u.value),
    )
