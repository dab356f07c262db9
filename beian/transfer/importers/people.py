"""People from a roster (人员名录) as HR and student affairs export it.

A row is the person with the same staff or student number (工号/学号) when the sheet gives
one; otherwise the person of that name in that unit (a person of that name and unit who
has no number yet is also taken by a row that gives one). The rules of the person form
apply: a mainland mobile number, a valid e-mail and QQ number, a number used once.
Masked values from an export made without the right to see personal data ("138****1234")
are taken as unchanged when they fit what is stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from beian.core.hooks import records_changed
from beian.core.masking import MASKERS
from beian.core.sheets import CellError, clean_identifier, match_key, parse_phone
from beian.core.sheets.errors import show_value
from beian.orgs.choices import CadreLevel, PersonKind, PersonStatus
from beian.orgs.models import Person

from ..layouts import PEOPLE
from ..plan import Change, RowResult, Status
from ..rules import email_error, length_error, qq_error
from .base import INVALID, Cells, Importer, diff

KIND_WORDS = {
    **{match_key(label): value for value, label in PersonKind.choices},
    **{match_key(value): value for value in PersonKind.values},
    **dict.fromkeys(map(match_key, ("教师", "老师", "职工", "教工", "在职教师", "员工",
                                    "教职员工", "行政人员", "辅导员")), PersonKind.STAFF),
    **dict.fromkeys(map(match_key, ("本科生", "研究生", "硕士研究生", "博士研究生", "学员")),
                    PersonKind.STUDENT),
    **dict.fromkeys(map(match_key, ("校外人员", "外聘", "校外专家", "外部人员", "外单位")),
                    PersonKind.EXTERNAL),
}  # fmt: skip
STATUS_WORDS = {
    **{match_key(label): value for value, label in PersonStatus.choices},
    **{match_key(value): value for value in PersonStatus.values},
    **dict.fromkeys(map(match_key, ("在职", "在读", "在校", "在岗", "正常")), PersonStatus.IN_POST),
    **dict.fromkeys(map(match_key, ("退休", "调离", "离校", "已离职")), PersonStatus.LEFT),
    **dict.fromkeys(map(match_key, ("已毕业", "毕业生")), PersonStatus.GRADUATED),
}  # fmt: skip
#: 干部级别 / 职级 as HR rosters write it. 处级 takes the leading posts (正处, 副处), the
#: non-leading ranks of the same level (一级 … 四级调研员) and the few higher ranks a
#: university's roster may hold (厅级, 巡视员); 科级 takes 正科, 副科 and the 主任科员
#: ranks; 科员, 办事员 and "no cadre" words are 无.
CADRE_WORDS = {
    **{match_key(label): value for value, label in CadreLevel.choices},
    **{match_key(value): value for value in CadreLevel.values},
    **dict.fromkeys(map(match_key, (
        "处", "正处", "副处", "正处级", "副处级", "县处级", "正县处级", "副县处级", "处级及以上",
        "处级以上", "厅级", "正厅", "副厅", "正厅级", "副厅级", "厅局级", "局级", "司局级",
        "调研员", "一级调研员", "二级调研员", "三级调研员", "四级调研员", "巡视员",
        "一级巡视员", "二级巡视员", "正处级调研员", "副处级调研员",
    )), CadreLevel.DIVISION),
    **dict.fromkeys(map(match_key, (
        "科", "正科", "副科", "正科级", "副科级", "乡科级", "正乡科级", "副乡科级",
        "主任科员", "一级主任科员", "二级主任科员", "三级主任科员", "四级主任科员",
        "正科级主任科员", "副主任科员",
    )), CadreLevel.SECTION),
    **dict.fromkeys(map(match_key, (
        "否", "没有", "非干部", "不是干部", "一般", "普通", "群众", "无职级", "无级别",
        "科员", "一级科员", "二级科员", "办事员", "—", "-", "/", "／", "n/a", "na",
    )), CadreLevel.NONE),
}  # fmt: skip
#: Words HR adds around a level ("正处级干部", "副处级领导", "科级职务").
CADRE_SUFFIXES = tuple(map(match_key, ("领导干部", "干部", "领导", "职务", "职级", "级别")))
KIND_LABELS = dict(PersonKind.choices)
STATUS_LABELS = dict(PersonStatus.choices)
CADRE_LABELS = dict(CadreLevel.choices)


def _choice(words: dict[str, str], labels: dict, what: str):
    def parse(value: Any, *, warn=None) -> str | None:
        key = match_key(value)
        if not key:
            return None
        found = words.get(key)
        if found is None:
            choices = "、".join(str(label) for label in labels.values())
            raise CellError(f"{what}“{show_value(value)}”无法识别，请填写：{choices}", value=value)
        return found

    return parse


parse_person_kind = _choice(KIND_WORDS, KIND_LABELS, "身份")
parse_person_status = _choice(STATUS_WORDS, STATUS_LABELS, "状态")


def parse_cadre_level(value: Any, *, warn=None) -> str | None:
    """处级 / 科级 / 无 from the ways HR writes a cadre level; a blank cell is None (leave the
    stored level as it is)."""
    key = match_key(value)
    if not key:
        return None
    found = CADRE_WORDS.get(key)
    if found is None:
        for suffix in CADRE_SUFFIXES:
            if key.endswith(suffix) and key != suffix:
                found = CADRE_WORDS.get(key.removesuffix(suffix))
                break
    if found is None:
        raise CellError(
            f"干部级别“{show_value(value)}”无法识别，请填写：处级、科级或无"
            "（也可写正处、副处、正科、副科等）",
            value=value,
        )
    return found


def parse_mobile(value: Any, *, warn=None) -> str | None:
    return parse_phone(value, warn=warn, mobile=True)


def parse_text_id(value: Any, *, warn=None) -> str:
    return clean_identifier(value)


class PersonImporter(Importer):
    kind = "people"
    specs = (PEOPLE,)
    label_keys = ("name",)
    locked = (Person,)

    def load(self) -> None:
        super().load()
        self.current = {
            row["pk"]: row
            for row in Person.objects.values(
                "pk", "name", "number", "kind", "unit_id", "post", "cadre_level", "status",
                "mobile", "email", "qq",
            )
        }  # fmt: skip

    def _secret(self, cells: Cells, key: str, parser):
        """A personal-data cell; a masked value is kept aside for `resolve`."""
        raw = cells.raw(key)
        if isinstance(raw, str) and "*" in raw:
            return ("masked", raw.strip())
        return cells.get(key, parser)

    def parse(self, cells: Cells) -> dict[str, Any] | None:
        name = cells.text("name")
        if not name:
            cells.error("name", "请填写姓名")
            return None
        if problem := length_error(Person, "name", name):
            cells.error("name", f"姓名{problem}")
        unit_id = self.row_unit(cells)
        number = cells.get("number", parse_text_id) or ""
        if number and (problem := length_error(Person, "number", number)):
            cells.error("number", f"工号/学号{problem}")
        post = cells.text("post")
        if post and (problem := length_error(Person, "post", post)):
            cells.error("post", f"职务{problem}")
        values = {
            "name": name,
            "name_key": match_key(name),
            "unit_id": unit_id,
            "number": number,
            "kind": cells.get("kind", parse_person_kind),
            "post": post,
            "cadre_level": cells.get("cadre_level", parse_cadre_level),
            "status": cells.get("status", parse_person_status),
            "mobile": self._secret(cells, "mobile", parse_mobile),
            "email": self._secret(cells, "email", parse_text_id),
            "qq": self._secret(cells, "qq", parse_text_id),
        }
        for key, check in (("email", email_error), ("qq", qq_error)):
            value = values[key]
            if isinstance(value, str) and (problem := check(value)):
                cells.error(key, problem)
        if cells.result.has_errors or any(v is INVALID for v in values.values()):
            return None
        return values

    def key(self, values: dict[str, Any]) -> Any:
        if values["number"]:
            return ("number", values["number"])
        return ("name", values["unit_id"], values["name_key"])

    def describe_key(self, key: Any) -> str:
        if key[0] == "number":
            return f"工号/学号 {key[1]}"
        return f"所在单位“{self.units.name(key[1])}”、姓名"

    def _match(self, values, cells: Cells):
        people = self.people
        if values["number"]:
            found = people.by_number.get(values["number"])
            if found is not None:
                return found
        candidates = people.by_unit.get((values["unit_id"], values["name_key"]), [])
        if values["number"]:
            candidates = [pk for pk in candidates if not people.people[pk].number]
            return candidates[0] if len(candidates) == 1 else None
        if len(candidates) > 1:
            cells.error(
                "name", f"该单位有 {len(candidates)} 位“{values['name']}”，请填写工号/学号以区分"
            )
            return INVALID
        return candidates[0] if candidates else None

    def resolve(self, result: RowResult, values: dict[str, Any], cells: Cells) -> None:
        units = self.units
        result.label = values["name"]
        result.unit = units.name(values["unit_id"])
        found = self._match(values, cells)
        if found is INVALID:
            return
        current = dict(self.current[found]) if found is not None else {}
        wanted = {
            "name": values["name"],
            "number": values["number"] or None,
            "unit_id": values["unit_id"],
            "kind": values["kind"],
            "post": values["post"],
            "cadre_level": values["cadre_level"],
            "status": values["status"],
        }
        # Scope first (issue 9, finding 8): a person out of scope is refused before a masked
        # value is compared with theirs, so a guessed "138****1234" is never confirmed.
        if found is not None and not units.can_write(current["unit_id"]):
            result.record_id = found
            cells.error("name", self.not_yours("人员", current["unit_id"]))
            return
        for key in ("mobile", "email", "qq"):
            value = values[key]
            if isinstance(value, tuple):  # masked
                if MASKERS[key](current.get(key) or "") != value[1] or not current.get(key):
                    cells.error(key, "打码的信息无法导入，请填写完整内容")
                    return
                value = None
            wanted[key] = value
        labels = {
            "name": "姓名", "number": "工号/学号", "unit_id": "所在单位", "kind": "身份",
            "post": "职务", "cadre_level": "干部级别", "status": "状态", "mobile": "手机",
            "email": "邮箱", "qq": "QQ",
        }  # fmt: skip
        display = {
            "unit_id": units.name,
            "kind": lambda v: str(KIND_LABELS.get(v, v or "")),
            "cadre_level": lambda v: str(CADRE_LABELS.get(v, v or "")),
            "status": lambda v: str(STATUS_LABELS.get(v, v or "")),
        }
        if found is None:
            if not units.units[values["unit_id"]].is_active:
                cells.error("unit", f"单位“{units.name(values['unit_id'])}”已停用")
            if wanted["kind"] is None:
                wanted["kind"] = PersonKind.STAFF
                cells.warn("kind", "未填写身份，按“教职工”登记")
            fields = {k: ("" if v is None else v) for k, v in wanted.items()}
            fields["status"] = wanted["status"] or PersonStatus.IN_POST
            for name, value in wanted.items():
                if value not in (None, ""):
                    result.changes.append(
                        Change(name, labels[name], "", display.get(name, str)(value))
                    )
            result.status = Status.NEW
            result.action = ("new", None, fields)
            return
        result.record_id = found
        if match_key(current["name"]) == values["name_key"]:
            wanted["name"] = None
        changed = diff(result, current, wanted, labels, display=display)
        if result.changes:
            result.status = Status.UPDATE
            result.action = ("update", found, changed)
        else:
            result.status = Status.UNCHANGED

    def write(self, rows: list[RowResult], now: dt.datetime, reason: str) -> dict[str, int]:
        writer = self.writer(Person, now, reason)
        new_rows = [row for row in rows if row.action[0] == "new"]
        ids = writer.create([row.action[2] for row in new_rows])
        for row, pk in zip(new_rows, ids, strict=True):
            row.record_id = pk
        updates = [(row.action[1], row.action[2]) for row in rows if row.action[0] == "update"]
        writer.update(updates)
        # The team rules judge people (kind, status, cadre level): the records whose teams
        # the changed people are on are re-checked once the import commits.
        records_changed(people=[pk for pk, _fields in updates])
        return {"created": len(new_rows), "updated": writer.counts["updated"]}
