"""Media accounts from the 新媒体账号信息汇总表 (seed 002 附件2) or the HNWU 清查表 (seed 000
附件2); the layout is told by the header.

A row is the account with the same platform and account id (账号或网址) when the sheet gives
one; otherwise the account with the same platform, name and owning unit (an account of
that name and unit without an id is also taken by a row that gives an id, and gets it).

The people columns put people on the account's team: 负责老师 (负责人; a teacher already on
the team as 第一责任人, 负责人 or 指导教师 counts), 负责学生, and in the 清查表 责任人 and
管理员. People are found by name in the owning unit (and by mobile), or created there.
Blank cells leave what is stored alone; nobody is taken off a team by an import.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import partial
from typing import Any

from beian.core.sheets import (
    CellError,
    clean_identifier,
    match_key,
    parse_audience_wan,
    parse_bool,
    parse_year_month,
)
from beian.core.sheets.errors import show_value
from beian.orgs.choices import PersonKind
from beian.orgs.models import Person
from beian.registry.authority import closing_chain_for
from beian.registry.bulk import accounts_bulk_upsert
from beian.registry.choices import AccountStatus, FilingState, TeamRole, Tier
from beian.registry.models import AccountMember, MediaAccount
from beian.registry.spec import derive_tier

from ..context import NewPerson, PlatformIndex
from ..layouts import ACCOUNTS_HNWU, ACCOUNTS_PDSU
from ..plan import Change, RowResult, Status
from ..rules import ACCOUNT_LABELS, MIN_YEAR, account_errors, audience_error, length_error
from ..spellings import learned_for
from .base import INVALID, Cells, Importer, diff, month_text, parse_month

parse_audience = partial(parse_audience_wan, label="关注人数")

CLOSED = re.compile(r"已注销|已停用并注销")
TIER_WORDS = {
    "一级": 1, "二级": 2, "三级": 3, "1级": 1, "2级": 2, "3级": 3, "1": 1, "2": 2, "3": 3,
    "一": 1, "二": 2, "三": 3, "i级": 1, "ii级": 2, "iii级": 3,
}  # fmt: skip
TIER_LABELS = dict(Tier.choices)


def parse_tier(value: Any, *, warn=None) -> int | None:
    """一级 / 二级 / 三级, 1–3, "二级平台" → 1–3; anything else → None with a warning (the
    tier follows from the owning unit and is never imported)."""
    text = match_key(value).removesuffix("平台").removesuffix("账号").removesuffix("新媒体")
    if not text:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    found = TIER_WORDS.get(text)
    if found is None and warn:
        warn(f"无法识别的账号分级“{show_value(value)}”，已忽略")
    return found


def parse_verified(value: Any, *, warn=None) -> tuple[bool, dt.date | None]:
    """认证时间: a year-month (verified then), or 否/未认证 (not verified), or 是/已认证
    (verified; the month must then be known)."""
    try:
        month = parse_year_month(value, warn=warn, min_year=MIN_YEAR)
    except CellError as error:
        try:
            flag = parse_bool(value)
        except CellError:
            raise error from None
        if flag is None:
            raise error from None
        return flag, None
    return True, month


@dataclass(frozen=True)
class TeamColumn:
    """A people column of a sheet and the team role it fills."""

    key: str
    phone_key: str | None
    role: str
    accepts: tuple[str, ...]  # roles that already count as being in this column
    kind: str
    label: str
    single: bool = True


TEAM_COLUMNS = {
    "pdsu": (
        TeamColumn(
            "teacher",
            "teacher_phone",
            TeamRole.RESPONSIBLE,
            (TeamRole.RESPONSIBLE, TeamRole.FIRST_RESPONSIBLE, TeamRole.ADVISOR),
            PersonKind.STAFF,
            "负责老师",
        ),
        TeamColumn(
            "student",
            "student_phone",
            TeamRole.STUDENT_LEAD,
            (TeamRole.STUDENT_LEAD,),
            PersonKind.STUDENT,
            "负责学生",
        ),
    ),
    "hnwu": (
        TeamColumn(
            "responsible",
            None,
            TeamRole.FIRST_RESPONSIBLE,
            (TeamRole.FIRST_RESPONSIBLE, TeamRole.RESPONSIBLE),
            PersonKind.STAFF,
            "责任人",
        ),
        TeamColumn(
            "admins",
            None,
            TeamRole.ADMIN,
            (TeamRole.ADMIN, TeamRole.OPERATOR),
            PersonKind.STAFF,
            "管理员",
            single=False,
        ),
    ),
}
#: For exports: which team member a people column shows (first role found wins).
EXPORT_ROLES = {column.key: column.accepts for columns in TEAM_COLUMNS.values()
                for column in columns}  # fmt: skip

_BRACKET = re.compile(r"^(?P<name>.*?)\s*[（(](?P<inner>[^（）()]*)[)）]\s*$")
_PREFIX = re.compile(r"^(?P<platform>[^:：（）()]{1,12})[:：]\s*(?P<name>.+)$")
_SPLIT = re.compile(r"[，,、;；\s]+")
_NAMES = re.compile(r"[、，,;；/\s]+")


def account_cell(name: str, platform: str, external_id: str) -> str:
    """The 清查表's one cell for an account: "名称（平台，账号）"."""
    inner = "，".join(part for part in (platform, external_id) if part)
    return f"{name}（{inner}）" if inner else name


class AccountImporter(Importer):
    kind = "accounts"
    specs = (ACCOUNTS_PDSU, ACCOUNTS_HNWU)
    locked = (MediaAccount, AccountMember, Person)

    def load(self) -> None:
        super().load()
        self.platforms = PlatformIndex(learned_for(self.actor, self.restrict_unit))
        fields = (
            "pk",
            "platform_id",
            "name",
            "external_id",
            "owner_unit_id",
            "tier",
            "tier_override_reason",
            "is_personal",
            "created_month",
            "verified",
            "verified_month",
            "audience",
            "update_frequency",
            "status",
            "filing_state",
        )
        self.accounts: dict[int, dict[str, Any]] = {}
        self.by_external: dict[tuple[int, str], int] = {}
        self.by_external_any: dict[str, list[int]] = {}
        self.by_name: dict[tuple[int, str, int], list[int]] = {}
        self.by_name_any: dict[tuple[str, int], list[int]] = {}
        for values in MediaAccount.objects.values_list(*fields):
            account = dict(zip(fields, values, strict=True))
            pk = account["pk"]
            self.accounts[pk] = account
            if account["external_id"]:
                self.by_external[(account["platform_id"], account["external_id"])] = pk
                self.by_external_any.setdefault(account["external_id"], []).append(pk)
            key = match_key(account["name"])
            self.by_name.setdefault(
                (account["platform_id"], key, account["owner_unit_id"]), []
            ).append(pk)
            self.by_name_any.setdefault((key, account["owner_unit_id"]), []).append(pk)
        self.open_filings = _open_filings()
        self.members: dict[int, list[tuple[int, int, str]]] = {}
        for pk, record_id, person_id, role in AccountMember.objects.values_list(
            "pk", "record_id", "person_id", "role"
        ):
            self.members.setdefault(record_id, []).append((pk, person_id, role))

    # --- rows ----------------------------------------------------------------------------

    def parse(self, cells: Cells) -> dict[str, Any] | None:
        unit_id = self.row_unit(cells)
        if self.spec is ACCOUNTS_HNWU:
            values = self._parse_hnwu(cells, unit_id)
        else:
            values = self._parse_pdsu(cells)
        remark = cells.text("remark") or ""
        if values is None or unit_id is INVALID or cells.result.has_errors:
            return None
        if any(value is INVALID for value in values.values()):
            return None
        name = values["name"]
        if not name:
            cells.error(self._name_key(), "请填写账号名称")
            return None
        if problem := length_error(MediaAccount, "name", name):
            cells.error(self._name_key(), f"账号名称{problem}")
        external_id = values["external_id"]
        if problem := length_error(MediaAccount, "external_id", external_id):
            cells.error(self._id_key(), f"账号或网址{problem}")
        if values["platform"] is None and self.spec is ACCOUNTS_HNWU:
            values["platform"] = self._guess_platform(name, external_id, unit_id)
            if values["platform"] is None:
                cells.error(
                    "account",
                    "无法确定平台，请写作“名称（平台，账号）”，如“某某学院（微信公众号，abc_xy）”，"
                    "或增加“平台”列",
                )
        elif values["platform"] is None:
            cells.error("platform", "请填写账号类型（平台）")
        if cells.result.has_errors:
            return None
        team = []
        for column in TEAM_COLUMNS[self.spec.key]:
            entries = self._team_entries(cells, column, unit_id)
            if entries is INVALID:
                return None
            team.append((column, entries))
        values.update(
            unit_id=unit_id,
            name=name,
            name_key=match_key(name),
            team=team,
            close=bool(CLOSED.search(remark)),
            remark=remark,
        )
        return values

    def _name_key(self) -> str:
        return "account" if self.spec is ACCOUNTS_HNWU else "name"

    def _id_key(self) -> str:
        return "account" if self.spec is ACCOUNTS_HNWU else "external_id"

    def _parse_pdsu(self, cells: Cells) -> dict[str, Any] | None:
        platform = cells.get("platform", self.platforms.account_platform)
        name = cells.text("name")
        verified = cells.get("verified", parse_verified)
        audience = cells.get("audience", parse_audience)
        if audience not in (None, INVALID) and (problem := audience_error(audience)):
            cells.error("audience", problem)
        frequency = cells.text("frequency")
        if frequency and (problem := length_error(MediaAccount, "update_frequency", frequency)):
            cells.error("frequency", f"更新频率{problem}")
        return {
            "platform": platform,
            "name": name or "",
            "external_id": cells.get("external_id", clean_identifier) or "",
            "tier": cells.get("tier", parse_tier),
            "created_month": cells.get("created", parse_month),
            "verified": verified,
            "audience": audience,
            "update_frequency": frequency,
            "filed": None,
        }

    def _parse_hnwu(self, cells: Cells, unit_id) -> dict[str, Any] | None:
        text = cells.text("account")
        if not text:
            cells.error("account", "请填写账号名称")
            return None
        platform = cells.get("platform", self.platforms.account_platform)
        name, found, external_id = self._split_account(text)
        if platform is None:
            platform = found
        return {
            "platform": platform,
            "name": name,
            "external_id": external_id,
            "tier": None,
            "created_month": None,
            "verified": None,
            "audience": None,
            "update_frequency": None,
            "filed": cells.get("filed", parse_bool),
        }

    def _platform_word(self, text: str):
        try:
            return self.platforms.accounts.resolve(text)
        except CellError:
            return None

    def _split_account(self, text: str):
        """ "名称（平台，账号）", "名称（账号）", "名称（平台）", "平台：名称" → (name, platform or
        None, account id)."""
        name, platform, external_id = text, None, ""
        match = _BRACKET.match(text)
        if match and match["name"]:
            found_platform, ids, plain = None, [], True
            for token in (t for t in _SPLIT.split(match["inner"]) if t):
                code = self._platform_word(token)
                if code is not None:
                    found_platform = self.platforms.platforms[int(code)]
                    continue
                token = clean_identifier(token)
                if token.isascii():
                    ids.append(token)
                else:
                    plain = False
            if plain and len(ids) <= 1 and (found_platform or ids):
                name, platform = match["name"].strip(), found_platform
                external_id = ids[0] if ids else ""
        if platform is None:
            match = _PREFIX.match(name)
            if match:
                code = self._platform_word(match["platform"])
                if code is not None:
                    platform = self.platforms.platforms[int(code)]
                    name = match["name"].strip()
        return name, platform, external_id

    def _guess_platform(self, name: str, external_id: str, unit_id: int):
        """For a 清查表 row without a platform: the platform of the one account that has this
        id, or this name in this unit."""
        if external_id:
            candidates = self.by_external_any.get(external_id, [])
        else:
            candidates = self.by_name_any.get((match_key(name), unit_id), [])
        platforms = {self.accounts[pk]["platform_id"] for pk in candidates}
        if len(platforms) == 1:
            return self.platforms.platforms[platforms.pop()]
        return None

    def _team_entries(self, cells: Cells, column: TeamColumn, unit_id: int):
        if not column.single:
            text = cells.text(column.key)
            if not text:
                return []
            entries = []
            for name in dict.fromkeys(n for n in _NAMES.split(text) if n):
                if len(name) > 64:
                    cells.error(column.key, "姓名不能超过 64 个字符")
                    return INVALID
                ref, error = self.people.find(name, unit_id=unit_id, kind=column.kind)
                if error:
                    cells.error(column.key, error)
                    return INVALID
                entries.append((ref, ""))
            return entries
        ref, mobile = self.person(
            cells, column.key, column.phone_key, unit_id=unit_id, kind=column.kind
        )
        if ref is INVALID:
            return INVALID
        return [(ref, mobile)] if ref is not None else []

    def key(self, values: dict[str, Any]) -> Any:
        platform_id = values["platform"].pk
        if values["external_id"]:
            return ("id", platform_id, values["external_id"])
        return ("name", platform_id, values["name_key"], values["unit_id"])

    def describe_key(self, key: Any) -> str:
        platform = self.platforms.platforms[key[1]].name
        if key[0] == "id":
            return f"{platform}、账号 {key[2]}"
        return f"{platform}、管理单位“{self.units.name(key[3])}”、账号名称"

    def match(self, values: dict[str, Any], cells: Cells):
        platform_id = values["platform"].pk
        external_id = values["external_id"]
        if external_id:
            found = self.by_external.get((platform_id, external_id))
            if found is not None:
                return found
        candidates = self.by_name.get((platform_id, values["name_key"], values["unit_id"]), [])
        if external_id:
            candidates = [pk for pk in candidates if not self.accounts[pk]["external_id"]]
            return candidates[0] if len(candidates) == 1 else None
        if len(candidates) > 1:
            cells.error(
                self._name_key(),
                f"系统中该单位有 {len(candidates)} 个同名的{values['platform'].name}账号，"
                "请填写账号或网址以区分",
            )
            return INVALID
        return candidates[0] if candidates else None

    # --- meeting the registry --------------------------------------------------------------

    def _derived_tier(self, unit_id: int, is_personal: bool = False) -> int:
        return derive_tier(unit_kind=self.units.units[unit_id].kind, is_personal=is_personal)

    def resolve(self, result: RowResult, values: dict[str, Any], cells: Cells) -> None:
        platform = values["platform"]
        unit_id = values["unit_id"]
        result.label = f"{platform.name} · {values['name']}"
        result.unit = self.units.name(unit_id)
        found = self.match(values, cells)
        if found is INVALID:
            return
        verified = values["verified"]
        wanted: dict[str, Any] = {
            "name": values["name"],
            "external_id": values["external_id"] or None,
            "owner_unit_id": unit_id,
            "created_month": values["created_month"],
            "audience": values["audience"],
            "update_frequency": values["update_frequency"],
        }
        if verified is not None and verified[1] is not None:
            wanted["verified"], wanted["verified_month"] = True, verified[1]
        display = {
            "owner_unit_id": self.units.name,
            "created_month": month_text,
            "verified_month": month_text,
            "tier": lambda v: str(TIER_LABELS.get(v, v or "")),
        }
        labels = {**ACCOUNT_LABELS, "owner_unit_id": ACCOUNT_LABELS["owner_unit"]}
        if found is None:
            self._new(result, values, wanted, cells, display, labels)
            return
        account = self.accounts[found]
        result.record_id = found
        if not self.units.can_write(account["owner_unit_id"]):
            cells.error(self._name_key(), self.not_yours("账号", account["owner_unit_id"]))
            return
        current = dict(account)
        if match_key(current["name"]) == values["name_key"]:
            wanted["name"] = None
        clear_month = False
        if verified is not None and verified[1] is None:
            if verified[0] and not current["verified"]:
                cells.error("verified", "已认证的账号请填写认证时间（年月）")
                return
            if not verified[0]:
                wanted["verified"] = False
                clear_month = current["verified_month"] is not None
        changed = diff(result, current, wanted, labels, display=display)
        if clear_month:
            changed["verified_month"] = None
            result.changes.append(
                Change(
                    "verified_month",
                    labels["verified_month"],
                    month_text(current["verified_month"]),
                    "",
                )
            )
        if "owner_unit_id" in changed:
            if not self.units.units[unit_id].is_active:
                cells.error("unit", f"单位“{self.units.name(unit_id)}”已停用")
            derived = self._derived_tier(unit_id, current["is_personal"])
            if not (current["tier_override_reason"] and current["tier"] != derived):
                if derived != current["tier"]:
                    changed["tier"] = derived
                    result.changes.append(
                        Change(
                            "tier",
                            labels["tier"],
                            display["tier"](current["tier"]),
                            display["tier"](derived),
                        )  # fmt: skip
                    )
                if current["tier_override_reason"]:
                    changed["tier_override_reason"] = ""
        tier = changed.get("tier", current["tier"])
        self._note_tier(values, tier, cells)
        self._note_filed(values, current["filing_state"], cells)
        adds, removes = self._team_changes(result, found, values["team"])
        closing = values["close"] and current["status"] != AccountStatus.CLOSED
        if current["status"] == AccountStatus.CLOSED and result.changes:
            cells.error(None, "已注销的账号不能修改")
            return
        if closing and self._closing_needs_approval(values, current, changed, cells):
            result.changes.append(
                Change(
                    "status",
                    labels["status"],
                    str(AccountStatus(current["status"]).label),
                    "提交注销申请（审批通过后注销）",
                )
            )
            values["request_closing"] = True
        elif closing and values.get("request_closing") is None:
            result.changes.append(
                Change(
                    "status",
                    labels["status"],
                    str(AccountStatus(current["status"]).label),
                    str(AccountStatus.CLOSED.label),
                )
            )
            changed["status"] = AccountStatus.CLOSED
        merged = {k: v for k, v in {**current, **changed}.items() if k in _RULE_FIELDS}
        self._check_rules(merged, platform, cells)
        if result.changes:
            result.status = Status.UPDATE
            result.action = ("update", found, changed, values, adds, removes)
        else:
            result.status = Status.UNCHANGED

    def _new(self, result, values, wanted, cells, display, labels) -> None:
        unit_id = values["unit_id"]
        platform = values["platform"]
        if not self.units.units[unit_id].is_active:
            cells.error("unit", f"单位“{self.units.name(unit_id)}”已停用")
        if not platform.is_active:
            cells.error(self._platform_key(), f"平台“{platform.name}”已停用")
        if values["close"]:
            cells.error("remark", "新登记的账号不能是已注销状态")
        verified = values["verified"]
        if verified is not None and verified[0] and verified[1] is None:
            cells.error("verified", "已认证的账号请填写认证时间（年月）")
        tier = self._derived_tier(unit_id)
        fields = {
            "platform_id": platform.pk,
            "name": values["name"],
            "external_id": values["external_id"],
            "owner_unit_id": unit_id,
            "tier": tier,
            "created_month": wanted["created_month"],
            "verified": bool(wanted.get("verified")),
            "verified_month": wanted.get("verified_month"),
            "audience": wanted["audience"],
            "update_frequency": wanted["update_frequency"] or "",
        }
        self._note_tier(values, tier, cells)
        self._note_filed(values, FilingState.UNFILED, cells)
        self._check_rules(fields, platform, cells)
        for name in ("external_id", "tier", "created_month", "verified_month", "audience",
                     "update_frequency"):  # fmt: skip
            value = fields[name]
            if value not in (None, ""):
                show = display.get(name, lambda v: str(v))
                result.changes.append(Change(name, labels[name], "", show(value)))
        adds, _removes = self._team_changes(result, None, values["team"])
        result.status = Status.NEW
        result.action = ("new", None, fields, values, adds, [])

    def _closing_needs_approval(self, values, current, changed, cells: Cells) -> bool:
        """ "已注销" in 备注 of a filed account whose closing the policy routes through
        approval: the import opens a closing request instead of closing it (and says so on
        the row); an account that already has a request in progress is left alone."""
        chain = closing_chain_for(
            filing_state=current["filing_state"],
            tier=changed.get("tier", current["tier"]),
            unit_kind=self.units.units[current["owner_unit_id"]].kind,
            is_personal=current["is_personal"],
        )
        if not chain:
            return False
        from beian.core.policy import APPROVER_STEPS
        from beian.filings.choices import FilingKind

        steps = " → ".join(APPROVER_STEPS.get(step, step) for step in chain)
        open_kind = self.open_filings.get(current["pk"])
        if open_kind == FilingKind.CLOSING:
            cells.warn("remark", "该账号已有正在办理的注销申请，审批通过后注销；本次不再重复提交")
            values["request_closing"] = False
            return False
        if open_kind is not None:
            cells.error(
                "remark",
                f"该账号已备案，注销须经审批（{steps}），但它已有一份正在办理的申请："
                "请先办结或撤回该申请，再注销",
            )
            return False
        cells.warn(
            "remark",
            f"该账号已备案，按学校规定注销须经审批（{steps}）：导入时将以您的名义提交注销申请，"
            "审批通过后注销",
        )
        return True

    def _platform_key(self) -> str:
        return "account" if self.spec is ACCOUNTS_HNWU else "platform"

    def _note_tier(self, values, tier: int, cells: Cells) -> None:
        written = values["tier"]
        if written is not None and written != tier:
            cells.warn(
                "tier",
                f"账号分级按管理单位确定为“{TIER_LABELS[tier]}”，表中为“{TIER_LABELS[written]}”，"
                "未采用（分级调整请由宣传部在账号页面办理）",
            )

    def _note_filed(self, values, filing_state: str, cells: Cells) -> None:
        filed = values["filed"]
        if filed is True and filing_state != FilingState.FILED:
            cells.warn("filed", "系统中该账号尚未完成备案；备案状态以审批结果为准，未修改")
        elif filed is False and filing_state == FilingState.FILED:
            cells.warn("filed", "系统中该账号已备案；备案状态以审批结果为准，未修改")

    _RULE_CELLS = {
        "created_month": "created",
        "verified_month": "verified",
        "verified": "verified",
        "audience": "audience",
        "external_id": "external_id",
        "platform": "platform",
        "last_post_date": None,
    }

    def _check_rules(self, merged: dict[str, Any], platform, cells: Cells) -> None:
        fields = {k: v for k, v in merged.items() if k in _RULE_FIELDS}
        fields["platform"] = platform
        fields.pop("platform_id", None)
        for name, message in account_errors(fields).items():
            key = self._RULE_CELLS.get(name)
            if key == "external_id":
                key = self._id_key()
            if key is not None and not cells.has(key):
                key = None
            cells.error(key, message)

    def _team_changes(self, result: RowResult, record_id: int | None, team) -> tuple[list, list]:
        """Who joins the team (role, person) and which memberships end (member ids)."""
        current = self.members.get(record_id, []) if record_id is not None else []
        adds: list[tuple[str, Any]] = []
        removes: list[int] = []
        people = self.people
        for column, entries in team:
            for ref, mobile in entries:
                self.person_changes(result, ref, mobile, column.label, f"{column.label}电话")
                if isinstance(ref, int) and any(
                    person_id == ref and role in column.accepts for _pk, person_id, role in current
                ):
                    continue
                if any(role == column.role and r is ref for role, r in adds):
                    continue
                shown_new = people.display(ref) + ("（新增人员）" if isinstance(ref, NewPerson)
                                                   else "")  # fmt: skip
                if column.single:
                    old = [m for m in current if m[2] == column.role and m[0] not in removes]
                    removes.extend(m[0] for m in old)
                    old_names = "、".join(people.display(m[1]) for m in old)
                    result.changes.append(
                        Change(f"team_{column.key}", column.label, old_names, shown_new)
                    )
                else:
                    result.changes.append(
                        Change(f"team_{column.key}", column.label, "", f"增加 {shown_new}")
                    )
                adds.append((column.role, ref))
                if column.single:
                    break
        return adds, removes

    # --- writing -------------------------------------------------------------------------

    def write(self, rows: list[RowResult], now: dt.datetime, reason: str) -> dict[str, int]:
        """People first (new team members), then the accounts and their teams through the
        registry's bulk upsert, then the closing requests that "已注销" asked for."""
        refs = [
            ref
            for row in rows
            for column, entries in row.action[3]["team"]
            for ref, _mobile in entries
        ]
        counts = self.write_people(rows, refs, now, reason)
        creates, create_teams, updates, team_add = [], [], [], []
        for row in rows:
            kind, pk, fields, values, adds, _removes = row.action
            team = [(role, ref.pk if isinstance(ref, NewPerson) else ref) for role, ref in adds]
            if kind == "new":
                creates.append(dict(fields))
                create_teams.append(team)
            else:
                changes = dict(fields)
                if changes.get("status") == AccountStatus.CLOSED and values["remark"]:
                    changes["closed_reason"] = values["remark"]
                if changes:
                    updates.append((pk, changes))
                team_add.extend((pk, role, person_id) for role, person_id in team)
        outcome = accounts_bulk_upsert(
            actor=self.actor,
            authority=self.authority,
            create=creates,
            update=updates,
            create_teams=create_teams,
            team_add=team_add,
            team_remove=[pk for row in rows for pk in row.action[5]],
            closing_reason="汇总表中注明已注销",
            now=now,
        )
        ids = iter(outcome.created)
        for row in rows:
            if row.action[0] == "new":
                row.record_id = next(ids)
        requested, drafts = self._request_closings(rows)
        return {
            **counts,
            "created": len(outcome.created),
            "updated": len(outcome.updated),
            "team_added": outcome.team_added,
            "team_removed": outcome.team_removed,
            "closing_requests": requested,
            "closing_drafts": drafts,
        }

    def _request_closings(self, rows: list[RowResult]) -> tuple[int, int]:
        """A closing request (注销申请) for each filed account whose row says 已注销 where
        the policy asks for approval, submitted in the importer's name. When it cannot be
        submitted (e.g. no approver is configured for a step) it is kept as a draft for
        the importer to complete: the rest of the import is not held up by it."""
        from django.core.exceptions import PermissionDenied, ValidationError
        from django.db import transaction

        from beian.filings.services import closing_request_create

        wanted = [row for row in rows if row.action[3].get("request_closing")]
        if not wanted:
            return 0, 0
        accounts = MediaAccount.objects.in_bulk([row.record_id for row in wanted])
        requested = drafts = 0
        for row in wanted:
            request = {
                "actor": self.actor,
                "account": accounts[row.record_id],
                "reason": row.action[3]["remark"][:255] or "汇总表中注明已注销",
                "closing_on": self.today,
            }
            try:
                with transaction.atomic():
                    closing_request_create(**request, submit=True)
                requested += 1
            except (ValidationError, PermissionDenied):
                closing_request_create(**request, submit=False)
                drafts += 1
        return requested, drafts


def _open_filings() -> dict[int, str]:
    """Accounts with a request in progress: account pk → kind of the request."""
    from beian.filings.choices import FilingStatus
    from beian.filings.models import Filing

    return dict(
        Filing.objects.filter(
            account__isnull=False,
            status__in=(FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.RETURNED),
        ).values_list("account_id", "kind")
    )


_RULE_FIELDS = frozenset(
    {
        "platform_id",
        "name",
        "external_id",
        "owner_unit_id",
        "tier",
        "created_month",
        "verified",
        "verified_month",
        "audience",
        "update_frequency",
        "status",
    }
)
