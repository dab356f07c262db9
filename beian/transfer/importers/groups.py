"""Chat groups from the 即时群聊工具备案汇总表 (seed 002 附件3).

A row is the group with the same platform and group number (群号) when the sheet gives one;
otherwise the group with the same platform, name and owning unit. A row with a number
that no group has yet also finds a group of that name and unit that has no number (and
gives it the number). 创建人 is a person of the owning unit, found by name (and phone), or
created as a member of staff of that unit.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from beian.core.bulk import LazyRows
from beian.core.sheets import clean_identifier, clean_text, match_key, parse_bool, parse_count
from beian.orgs.choices import PersonKind
from beian.orgs.models import Person
from beian.registry.bulk import groups_bulk_upsert
from beian.registry.choices import GroupPurpose, GroupStatus
from beian.registry.models import ChatGroup, GroupMember

from ..context import NewPerson, PlatformIndex
from ..layouts import GROUPS_PDSU
from ..plan import Change, RowResult, Status, shown
from ..rules import GROUP_LABELS, GroupRules, count_error, length_error
from ..spellings import learned_for
from .base import INVALID, Cells, Importer, Record, diff, month_text, parse_month

DISSOLVED = re.compile(r"已解散|已撤销")
PURPOSE_WORDS = {
    **{match_key(label): value for value, label in GroupPurpose.choices},
    **{match_key(value): value for value in GroupPurpose.values},
    match_key("工作群"): GroupPurpose.WORK,
    match_key("工作交流"): GroupPurpose.WORK,
    match_key("办公"): GroupPurpose.WORK,
    match_key("教学群"): GroupPurpose.TEACHING,
    match_key("课程"): GroupPurpose.TEACHING,
    match_key("科研群"): GroupPurpose.RESEARCH,
    match_key("学生工作"): GroupPurpose.STUDENT_AFFAIRS,
    match_key("班级管理"): GroupPurpose.STUDENT_AFFAIRS,
    match_key("临时群"): GroupPurpose.TEMPORARY,
    match_key("其它"): GroupPurpose.OTHER,
}
PURPOSE_LABELS = dict(GroupPurpose.choices)


def parse_purpose(value: Any, *, warn=None) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    found = PURPOSE_WORDS.get(match_key(text))
    if found is None:
        if warn:
            choices = "、".join(str(label) for label in PURPOSE_LABELS.values())
            warn(f"群性质“{text}”不在可选项中（{choices}），按“其他”登记")
        return GroupPurpose.OTHER
    return found


class GroupImporter(Importer):
    kind = "groups"
    specs = (GROUPS_PDSU,)
    locked = (ChatGroup, GroupMember, Person)
    resolves_while_parsing = True

    def load(self) -> None:
        super().load()
        self.platforms = PlatformIndex(learned_for(self.actor, self.restrict_unit))
        self.rules = GroupRules(self.today)
        self._describe = self._describe_new  # one bound method for every new row
        # Existing groups as tuples (a dict per group would cost ~1 KB each).
        self.groups: dict[int, tuple] = {}
        self.by_number: dict[tuple[int, str], int] = {}
        self.by_name: dict[tuple[int, str, int], list[int]] = {}
        keys: dict[str, str] = {}
        for group in ChatGroup.objects.values_list(*_FIELDS).iterator(chunk_size=5_000):
            pk, platform_id, name, number = group[0], group[1], group[2], group[3]
            self.groups[pk] = group
            if number:
                self.by_number[(platform_id, number)] = pk
            key = keys.get(name)
            if key is None:
                key = keys[name] = match_key(name)
            self.by_name.setdefault((platform_id, key, group[_UNIT]), []).append(pk)

    # --- rows ----------------------------------------------------------------------------

    def parse(self, cells: Cells) -> dict[str, Any] | None:
        unit_id = self.row_unit(cells)
        platform = cells.get("platform", self.platforms.group_platform)
        if platform is None:
            cells.error("platform", "请填写群聊平台")
        name = cells.text("name")
        if name is None:
            cells.error("name", "请填写群名称")
        elif problem := length_error(ChatGroup, "name", name):
            cells.error("name", f"群名称{problem}")
        number = cells.get("group_number", clean_identifier) or ""
        if number and (problem := length_error(ChatGroup, "group_number", number)):
            cells.error("group_number", f"群号{problem}")
        members = cells.get("members", parse_count)
        outsiders = cells.get("outsiders", parse_count)
        for key, value in (("members", members), ("outsiders", outsiders)):
            if value is not None and value is not INVALID and (problem := count_error(value)):
                cells.error(key, problem)
        purpose = cells.get("purpose", parse_purpose)
        has_outsiders = cells.get("has_outsiders", parse_bool)
        created = cells.get("created", parse_month)
        remark = cells.text("remark") or ""
        if cells.result.has_errors:
            return None
        creator, mobile = self.person(
            cells, "creator", "creator_phone", unit_id=unit_id, kind=PersonKind.STAFF
        )
        if creator is INVALID:
            return None
        name_key = match_key(name)
        return GroupValues(
            unit_id=unit_id,
            platform=platform,
            platform_id=platform.pk,
            name=name,
            name_key=name if name_key == name else name_key,  # one string, not two
            group_number=number,
            purpose=purpose,
            member_count=members,
            has_outside_members=has_outsiders,
            outside_member_count=outsiders,
            created_month=created,
            creator=creator,
            creator_mobile=mobile,
            dissolve=bool(remark and DISSOLVED.search(remark)),
            remark=remark,
        )

    def key(self, values: dict[str, Any]) -> Any:
        if values.group_number:
            return ("number", values.platform_id, values.group_number)
        return ("name", values.platform_id, values.name_key, values.unit_id)

    def describe_key(self, key: Any) -> str:
        platform = self.platforms.platforms[key[1]].name
        if key[0] == "number":
            return f"{platform}、群号 {key[2]}"
        return f"{platform}、管理单位“{self.units.name(key[3])}”、群名称"

    def match(self, values: dict[str, Any], cells: Cells) -> int | None | object:
        platform_id = values.platform_id
        number = values.group_number
        if number:
            found = self.by_number.get((platform_id, number))
            if found is not None:
                return found
        candidates = self.by_name.get((platform_id, values.name_key, values.unit_id), ())
        if number:
            candidates = [pk for pk in candidates if not self.groups[pk][_NUMBER]]
            return candidates[0] if len(candidates) == 1 else None
        if len(candidates) > 1:
            cells.error(
                "name",
                f"系统中该单位有 {len(candidates)} 个同名的{values.platform.name}，"
                "请增加“群号”列以区分",
            )
            return INVALID
        return candidates[0] if candidates else None

    def _wanted(self, values: dict[str, Any]) -> dict[str, Any]:
        wanted = {
            "name": values.name,
            "group_number": values.group_number or None,
            "owner_unit_id": values.unit_id,
            "purpose": values.purpose,
            "member_count": values.member_count,
            "has_outside_members": values.has_outside_members,
            "outside_member_count": values.outside_member_count,
            "created_month": values.created_month,
        }
        if wanted["has_outside_members"] is None and (wanted["outside_member_count"] or 0) > 0:
            wanted["has_outside_members"] = True
        if wanted["has_outside_members"] is False and wanted["outside_member_count"] is None:
            wanted["outside_member_count"] = 0
        return wanted

    def resolve(self, result: RowResult, values: dict[str, Any], cells: Cells) -> None:
        unit_id = values.unit_id
        result.label = (values.platform.name, values.name)  # joined when shown
        result.unit = self.units.name(unit_id)
        found = self.match(values, cells)
        if found is INVALID:
            return
        if found is None:
            self._new(result, values, cells)
            return
        group = dict(zip(_FIELDS, self.groups[found], strict=True))
        result.record_id = found
        if not self.units.can_write(group["owner_unit_id"]):
            cells.error("unit", self.not_yours("群聊", group["owner_unit_id"]))
            return
        wanted = self._wanted(values)
        if match_key(group["name"]) == values.name_key:
            wanted["name"] = None
        changed = diff(result, group, wanted, LABELS, display=self.display)
        if "owner_unit_id" in changed and not self.units.units[unit_id].is_active:
            cells.error("unit", f"单位“{self.units.name(unit_id)}”已停用")
        creator = values.creator
        creator_id = creator if isinstance(creator, int) else None
        if creator is not None and creator_id != group["creator_id"]:
            result.changes.append(
                Change(
                    "creator",
                    LABELS["creator"],
                    self.people.display(group["creator_id"]),
                    self._person_label(creator),
                )
            )
            changed["creator"] = creator
        self.person_changes(result, creator, values.creator_mobile, "创建人", "创建人电话")
        if group["status"] == GroupStatus.DISSOLVED and result.changes:
            cells.error(None, "已解散的群聊不能修改")
            return
        if values.dissolve and group["status"] != GroupStatus.DISSOLVED:
            result.changes.append(Change("status", "状态", "在用", "已解散"))
            changed["status"] = GroupStatus.DISSOLVED
        self._check_rules({**group, **changed}, cells)
        if result.changes:
            result.status = Status.UPDATE
            result.action = ("update", found, changed, creator, values.remark)
        else:
            result.status = Status.UNCHANGED

    @property
    def display(self) -> dict[str, Any]:
        return {
            "owner_unit_id": self.units.name,
            "purpose": purpose_label,
            "created_month": month_text,
        }

    def _person_label(self, ref) -> str:
        name = self.people.display(ref)
        return f"{name}（新增人员）" if isinstance(ref, NewPerson) else name

    def _new(self, result: RowResult, values: dict[str, Any], cells: Cells) -> None:
        unit_id = values.unit_id
        if not self.units.units[unit_id].is_active:
            cells.error("unit", f"单位“{self.units.name(unit_id)}”已停用")
        platform = values.platform
        if not platform.is_active:
            cells.error("platform", f"平台“{platform.name}”已停用")
        if values.dissolve:
            cells.error("remark", "新登记的群聊不能是已解散状态")
        wanted = self._wanted(values)
        fields = {
            "name": wanted["name"],
            "group_number": wanted["group_number"] or "",
            "owner_unit_id": unit_id,
            "platform_id": platform.pk,
            "purpose": wanted["purpose"] or GroupPurpose.WORK,
            "member_count": wanted["member_count"] or 0,
            "has_outside_members": bool(wanted["has_outside_members"]),
            "outside_member_count": wanted["outside_member_count"] or 0,
            "created_month": wanted["created_month"],
        }
        self._check_rules(fields, cells)
        creator = values.creator
        # One flat tuple, the fields in `_NEW_FIELDS` order: a 100,000-row plan keeps one
        # per row (an update's action is ("update", pk, changes, creator, remark)). Set
        # before anything reads the row's changes: they are described from it.
        result.action = ("new", creator, *fields.values())
        result.describe = self._describe
        self.person_changes(result, creator, values.creator_mobile, "创建人", "创建人电话")
        result.status = Status.NEW

    def _describe_new(self, row: RowResult) -> list[Change]:
        """The changes of a new group, made only when the preview shows the row."""
        _kind, creator, *values = row.action
        fields = dict(zip(_NEW_FIELDS, values, strict=True))
        changes = []
        display = self.display
        for name in ("group_number", "purpose", "member_count", "has_outside_members",
                     "outside_member_count", "created_month"):  # fmt: skip
            value = fields[name]
            if value in (None, "") or (name == "outside_member_count" and not value):
                continue
            show = display.get(name, shown)
            changes.append(Change(name, LABELS[name], "", show(value)))
        if creator is not None:
            changes.append(Change("creator", LABELS["creator"], "", self._person_label(creator)))
        return changes

    _RULE_CELLS = {
        "created_month": "created",
        "outside_member_count": "outsiders",
        "has_outside_members": "has_outsiders",
        "member_count": "members",
        "is_temporary": None,
    }

    def _check_rules(self, merged: dict[str, Any], cells: Cells) -> None:
        errors = self.rules(merged)
        if not errors:
            return
        for name, message in errors.items():
            key = self._RULE_CELLS.get(name)
            if key is not None and not cells.has(key):
                key = None
            cells.error(key, message)

    # --- writing -------------------------------------------------------------------------

    def write(self, rows: list[RowResult], now: dt.datetime, reason: str) -> dict[str, int]:
        """New creators first, then the groups through the registry's bulk upsert ("已解散"
        in 备注 dissolves the group, dated today, with the remark as its reason)."""
        creators = (row.action[1 if row.action[0] == "new" else 3] for row in rows)
        counts = self.write_people(rows, creators, now, reason)
        new_rows, updates = [], []
        for row in rows:
            if row.action[0] == "new":
                new_rows.append(row)
            else:
                _kind, pk, fields, creator, remark = row.action
                creator_id = creator.pk if isinstance(creator, NewPerson) else creator
                changes = {k: v for k, v in fields.items() if k != "creator"}
                if "creator" in fields:
                    changes["creator_id"] = creator_id
                if changes.get("status") == GroupStatus.DISSOLVED and remark:
                    changes["dissolved_reason"] = remark
                updates.append((pk, changes))

        def creates():
            for row in new_rows:
                _kind, creator, *values = row.action
                fields = dict(zip(_NEW_FIELDS, values, strict=True))
                fields["creator_id"] = creator.pk if isinstance(creator, NewPerson) else creator
                yield fields

        outcome = groups_bulk_upsert(
            actor=self.actor,
            authority=self.authority,
            create=LazyRows(len(new_rows), creates),
            update=updates,
            closing_reason="汇总表中注明已解散",
            now=now,
        )
        ids = iter(outcome.created)
        for row in rows:
            if row.action[0] == "new":
                row.record_id = next(ids)
        return {**counts, "created": len(outcome.created), "updated": len(outcome.updated)}


_FIELDS = (
    "pk",
    "platform_id",
    "name",
    "group_number",
    "purpose",
    "owner_unit_id",
    "creator_id",
    "member_count",
    "has_outside_members",
    "outside_member_count",
    "created_month",
    "is_temporary",
    "temporary_until",
    "status",
)
_NUMBER = _FIELDS.index("group_number")
#: The fields of a new group, in the order `_new` keeps them in the plan.
_NEW_FIELDS = (
    "name",
    "group_number",
    "owner_unit_id",
    "platform_id",
    "purpose",
    "member_count",
    "has_outside_members",
    "outside_member_count",
    "created_month",
)
_UNIT = _FIELDS.index("owner_unit_id")
LABELS = {**GROUP_LABELS, "owner_unit_id": GROUP_LABELS["owner_unit"]}


class GroupValues(Record):
    __slots__ = (
        "unit_id", "platform", "platform_id", "name", "name_key", "group_number", "purpose",
        "member_count", "has_outside_members", "outside_member_count", "created_month",
        "creator", "creator_mobile", "dissolve", "remark",
    )  # fmt: skip

    def __init__(
        self, *, unit_id, platform, platform_id, name, name_key, group_number, purpose,
        member_count, has_outside_members, outside_member_count, created_month, creator,
        creator_mobile, dissolve, remark,
    ):  # fmt: skip
        # Spelled out: one row each of 100,000 (the generic `Record` loop is 3x slower).
        self.unit_id = unit_id
        self.platform = platform
        self.platform_id = platform_id
        self.name = name
        self.name_key = name_key
        self.group_number = group_number
        self.purpose = purpose
        self.member_count = member_count
        self.has_outside_members = has_outside_members
        self.outside_member_count = outside_member_count
        self.created_month = created_month
        self.creator = creator
        self.creator_mobile = creator_mobile
        self.dissolve = dissolve
        self.remark = remark


def purpose_label(value) -> str:
    return str(PURPOSE_LABELS.get(value, value or ""))
