"""What an import looks things up in, loaded with one query per table before the first row:
units (by name, short name, code or "上级/单位" path), platforms (names, codes, aliases,
Traditional forms), people (by name within a unit, by phone) and the user's scope.

Names are compared in their `match_key` form (NFKC, Simplified, case-folded, without
white space), so "計算機學院", "计算机 学院" and "计算机学院" are one unit. A name that only
resembles a known one is never taken: the message suggests it ("未找到单位“计算机学员”，
是否为“计算机学院”？").
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from beian.core.masking import mask_mobile
from beian.core.sheets import AliasResolver, CellError, match_key
from beian.core.sheets.errors import show_value
from beian.orgs.models import Person, Unit
from beian.registry.models import Platform
from beian.registry.platforms import spellings
from beian.users.choices import Role

# ----------------------------------------------------------------------------- units


@dataclass(slots=True)
class UnitRow:
    pk: int
    name: str
    short_name: str
    code: str
    parent_id: int | None
    kind: str
    is_active: bool


class UnitIndex:
    """Every unit, and which ones the actor may write in."""

    def __init__(self, actor, restrict_to: Unit | None = None):
        self.actor = actor
        self.units: dict[int, UnitRow] = {
            pk: UnitRow(pk, name, short or "", code or "", parent_id, kind, active)
            for pk, name, short, code, parent_id, kind, active in Unit.objects.values_list(
                "pk", "name", "short_name", "code", "parent_id", "kind", "is_active"
            )
        }
        self.children: dict[int | None, list[int]] = {}
        for unit in self.units.values():
            self.children.setdefault(unit.parent_id, []).append(unit.pk)
        self.keys: dict[str, set[int]] = {}
        self.codes: dict[str, int] = {}
        for unit in self.units.values():
            self._add(match_key(unit.name), unit.pk)
            if unit.short_name:
                self._add(match_key(unit.short_name), unit.pk)
            if unit.code:
                self.codes[unit.code.casefold()] = unit.pk
            parent = self.units.get(unit.parent_id) if unit.parent_id else None
            if parent is not None:
                self._add(match_key(f"{parent.name}/{unit.name}"), unit.pk)
        self.writable: frozenset[int] | None = (
            None if actor.is_school_admin else frozenset(actor.admin_unit_ids)
        )
        self.visible: frozenset[int] | None = (
            None if actor.sees_everything else frozenset(actor.scoped_unit_ids)
        )
        self.restrict_to = restrict_to
        self.restricted: frozenset[int] | None = (
            frozenset(self.subtree(restrict_to.pk)) if restrict_to is not None else None
        )
        self._cache: dict[Any, int | CellError] = {}
        self._choices: dict[str, str] | None = None

    def _add(self, key: str, pk: int) -> None:
        if key:
            self.keys.setdefault(key, set()).add(pk)

    def subtree(self, root: int) -> set[int]:
        found = {root}
        stack = [root]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return found

    def name(self, pk: int | None) -> str:
        unit = self.units.get(pk) if pk is not None else None
        return unit.name if unit else ""

    def path(self, pk: int | None) -> str:
        """The name, or "上级/名称" when the name alone is ambiguous (as exports write it)."""
        unit = self.units.get(pk) if pk is not None else None
        if unit is None:
            return ""
        if len(self.keys.get(match_key(unit.name), ())) > 1 and unit.parent_id in self.units:
            return f"{self.units[unit.parent_id].name}/{unit.name}"
        return unit.name

    def can_write(self, pk: int) -> bool:
        return self.writable is None or pk in self.writable

    def default_unit(self) -> int | None:
        """The unit rows without a unit belong to: the import's unit, or a unit admin's
        only unit."""
        if self.restrict_to is not None:
            return self.restrict_to.pk
        if self.actor.is_school_admin:
            return None
        roots = {a.unit_id for a in self.actor.role_assignments if a.role == Role.UNIT_ADMIN}
        return next(iter(roots)) if len(roots) == 1 else None

    def resolve(self, value: Any, *, warn=None) -> int | None:
        """The unit a cell names; CellError when unknown or ambiguous."""
        if value is None:
            return None
        try:
            found = self._cache[value]
        except (KeyError, TypeError):
            found = self._lookup(value)
            with contextlib.suppress(TypeError):
                self._cache[value] = found
        if isinstance(found, CellError):
            raise CellError(found.reason, value=value)
        return found

    def _lookup(self, value: Any) -> int | CellError:
        text = str(value).strip()
        key = match_key(text)
        if not key:
            return CellError("单位名称为空", value=value)
        ids = set(self.keys.get(key, ()))
        if not ids and text.casefold() in self.codes:
            ids = {self.codes[text.casefold()]}
        if not ids:
            hint = self._suggest(key)
            if hint:
                return CellError(f"未找到单位“{show_value(text)}”，是否为“{hint}”？", value=value)
            return CellError(f"未找到单位“{show_value(text)}”", value=value)
        if len(ids) > 1:
            for narrower in (self.restricted, self.writable, self.visible):
                if narrower is not None:
                    inside = ids & narrower
                    if inside:
                        ids = inside
                if len(ids) == 1:
                    break
        if len(ids) > 1:
            parents = "、".join(
                sorted({self.name(self.units[pk].parent_id) or "（无上级）" for pk in ids})
            )
            return CellError(
                f"“{show_value(text)}”对应多个单位（上级分别为{parents}），"
                "请写作“上级单位/单位名称”或填写单位代码",
                value=value,
            )
        return next(iter(ids))

    def _suggest(self, key: str) -> str | None:
        if self._choices is None:
            self._choices = {
                str(unit.pk): match_key(unit.name)
                for unit in self.units.values()
                if self.visible is None or unit.pk in self.visible
            }
        if not self._choices:
            return None
        found = process.extractOne(key, self._choices, scorer=fuzz.ratio, score_cutoff=70)
        return self.units[int(found[2])].name if found else None


# ------------------------------------------------------------------------- platforms


# Punctuation and the words people put around a platform's name in a group sheet:
# "微信（群）", "企微工作群", "QQ-群聊" are tried as "微信", "企微", "qq" when not known as written.
_PLATFORM_PUNCTUATION = re.compile(r"[()（）\[\]【】<>《》〈〉「」·•\-_—/／、,，.。:：;；'\"“”‘’]+")
_GROUP_WORDS = re.compile(r"(?:工作群|交流群|通知群|群聊|群组|群)$")


class PlatformIndex:
    """The catalogue, split into account platforms and chat-group platforms, with every
    spelling of each (`beian.registry.platforms.spellings`: name, code, aliases, built-in
    shorthand) and the spellings the school has taught (`learned`: (spelling, platform id,
    for_groups))."""

    ACCOUNT_KIND = "账号平台"
    GROUP_KIND = "群聊平台"

    def __init__(self, learned: Iterable[tuple[str, int, bool]] = ()):
        self.platforms: dict[int, Platform] = {p.pk: p for p in Platform.objects.all()}
        account: dict[str, list[str]] = {}
        group: dict[str, list[str]] = {}
        for platform in self.platforms.values():
            target = group if platform.for_groups else account
            target[str(platform.pk)] = spellings(platform)
        for spelling, platform_id, for_groups in learned:
            platform = self.platforms.get(platform_id)
            if platform is not None and platform.for_groups == for_groups:
                target = group if for_groups else account
                target.setdefault(str(platform_id), []).append(spelling)
        self.accounts = AliasResolver(account, kind=self.ACCOUNT_KIND)
        self.groups = AliasResolver(group, kind=self.GROUP_KIND)

    def _loosely(self, resolver: AliasResolver, value: Any, for_groups: bool) -> str | None:
        """The code of `value` without its punctuation (and, in a group sheet, without the
        word 群 / 群聊 / 工作群 after the platform), or None."""
        key = _PLATFORM_PUNCTUATION.sub("", match_key(value))
        tries = [key]
        if for_groups:
            bare = _GROUP_WORDS.sub("", key)
            tries += [bare, f"{bare}群"]
        for text in dict.fromkeys(tries):
            if text and text != match_key(value):
                with contextlib.suppress(CellError):
                    return resolver.resolve(text)
        return None

    def _resolve(
        self, resolver: AliasResolver, other: AliasResolver, value, wrong: str, for_groups: bool
    ):
        try:
            code = resolver.resolve(value)
        except CellError as error:
            code = self._loosely(resolver, value, for_groups)
            if code is None:
                try:
                    other.resolve(value)
                except CellError:
                    if self._loosely(other, value, not for_groups) is None:
                        raise error from None
                raise CellError(wrong.format(value=show_value(value)), value=value) from None
        return self.platforms[int(code)] if code is not None else None

    def account_platform(self, value: Any, *, warn=None) -> Platform | None:
        return self._resolve(
            self.accounts,
            self.groups,
            value,
            "“{value}”是群聊平台，请在即时群聊汇总表中登记",
            False,
        )

    def group_platform(self, value: Any, *, warn=None) -> Platform | None:
        return self._resolve(
            self.groups,
            self.accounts,
            value,
            "“{value}”不是群聊平台（微信群、QQ群、钉钉群、企业微信群、飞书群……），"
            "新媒体账号请在账号汇总表中登记",
            True,
        )


# ---------------------------------------------------------------------------- people


@dataclass(slots=True)
class PersonRow:
    pk: int
    name: str
    unit_id: int
    mobile: str
    number: str
    kind: str


@dataclass(eq=False)
class NewPerson:
    """Someone named in a sheet who is not on the roster yet: created by the commit in the
    unit of the record that names them."""

    name: str
    unit_id: int
    kind: str
    mobile: str = ""
    pk: int | None = None


PersonRef = int | NewPerson


class PeopleIndex:
    """People by name within a unit, by name anywhere (visible to the actor) and by mobile;
    plus the people this import will create, so that two rows naming the same new teacher
    create one person."""

    def __init__(self, actor):
        self.actor = actor
        self.people: dict[int, PersonRow] = {
            pk: PersonRow(pk, name, unit_id, mobile or "", number or "", kind)
            for pk, name, unit_id, mobile, number, kind in Person.objects.values_list(
                "pk", "name", "unit_id", "mobile", "number", "kind"
            )
        }
        self.by_unit: dict[tuple[int, str], list[int]] = {}
        self.by_key: dict[str, list[int]] = {}
        self.by_number: dict[str, int] = {}
        for person in self.people.values():
            key = match_key(person.name)
            self.by_unit.setdefault((person.unit_id, key), []).append(person.pk)
            self.by_key.setdefault(key, []).append(person.pk)
            if person.number:
                self.by_number[person.number] = person.pk
        self.visible_units = None if actor.sees_everything else frozenset(actor.scoped_unit_ids)
        self.writable_units = None if actor.is_school_admin else frozenset(actor.admin_unit_ids)
        self.new: dict[tuple[int, str], NewPerson] = {}
        self._keys: dict[str, str] = {}
        self.mobile_changes: dict[int, tuple[str, int]] = {}  # pk → (mobile, row)

    def is_visible(self, pk: int) -> bool:
        person = self.people[pk]
        if self.visible_units is None or person.unit_id in self.visible_units:
            return True
        return pk == self.actor.person_id

    def can_write(self, pk: int) -> bool:
        return self.writable_units is None or self.people[pk].unit_id in self.writable_units

    def display(self, ref: PersonRef | None) -> str:
        if ref is None:
            return ""
        if isinstance(ref, NewPerson):
            return ref.name
        return self.people[ref].name

    def mobile_of(self, ref: PersonRef | None) -> str:
        if ref is None:
            return ""
        if isinstance(ref, NewPerson):
            return ref.mobile
        return self.people[ref].mobile

    def find(
        self, name: str, *, unit_id: int, kind: str, mobile: str = ""
    ) -> tuple[PersonRef, str | None]:
        """The person a cell names, as (ref, error). Looked for by name in the record's
        unit; when a mobile is given, also by name and mobile anywhere the actor can see;
        otherwise a new person of that unit (`NewPerson`)."""
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = match_key(name)
        if mobile:
            same_phone = [pk for pk in self.by_key.get(key, ()) if self.people[pk].mobile == mobile]
            in_unit = [pk for pk in same_phone if self.people[pk].unit_id == unit_id]
            visible = [pk for pk in same_phone if self.is_visible(pk)]
            for candidates in (in_unit, visible):
                if len(candidates) == 1:
                    return candidates[0], None
        in_unit = [pk for pk in self.by_unit.get((unit_id, key), ()) if self.is_visible(pk)]
        if len(in_unit) > 1:
            if mobile:
                return in_unit[0], (
                    f"本单位有 {len(in_unit)} 位“{show_value(name)}”，电话均不是 {mobile}，"
                    "无法确定是哪一位"
                )
            return in_unit[0], (
                f"本单位有 {len(in_unit)} 位“{show_value(name)}”，请填写其手机号以区分"
            )
        if in_unit:
            return in_unit[0], None
        pending = self.new.get((unit_id, key))
        if pending is None:
            pending = NewPerson(name=name, unit_id=unit_id, kind=kind, mobile=mobile)
            self.new[(unit_id, key)] = pending
        elif mobile and not pending.mobile:
            pending.mobile = mobile
        return pending, None

    def masked_matches(self, ref: PersonRef | None, text: str) -> bool:
        """A masked phone as our exports write it ("138****1234") that fits the person."""
        current = self.mobile_of(ref)
        return bool(current) and mask_mobile(current) == text.strip()
