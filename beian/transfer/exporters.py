"""Sheets out: the registry in the seeds' layouts, ready to print, sign and stamp, and to
be filled in and imported again.

Each exporter turns a queryset (already limited to the user's scope and the list's
filters) into rows of the layout in `layouts.py`; `write_sheet` writes them as .xlsx
(title, the "报送单位（负责人签字加盖公章）：… 汇总时间：…" line, header, rows, the seed's
remarks; landscape A4) or as .csv (UTF-8 with BOM). Values are written the way the
importers read them back — 关注人数 in 万, 年月 as "2019年3月", 是/否, the team's names and
mobiles — so that importing an export changes nothing. Closed accounts and dissolved
groups carry "已注销" / "已解散" in 备注, as seed 002 asks. Mobiles and e-mails are masked for
users who may not see them (`User.can_see_personal_data`), row by row, with no query per
row.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from beian.core.masking import mask_email, mask_mobile, mask_qq
from beian.core.sheets import match_key, write_csv, write_xlsx
from beian.orgs.choices import CadreLevel, PersonKind, PersonStatus, UnitKind
from beian.orgs.models import Institution, Person, Unit
from beian.registry.choices import AccountStatus, GroupPurpose, GroupStatus, Tier
from beian.registry.models import AccountMember, ChatGroup, GroupMember, MediaAccount
from beian.users.choices import Role

from .importers.accounts import EXPORT_ROLES, account_cell
from .layouts import ACCOUNTS_HNWU, ACCOUNTS_PDSU, GROUPS_PDSU, PEOPLE, UNITS, SheetSpec

ITERATOR_CHUNK = 2_000
# The Rust-backed writer (falls back to XlsxWriter when it is not installed): 100,000
# groups in about a third of the time, see bench/export_groups.py.
XLSX_ENGINE = "rust"
TIER_LABELS = {k: str(v) for k, v in Tier.choices}
PURPOSE_LABELS = {k: str(v) for k, v in GroupPurpose.choices}
UNIT_KIND_LABELS = {k: str(v) for k, v in UnitKind.choices}
PERSON_KIND_LABELS = {k: str(v) for k, v in PersonKind.choices}
PERSON_STATUS_LABELS = {k: str(v) for k, v in PersonStatus.choices}
CADRE_LEVEL_LABELS = {k: str(v) for k, v in CadreLevel.choices}


def school_name() -> str:
    institution = Institution.objects.order_by("pk").only("full_name").first()
    return institution.full_name if institution else ""


def month_text(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月" if value else ""


def day_text(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def audience_wan(value: int | None) -> float | str | None:
    """关注人数 in 万 as the seed asks: 12000 → 1.2. From 100 万 up it is written as text
    with its unit ("150万"), which the importer takes without doubting it."""
    if value is None:
        return None
    wan = Decimal(value) / 10000
    if value >= 1_000_000:
        return f"{wan.normalize():f}万"
    return float(wan)


def submitter_line(unit_name: str = "", on: dt.date | None = None) -> str:
    on = on or timezone.localdate()
    unit_part = unit_name + " " * max(4, 40 - 2 * len(unit_name))
    return f"报送单位（负责人签字加盖公章）：{unit_part}汇总时间：{on.year}年{on.month}月{on.day}日"


class UnitNames:
    """Unit names as exports write them: the name, or "上级/名称" when it is ambiguous."""

    def __init__(self):
        rows = list(Unit.objects.values_list("pk", "name", "parent_id", "short_name"))
        self.names = {pk: name for pk, name, _parent, _short in rows}
        self.parents = {pk: parent for pk, _name, parent, _short in rows}
        counts: dict[str, int] = {}
        for _pk, name, _parent, short in rows:
            for key in {match_key(name), match_key(short or "")} - {""}:
                counts[key] = counts.get(key, 0) + 1
        self.ambiguous = {key for key, count in counts.items() if count > 1}

    def __call__(self, pk: int | None) -> str:
        if pk is None:
            return ""
        name = self.names.get(pk, "")
        parent = self.parents.get(pk)
        if parent is not None and match_key(name) in self.ambiguous:
            return f"{self.names.get(parent, '')}/{name}"
        return name


class PersonalData:
    """Whether a user sees a record's personal data in full, decided without a query per
    row: the school admin always; a unit admin for records of their subtrees; an operator
    for the records whose team they are on (or that they created)."""

    def __init__(self, user, member_model=None):
        self.everything = user.is_school_admin
        self.units = frozenset(user.admin_unit_ids)
        self.own: frozenset[int] = frozenset()
        self.person_id = user.person_id
        if member_model is not None and user.person_id and user.has_role(Role.OPERATOR):
            self.own = frozenset(
                member_model.objects.filter(person_id=user.person_id).values_list(
                    "record_id", flat=True
                )
            )

    def full(self, unit_id: int | None, record_id: int | None = None, creator_id=None) -> bool:
        if self.everything or unit_id in self.units or record_id in self.own:
            return True
        return creator_id is not None and creator_id == self.person_id

    @property
    def masks_anything(self) -> bool:
        return not self.everything


def _team(model, queryset: QuerySet) -> dict[int, list[tuple[str, str, str]]]:
    """record id → [(role, name, mobile)] in the order people joined."""
    team: dict[int, list[tuple[str, str, str]]] = {}
    rows = (
        model.objects.filter(record__in=queryset.order_by().values("pk"))
        .order_by("pk")
        .values_list("record_id", "role", "person__name", "person__mobile")
    )
    for record_id, role, name, mobile in rows.iterator(chunk_size=ITERATOR_CHUNK):
        team.setdefault(record_id, []).append((role, name, mobile or ""))
    return team


def _first(members, roles) -> tuple[str, str]:
    for role in roles:
        for member_role, name, mobile in members:
            if member_role == role:
                return name, mobile
    return "", ""


def _all(members, roles) -> str:
    names = [name for member_role, name, _mobile in members if member_role in roles]
    return "、".join(dict.fromkeys(names))


def _closed_remark(status, on, reason, word: str) -> str:
    text = f"{word}（{day_text(on)}）" if on else word
    return f"{text}{reason}" if reason else text


# --------------------------------------------------------------------------- accounts


def account_rows(queryset: QuerySet, user, spec: SheetSpec) -> Iterator[list[Any]]:
    units = UnitNames()
    personal = PersonalData(user, AccountMember)
    team = _team(AccountMember, queryset)
    fields = (
        "pk", "owner_unit_id", "tier", "platform__name", "name", "external_id",
        "created_month", "verified", "verified_month", "audience", "update_frequency",
        "status", "closed_on", "closed_reason", "filing_state",
    )  # fmt: skip
    rows = queryset.values_list(*fields).iterator(chunk_size=ITERATOR_CHUNK)
    for number, values in enumerate(rows, start=1):
        row = dict(zip(fields, values, strict=True))
        members = team.get(row["pk"], [])
        full = personal.full(row["owner_unit_id"], row["pk"])
        phone = (lambda m: m) if full else mask_mobile
        remark = ""
        if row["status"] == AccountStatus.CLOSED:
            remark = _closed_remark(row["status"], row["closed_on"], row["closed_reason"], "已注销")
        elif row["status"] == AccountStatus.SUSPENDED:
            remark = "暂停更新"
        if spec is ACCOUNTS_HNWU:
            responsible, _m = _first(members, EXPORT_ROLES["responsible"])
            yield [
                number,
                units(row["owner_unit_id"]),
                account_cell(row["name"], row["platform__name"], row["external_id"]),
                responsible,
                _all(members, EXPORT_ROLES["admins"]),
                "是" if row["filing_state"] == "filed" else "否",
                remark,
            ]
            continue
        teacher, teacher_mobile = _first(members, EXPORT_ROLES["teacher"])
        student, student_mobile = _first(members, EXPORT_ROLES["student"])
        verified = month_text(row["verified_month"]) if row["verified"] else ""
        if row["verified"] and not verified:
            verified = "是"
        yield [
            number,
            units(row["owner_unit_id"]),
            TIER_LABELS.get(row["tier"], ""),
            row["platform__name"],
            row["name"],
            row["external_id"],
            month_text(row["created_month"]),
            verified,
            audience_wan(row["audience"]),
            row["update_frequency"],
            teacher,
            phone(teacher_mobile),
            student,
            phone(student_mobile),
            remark,
        ]


# ----------------------------------------------------------------------------- groups


def group_rows(queryset: QuerySet, user, spec: SheetSpec = GROUPS_PDSU) -> Iterator[list[Any]]:
    units = UnitNames()
    personal = PersonalData(user, GroupMember)
    fields = (
        "pk", "owner_unit_id", "platform__name", "name", "purpose", "member_count",
        "has_outside_members", "outside_member_count", "created_month", "creator_id",
        "creator__name", "creator__mobile", "group_number", "status", "dissolved_on",
        "dissolved_reason",
    )  # fmt: skip
    rows = queryset.values_list(*fields).iterator(chunk_size=ITERATOR_CHUNK)
    purpose = PURPOSE_LABELS
    for number, values in enumerate(rows, start=1):
        (pk, unit_id, platform, name, kind, members, outside, outside_count, created,
         creator_id, creator, mobile, group_number, status, dissolved_on,
         dissolved_reason) = values  # fmt: skip
        if mobile and not personal.full(unit_id, pk, creator_id):
            mobile = mask_mobile(mobile)
        remark = ""
        if status == GroupStatus.DISSOLVED:
            remark = _closed_remark(status, dissolved_on, dissolved_reason, "已解散")
        yield [
            number,
            units(unit_id),
            platform,
            name,
            purpose.get(kind, ""),
            members,
            "有" if outside else "无",
            outside_count if outside else None,
            month_text(created),
            creator or "",
            mobile or "",
            group_number,
            remark,
        ]


# ------------------------------------------------------------------------ units, people


def unit_rows(queryset: QuerySet, user, spec: SheetSpec = UNITS) -> Iterator[list[Any]]:
    units = UnitNames()
    fields = ("pk", "name", "parent_id", "kind", "short_name", "code", "head__name", "is_active")
    rows = queryset.order_by().values_list(*fields)
    ordered = sorted(rows, key=lambda r: (_depth(r[0], units.parents), r[2] or 0, r[1]))
    for number, (_pk, name, parent_id, kind, short, code, head, active) in enumerate(
        ordered, start=1
    ):
        yield [
            number,
            name,
            units(parent_id),
            UNIT_KIND_LABELS.get(kind, ""),
            short,
            code,
            head or "",
            "是" if active else "否",
        ]


def _depth(pk: int, parents: dict[int, int | None]) -> int:
    depth = 0
    seen = set()
    while parents.get(pk) is not None and pk not in seen:
        seen.add(pk)
        pk = parents[pk]
        depth += 1
    return depth


def person_rows(queryset: QuerySet, user, spec: SheetSpec = PEOPLE) -> Iterator[list[Any]]:
    units = UnitNames()
    personal = PersonalData(user)
    fields = ("pk", "name", "number", "kind", "unit_id", "post", "cadre_level", "status",
              "mobile", "email", "qq")  # fmt: skip
    rows = queryset.values_list(*fields).iterator(chunk_size=ITERATOR_CHUNK)
    for number, (pk, name, staff_number, kind, unit_id, post, cadre_level, status, mobile,
                 email, qq) in enumerate(rows, start=1):  # fmt: skip
        if not personal.full(unit_id) and not (user.person_id and user.person_id == pk):
            mobile, email, qq = mask_mobile(mobile), mask_email(email), mask_qq(qq)
        yield [
            number,
            name,
            staff_number,
            PERSON_KIND_LABELS.get(kind, ""),
            units(unit_id),
            post,
            CADRE_LEVEL_LABELS.get(cadre_level, ""),
            PERSON_STATUS_LABELS.get(status, ""),
            mobile,
            email,
            qq,
        ]


# ----------------------------------------------------------------------------- writing

ROWS: dict[str, Callable[..., Iterator[list[Any]]]] = {
    "accounts": account_rows,
    "groups": group_rows,
    "units": unit_rows,
    "people": person_rows,
}
EXPORT_SPECS = {
    ("accounts", "pdsu"): ACCOUNTS_PDSU,
    ("accounts", "hnwu"): ACCOUNTS_HNWU,
    ("groups", "pdsu"): GROUPS_PDSU,
    ("units", "units"): UNITS,
    ("people", "people"): PEOPLE,
}
MODELS = {"accounts": MediaAccount, "groups": ChatGroup, "units": Unit, "people": Person}


def export_spec(kind: str, layout: str = "") -> SheetSpec:
    for (spec_kind, key), spec in EXPORT_SPECS.items():
        if spec_kind == kind and (key == layout or not layout):
            return spec
    return next(spec for (spec_kind, _key), spec in EXPORT_SPECS.items() if spec_kind == kind)


@dataclass
class Counter:
    count: int = 0

    def wrap(self, rows):
        for row in rows:
            self.count += 1
            yield row


def write_sheet(
    spec: SheetSpec,
    rows,
    *,
    fmt: str = "xlsx",
    school: str | None = None,
    unit_name: str = "",
    on: dt.date | None = None,
) -> bytes:
    """The sheet as bytes: .xlsx with the title, the 报送单位 line, header, rows and the
    seed's remarks; or .csv with the title row and the header."""
    school = school_name() if school is None else school
    title = spec.title_for(school)
    buffer = io.BytesIO()
    if fmt == "csv":
        write_csv(buffer, spec.header, rows, title_rows=[title])
    else:
        write_xlsx(
            buffer,
            [title],
            spec.header,
            rows,
            spec.remarks,
            spec.widths,
            sheet_name=spec.sheet_name,
            submitter_line=submitter_line(unit_name, on),
            engine=XLSX_ENGINE,
        )
    return buffer.getvalue()


def blank_template(spec: SheetSpec, *, rows: int = 10) -> bytes:
    """An empty sheet of the layout, numbered rows to fill in."""
    empty = [[number] + [None] * (len(spec.header) - 1) for number in range(1, rows + 1)]
    return write_sheet(spec, empty)
