"""The compliance rules. Each rule is a small class registered with `@register`: a code, a
Chinese title and explanation, a severity, the kind of record it looks at, and
`evaluate(ctx, chunk)`, which answers the current breaches among the records of one chunk
as {record id: Breach} with a fixed number of queries (annotations, Exists, aggregates,
values_list) whatever the number of records. The numbers come from the policy in force
(`ctx.policy`, `beian.core.policy.get_policy()`); a rule whose policy switch is off is not
run and its findings resolve.

A Breach carries the owner unit (for scoping), the message people read (specific:
dates, names, numbers, thresholds), and the *evidence*: the data the breach rests on,
whose hash is the finding's fingerprint. A waiver holds while the evidence is unchanged,
so the evidence leaves out what drifts without meaning (today's date, audience counts).

Every rule is described in docs/compliance.md; the rules page (/compliance/rules/) shows
the same attributes with the parameters in force.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any, NamedTuple

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from beian.orgs.choices import (
    CADRE_RANK,
    SECOND_LEVEL_KINDS,
    CadreLevel,
    PersonKind,
    PersonStatus,
    UnitKind,
)
from beian.orgs.models import Institution, Unit
from beian.registry.choices import (
    AccountStatus,
    ActivitySource,
    FilingState,
    GroupStatus,
    TeamRole,
)
from beian.registry.models import AccountMember, ChatGroup, GroupMember, MediaAccount
from beian.registry.tables import format_audience

from .choices import SEVERITY_COLOUR, Severity, TargetKind
from .models import FeedState
from .nameguard import NameClass, NameGuard, SchoolNames

#: Unit kinds whose accounts are student accounts (need a teacher advisor, seed 004 §3).
STUDENT_UNIT_KINDS = frozenset(
    {UnitKind.SCHOOL_STUDENT_ORG, UnitKind.STUDENT_ORG, UnitKind.CLASS, UnitKind.LEAGUE_BRANCH}
)

#: Platforms on which an organisation can be verified (认证).
VERIFIABLE_PLATFORMS = frozenset(
    {
        "wechat_official",
        "weibo",
        "douyin",
        "kuaishou",
        "bilibili",
        "wechat_channels",
        "xiaohongshu",
        "toutiao",
    }
)

#: Roles answerable for an account (负责人): must be staff, must be in post.
RESPONSIBLE_ROLES = (TeamRole.SUPERVISOR, TeamRole.FIRST_RESPONSIBLE, TeamRole.RESPONSIBLE)
#: The other roles of an account's team.
OTHER_ROLES = tuple(role for role in TeamRole if role not in RESPONSIBLE_ROLES)

ROLE_LABELS = dict(TeamRole.choices)
KIND_LABELS = dict(PersonKind.choices)
STATUS_LABELS = {
    PersonStatus.IN_POST: "在职",
    PersonStatus.LEFT: "已离职",
    PersonStatus.GRADUATED: "已毕业",
}
FILING_LABELS = dict(FilingState.choices)


# --- What a rule sees and answers -------------------------------------------------------------


@dataclass(frozen=True)
class Breach:
    """One record breaking one rule: its owner unit, the message, and the evidence (the data
    the breach rests on; the finding's fingerprint is its hash)."""

    unit_id: int
    message: str
    evidence: str = ""


@dataclass(frozen=True)
class Chunk:
    """The records one evaluation covers: a primary-key range [lo, hi) in a full scan, or
    an explicit list of ids in a scan of saved records."""

    lo: int | None = None
    hi: int | None = None
    ids: tuple[int, ...] | None = None

    def contains(self, pk: int) -> bool:
        if self.ids is not None:
            return pk in self.id_set
        return self.lo <= pk < self.hi

    @cached_property
    def id_set(self) -> frozenset[int]:
        return frozenset(self.ids or ())

    def q(self, field: str = "pk") -> Q:
        if self.ids is not None:
            return Q(**{f"{field}__in": self.ids})
        return Q(**{f"{field}__gte": self.lo, f"{field}__lt": self.hi})


class Member(NamedTuple):
    record_id: int
    role: str
    person_id: int
    name: str
    kind: str
    status: str
    mobile: str

    @property
    def label(self) -> str:
        return f"{ROLE_LABELS.get(self.role, self.role)} {self.name}"


@dataclass(frozen=True)
class UnitInfo:
    pk: int
    parent_id: int | None
    kind: str
    name: str
    head_id: int | None
    head_name: str


class UnitTree:
    """The whole unit tree in memory (one query), to answer which 二级单位 a unit belongs to."""

    def __init__(self):
        rows = Unit.objects.values_list("pk", "parent_id", "kind", "name", "head_id", "head__name")
        self.units = {row[0]: UnitInfo(*row[:5], row[5] or "") for row in rows}

    def second_level(self, unit_id: int) -> UnitInfo | None:
        """The 二级单位 a unit belongs to: itself or its nearest ancestor of a second-level
        kind; the school itself for the school and units hanging right under it."""
        seen = set()
        unit = self.units.get(unit_id)
        while unit is not None and unit.pk not in seen:
            if unit.kind in SECOND_LEVEL_KINDS or unit.kind == UnitKind.SCHOOL:
                return unit
            seen.add(unit.pk)
            unit = self.units.get(unit.parent_id)
        return self.units.get(unit_id)


class ScanContext:
    """What every rule of one scan shares: today, the policy, and things computed once per
    scan (the unit tree, the name guard and its verdicts)."""

    def __init__(self, *, policy, today: date):
        self.policy = policy
        self.today = today
        self._verdicts: dict[tuple[str, bool], Any] = {}
        self._memo: dict[str, Any] = {}
        self._chunk_memo: dict[tuple[str, Chunk], Any] = {}

    @cached_property
    def units(self) -> UnitTree:
        return UnitTree()

    @cached_property
    def name_guard(self):
        """The institution's name guard, knowing the registered (filed) accounts' names;
        None when no institution is set up."""
        institution = Institution.objects.first()
        if institution is None:
            return None
        registered = (
            MediaAccount.objects.filter(filing_state=FilingState.FILED)
            .exclude(status=AccountStatus.CLOSED)
            .values_list("name", flat=True)
        )
        return NameGuard(SchoolNames.from_institution(institution), registered)

    def memo(self, key: str, compute):
        """`compute()` once per scan, for rules that must look at the whole registry."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def for_chunk(self, key: str, chunk: Chunk, compute):
        """`compute()` once per chunk, for data several rules read (cleared by
        `forget_chunk`)."""
        if (key, chunk) not in self._chunk_memo:
            self._chunk_memo[key, chunk] = compute()
        return self._chunk_memo[key, chunk]

    def forget_chunk(self) -> None:
        """Drop what was cached for the records of one chunk (keeps memory bounded)."""
        self._verdicts.clear()
        self._chunk_memo.clear()

    def verdict(self, name: str, *, registered: bool):
        """The name guard's verdict on an account's name (None without an institution),
        computed once per name and chunk (both name rules ask)."""
        key = (name, registered)
        if key not in self._verdicts:
            guard = self.name_guard
            self._verdicts[key] = guard.check(name, is_registered=registered) if guard else None
        return self._verdicts[key]


# --- Rules ------------------------------------------------------------------------------------

RULES: dict[str, Rule] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: adds one instance of the rule to RULES (codes must be unique)."""
    rule = cls()
    if rule.code in RULES:
        raise ValueError(f"duplicate compliance rule code {rule.code!r}")
    RULES[rule.code] = rule
    return cls


class Rule:
    code: str = ""
    title: str = ""
    explanation: str = ""
    severity: str = Severity.WARNING
    target: str = TargetKind.ACCOUNT
    #: Where the rule comes from in the seed notices (for docs/compliance.md and readers).
    source: str = ""

    def enabled(self, policy) -> bool:
        return True

    def parameters(self, policy) -> dict[str, Any]:
        """The policy settings the rule reads, as {setting: value}, for people to see."""
        return {}

    def settings_shown(self, policy) -> list[tuple[str, str]]:
        """`parameters` as (key, value) written the way the policy file writes them."""
        return [(key, toml_value(value)) for key, value in self.parameters(policy).items()]

    def expand(self, ids: Iterable[int]) -> list[int]:
        """Records to re-evaluate when `ids` changed (some rules compare records)."""
        return list(ids)

    def evaluate(self, ctx: ScanContext, chunk: Chunk) -> dict[int, Breach]:
        raise NotImplementedError

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label

    @property
    def severity_colour(self) -> str:
        return SEVERITY_COLOUR[self.severity]

    @property
    def target_label(self) -> str:
        return TargetKind(self.target).label

    def __repr__(self):
        return f"<Rule {self.code}>"


# Base querysets ------------------------------------------------------------------------------


def live_accounts():
    """Accounts the rules look at: everything not closed (运营中 and 暂停更新)."""
    return MediaAccount.objects.exclude(status=AccountStatus.CLOSED)


def active_accounts():
    return MediaAccount.objects.filter(status=AccountStatus.ACTIVE)


def active_groups():
    return ChatGroup.objects.filter(status=GroupStatus.ACTIVE)


def account_members(ctx, chunk: Chunk, roles: Iterable[str]) -> dict[int, list[Member]]:
    """Team members in the given roles of the live accounts of a chunk, by account id. The
    chunk's whole team is read once (one query) and shared by the rules that ask."""
    wanted = set(roles)
    found: dict[int, list[Member]] = {}
    for record_id, members in ctx.for_chunk("team", chunk, lambda: _team(chunk)).items():
        chosen = [m for m in members if m.role in wanted]
        if chosen:
            found[record_id] = chosen
    return found


def _team(chunk: Chunk) -> dict[int, list[Member]]:
    rows = (
        AccountMember.objects.filter(chunk.q("record_id"))
        .exclude(record__status=AccountStatus.CLOSED)
        .order_by("record_id", "role", "person_id")
        .values_list(
            "record_id",
            "role",
            "person_id",
            "person__name",
            "person__kind",
            "person__status",
            "person__mobile",
        )
    )
    found: dict[int, list[Member]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(Member._make(row))
    return found


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


def describe(member: Member) -> dict[str, str]:
    return {
        "who": member.label,
        "kind": KIND_LABELS.get(member.kind, member.kind),
        "status": STATUS_LABELS.get(member.status, member.status),
    }


def evidence(*parts) -> str:
    return "|".join(str(p) for p in parts)


def people_evidence(members: Iterable[Member]) -> str:
    return evidence(*sorted(f"{m.role}:{m.person_id}:{m.kind}:{m.status}" for m in members))


def last_month_ended_by(day: date) -> date:
    """First day of the latest month that has ended on or before `day` (months are stored
    as their first day; a month counts from its last day, to be fair to the record)."""
    first_of_next = (day + timedelta(days=1)).replace(day=1)
    return (first_of_next - timedelta(days=1)).replace(day=1)


# Activity --------------------------------------------------------------------------------------

#: How a last-post date's source is named in the findings.
ACTIVITY_SOURCE_LABELS = dict(ActivitySource.choices)


def activity_source_label(source: str) -> str:
    return str(ACTIVITY_SOURCE_LABELS.get(source, gettext("来源未登记")))


class _Zombie(Rule):
    """No update for N days, on real evidence only: the account's last post date (the
    newest claim of the operator, the inspection, its feed or an import column, see
    `beian.registry.activity`). An account with no date is not judged here but by
    `activity_unknown`: no evidence is "unknown", never "zombie". Only accounts in
    operation (运营中) are looked at; the message names the date's source."""

    source = "seed 002 §二.2（半年以上未更新）、003 §二.4（三个月以上无更新）、004 §三"
    target = TargetKind.ACCOUNT

    def bounds(self, policy) -> tuple[int, int | None]:
        """Idle days [low, high) that this rule covers."""
        raise NotImplementedError

    def threshold(self, policy) -> int:
        return self.bounds(policy)[0]

    def parameters(self, policy):
        return {
            "zombie.warn_after_days": policy.zombie.warn_after_days,
            "zombie.close_after_days": policy.zombie.close_after_days,
        }

    def evaluate(self, ctx, chunk):
        low, high = self.bounds(ctx.policy)
        idle = Q(last_post_date__lte=ctx.today - timedelta(days=low))
        if high is not None:  # and fewer than `high` days
            idle &= Q(last_post_date__gt=ctx.today - timedelta(days=high))
        rows = (
            active_accounts()
            .filter(chunk.q(), idle)
            .values_list("pk", "owner_unit_id", "last_post_date", "last_post_source")
        )
        threshold = self.threshold(ctx.policy)
        text = gettext(
            "最近发布于 %(date)s（来源：%(source)s），已 %(idle)s 天未更新（阈值 %(limit)s 天）"
        )
        found = {}
        for pk, unit_id, last_post, source in rows:
            message = text % {
                "date": last_post.isoformat(),
                "source": activity_source_label(source),
                "idle": (ctx.today - last_post).days,
                "limit": threshold,
            }
            found[pk] = Breach(unit_id, message, evidence(last_post, source))
        return found


@register
class ZombieWarn(_Zombie):
    code = "zombie_warn"
    title = _("长期未更新")
    explanation = _(
        "账号超过提醒期限没有发布内容。请尽快恢复更新，或由运营者填报最近发布日期；"
        "继续停更将被视为“僵尸号”，应予注销或整合。"
    )
    severity = Severity.ATTENTION

    def bounds(self, policy):
        return policy.zombie.warn_after_days, policy.zombie.close_after_days


@register
class ZombieClose(_Zombie):
    code = "zombie_close"
    title = _("僵尸号")
    explanation = _(
        "账号长期没有发布内容，已是“僵尸号”。请恢复运营，或按程序注销、整合该账号（注销后保留记录）。"
    )
    severity = Severity.WARNING

    def bounds(self, policy):
        return policy.zombie.close_after_days, None


@register
class ActivityUnknown(Rule):
    """An account in operation with no last post date from any source: "unknown". A feed
    that fails or is blocked leaves it unknown, and the message says why."""

    code = "activity_unknown"
    title = _("缺少发布记录")
    explanation = _(
        "没有任何来源（运营者填报、年检、订阅源、表格导入）提供该账号的最近发布日期，"
        "无法判断是否长期未更新。请运营者填报最近发布日期，或为账号填写可抓取的订阅源地址。"
    )
    severity = Severity.INFO
    target = TargetKind.ACCOUNT
    source = "docs/compliance.md#activity（无发布记录为“未知”，不是僵尸号）"

    def evaluate(self, ctx, chunk):
        rows = list(
            active_accounts()
            .filter(chunk.q(), last_post_date__isnull=True)
            .values_list("pk", "owner_unit_id", "feed_url")
        )
        with_feed = [pk for pk, _unit, url in rows if url]
        states = {
            account_id: (failures, error, checked)
            for account_id, failures, error, checked in FeedState.objects.filter(
                account_id__in=with_feed
            ).values_list("account_id", "failures", "last_error", "last_checked")
        }
        none = gettext("尚无任何来源的最近发布日期")
        no_feed = gettext("%(none)s；未配置订阅源") % {"none": none}
        waiting = gettext("%(none)s；订阅源尚未抓取") % {"none": none}
        failing = gettext("%(none)s；订阅源抓取失败（连续 %(n)s 次：%(error)s）")
        empty = gettext("%(none)s；订阅源中没有带日期的条目") % {"none": none}
        found = {}
        for pk, unit_id, url in rows:
            if not url:
                text, proof = no_feed, "no_feed"
            elif pk not in states or states[pk][2] is None:
                text, proof = waiting, "feed"
            elif states[pk][0]:
                text = failing % {"none": none, "n": states[pk][0], "error": states[pk][1]}
                proof = "feed"  # the count and the error drift without meaning
            else:
                text, proof = empty, "feed"
            found[pk] = Breach(unit_id, text, evidence(proof))
        return found


# Team ------------------------------------------------------------------------------------------


@register
class FirstResponsibleNotUnitHead(Rule):
    code = "first_responsible_not_unit_head"
    title = _("第一责任人不是单位负责人")
    explanation = _(
        "一级、二级账号的第一责任人应为所属二级单位的负责人（学院为党委书记，职能部门为主要负责人）。"
        "请在管理队伍中更正第一责任人，或在单位信息中更新负责人。"
    )
    severity = Severity.WARNING
    source = "seed 000 §一.一、003 §二.2、004 §二"

    def enabled(self, policy):
        return policy.team.first_responsible_must_be_unit_head

    def parameters(self, policy):
        return {
            "team.first_responsible_must_be_unit_head": policy.team.first_responsible_must_be_unit_head
        }

    def evaluate(self, ctx, chunk):
        accounts = dict(
            live_accounts()
            .filter(chunk.q(), tier__lte=2, is_personal=False)
            .values_list("pk", "owner_unit_id")
        )
        firsts = account_members(ctx, chunk, [TeamRole.FIRST_RESPONSIBLE])
        template = gettext("第一责任人为 %(names)s，不是%(unit)s的负责人 %(head)s")
        found = {}
        for pk, unit_id in accounts.items():
            members = firsts.get(pk)
            unit = ctx.units.second_level(unit_id)
            if not members or unit is None or unit.head_id is None:
                continue  # no first responsible: missing_required_data; no head: unknown
            if any(m.person_id == unit.head_id for m in members):
                continue
            text = template % {
                "names": "、".join(m.name for m in members),
                "unit": unit.name,
                "head": unit.head_name,
            }
            found[pk] = Breach(
                unit_id, text, evidence(unit.head_id, *sorted(m.person_id for m in members))
            )
        return found


@register
class FirstResponsibleNotCadre(Rule):
    code = "first_responsible_not_cadre"
    title = _("第一责任人不是处级干部")
    explanation = _(
        "账号的第一责任人须为本单位负责相关工作的处级党政干部。请在人员信息中登记其干部级别"
        "（处级含正处、副处），或在管理队伍中更正第一责任人。"
    )
    severity = Severity.WARNING
    source = "seed 004 §二、第三条（处级党政干部为第一责任人）"
    #: The level seed 004 asks for; the other seeds ask for none (the switch is off).
    required_level = CadreLevel.DIVISION

    def enabled(self, policy):
        return policy.team.first_responsible_must_be_cadre

    def parameters(self, policy):
        return {"team.first_responsible_must_be_cadre": policy.team.first_responsible_must_be_cadre}

    def evaluate(self, ctx, chunk):
        rows = (
            AccountMember.objects.filter(
                chunk.q("record_id"),
                role=TeamRole.FIRST_RESPONSIBLE,
                record__is_personal=False,
            )
            .exclude(record__status=AccountStatus.CLOSED)
            .order_by("record_id", "person_id")
            .values_list(
                "record_id",
                "record__owner_unit_id",
                "person_id",
                "person__name",
                "person__cadre_level",
            )
        )
        required = self.required_level
        wanted = CADRE_RANK[required]
        levels = dict(CadreLevel.choices)
        unrecorded = gettext("第一责任人 %(name)s 未登记干部级别，须为%(level)s党政干部")
        too_low = gettext("第一责任人 %(name)s 为%(actual)s，须为%(level)s党政干部")
        bad: dict[int, list[tuple]] = defaultdict(list)
        units: dict[int, int] = {}
        for record_id, unit_id, person_id, name, level in rows:
            if level and CADRE_RANK[level] >= wanted:
                continue
            units[record_id] = unit_id
            bad[record_id].append((person_id, name, level))
        found = {}
        for record_id, people in bad.items():
            text = "；".join(
                (too_low if level else unrecorded)
                % {"name": name, "actual": levels.get(level, level), "level": levels[required]}
                for _pk, name, level in people
            )
            proof = evidence(required, *(f"{pk}:{level}" for pk, _n, level in people))
            found[record_id] = Breach(units[record_id], text, proof)
        return found


class _PeopleRule(Rule):
    """Flags team members of given roles who fail a test about their person."""

    roles: tuple[str, ...] = ()

    def flagged(self, ctx, member: Member, account: tuple) -> bool:
        raise NotImplementedError

    #: How one flagged member is described; %(who)s, %(kind)s and %(status)s are filled in.
    message = "%(who)s %(status)s"

    def accounts(self, ctx, chunk):
        """{pk: (owner_unit_id, owner unit kind, is_personal)} of the accounts looked at."""
        rows = live_accounts().filter(chunk.q())
        columns = ("pk", "owner_unit_id", "owner_unit__kind", "is_personal")
        return ctx.for_chunk(
            "people_accounts",
            chunk,
            lambda: {row[0]: row[1:] for row in rows.values_list(*columns)},
        )

    def evaluate(self, ctx, chunk):
        members = account_members(ctx, chunk, self.roles)
        if not members:
            return {}
        accounts = self.accounts(ctx, chunk)
        template = str(self.message)
        found = {}
        for pk, team in members.items():
            account = accounts.get(pk)
            if account is None:
                continue
            bad = [m for m in team if self.flagged(ctx, m, account)]
            if bad:
                text = "；".join(template % describe(m) for m in bad)
                found[pk] = Breach(account[0], text, people_evidence(bad))
        return found


@register
class ResponsibleNotStaff(_PeopleRule):
    code = "responsible_not_staff"
    title = _("负责人不是教职工")
    explanation = _(
        "主管领导、第一责任人和负责人须由本校教职工担任，学生或校外人员不能担任。"
        "请更换为教职工，学生可担任“负责学生”。"
    )
    severity = Severity.WARNING
    source = "seed 000 §一.一（责任人必须是部门负责人）、003 §二.2（在职教职工）"
    roles = RESPONSIBLE_ROLES

    def enabled(self, policy):
        return policy.team.responsible_must_be_staff_in_post

    def parameters(self, policy):
        return {
            "team.responsible_must_be_staff_in_post": policy.team.responsible_must_be_staff_in_post
        }

    def flagged(self, ctx, member, account):
        return member.kind != PersonKind.STAFF

    message = _("%(who)s 为%(kind)s，须为教职工")


@register
class ResponsibleNotInPost(_PeopleRule):
    code = "responsible_not_in_post"
    title = _("负责人已离职或毕业")
    explanation = _(
        "账号的主管领导、第一责任人或负责人已离职或毕业，账号无人负责。"
        "请立即指定新的负责人，并在规定期限内报告变更。"
    )
    severity = Severity.SERIOUS
    source = "seed 001 §二、003 §二.2、004 第六条（管理人员变更须报备）"
    roles = RESPONSIBLE_ROLES

    def flagged(self, ctx, member, account):
        return member.status != PersonStatus.IN_POST


@register
class ReviewersNotStaff(_PeopleRule):
    code = "reviewers_not_staff"
    title = _("运营、审核人员不是教职工")
    explanation = _(
        "运营管理人员须为本校教职工（学生组织账号除外，其运营者可以是学生）；"
        "策略要求时，内容审核人也须为教职工。请调整管理队伍。"
    )
    severity = Severity.WARNING
    source = "seed 003 §二.2（运营管理负责人均须为我校在职教职工）、004 §二（审核负责人必须为本单位教师）"
    roles = (TeamRole.OPERATOR, TeamRole.REVIEWER)

    def enabled(self, policy):
        return policy.team.responsible_must_be_staff_in_post or policy.team.reviewers_must_be_staff

    def parameters(self, policy):
        return {
            "team.responsible_must_be_staff_in_post": policy.team.responsible_must_be_staff_in_post,
            "team.reviewers_must_be_staff": policy.team.reviewers_must_be_staff,
        }

    def flagged(self, ctx, member, account):
        if member.kind == PersonKind.STAFF:
            return False
        _unit, unit_kind, personal = account
        if member.role == TeamRole.REVIEWER:
            return ctx.policy.team.reviewers_must_be_staff
        return (
            ctx.policy.team.responsible_must_be_staff_in_post
            and not personal
            and unit_kind not in STUDENT_UNIT_KINDS
        )

    message = _("%(who)s 为%(kind)s，须为教职工")


@register
class TeamMemberLeft(_PeopleRule):
    code = "team_member_left"
    title = _("管理队伍成员已离职或毕业")
    explanation = _(
        "管理队伍中的管理员、运营者、审核人、指导教师或负责学生已离职或毕业。"
        "请从管理队伍中移除并补充人员，在规定期限内报告变更。"
    )
    severity = Severity.ATTENTION
    source = "seed 000 §一.一、001 §二、004 第六条"
    roles = OTHER_ROLES

    def flagged(self, ctx, member, account):
        return member.status != PersonStatus.IN_POST


@register
class StudentAccountWithoutAdvisor(Rule):
    code = "student_account_without_advisor"
    title = _("学生账号无指导教师")
    explanation = _(
        "学生组织（校级学生组织、学生组织、班级、团支部）的账号须由所属单位确定一名教师做好指导和管理。"
        "请在管理队伍中添加“指导教师”。"
    )
    severity = Severity.WARNING
    source = "seed 004 第三条"

    def enabled(self, policy):
        return policy.team.student_accounts_need_advisor

    def parameters(self, policy):
        return {"team.student_accounts_need_advisor": policy.team.student_accounts_need_advisor}

    def evaluate(self, ctx, chunk):
        advisor = AccountMember.objects.filter(record_id=OuterRef("pk"), role=TeamRole.ADVISOR)
        rows = (
            live_accounts()
            .filter(chunk.q(), is_personal=False, owner_unit__kind__in=list(STUDENT_UNIT_KINDS))
            .filter(~Exists(advisor))
            .values_list("pk", "owner_unit_id", "owner_unit__name")
        )
        template = gettext("%(unit)s的学生账号未配备指导教师")
        return {
            pk: Breach(unit_id, template % {"unit": unit_name}) for pk, unit_id, unit_name in rows
        }


@register
class TooFewReviewers(Rule):
    code = "too_few_reviewers"
    title = _("内容审核人不足")
    explanation = _("发布内容须经规定人数的内容审核人审核。请在管理队伍中补足在职的“内容审核人”。")
    severity = Severity.ATTENTION
    source = "seed 004 §二（至少三人审核）"

    def enabled(self, policy):
        return policy.review.min_content_reviewers > 0

    def parameters(self, policy):
        return {"review.min_content_reviewers": policy.review.min_content_reviewers}

    def evaluate(self, ctx, chunk):
        needed = ctx.policy.review.min_content_reviewers
        reviewers = Q(members__role=TeamRole.REVIEWER) & Q(
            members__person__status=PersonStatus.IN_POST
        )
        rows = (
            live_accounts()
            .filter(chunk.q(), is_personal=False)
            .annotate(n=Count("members__person", filter=reviewers, distinct=True))
            .filter(n__lt=needed)
            .values_list("pk", "owner_unit_id", "n")
        )
        template = gettext("在职内容审核人 %(n)s 人，少于要求的 %(needed)s 人")
        return {
            pk: Breach(unit_id, template % {"n": n, "needed": needed}, evidence(n, needed))
            for pk, unit_id, n in rows
        }


# Registry ----------------------------------------------------------------------------------------


@register
class DuplicateOfficial(Rule):
    code = "duplicate_official"
    title = _("同一平台多个官方账号")
    explanation = _(
        "一个单位在每个平台只能有一个代表本单位的官方账号。"
        "请保留一个官方账号，其余取消“单位官方账号”标记、整合或注销。"
    )
    severity = Severity.WARNING
    source = "seed 000 §一.三（唯一性）"

    def enabled(self, policy):
        return policy.registry.one_official_per_platform

    def parameters(self, policy):
        return {"registry.one_official_per_platform": policy.registry.one_official_per_platform}

    def official(self):
        return active_accounts().filter(is_official=True)

    def expand(self, ids):
        ids = list(ids)
        mine = MediaAccount.objects.filter(pk__in=ids)  # official or no longer
        peers = self.official().filter(
            Exists(
                mine.filter(
                    owner_unit_id=OuterRef("owner_unit_id"), platform_id=OuterRef("platform_id")
                )
            )
        )
        return sorted(set(ids) | set(peers.values_list("pk", flat=True)))

    def evaluate(self, ctx, chunk):
        duplicates = ctx.memo(self.code, self.all_duplicates)
        return {pk: breach for pk, breach in duplicates.items() if chunk.contains(pk)}

    def all_duplicates(self) -> dict[int, Breach]:
        """Every duplicated official account of the registry (two queries, once a scan:
        duplicates are few, and a chunk alone cannot tell)."""
        pairs = (
            self.official()
            .values("owner_unit_id", "platform_id")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        rows = (
            self.official()
            .filter(owner_unit_id__in=pairs.values("owner_unit_id"))
            .order_by("pk")
            .values_list("pk", "owner_unit_id", "platform_id", "name", "platform__name")
        )
        accounts: dict[tuple[int, int], list[tuple[int, str, str]]] = defaultdict(list)
        for pk, unit_id, platform_id, name, platform_name in rows:
            accounts[unit_id, platform_id].append((pk, name, platform_name))
        template = gettext("本单位在%(platform)s有 %(n)s 个官方账号：%(names)s")
        found = {}
        for (unit_id, _platform), same in accounts.items():
            if len(same) < 2:
                continue
            text = template % {
                "platform": same[0][2],
                "n": len(same),
                "names": "、".join(name for _pk, name, _p in same),
            }
            proof = evidence(*(pk for pk, _n, _p in same))
            for pk, _name, _p in same:
                found[pk] = Breach(unit_id, text, proof)
        return found


@register
class Tier3AboveThresholdNotFiled(Rule):
    code = "tier3_above_threshold_not_filed"
    title = _("三级账号粉丝超过门槛未备案")
    explanation = _(
        "粉丝（关注）数超过门槛的三级账号必须在党委宣传部备案登记。请尽快提交备案申请。"
    )
    severity = Severity.SERIOUS
    source = "seed 000 §一.二（微博粉丝超过 5 万、公众号关注超过 1 万）"

    def enabled(self, policy):
        return bool(policy.audience_thresholds)

    def parameters(self, policy):
        return {f"audience_thresholds.{k}": v for k, v in policy.audience_thresholds.items()}

    def evaluate(self, ctx, chunk):
        thresholds = ctx.policy.audience_thresholds
        above = Q()
        for code, threshold in thresholds.items():
            above |= Q(platform__code=code, audience__gt=threshold)
        rows = (
            live_accounts()
            .filter(chunk.q(), above, tier=3)
            .exclude(filing_state=FilingState.FILED)
            .values_list(
                "pk",
                "owner_unit_id",
                "audience",
                "platform__code",
                "platform__name",
                "platform__audience_word",
                "filing_state",
            )
        )
        template = gettext(
            "三级账号%(word)s %(n)s，超过%(platform)s的备案门槛 %(limit)s，当前%(state)s"
        )
        found = {}
        for pk, unit_id, audience, code, platform, word, filing in rows:
            text = template % {
                "word": word or "关注",
                "n": format_audience(audience),
                "platform": platform,
                "limit": format_audience(thresholds[code]),
                "state": FILING_LABELS.get(filing, filing),
            }
            found[pk] = Breach(unit_id, text, evidence(code, filing))
        return found


@register
class AccountNotVerified(Rule):
    code = "account_not_verified"
    title = _("未取得平台认证")
    explanation = _(
        "单位官方账号应取得所在平台的认证（如微信公众号、微博的机构认证）。"
        "取得认证后请在账号信息中填写认证时间。"
    )
    severity = Severity.INFO
    source = "seed 000 §一.三（取得相关平台的认证）"

    def enabled(self, policy):
        return bool(policy.registry.verification_required_tiers)

    def parameters(self, policy):
        return {"registry.verification_required_tiers": policy.registry.verification_required_tiers}

    def evaluate(self, ctx, chunk):
        rows = (
            active_accounts()
            .filter(
                chunk.q(),
                verified=False,
                is_personal=False,
                tier__in=list(ctx.policy.registry.verification_required_tiers),
                platform__code__in=sorted(VERIFIABLE_PLATFORMS),
            )
            .values_list("pk", "owner_unit_id", "platform__name")
        )
        template = gettext("未取得%(platform)s平台认证")
        return {
            pk: Breach(unit_id, template % {"platform": platform}) for pk, unit_id, platform in rows
        }


@register
class LiveBeforeApproval(Rule):
    code = "live_before_approval"
    title = _("未备案运行")
    explanation = _("账号须经审批备案后方可开通。已在运营而未完成备案的账号，请按程序补办备案。")
    severity = Severity.WARNING
    source = "seed 001 §一、002 §二.4、004 第四条、第七条（补办备案）"

    def evaluate(self, ctx, chunk):
        rows = (
            active_accounts()
            .filter(chunk.q(), is_personal=False)
            .exclude(filing_state=FilingState.FILED)
            .values_list("pk", "owner_unit_id", "filing_state")
        )
        template = gettext("账号正在运营，备案状态为“%(state)s”")
        return {
            pk: Breach(unit_id, template % {"state": FILING_LABELS.get(state, state)}, state)
            for pk, unit_id, state in rows
        }


@register
class MissingRequiredData(Rule):
    code = "missing_required_data"
    title = _("必填信息缺失")
    explanation = _(
        "备案表要求的信息不全：负责人、负责人手机号、账号或网址。请补全账号信息和管理队伍。"
    )
    severity = Severity.ATTENTION
    source = "seed 000 附件1、002 附件1/2（备案表、汇总表的必填栏目）"

    def evaluate(self, ctx, chunk):
        accounts = live_accounts().filter(chunk.q())
        rows = accounts.values_list("pk", "owner_unit_id", "external_id", "url")
        responsible = account_members(
            ctx, chunk, [TeamRole.FIRST_RESPONSIBLE, TeamRole.RESPONSIBLE]
        )
        no_one = gettext("未登记第一责任人或负责人")
        no_mobile = gettext("%(who)s 未登记手机号")
        no_address = gettext("未填写账号或网址")
        found = {}
        for pk, unit_id, external_id, url in rows:
            missing = []
            people = responsible.get(pk, [])
            if not people:
                missing.append(no_one)
            missing += [no_mobile % {"who": m.label} for m in people if not m.mobile]
            if not external_id and not url:
                missing.append(no_address)
            if missing:
                found[pk] = Breach(unit_id, "；".join(missing), evidence(*missing))
        return found


# Names ------------------------------------------------------------------------------------------


@register
class PersonalUsesSchoolName(Rule):
    code = "personal_uses_school_name"
    title = _("个人账号使用学校名称")
    explanation = _(
        "以个人名义开设、名称中使用学校或单位名称的账号须在党委宣传部备案"
        "（策略禁止时须更名或注销）。请督促本人备案、更名或注销。"
    )
    severity = Severity.SERIOUS
    source = "seed 000 §一.三、002 §一.1、003 §一.3"

    def parameters(self, policy):
        return {"registry.personal_name_use": policy.registry.personal_name_use}

    def evaluate(self, ctx, chunk):
        forbid = ctx.policy.registry.personal_name_use == "forbid"
        rows = (
            live_accounts()
            .filter(chunk.q(), is_personal=True)
            .values_list("pk", "owner_unit_id", "name", "filing_state")
        )
        found = {}
        for pk, unit_id, name, filing in rows:
            verdict = ctx.verdict(name, registered=filing == FilingState.FILED)
            if verdict is None or not verdict.matched:
                continue  # unrelated, or filed without the school's name in it
            if verdict.name_class == NameClass.IMITATES:
                continue  # name_imitates_school
            if forbid:
                text = _("个人账号名称使用学校名称（个人不得以学校名义开设账号）：%(reason)s")
            elif filing != FilingState.FILED:
                text = _("个人账号名称使用学校名称，当前%(state)s：%(reason)s")
            else:
                continue
            text = text % {
                "reason": verdict.reason.removeprefix("已备案账号，"),
                "state": FILING_LABELS.get(filing, filing),
            }
            found[pk] = Breach(unit_id, str(text), evidence(name, filing, forbid))
        return found


@register
class NameImitatesSchool(Rule):
    code = "name_imitates_school"
    title = _("名称仿冒学校名称")
    explanation = _(
        "账号名称以谐音、形近字、改换学校类型或污名化（恶搞、贬损）等方式仿冒学校名称。"
        "不得以学校名称谐音、污名化方式命名，请督促更名或注销。"
    )
    severity = Severity.SERIOUS
    source = "seed 000 §一.三、003 §二.2（不得以學校名稱諧音、污名化方式命名）"

    def evaluate(self, ctx, chunk):
        rows = (
            live_accounts()
            .filter(chunk.q())
            .values_list("pk", "owner_unit_id", "name", "filing_state")
        )
        found = {}
        for pk, unit_id, name, filing in rows:
            verdict = ctx.verdict(name, registered=filing == FilingState.FILED)
            if verdict is None or verdict.name_class != NameClass.IMITATES:
                continue
            text = _("名称“%(name)s”疑似仿冒“%(matched)s”：%(reason)s") % {
                "name": name,
                "matched": verdict.matched,
                "reason": verdict.reason,
            }
            found[pk] = Breach(unit_id, str(text), evidence(name))
        return found


# Groups -----------------------------------------------------------------------------------------


@register
class GroupUnregistered(Rule):
    code = "group_unregistered"
    title = _("工作群未报备")
    explanation = _("成员达到规定人数的工作群须报备登记。请核实后报备；已无存在价值的群请解散。")
    severity = Severity.WARNING
    target = TargetKind.GROUP
    source = "seed 002 §二.3、003 §一.4（10 人及以上）"

    def enabled(self, policy):
        # With groups_require_filing a group is registered by an approved filing only, and
        # group_not_filed looks at the filing instead.
        return not policy.filing.groups_require_filing

    def parameters(self, policy):
        return {
            "groups.register_min_members": policy.groups.register_min_members,
            "filing.groups_require_filing": policy.filing.groups_require_filing,
        }

    def evaluate(self, ctx, chunk):
        needed = ctx.policy.groups.register_min_members
        rows = (
            active_groups()
            .filter(chunk.q(), registered=False, member_count__gte=needed)
            .values_list("pk", "owner_unit_id", "member_count")
        )
        template = gettext("群成员 %(n)s 人，达到 %(needed)s 人须报备，尚未报备")
        return {
            pk: Breach(unit_id, template % {"n": n, "needed": needed}) for pk, unit_id, n in rows
        }


@register
class GroupNotFiled(Rule):
    code = "group_not_filed"
    title = _("工作群未经备案审批")
    explanation = _(
        "本校规定工作群须先提交群聊备案，经审批通过后方可登记使用。请在群聊页面提交“群聊备案”；"
        "已无存在价值的群请解散。"
    )
    severity = Severity.WARNING
    target = TargetKind.GROUP
    source = "seed 000 §一.二（各类工作群创建前须备案）、004（QQ工作群须备案）"

    def enabled(self, policy):
        return policy.filing.groups_require_filing

    def parameters(self, policy):
        return {
            "filing.groups_require_filing": policy.filing.groups_require_filing,
            "groups.register_min_members": policy.groups.register_min_members,
        }

    def evaluate(self, ctx, chunk):
        from beian.filings.choices import FilingKind, FilingStatus
        from beian.filings.models import Filing

        needed = ctx.policy.groups.register_min_members
        filings = Filing.objects.filter(group_id=OuterRef("pk"), kind=FilingKind.GROUP)
        pending = [FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.RETURNED]
        rows = (
            active_groups()
            .filter(chunk.q(), member_count__gte=needed)
            .annotate(
                approved=Exists(filings.filter(status=FilingStatus.APPROVED)),
                open=Exists(filings.filter(status__in=pending)),
            )
            .filter(approved=False)
            .values_list("pk", "owner_unit_id", "member_count", "registered", "open")
        )
        waiting = gettext("群聊备案尚未审批通过（群成员 %(n)s 人）")
        by_hand = gettext(
            "标记为已报备，但没有审批通过的群聊备案（群成员 %(n)s 人）；请取消“已报备”后提交群聊备案"
        )
        missing = gettext("群成员 %(n)s 人，须提交群聊备案并经审批，尚未备案")
        found = {}
        for pk, unit_id, n, registered, is_open in rows:
            template = waiting if is_open else by_hand if registered else missing
            state = "open" if is_open else "registered" if registered else "none"
            found[pk] = Breach(unit_id, template % {"n": n}, evidence(state, needed))
        return found


@register
class TemporaryGroupExpired(Rule):
    code = "temporary_group_expired"
    title = _("临时群到期未解散")
    explanation = _(
        "因特定时效性工作建立的临时群已过截止日期仍在使用。请及时解散（解散后保留记录），"
        "确需继续使用的请改为长期群并报备。"
    )
    severity = Severity.WARNING
    target = TargetKind.GROUP
    source = "seed 002 §二.3、003 §二.5"

    def parameters(self, policy):
        return {"groups.temporary_max_days": policy.groups.temporary_max_days}

    def evaluate(self, ctx, chunk):
        max_days = ctx.policy.groups.temporary_max_days
        expired = Q(temporary_until__lt=ctx.today)
        if max_days:
            # created in a month that ended more than max_days ago
            latest = ctx.today - timedelta(days=max_days + 1)
            expired |= Q(created_month__lte=last_month_ended_by(latest))
        rows = (
            active_groups()
            .filter(chunk.q(), expired, is_temporary=True)
            .values_list("pk", "owner_unit_id", "temporary_until", "created_month")
        )
        past_end = gettext("临时群截止日期 %(date)s 已过 %(days)s 天，仍在使用")
        too_old = gettext("临时群创建于 %(month)s，超过临时群最长存续 %(max)s 天")
        found = {}
        for pk, unit_id, until, created in rows:
            if until is not None and until < ctx.today:
                text = past_end % {"date": until.isoformat(), "days": (ctx.today - until).days}
            else:
                text = too_old % {"month": created.strftime("%Y-%m"), "max": max_days}
            found[pk] = Breach(unit_id, text, evidence(until, created))
        return found


@register
class GroupOutsideMembers(Rule):
    code = "group_outside_members"
    title = _("群内有校外人员")
    explanation = _("工作群中有校外人员。请核实其身份和入群必要性，注意信息发布范围。")
    severity = Severity.ATTENTION
    target = TargetKind.GROUP
    source = "seed 002 附件3（有无校外人员、校外人员人数）"

    def evaluate(self, ctx, chunk):
        rows = (
            active_groups()
            .filter(chunk.q(), has_outside_members=True)
            .values_list("pk", "owner_unit_id", "outside_member_count", "member_count")
        )
        counted = gettext("群内有校外人员 %(n)s 人（共 %(total)s 人）")
        uncounted = gettext("群内有校外人员（人数未登记，共 %(total)s 人）")
        found = {}
        for pk, unit_id, outside, total in rows:
            text = (counted if outside else uncounted) % {"n": outside, "total": total}
            found[pk] = Breach(unit_id, text, evidence(outside))
        return found


@register
class GroupAdminLeft(Rule):
    code = "group_admin_left"
    title = _("群创建人或管理员已离职或毕业")
    explanation = _(
        "工作群的创建人或管理员已离职或毕业。请移交群主和管理权限并更新登记信息，已无用的群请解散。"
    )
    severity = Severity.ATTENTION
    target = TargetKind.GROUP
    source = "seed 002 附件3（创建人）"

    def evaluate(self, ctx, chunk):
        gone = ~Q(creator__status=PersonStatus.IN_POST)
        creators = (
            active_groups()
            .filter(chunk.q(), gone, creator__isnull=False)
            .values_list("pk", "owner_unit_id", "creator_id", "creator__name", "creator__status")
        )
        bad: dict[int, list[tuple]] = defaultdict(list)
        units = {}
        for pk, unit_id, person_id, name, status in creators:
            units[pk] = unit_id
            bad[pk].append(("creator", person_id, name, status))
        admins = (
            GroupMember.objects.filter(chunk.q("record_id"), record__status=GroupStatus.ACTIVE)
            .exclude(person__status=PersonStatus.IN_POST)
            .order_by("record_id", "person_id")
            .values_list(
                "record_id",
                "record__owner_unit_id",
                "role",
                "person_id",
                "person__name",
                "person__status",
            )
        )
        for pk, unit_id, role, person_id, name, status in admins:
            units[pk] = unit_id
            bad[pk].append((role, person_id, name, status))
        found = {}
        for pk, people in bad.items():
            text = "；".join(
                f"{'创建人' if role == 'creator' else ROLE_LABELS.get(role, role)} {name} "
                f"{STATUS_LABELS.get(status, status)}"
                for role, _p, name, status in people
            )
            proof = evidence(*sorted(f"{role}:{p}:{status}" for role, p, _n, status in people))
            found[pk] = Breach(units[pk], text, proof)
        return found


@register
class GroupMissingData(Rule):
    code = "group_missing_data"
    title = _("群聊信息缺失")
    explanation = _("工作群须登记创建人（或群管理员）及其联系电话。请补全群聊信息。")
    severity = Severity.ATTENTION
    target = TargetKind.GROUP
    source = "seed 002 附件3（创建人、创建人电话）"

    def evaluate(self, ctx, chunk):
        admin = GroupMember.objects.filter(record_id=OuterRef("pk"))
        rows = (
            active_groups()
            .filter(chunk.q())
            .annotate(has_admin=Exists(admin))
            .filter(Q(creator__isnull=True, has_admin=False) | Q(creator__mobile=""))
            .values_list("pk", "owner_unit_id", "creator_id", "creator__name")
        )
        nobody = gettext("未登记创建人或群管理员")
        no_mobile = gettext("创建人 %(name)s 未登记手机号")
        found = {}
        for pk, unit_id, creator_id, creator_name in rows:
            text = nobody if creator_id is None else no_mobile % {"name": creator_name}
            found[pk] = Breach(unit_id, text, evidence(creator_id))
        return found


# Changes (变更) ---------------------------------------------------------------------------------
# The change rules read the filings app's models; they live in their own module, imported
# here so that they are registered with the others (the filings models are imported inside
# the rule functions only: importing beian.compliance does not import beian.filings).

from . import rules_changes  # noqa: E402, F401
