"""The summary sheets a campaign asks each unit to return, generated from the unit's
records in the task through transfer's exporters.

Three layouts are transfer's own (新媒体账号信息汇总表, 清查表, 即时群聊工具备案汇总表:
seeds 002 and 000). Seed 003 (华北水利水电大学) asks for two more, whose columns follow
the notice's text:

- 网络媒体平台备案信息汇总表 (附件2) for the platforms and accounts of units and student
  organisations (备案范围 1 and 2): the platform's kind and name, the account, its
  supervising leader (主管领导, "本单位党政一把手") and the responsible manager
  (运营管理负责人, "在职教职工"), their phones, when it was created and whether it is still
  running (the notice asks to close zombies of three months);
- 师生网络媒体平台备案信息汇总表 (附件3) for accounts that staff and students run in their
  own name with the school's or a unit's name in it (备案范围 3): who runs it (name,
  identity, unit), the platform and account.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from beian.core.masking import mask_mobile
from beian.core.sheets import Column, Layout
from beian.orgs.choices import PersonKind
from beian.registry.choices import AccountStatus, PlatformCategory, TeamRole
from beian.registry.models import AccountMember
from beian.transfer import exporters
from beian.transfer.layouts import ACCOUNTS_HNWU, ACCOUNTS_PDSU, GROUPS_PDSU, SheetSpec

from .choices import SheetCode

ACCOUNTS_NCWU = SheetSpec(
    key="ncwu",
    kind="accounts",
    label="网络媒体平台备案信息汇总表（华北水利水电大学附件2格式）",
    title="{school}网络媒体平台备案信息汇总表",
    layout=Layout(
        title="网络媒体平台备案信息汇总表",
        columns=(
            Column("seq", "序号", serial=True),
            Column("unit", "单位名称", fill_down=True),
            Column("category", "平台类别"),
            Column("platform", "平台名称", required=True),
            Column("name", "账号名称", required=True),
            Column("external_id", "账号或网址"),
            Column("supervisor", "主管领导"),
            Column("responsible", "运营管理负责人"),
            Column("responsible_phone", "负责人电话"),
            Column("created", "创建时间"),
            Column("state", "运行状态"),
            Column("remark", "备注"),
        ),
    ),
    header=(
        "序号", "单位名称", "平台\n类别", "平台名称", "账号名称", "账号或网址", "主管领导",
        "运营管理\n负责人", "负责人\n电话", "创建\n时间", "运行\n状态", "备注",
    ),
    keys=(
        "seq", "unit", "category", "platform", "name", "external_id", "supervisor",
        "responsible", "responsible_phone", "created", "state", "remark",
    ),
    widths=(6, 18, 9, 12, 22, 26, 10, 10, 14, 10, 9, 16),
    remarks=(
        "备注：1．本表填写以本单位及所属学生组织名义注册使用或运营的网站、新媒体、应用程序等"
        "网络媒体平台、账号（备案范围第一项、第二项）。",
        "2．主管领导应为本单位党政一把手；运营管理负责人须为我校在职教职工。",
        "3．三个月以上无更新的“僵尸”平台、账号以及不再使用的平台、账号应及时注销、关停，"
        "已注销的在备注栏注明“已注销”。",
    ),
    sheet_name="网络媒体平台备案信息汇总表",
)  # fmt: skip

ACCOUNTS_NCWU_PERSONAL = SheetSpec(
    key="ncwu-personal",
    kind="accounts",
    label="师生网络媒体平台备案信息汇总表（华北水利水电大学附件3格式）",
    title="{school}师生网络媒体平台备案信息汇总表",
    layout=Layout(
        title="师生网络媒体平台备案信息汇总表",
        columns=(
            Column("seq", "序号", serial=True),
            Column("unit", "所在单位", fill_down=True),
            Column("owner", "姓名"),
            Column("identity", "身份"),
            Column("platform", "平台名称", required=True),
            Column("name", "账号名称", required=True),
            Column("external_id", "账号或网址"),
            Column("phone", "联系电话"),
            Column("created", "创建时间"),
            Column("state", "运行状态"),
            Column("remark", "备注"),
        ),
    ),
    header=(
        "序号", "所在单位", "姓名", "身份", "平台名称", "账号名称", "账号或网址", "联系电话",
        "创建\n时间", "运行\n状态", "备注",
    ),
    keys=(
        "seq", "unit", "owner", "identity", "platform", "name", "external_id", "phone",
        "created", "state", "remark",
    ),
    widths=(6, 18, 10, 8, 12, 22, 26, 14, 10, 9, 16),
    remarks=(
        "备注：1．本表填写教职工、学生以个人名义注册使用或运营，账号名称中含有学校或部门单位"
        "中英文全称或简称的网络媒体平台（不包括微信、QQ、钉钉等个人社交账号）。",
        "2．账号不得以学校名称谐音、污名化方式命名；不合规的由所在单位督促本人更名或注销。",
    ),
    sheet_name="师生网络媒体平台备案信息汇总表",
)  # fmt: skip

SPECS: dict[str, SheetSpec] = {
    SheetCode.ACCOUNTS_PDSU: ACCOUNTS_PDSU,
    SheetCode.ACCOUNTS_HNWU: ACCOUNTS_HNWU,
    SheetCode.GROUPS_PDSU: GROUPS_PDSU,
    SheetCode.ACCOUNTS_NCWU: ACCOUNTS_NCWU,
    SheetCode.ACCOUNTS_NCWU_PERSONAL: ACCOUNTS_NCWU_PERSONAL,
}
CATEGORY_LABELS = {k: str(v) for k, v in PlatformCategory.choices}
STATUS_LABELS = {k: str(v) for k, v in AccountStatus.choices}
IDENTITY_LABELS = {
    PersonKind.STAFF: "教职工",
    PersonKind.STUDENT: "学生",
    PersonKind.EXTERNAL: "校外",
}


def _team(queryset: QuerySet) -> dict[int, list[tuple[str, str, str, str, int]]]:
    """account id → [(role, name, mobile, kind, person id)] in the order people joined."""
    team: dict[int, list[tuple[str, str, str, str, int]]] = {}
    rows = (
        AccountMember.objects.filter(record__in=queryset.order_by().values("pk"))
        .order_by("pk")
        .values_list("record_id", "role", "person__name", "person__mobile", "person__kind")
    )
    for record_id, role, name, mobile, kind in rows:
        team.setdefault(record_id, []).append((role, name, mobile or "", kind))
    return team


def _first(members, roles) -> tuple[str, str, str]:
    for role in roles:
        for member_role, name, mobile, kind in members:
            if member_role == role:
                return name, mobile, kind
    return "", "", ""


def _state_and_remark(status, closed_on, closed_reason) -> tuple[str, str]:
    if status == AccountStatus.CLOSED:
        remark = f"已注销（{exporters.day_text(closed_on)}）" if closed_on else "已注销"
        return STATUS_LABELS[status], f"{remark}{closed_reason}" if closed_reason else remark
    return STATUS_LABELS.get(status, ""), ""


_RESPONSIBLE = (TeamRole.RESPONSIBLE, TeamRole.FIRST_RESPONSIBLE, TeamRole.ADMIN)
_OWNER = (TeamRole.OPERATOR, TeamRole.RESPONSIBLE, TeamRole.ADMIN, TeamRole.FIRST_RESPONSIBLE)
_FIELDS = (
    "pk", "owner_unit_id", "platform__name", "platform__category", "name", "external_id",
    "created_month", "status", "closed_on", "closed_reason",
)  # fmt: skip


def ncwu_rows(queryset: QuerySet, user, spec: SheetSpec) -> Iterator[list[Any]]:
    """Rows of the two NCWU layouts (which accounts go in which is the caller's filter)."""
    units = exporters.UnitNames()
    personal = exporters.PersonalData(user, AccountMember)
    team = _team(queryset)
    rows = queryset.values_list(*_FIELDS).iterator(chunk_size=exporters.ITERATOR_CHUNK)
    for number, values in enumerate(rows, start=1):
        row = dict(zip(_FIELDS, values, strict=True))
        members = team.get(row["pk"], [])
        phone = (lambda m: m) if personal.full(row["owner_unit_id"], row["pk"]) else mask_mobile
        state, remark = _state_and_remark(row["status"], row["closed_on"], row["closed_reason"])
        if spec is ACCOUNTS_NCWU_PERSONAL:
            owner, mobile, kind = _first(members, _OWNER)
            yield [
                number,
                units(row["owner_unit_id"]),
                owner,
                IDENTITY_LABELS.get(kind, ""),
                row["platform__name"],
                row["name"],
                row["external_id"],
                phone(mobile),
                exporters.month_text(row["created_month"]),
                state,
                remark,
            ]
            continue
        supervisor, _m, _k = _first(members, (TeamRole.SUPERVISOR, TeamRole.FIRST_RESPONSIBLE))
        responsible, mobile, _k = _first(members, _RESPONSIBLE)
        yield [
            number,
            units(row["owner_unit_id"]),
            CATEGORY_LABELS.get(row["platform__category"], ""),
            row["platform__name"],
            row["name"],
            row["external_id"],
            supervisor,
            responsible,
            phone(mobile),
            exporters.month_text(row["created_month"]),
            state,
            remark,
        ]


def sheet_rows(code: str, *, accounts: QuerySet, groups: QuerySet, user) -> Iterator[list[Any]]:
    """The rows of one sheet over a task's records (`accounts`, `groups`: querysets)."""
    spec = SPECS[code]
    if code == SheetCode.GROUPS_PDSU:
        return exporters.group_rows(groups.order_by("name", "pk"), user, spec)
    if code == SheetCode.ACCOUNTS_NCWU:
        return ncwu_rows(accounts.filter(is_personal=False).order_by("name", "pk"), user, spec)
    if code == SheetCode.ACCOUNTS_NCWU_PERSONAL:
        return ncwu_rows(accounts.filter(is_personal=True).order_by("name", "pk"), user, spec)
    return exporters.account_rows(accounts.order_by("tier", "name", "pk"), user, spec)


def render_sheet(
    code: str, *, accounts: QuerySet, groups: QuerySet, user, unit_name: str, on=None
) -> tuple[bytes, int, str]:
    """(xlsx bytes, number of rows, sha256) of one sheet for a unit."""
    counter = exporters.Counter()
    rows = counter.wrap(sheet_rows(code, accounts=accounts, groups=groups, user=user))
    data = exporters.write_sheet(SPECS[code], rows, unit_name=unit_name, on=on)
    return data, counter.count, hashlib.sha256(data).hexdigest()


def file_name(code: str, unit_name: str) -> str:
    return f"{unit_name}-{SPECS[code].layout.title}.xlsx"
