"""The unit tree from a 单位名录 sheet.

A row is the unit with the same code (单位代码) when the sheet gives one; otherwise the unit
with the same name under the same parent (上级单位). A parent may be a unit of the same
sheet, above or below the row that names it. The rules of the unit forms apply: the school
is the root and has no parent, every other unit has one; a unit admin adds and moves units
only inside their subtree and cannot give the kinds of 二级单位; a unit cannot be moved
under itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from beian.core.sheets import CellError, clean_identifier, match_key, parse_bool
from beian.core.sheets.errors import show_value
from beian.orgs.choices import UnitKind
from beian.orgs.models import Unit
from beian.orgs.selectors import unit_kinds_for

from ..bulk import reserve_ids
from ..layouts import UNITS
from ..plan import Change, RowResult, Status
from ..rules import length_error
from .base import INVALID, Cells, Importer, diff

KIND_WORDS = {
    **{match_key(label): value for value, label in UnitKind.choices},
    **{match_key(value): value for value in UnitKind.values},
    match_key("二级学院"): UnitKind.COLLEGE,
    match_key("部门"): UnitKind.DEPARTMENT,
    match_key("处室"): UnitKind.DEPARTMENT,
    match_key("机关部门"): UnitKind.DEPARTMENT,
    match_key("党政部门"): UnitKind.DEPARTMENT,
    match_key("直属"): UnitKind.DIRECT,
    match_key("直属部门"): UnitKind.DIRECT,
    match_key("科"): UnitKind.SECTION,
    match_key("社团"): UnitKind.STUDENT_ORG,
    match_key("学生社团"): UnitKind.STUDENT_ORG,
    match_key("班"): UnitKind.CLASS,
    match_key("其它"): UnitKind.OTHER,
}
KIND_LABELS = dict(UnitKind.choices)
ACTIVE_WORDS = {"在用": True, "启用": True, "正常": True, "使用中": True, "有效": True,
                "停用": False, "已停用": False, "撤销": False, "已撤销": False, "撤并": False,
                "无效": False}  # fmt: skip


def parse_unit_kind(value: Any, *, warn=None) -> str | None:
    key = match_key(value)
    if not key:
        return None
    found = KIND_WORDS.get(key)
    if found is None:
        choices = "、".join(str(label) for label in KIND_LABELS.values())
        raise CellError(f"单位类型“{show_value(value)}”无法识别，请填写：{choices}", value=value)
    return found


def parse_active(value: Any, *, warn=None) -> bool | None:
    key = match_key(value)
    if key in ACTIVE_WORDS:
        return ACTIVE_WORDS[key]
    return parse_bool(value, warn=warn)


class UnitImporter(Importer):
    kind = "units"
    specs = (UNITS,)
    label_keys = ("name",)
    locked = (Unit,)

    def load(self) -> None:
        super().load()
        self.current = {
            row["pk"]: row
            for row in Unit.objects.values(
                "pk", "name", "short_name", "kind", "code", "parent_id", "head_id", "is_active"
            )
        }
        self.kinds_allowed = {value for value, _label in unit_kinds_for(self.actor)}
        self.file_units: dict[str, list[dict[str, Any]]] = {}

    def parse(self, cells: Cells) -> dict[str, Any] | None:
        name = cells.text("name")
        if not name:
            cells.error("name", "请填写单位名称")
            return None
        if problem := length_error(Unit, "name", name):
            cells.error("name", f"单位名称{problem}")
        short_name = cells.text("short_name")
        if short_name and (problem := length_error(Unit, "short_name", short_name)):
            cells.error("short_name", f"简称{problem}")
        code = cells.get("code", clean_identifier) or ""
        if code and (problem := length_error(Unit, "code", code)):
            cells.error("code", f"单位代码{problem}")
        values = {
            "name": name,
            "name_key": match_key(name),
            "parent_text": cells.text("parent"),
            "kind": cells.get("kind", parse_unit_kind),
            "short_name": short_name,
            "code": code,
            "head": cells.text("head"),
            "is_active": cells.get("active", parse_active),
            "row": cells.number,
            "pk": None,
        }
        if cells.result.has_errors or any(v is INVALID for v in values.values()):
            return None
        self.file_units.setdefault(values["name_key"], []).append(values)
        return values

    def key(self, values: dict[str, Any]) -> Any:
        if values["code"]:
            return ("code", values["code"].casefold())
        return ("name", match_key(values["parent_text"] or ""), values["name_key"])

    def describe_key(self, key: Any) -> str:
        return f"单位代码 {key[1]}" if key[0] == "code" else "上级单位和单位名称"

    def _parent(self, values, cells: Cells):
        """(parent pk, or the values of a new unit of this sheet, or None; or INVALID)."""
        text = values["parent_text"]
        if text is None:
            return None
        try:
            return self.units.resolve(text)
        except CellError as error:
            in_file = [v for v in self.file_units.get(match_key(text), []) if v is not values]
            if len(in_file) == 1:
                return in_file[0]
            if in_file:
                cells.error("parent", f"本表中有多个“{show_value(text)}”，无法确定上级单位")
            else:
                cells.error("parent", error.reason)
            return INVALID

    def resolve(self, result: RowResult, values: dict[str, Any], cells: Cells) -> None:
        units = self.units
        result.label = values["name"]
        parent = self._parent(values, cells)
        if parent is INVALID:
            return
        found = None
        if values["code"]:
            found = units.codes.get(values["code"].casefold())
        if found is None and not isinstance(parent, dict):
            if parent is not None:
                candidates = [
                    pk
                    for pk in units.children.get(parent, ())
                    if match_key(units.units[pk].name) == values["name_key"]
                ]
            else:  # no parent given: the unit of that name, preferably one's own
                candidates = [
                    pk
                    for pk in units.keys.get(values["name_key"], ())
                    if match_key(units.units[pk].name) == values["name_key"]
                ]
                if len(candidates) > 1 and units.writable is not None:
                    candidates = [pk for pk in candidates if pk in units.writable] or candidates
            if values["code"]:
                candidates = [pk for pk in candidates if not units.units[pk].code]
            if len(candidates) > 1:
                cells.error(
                    "name",
                    f"系统中有 {len(candidates)} 个“{values['name']}”，请填写上级单位或单位代码",
                )
                return
            found = candidates[0] if candidates else None
        if parent is None and found is None:
            parent = units.default_unit()  # a new unit: under the import's unit, or one's own
        shown_parent = (
            parent if parent is not None or found is None else units.units[found].parent_id
        )
        result.unit = self._parent_name(shown_parent)
        if found is None:
            self._new(result, values, parent, cells)
        else:
            self._update(result, values, found, parent, cells)

    def _head(self, values, unit_id: int | None, cells: Cells):
        name = values["head"]
        if not name:
            return None
        people = self.people
        key = match_key(name)
        candidates = []
        if unit_id is not None:
            candidates = [
                pk for pk in people.by_unit.get((unit_id, key), ()) if people.is_visible(pk)
            ]
        if not candidates:
            candidates = [pk for pk in people.by_key.get(key, ()) if people.is_visible(pk)]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            cells.warn(
                "head", f"有 {len(candidates)} 位“{show_value(name)}”，无法确定，第一责任人未设置"
            )
        else:
            cells.warn(
                "head", f"人员名录中没有“{show_value(name)}”，第一责任人未设置（请先导入人员）"
            )
        return None

    def _check_kind(self, kind, parent, cells: Cells) -> None:
        if kind == UnitKind.SCHOOL and parent is not None:
            cells.error("parent", "学校是单位树的根，不能有上级单位")
        if kind != UnitKind.SCHOOL and parent is None:
            cells.error("parent", "请选择上级单位")

    def _new(self, result: RowResult, values, parent, cells: Cells) -> None:
        kind = values["kind"]
        if kind is None:
            kind = UnitKind.OTHER
            cells.warn("kind", "未填写单位类型，按“其他”登记")
        if kind not in self.kinds_allowed:
            cells.error("kind", "二级单位及以上的单位类型由宣传部设置")
        self._check_kind(kind, parent, cells)
        if isinstance(parent, int) and not self.units.can_write(parent):
            cells.error("parent", "只能在本单位及下级单位范围内设置上级单位")
        head = self._head(values, None, cells)
        fields = {
            "name": values["name"],
            "short_name": values["short_name"] or "",
            "kind": kind,
            "code": values["code"],
            "is_active": True if values["is_active"] is None else values["is_active"],
            "head_id": head,
        }
        for name, label, shown_value in (
            ("name", "名称", values["name"]),
            ("parent", "上级单位", self._parent_name(parent)),
            ("kind", "类型", str(KIND_LABELS[kind])),
            ("short_name", "简称", values["short_name"]),
            ("code", "单位代码", values["code"]),
            ("head", "第一责任人", self.people.display(head)),
        ):
            if shown_value:
                result.changes.append(Change(name, label, "", shown_value))
        values["new"] = True
        result.status = Status.NEW
        result.action = ("new", None, fields, values, parent)

    def _parent_name(self, parent) -> str:
        if isinstance(parent, dict):
            return parent["name"]
        return self.units.name(parent) if parent is not None else ""

    def _update(self, result: RowResult, values, found: int, parent, cells: Cells) -> None:
        units = self.units
        current = dict(self.current[found])
        result.record_id = found
        values["pk"] = found
        values["new"] = False
        if not units.can_write(found):
            cells.error("name", f"“{units.name(found)}”不在您的管理范围内，不能修改")
            return
        wanted = {
            "name": values["name"] if match_key(current["name"]) != values["name_key"] else None,
            "short_name": values["short_name"],
            "kind": values["kind"],
            "code": values["code"] or None,
            "is_active": values["is_active"],
        }
        labels = {"name": "名称", "short_name": "简称", "kind": "类型", "code": "单位代码",
                  "is_active": "在用", "parent_id": "上级单位", "head_id": "第一责任人"}  # fmt: skip
        display = {"kind": lambda v: str(KIND_LABELS.get(v, v or ""))}
        changed = diff(result, current, wanted, labels, display=display)
        new_parent = current["parent_id"]
        if values["parent_text"] is not None:
            if isinstance(parent, dict):
                cells.error("parent", "不能把已有单位移到本表新增的单位之下，请先导入上级单位")
                return
            if parent != current["parent_id"]:
                new_parent = parent
                if parent in units.subtree(found):
                    cells.error("parent", "不能把单位移到它自己的下级单位之下")
                    return
                if not units.can_write(parent) or not units.can_write(found):
                    cells.error("parent", "只能在本单位及下级单位范围内设置上级单位")
                changed["parent_id"] = parent
                result.changes.append(
                    Change(
                        "parent_id",
                        labels["parent_id"],
                        units.name(current["parent_id"]),
                        units.name(parent),
                    )  # fmt: skip
                )
        kind = changed.get("kind", current["kind"])
        if "kind" in changed and kind not in self.kinds_allowed:
            cells.error("kind", "二级单位及以上的单位类型由宣传部设置")
        self._check_kind(kind, new_parent, cells)
        head = self._head(values, found, cells)
        if head is not None and head != current["head_id"]:
            changed["head_id"] = head
            result.changes.append(
                Change(
                    "head_id",
                    labels["head_id"],
                    self.people.display(current["head_id"]),
                    self.people.display(head),
                )  # fmt: skip
            )
        if result.changes:
            result.status = Status.UPDATE
            result.action = ("update", found, changed, values, parent)
        else:
            result.status = Status.UNCHANGED

    def write(self, rows: list[RowResult], now: dt.datetime, reason: str) -> dict[str, int]:
        writer = self.writer(Unit, now, reason)
        new_rows = [row for row in rows if row.action[0] == "new"]
        for row, pk in zip(new_rows, reserve_ids(Unit, len(new_rows)), strict=True):
            row.action[3]["pk"] = pk
            row.record_id = pk
        creates = []
        for row in new_rows:
            _kind, _pk, fields, values, parent = row.action
            parent_id = parent["pk"] if isinstance(parent, dict) else parent
            creates.append(
                {**fields, "pk": values["pk"], "id": values["pk"], "parent_id": parent_id}
            )
        for row in creates:
            row.pop("pk")
        writer.create(creates)
        writer.update([(row.action[1], row.action[2]) for row in rows if row.action[0] == "update"])
        return {"created": len(creates), "updated": writer.counts["updated"]}

    def finish(self, parsed) -> None:
        """A unit whose parent is a new unit of this sheet waits for that row: if the
        parent's row cannot be written, neither can the child's."""
        status = {id(values): result for result, values, _cells in parsed}
        for result, values, cells in parsed:
            seen = {id(values)}
            parent = result.action[4] if result.action else None
            while isinstance(parent, dict):
                if id(parent) in seen:
                    cells.error("parent", "上级单位关系出现循环（单位不能是自己的上级）")
                    break
                seen.add(id(parent))
                parent_result = status.get(id(parent))
                parent = parent_result.action[4] if parent_result and parent_result.action else None
        changed = True
        while changed:
            changed = False
            for result, _values, cells in parsed:
                if result.has_errors or not result.action:
                    continue
                parent = result.action[4]
                if isinstance(parent, dict):
                    parent_result = status.get(id(parent))
                    if parent_result is None or parent_result.has_errors:
                        cells.error("parent", f"上级单位（第 {parent['row']} 行）有错误，无法导入")
                        changed = True
