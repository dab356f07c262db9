"""The deployment's policy: the numbers and switches on which schools' notices differ
(how many days to report a change, when an account counts as a zombie, who approves a
filing, …), read from one TOML file and validated into frozen dataclasses.

- `get_policy()` answers the policy in force: the file named by
  `settings.BEIAN_POLICY_FILE`, or the built-in defaults when that setting is empty. It is
  cached; `reset_policy_cache()` forgets it (done automatically when a test overrides
  `BEIAN_POLICY_FILE`).
- `load_policy(path)` reads and validates one file; `policy_from_toml(text)` a string.
- Every setting may be omitted and then keeps its built-in default, so a school's file
  states only what its notices fix. Unknown keys, wrong types and impossible values are
  errors naming the file, the key, the value and what is expected, in Chinese.
- The system check `beian.E001` reports those errors at start-up (`manage.py check`,
  `runserver`, `migrate`); `beian.W001` warns when the holiday calendar lacks the current
  year. `docs/policy.md` explains every setting and maps the seed notices to them.

Platform codes in `[audience_thresholds]` are not checked here (core knows no platform
catalogue); the registry app checks them against its catalogue.
"""

import json
import re
import string
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from difflib import get_close_matches
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Self

from django.conf import settings
from django.core.checks import CheckMessage, register
from django.core.checks import Error as CheckError
from django.core.checks import Warning as CheckWarning
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from .holidays import DEFAULT_CALENDAR, WorkCalendar

# --- Vocabularies ---------------------------------------------------------------------------

#: Approval steps a filing chain is made of, with the office that takes each step.
APPROVER_STEPS: Mapping[str, str] = MappingProxyType(
    {
        "unit_head": "二级单位负责人",
        "school_admin": "党委宣传部",
        "leader": "主管校领导",
        "league_approver": "校团委",
    }
)

#: Which chain a filing follows (see `FilingPolicy.chain_for`).
CHAIN_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "tier1": "一级账号",
        "tier2": "二级账号",
        "tier3": "三级账号",
        "school_student_org": "校级学生组织账号",
        "personal": "个人名义开设的账号",
        "group": "工作群",
    }
)

#: Kinds of change report (变更) a school may route through approval.
CHANGE_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "name": "账号名称",
        "responsible": "责任人（第一责任人、分管领导、负责人）",
        "team": "管理队伍（管理员、运营者、审核人）",
        "operation": "维护方式",
    }
)

LEAD_TIME_MODES: Mapping[str, str] = MappingProxyType(
    {"refuse": "拒绝提交", "warn": "提示但允许提交"}
)

VALIDITY_ACCESS: Mapping[str, str] = MappingProxyType({"public": "公开", "token": "凭接口令牌"})
PERSONAL_NAME_USES: Mapping[str, str] = MappingProxyType(
    {
        "forbid": "个人不得以学校名义开设账号",
        "file": "个人以学校名义开设的账号须备案",
    }
)

#: Fields a registration-number format may use, with the sample values used to test it.
NUMBER_FIELDS: Mapping[str, Any] = MappingProxyType(
    {"prefix": "BA", "year": 2026, "seq": 1, "tier": 2}
)

DEFAULT_NUMBER_FORMAT = "{prefix}-{year}-{seq:04d}"


class PolicyError(ImproperlyConfigured):
    """A policy file that cannot be used. `errors` holds one Chinese message per problem,
    each naming the file, the key path, the value and what is expected."""

    def __init__(self, errors: Iterable[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


# --- Durations ------------------------------------------------------------------------------


def _units(words: str, unit: str, factor: int) -> dict[str, tuple[str, int]]:
    return dict.fromkeys(words.split("|"), (unit, factor))


_DURATION_UNITS: Mapping[str, tuple[str, int]] = MappingProxyType(
    _units("day|days|d|calendar day|calendar days|天|日|自然日|个自然日|個自然日", "days", 1)
    | _units(
        "workday|workdays|work day|work days|working day|working days|business day|"
        "business days|工作日|个工作日|個工作日|工作天",
        "workdays",
        1,
    )
    | _units("week|weeks|w|周|週|个周|星期|个星期|個星期|礼拜|个礼拜|禮拜|個禮拜", "days", 7)
)
_CN_DIGITS = {char: value for value, char in enumerate("零一二三四五六七八九")} | {"两": 2, "兩": 2}
_DURATION_RE = re.compile(r"^(?P<amount>\d+|[零一二两兩三四五六七八九十]+)\s*(?P<unit>.+?)$")
_DURATION_EXPECTED = (
    '应为“N days”或“N workdays”，例如 "5 workdays"'
    '（也可写 "3 days"、"1 week"、"3 天"、"一周"、"5 个工作日"）'
)


def _chinese_number(text: str) -> int:
    """一 … 九十九 (also 两, 十五, 二十)."""
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    tens, sep, ones = text.partition("十")
    if not sep or (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
        raise ValueError(text)
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


@dataclass(frozen=True)
class Duration:
    """A period such as "3 days" or "5 workdays". Weeks are stored as days ("1 week" is
    7 days); workdays skip weekends and holidays and count makeup workdays (调休)."""

    amount: int
    unit: Literal["days", "workdays"] = "days"

    @classmethod
    def parse(cls, text: str) -> Self:
        """Accepts "3 days", "1 week", "5 workdays", "5 working days", "3 天", "3日",
        "一周", "5 个工作日", "5個工作日", optionally followed by 内 / 以内 ("一周内")."""
        if not isinstance(text, str):
            raise ValueError(_DURATION_EXPECTED)
        cleaned = " ".join(unicodedata.normalize("NFKC", text).lower().split())
        for suffix in ("以内", "以內", "之内", "之內", "内", "內"):
            if cleaned.endswith(suffix):
                cleaned = cleaned.removesuffix(suffix).strip()
                break
        match = _DURATION_RE.match(cleaned)
        if not match or match["unit"] not in _DURATION_UNITS:
            raise ValueError(_DURATION_EXPECTED)
        amount_text = match["amount"]
        try:
            amount = int(amount_text) if amount_text.isdigit() else _chinese_number(amount_text)
        except ValueError:
            raise ValueError(_DURATION_EXPECTED) from None
        unit, factor = _DURATION_UNITS[match["unit"]]
        if amount < 1:
            raise ValueError("期限至少为 1 天")
        return cls(amount * factor, unit)

    def __str__(self) -> str:
        word = {"days": "day", "workdays": "workday"}[self.unit]
        return f"{self.amount} {word}{'' if self.amount == 1 else 's'}"

    def deadline(self, start: date, calendar: WorkCalendar) -> date:
        """The last day of the period that begins the day after `start`.

        Workdays: the N-th working day after `start`. Calendar days: `start` + N, moved to
        the next working day when that day is a rest day (民法典第二百零三条: a period
        whose last day is a statutory rest day ends on the day after the rest days).
        """
        if self.unit == "workdays":
            return calendar.add_workdays(start, self.amount)
        return calendar.next_workday(start + timedelta(days=self.amount))


# --- The policy -----------------------------------------------------------------------------


def _check_number_format(value: str) -> None:
    """Raise ValueError (Chinese) unless `value` is a usable registration-number format."""
    allowed = "、".join(f"{{{name}}}" for name in NUMBER_FIELDS)
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError:
        raise ValueError(
            f"花括号不配对；字面的花括号请写成 {{{{ 或 }}}}。可用字段：{allowed}"
        ) from None
    used = set()
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in NUMBER_FIELDS:
            raise ValueError(f"未知字段 {{{name}}}；只能使用 {allowed}")
        if conversion:
            raise ValueError(f"字段 {{{name}!{conversion}}} 不能带 !{conversion} 转换")
        if "{" in (spec or ""):
            raise ValueError(f"字段 {{{name}}} 的格式说明里不能再嵌套字段")
        used.add(name)
    if "seq" not in used:
        raise ValueError("必须包含 {seq}（流水号），否则编号会重复，例如 " + DEFAULT_NUMBER_FORMAT)
    try:
        sample = value.format_map(NUMBER_FIELDS)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"格式说明无效（{exc}），例如 {DEFAULT_NUMBER_FORMAT}") from None
    if not sample.strip():
        raise ValueError("生成的编号为空")


@dataclass(frozen=True)
class InstitutionPolicy:
    """How registration numbers (备案编号) look; the prefix itself is the Institution's."""

    number_format: str = DEFAULT_NUMBER_FORMAT

    def format_number(self, *, prefix: str, year: int, seq: int, tier: int | None = None) -> str:
        values: dict[str, Any] = {"prefix": prefix, "year": year, "seq": seq}
        if tier is not None:
            values["tier"] = tier
        try:
            return self.number_format.format_map(values)
        except KeyError as exc:
            raise ValueError(f"备案编号格式 {self.number_format} 需要 {exc.args[0]}") from None


@dataclass(frozen=True)
class ChainPolicy:
    """Approval chains: for each kind of filing, the ordered steps it passes."""

    tier1: tuple[str, ...] = ("school_admin", "leader")
    tier2: tuple[str, ...] = ("unit_head", "school_admin", "leader")
    tier3: tuple[str, ...] = ("unit_head",)
    school_student_org: tuple[str, ...] = ("league_approver", "school_admin")
    personal: tuple[str, ...] = ("unit_head",)
    group: tuple[str, ...] = ("unit_head",)


@dataclass(frozen=True)
class FilingPolicy:
    """Filing (备案申请): lead time, pledge and who approves what."""

    lead_days: int = 0
    lead_time_mode: Literal["refuse", "warn"] = "warn"
    pledge_required: bool = True
    tier3_inform_school: bool = True
    groups_require_filing: bool = False
    #: Offices that decide, in this order, a step whose own office has nobody but the
    #: applicant (e.g. the sole school admin files for 校学生会). Empty: such a request is
    #: refused at submission with a message naming the step and what to configure.
    fallback: tuple[str, ...] = ("school_admin", "leader")
    chain: ChainPolicy = field(default_factory=ChainPolicy)

    def chain_for(
        self, *, tier: int, owner_kind: str = "", personal: bool = False
    ) -> tuple[str, ...]:
        """The chain of an account filing: a personal account follows `personal`; an
        account of a school-level student organisation (owner unit kind
        "school_student_org") follows `school_student_org`; any other follows its tier."""
        if personal:
            return self.chain.personal
        if owner_kind == "school_student_org":
            return self.chain.school_student_org
        if tier not in (1, 2, 3):
            raise ValueError(f"tier must be 1, 2 or 3, not {tier!r}")
        return getattr(self.chain, f"tier{tier}")

    def informs_school(self, *, tier: int, chain: Iterable[str]) -> bool:
        """Whether the school admin is informed (报备) once the chain has approved: a
        tier-3 filing whose chain has no school_admin step, when tier3_inform_school."""
        return self.tier3_inform_school and tier == 3 and "school_admin" not in tuple(chain)

    def lead_time_ok(self, *, submitted_on: date, goes_live_on: date) -> bool:
        """Whether a filing submitted on `submitted_on` respects `lead_days` before going
        live on `goes_live_on` (calendar days)."""
        return (goes_live_on - submitted_on).days >= self.lead_days


@dataclass(frozen=True)
class ChangesPolicy:
    """Change reports (变更): deadline, which changes are approved, pledge."""

    report_within: Duration = Duration(5, "workdays")
    require_approval_for: tuple[str, ...] = ("name",)
    pledge_required: bool = False

    def needs_approval(self, kind: str) -> bool:
        return kind in self.require_approval_for


@dataclass(frozen=True)
class ZombiePolicy:
    """Zombie accounts (僵尸号): days without a post before a warning, before closing."""

    warn_after_days: int = 60
    close_after_days: int = 90

    def level(self, *, last_post: date, today: date) -> Literal["warn", "close"] | None:
        idle = (today - last_post).days
        if idle >= self.close_after_days:
            return "close"
        if idle >= self.warn_after_days:
            return "warn"
        return None


@dataclass(frozen=True)
class GroupsPolicy:
    """Work chat groups (工作群): which must be registered, how long a temporary one lives."""

    register_min_members: int = 10
    temporary_max_days: int = 0  # 0: no limit

    def must_register(self, member_count: int) -> bool:
        return member_count >= self.register_min_members


@dataclass(frozen=True)
class ReviewPolicy:
    """Content review (内容审核)."""

    min_content_reviewers: int = 1


@dataclass(frozen=True)
class TeamPolicy:
    """Who may hold which role on an account's team."""

    first_responsible_must_be_unit_head: bool = True
    first_responsible_must_be_cadre: bool = False
    responsible_must_be_staff_in_post: bool = True
    reviewers_must_be_staff: bool = False
    student_accounts_need_advisor: bool = True


@dataclass(frozen=True)
class RegistryPolicy:
    """Rules over the registry as a whole."""

    one_official_per_platform: bool = True
    verification_required_tiers: tuple[int, ...] = (1, 2)
    personal_name_use: Literal["forbid", "file"] = "file"


@dataclass(frozen=True)
class InspectionPolicy:
    """Annual inspection (年检)."""

    enabled: bool = True
    month: int = 12
    answer_days: int = 15
    rectify_days: int = 30


@dataclass(frozen=True)
class HandoverPolicy:
    """Graduation hand-over (毕业交接): the month the school's rosters mark the year's
    graduates, and how long a unit has to hand over a leaving person's roles."""

    month: int = 6
    within: Duration = Duration(30, "days")


#: What an identity attribute may say about a person (beian.orgs PersonKind / PersonStatus).
PERSON_KINDS: Mapping[str, str] = MappingProxyType(
    {"staff": "教职工", "student": "学生", "external": "校外"}
)
PERSON_STATUSES: Mapping[str, str] = MappingProxyType(
    {"in_post": "在职/在读", "left": "离职", "graduated": "毕业"}
)
#: Roles an identity attribute may derive (beian.users Role); unit roles take the person's unit.
IDENTITY_ROLES: Mapping[str, str] = MappingProxyType(
    {
        "school_admin": "学校管理员（宣传部）",
        "leader": "主管校领导",
        "league_approver": "校团委审批人",
        "unit_admin": "二级单位管理员",
        "operator": "运营者",
        "auditor": "审计员",
    }
)


def _default_kind_values() -> Mapping[str, str]:
    return MappingProxyType(
        {"教职工": "staff", "学生": "student", "staff": "staff", "student": "student"}
    )


def _default_status_values() -> Mapping[str, str]:
    return MappingProxyType(
        {
            "在职": "in_post",
            "在读": "in_post",
            "在校": "in_post",
            "离职": "left",
            "离校": "left",
            "退休": "left",
            "毕业": "graduated",
        }
    )


@dataclass(frozen=True)
class IdentityPolicy:
    """Single sign-on (统一身份认证): which attributes of the school's identity name a
    person's number, unit, kind and status, and what their values mean (docs/identity.md)."""

    button_label: str = "统一身份认证登录"
    number_attribute: str = ""
    name_attribute: str = "cn"
    unit_attribute: str = "deptCode"
    kind_attribute: str = "ryfldm"
    status_attribute: str = "ryzxztdm"
    email_attribute: str = "email"
    kind_values: Mapping[str, str] = field(default_factory=_default_kind_values)
    status_values: Mapping[str, str] = field(default_factory=_default_status_values)
    create_people: bool = True
    role_attribute: str = ""
    role_values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class PublicationPolicy:
    """What the school publishes (issue 12, seed 001 定期公布 and seed 004 通报): the public
    directory and its tiers, whether an unpublished account is confirmed to a visitor who
    names it exactly, who may ask the validity endpoint, and which lists are public. The
    starting values of each institution's publication settings (the school admin's page)."""

    directory: bool = False
    tiers: tuple[int, ...] = (1, 2)
    confirm_exact_unpublished: bool = False
    validity: Literal["public", "token"] = "token"
    accounts_list: bool = False
    bulletins: bool = False
    inspection_results: bool = False
    report_hint: str = ""


#: Roles that `[auth] require_2fa_roles` may name (beian.users Role).
AUTH_ROLES: Mapping[str, str] = MappingProxyType(
    {
        "school_admin": "学校管理员（宣传部）",
        "leader": "主管校领导",
        "league_approver": "校团委审批人",
        "unit_admin": "二级单位管理员",
        "operator": "运营者",
        "auditor": "审计员",
    }
)


@dataclass(frozen=True)
class AuthPolicy:
    """Signing in (身份鉴别): which roles must use a second factor (TOTP, docs/security.md),
    and whether the school's single sign-on already counts as one."""

    require_2fa_roles: tuple[str, ...] = ("school_admin", "auditor")
    sso_counts_as_second_factor: bool = True


@dataclass(frozen=True)
class AuditPolicy:
    """Keeping the audit log (网络安全法 Art. 21: at least six months): how many days of
    rows stay in the database; older ones may be archived (`manage.py audit_archive`)."""

    online_days: int = 400


def _default_thresholds() -> Mapping[str, int]:
    return MappingProxyType({"weibo": 50000, "wechat_official": 10000})


@dataclass(frozen=True)
class Policy:
    """The whole policy of one deployment. `Policy()` is the built-in default, which the
    repository's `beian.toml` spells out."""

    institution: InstitutionPolicy = field(default_factory=InstitutionPolicy)
    filing: FilingPolicy = field(default_factory=FilingPolicy)
    changes: ChangesPolicy = field(default_factory=ChangesPolicy)
    zombie: ZombiePolicy = field(default_factory=ZombiePolicy)
    groups: GroupsPolicy = field(default_factory=GroupsPolicy)
    audience_thresholds: Mapping[str, int] = field(default_factory=_default_thresholds)
    review: ReviewPolicy = field(default_factory=ReviewPolicy)
    team: TeamPolicy = field(default_factory=TeamPolicy)
    registry: RegistryPolicy = field(default_factory=RegistryPolicy)
    inspection: InspectionPolicy = field(default_factory=InspectionPolicy)
    publication: PublicationPolicy = field(default_factory=PublicationPolicy)
    handover: HandoverPolicy = field(default_factory=HandoverPolicy)
    auth: AuthPolicy = field(default_factory=AuthPolicy)
    audit: AuditPolicy = field(default_factory=AuditPolicy)
    identity: IdentityPolicy = field(default_factory=IdentityPolicy)
    calendar: WorkCalendar = DEFAULT_CALENDAR
    source: str = field(default="内置默认值", compare=False)

    def deadline(self, start: date, spec: Duration | str | None = None) -> date:
        """Last day to report a change that took effect on `start`; `spec` defaults to
        `[changes] report_within` and may be a Duration or text such as "3 days"."""
        if spec is None:
            duration = self.changes.report_within
        elif isinstance(spec, Duration):
            duration = spec
        else:
            duration = Duration.parse(spec)
        return duration.deadline(start, self.calendar)

    def is_late(self, start: date, filed_on: date, spec: Duration | str | None = None) -> bool:
        """Whether a change that took effect on `start` and was reported on `filed_on` was
        reported after its deadline."""
        return filed_on > self.deadline(start, spec)

    def audience_threshold(self, platform_code: str) -> int | None:
        return self.audience_thresholds.get(platform_code)

    def exceeds_audience_threshold(self, platform_code: str, audience: int | None) -> bool:
        """Whether a tier-3 account of that size must file with the school (strictly more
        than the threshold; platforms without a threshold never do)."""
        threshold = self.audience_thresholds.get(platform_code)
        return threshold is not None and audience is not None and audience > threshold


# --- Reading and validating -----------------------------------------------------------------


class _Invalid(ValueError):
    """A value that does not fit; the message says what is expected."""


def _show(value: Any) -> str:
    """A value as it would be written in TOML, for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_show(item)}" for key, item in value.items()) + " }"
    return str(value)


class _Table:
    """One TOML table being read: every getter records the key as known, converts the
    value or records an error and falls back to the default; `finish()` reports keys that
    no getter asked for (typos)."""

    def __init__(self, data: dict, path: str, source: str, errors: list[str]):
        self.data, self.path, self.source, self.errors = data, path, source, errors
        self.known: list[str] = []

    def where(self, key: str | None = None) -> str:
        place = f"[{self.path}]" if self.path else ""
        if key is not None:
            place = f"{place} {key}".strip()
        return f"{self.source} {place}".rstrip()

    def error(self, key: str | None, value: Any, expected: str) -> None:
        shown = f" = {_show(value)}" if key is not None else ""
        self.errors.append(f"{self.where(key)}{shown}：{expected}")

    def get(self, key: str, default: Any, convert: Callable[[Any], Any]) -> Any:
        self.known.append(key)
        if key not in self.data:
            return default
        try:
            return convert(self.data[key])
        except _Invalid as exc:
            self.error(key, self.data[key], str(exc))
            return default

    def table(self, key: str) -> "_Table":
        self.known.append(key)
        path = f"{self.path}.{key}" if self.path else key
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            self.error(key, value, f"应为表（在文件中写成 [{path}] 一节）")
            value = {}
        return _Table(value, path, self.source, self.errors)

    def finish(self) -> None:
        for key, value in self.data.items():
            if key in self.known:
                continue
            hint = get_close_matches(key, self.known, n=1)
            suggestion = f"是否想写 {hint[0]}？" if hint else ""
            available = "、".join(self.known) or "（无）"
            if self.path:
                self.error(key, value, f"未知设置项；{suggestion}可用的有：{available}")
            elif isinstance(value, dict):
                self.errors.append(
                    f"{self.source} [{key}]：未知的配置节；{suggestion}可用的有：{available}"
                )
            else:
                self.error(
                    key, value, f"设置项须写在某一节（如 [filing]）之下；可用的节：{available}"
                )


def _integer(*, minimum: int | None = None, maximum: int | None = None, example: int = 1):
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(f"应为整数（不加引号），例如 {example}")
        if minimum is not None and maximum is not None and not minimum <= value <= maximum:
            raise _Invalid(f"应在 {minimum} 到 {maximum} 之间")
        if minimum is not None and value < minimum:
            raise _Invalid(f"应为不小于 {minimum} 的整数")
        return value

    return convert


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("应为 true 或 false（小写，不加引号）")
    return value


def _choice(vocabulary: Mapping[str, str]):
    def convert(value: Any) -> str:
        if not isinstance(value, str) or value not in vocabulary:
            options = "、".join(f'"{code}"（{label}）' for code, label in vocabulary.items())
            raise _Invalid(f"应为以下之一：{options}")
        return value

    return convert


def _duration(value: Any) -> Duration:
    if not isinstance(value, str):
        raise _Invalid(f"应为带单位的字符串；{_DURATION_EXPECTED}")
    try:
        return Duration.parse(value)
    except ValueError as exc:
        raise _Invalid(str(exc)) from None


def _code_list(vocabulary: Mapping[str, str], *, what: str, allow_empty: bool, example: str):
    def convert(value: Any) -> tuple[str, ...]:
        options = "、".join(f"{code}（{label}）" for code, label in vocabulary.items())
        if not isinstance(value, list):
            raise _Invalid(f"应为{what}的列表，例如 {example}")
        if not value and not allow_empty:
            raise _Invalid(f"至少要有一项，例如 {example}")
        for position, item in enumerate(value, start=1):
            if not isinstance(item, str) or item not in vocabulary:
                raise _Invalid(f"第 {position} 项 {_show(item)} 不是已知的{what}；可用：{options}")
        repeated = sorted({item for item in value if value.count(item) > 1})
        if repeated:
            raise _Invalid(f"{_show(repeated[0])} 重复出现")
        return tuple(value)

    return convert


def _text(*, example: str):
    def convert(value: Any) -> str:
        if not isinstance(value, str):
            raise _Invalid(f'应为字符串（加引号），例如 "{example}"')
        return value.strip()

    return convert


def _value_map(vocabulary: Mapping[str, str], *, example: str):
    """A table of attribute value → code (e.g. { "01" = "in_post" })."""

    def convert(value: Any) -> Mapping[str, str]:
        options = "、".join(f'"{code}"（{label}）' for code, label in vocabulary.items())
        if not isinstance(value, dict):
            raise _Invalid(f"应为表，例如 {example}")
        for key, item in value.items():
            if not isinstance(item, str) or item not in vocabulary:
                raise _Invalid(f"{_show(key)} 对应的 {_show(item)} 无效；可用：{options}")
        return MappingProxyType({str(key): item for key, item in value.items()})

    return convert


def _tiers(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or any(
        type(item) is not int or item not in (1, 2, 3) for item in value
    ):
        raise _Invalid("应为由 1、2、3 组成的列表，例如 [1, 2]")
    if len(set(value)) != len(value):
        raise _Invalid("有重复的级别")
    return tuple(sorted(value))


def _number_format(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f'应为字符串，例如 "{DEFAULT_NUMBER_FORMAT}"')
    try:
        _check_number_format(value)
    except ValueError as exc:
        raise _Invalid(str(exc)) from None
    return value


_RANGE_RE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:\.\.|～|~|至)\s*(\d{4}-\d{2}-\d{2})\s*$")
_DATES_EXPECTED = '应为日期，如 2026-10-01，或日期范围字符串，如 "2026-10-01..2026-10-07"'


def _dates(table: _Table, key: str, default: frozenset[date]) -> frozenset[date]:
    """A list of dates: TOML dates, "YYYY-MM-DD" strings or "YYYY-MM-DD..YYYY-MM-DD" ranges.
    Errors name the offending item as key[index]."""
    table.known.append(key)
    if key not in table.data:
        return default
    value = table.data[key]
    if not isinstance(value, list):
        table.error(key, value, f"应为日期的列表；每项{_DATES_EXPECTED}")
        return default
    days: set[date] = set()
    for index, item in enumerate(value):
        try:
            days.update(_date_item(item))
        except _Invalid as exc:
            table.error(f"{key}[{index}]", item, str(exc))
    return frozenset(days)


def _date_item(item: Any) -> tuple[date, ...]:
    if isinstance(item, (datetime, time)):
        raise _Invalid(f"只写日期，不带时间；{_DATES_EXPECTED}")
    if isinstance(item, date):
        return (item,)
    if isinstance(item, str):
        match = _RANGE_RE.match(item)
        try:
            if match:
                first, last = (date.fromisoformat(part) for part in match.groups())
                if last < first:
                    raise _Invalid("范围的结束日期早于开始日期")
                return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))
            return (date.fromisoformat(item.strip()),)
        except ValueError:
            raise _Invalid(f"不是有效日期；{_DATES_EXPECTED}") from None
    raise _Invalid(_DATES_EXPECTED)


_WEEKDAYS = "一二三四五六日"
_PLATFORM_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _read(data: dict, source: str) -> Policy:
    errors: list[str] = []
    root = _Table(data, "", source, errors)
    defaults = Policy()

    section = root.table("institution")
    institution = InstitutionPolicy(
        number_format=section.get(
            "number_format", defaults.institution.number_format, _number_format
        )
    )
    section.finish()

    section = root.table("filing")
    chain_table = section.table("chain")
    steps = _code_list(
        APPROVER_STEPS, what="审批步骤", allow_empty=False, example='["unit_head", "school_admin"]'
    )
    chain_values = {
        kind: chain_table.get(kind, getattr(defaults.filing.chain, kind), steps)
        for kind in CHAIN_KINDS
    }
    chain_table.finish()
    d = defaults.filing
    filing = FilingPolicy(
        lead_days=section.get(
            "lead_days", d.lead_days, _integer(minimum=0, maximum=365, example=14)
        ),
        lead_time_mode=section.get("lead_time_mode", d.lead_time_mode, _choice(LEAD_TIME_MODES)),
        pledge_required=section.get("pledge_required", d.pledge_required, _boolean),
        tier3_inform_school=section.get("tier3_inform_school", d.tier3_inform_school, _boolean),
        groups_require_filing=section.get(
            "groups_require_filing", d.groups_require_filing, _boolean
        ),
        fallback=section.get(
            "fallback",
            d.fallback,
            _code_list(
                APPROVER_STEPS, what="审批步骤", allow_empty=True, example='["school_admin"]'
            ),
        ),
        chain=ChainPolicy(**chain_values),
    )
    section.finish()

    section = root.table("changes")
    d = defaults.changes
    changes = ChangesPolicy(
        report_within=section.get("report_within", d.report_within, _duration),
        require_approval_for=section.get(
            "require_approval_for",
            d.require_approval_for,
            _code_list(CHANGE_KINDS, what="变更类型", allow_empty=True, example='["name"]'),
        ),
        pledge_required=section.get("pledge_required", d.pledge_required, _boolean),
    )
    section.finish()

    section = root.table("zombie")
    d = defaults.zombie
    marker = object()
    warn = section.get("warn_after_days", marker, _integer(minimum=1, example=60))
    close = section.get("close_after_days", marker, _integer(minimum=1, example=90))
    zombie = ZombiePolicy(
        warn_after_days=d.warn_after_days if warn is marker else warn,
        close_after_days=d.close_after_days if close is marker else close,
    )
    if zombie.warn_after_days >= zombie.close_after_days and (
        warn is not marker or close is not marker
    ):
        key = "warn_after_days" if warn is not marker else "close_after_days"
        section.error(
            key,
            zombie.warn_after_days if key == "warn_after_days" else zombie.close_after_days,
            f"warn_after_days（{zombie.warn_after_days}）应小于 "
            f"close_after_days（{zombie.close_after_days}）：先提醒，后注销",
        )
    section.finish()

    section = root.table("groups")
    d = defaults.groups
    groups = GroupsPolicy(
        register_min_members=section.get(
            "register_min_members", d.register_min_members, _integer(minimum=1, example=10)
        ),
        temporary_max_days=section.get(
            "temporary_max_days", d.temporary_max_days, _integer(minimum=0, example=180)
        ),
    )
    section.finish()

    section = root.table("audience_thresholds")
    if "audience_thresholds" in data:
        thresholds = {}
        for code, value in section.data.items():
            section.known.append(code)
            if not _PLATFORM_CODE_RE.match(code):
                section.error(
                    code,
                    value,
                    "平台代码应由小写字母、数字和下划线组成，例如 weibo、wechat_official",
                )
                continue
            try:
                thresholds[code] = _integer(minimum=1, example=50000)(value)
            except _Invalid as exc:
                section.error(code, value, f"{exc}（人数，不以万为单位）")
        audience_thresholds = MappingProxyType(thresholds)
    else:
        audience_thresholds = defaults.audience_thresholds
    section.finish()

    section = root.table("review")
    review = ReviewPolicy(
        min_content_reviewers=section.get(
            "min_content_reviewers",
            defaults.review.min_content_reviewers,
            _integer(minimum=0, maximum=20, example=3),
        )
    )
    section.finish()

    section = root.table("team")
    d = defaults.team
    team = TeamPolicy(
        **{
            name: section.get(name, getattr(d, name), _boolean)
            for name in TeamPolicy.__dataclass_fields__
        }
    )
    section.finish()

    section = root.table("registry")
    d = defaults.registry
    registry = RegistryPolicy(
        one_official_per_platform=section.get(
            "one_official_per_platform", d.one_official_per_platform, _boolean
        ),
        verification_required_tiers=section.get(
            "verification_required_tiers", d.verification_required_tiers, _tiers
        ),
        personal_name_use=section.get(
            "personal_name_use", d.personal_name_use, _choice(PERSONAL_NAME_USES)
        ),
    )
    section.finish()

    section = root.table("inspection")
    d = defaults.inspection
    inspection = InspectionPolicy(
        enabled=section.get("enabled", d.enabled, _boolean),
        month=section.get("month", d.month, _integer(minimum=1, maximum=12, example=12)),
        answer_days=section.get(
            "answer_days", d.answer_days, _integer(minimum=1, maximum=90, example=15)
        ),
        rectify_days=section.get(
            "rectify_days", d.rectify_days, _integer(minimum=1, maximum=365, example=30)
        ),
    )
    section.finish()

    section = root.table("handover")
    d = defaults.handover
    handover = HandoverPolicy(
        month=section.get("month", d.month, _integer(minimum=1, maximum=12, example=6)),
        within=section.get("within", d.within, _duration),
    )
    section.finish()

    section = root.table("identity")
    d = defaults.identity
    identity = IdentityPolicy(
        button_label=section.get("button_label", d.button_label, _text(example="统一身份认证登录")),
        **{
            name: section.get(name, getattr(d, name), _text(example="deptCode"))
            for name in (
                "number_attribute",
                "name_attribute",
                "unit_attribute",
                "kind_attribute",
                "status_attribute",
                "email_attribute",
                "role_attribute",
            )
        },
        kind_values=section.get(
            "kind_values",
            d.kind_values,
            _value_map(PERSON_KINDS, example='{ "1" = "staff", "2" = "student" }'),
        ),
        status_values=section.get(
            "status_values",
            d.status_values,
            _value_map(PERSON_STATUSES, example='{ "01" = "in_post", "03" = "graduated" }'),
        ),
        create_people=section.get("create_people", d.create_people, _boolean),
        role_values=section.get(
            "role_values",
            d.role_values,
            _value_map(IDENTITY_ROLES, example='{ "xcb" = "school_admin" }'),
        ),
    )
    section.finish()

    section = root.table("publication")
    d = defaults.publication
    publication = PublicationPolicy(
        directory=section.get("directory", d.directory, _boolean),
        tiers=section.get("tiers", d.tiers, _tiers),
        confirm_exact_unpublished=section.get(
            "confirm_exact_unpublished", d.confirm_exact_unpublished, _boolean
        ),
        validity=section.get("validity", d.validity, _choice(VALIDITY_ACCESS)),
        accounts_list=section.get("accounts_list", d.accounts_list, _boolean),
        bulletins=section.get("bulletins", d.bulletins, _boolean),
        inspection_results=section.get("inspection_results", d.inspection_results, _boolean),
        report_hint=section.get(
            "report_hint", d.report_hint, _text(example="请致电党委宣传部 0731-00000000")
        ),
    )
    section.finish()

    section = root.table("auth")
    d = defaults.auth
    auth = AuthPolicy(
        require_2fa_roles=section.get(
            "require_2fa_roles",
            d.require_2fa_roles,
            _code_list(
                AUTH_ROLES, what="角色", allow_empty=True, example='["school_admin", "auditor"]'
            ),
        ),
        sso_counts_as_second_factor=section.get(
            "sso_counts_as_second_factor", d.sso_counts_as_second_factor, _boolean
        ),
    )
    section.finish()

    section = root.table("audit")
    audit = AuditPolicy(
        online_days=section.get(
            "online_days",
            defaults.audit.online_days,
            _integer(minimum=184, maximum=36500, example=400),
        )
    )
    section.finish()

    section = root.table("calendar")
    use_library = section.get("use_library", defaults.calendar.use_library, _boolean)
    holidays = _dates(section, "holidays", defaults.calendar.holidays)
    makeup = _dates(section, "makeup_workdays", defaults.calendar.makeup_workdays)
    for day in sorted(makeup):
        if day in holidays:
            section.error("makeup_workdays", day, "这一天同时列在 holidays 中，只能二选一")
        elif day.weekday() < 5:
            section.error(
                "makeup_workdays",
                day,
                f"这一天是星期{_WEEKDAYS[day.weekday()]}；调休上班日应为星期六或星期日",
            )
    calendar = WorkCalendar(holidays=holidays, makeup_workdays=makeup, use_library=use_library)
    section.finish()

    root.finish()
    if errors:
        raise PolicyError(errors)
    return Policy(
        institution=institution,
        filing=filing,
        changes=changes,
        zombie=zombie,
        groups=groups,
        audience_thresholds=audience_thresholds,
        review=review,
        team=team,
        registry=registry,
        inspection=inspection,
        publication=publication,
        handover=handover,
        auth=auth,
        audit=audit,
        identity=identity,
        calendar=calendar,
        source=source,
    )


def policy_from_toml(text: str, source: str = "<policy>") -> Policy:
    """Validate TOML text into a Policy; `source` names it in error messages."""
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([f"{source}：TOML 语法错误：{exc}"]) from None
    return _read(data, source)


def load_policy(path: str | Path) -> Policy:
    """Read and validate one policy file (UTF-8, a BOM is tolerated)."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise PolicyError([f"{source}：找不到策略文件"]) from None
    except OSError as exc:
        raise PolicyError([f"{source}：无法读取策略文件（{exc.strerror or exc}）"]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError(
            [f"{source}：文件不是 UTF-8 编码（可能以 GBK/ANSI 保存），请以 UTF-8 另存后重试"]
        ) from None
    return policy_from_toml(text, source)


# --- The policy in force --------------------------------------------------------------------


def configured_policy_path() -> Path | None:
    """The file named by settings.BEIAN_POLICY_FILE (relative paths are taken from the
    project directory, settings.BASE_DIR), or None for the built-in defaults."""
    value = str(getattr(settings, "BEIAN_POLICY_FILE", "") or "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    base_dir = getattr(settings, "BASE_DIR", None)
    if not path.is_absolute() and base_dir:
        path = Path(base_dir) / path
    return path


def _load_configured() -> Policy:
    path = configured_policy_path()
    return Policy() if path is None else load_policy(path)


@lru_cache(maxsize=1)
def get_policy() -> Policy:
    """The policy in force (cached for the life of the process)."""
    return _load_configured()


def reset_policy_cache() -> None:
    """Forget the cached policy so that the next get_policy() reads it again."""
    get_policy.cache_clear()


@receiver(setting_changed)
def _reset_on_setting_change(*, setting: str, **kwargs: Any) -> None:
    if setting in {"BEIAN_POLICY_FILE", "BASE_DIR"}:
        reset_policy_cache()


def validate_policy_setting(today: date | None = None) -> list[CheckMessage]:
    """System-check messages for the configured policy: one error per problem in the file
    (beian.E001), a warning when neither the holidays library nor the policy knows this
    year's arrangement, or in December the next year's (beian.W001)."""
    try:
        policy = _load_configured()
    except PolicyError as exc:
        hint = "改正策略文件（环境变量 BEIAN_POLICY_FILE）后重新启动；各设置项见 docs/policy.md。"
        return [CheckError(message, hint=hint, id="beian.E001") for message in exc.errors]
    today = today or date.today()
    years = [today.year] + ([today.year + 1] if today.month == 12 else [])
    return [
        CheckWarning(
            f"{policy.source} [calendar] 与节假日库都没有 {year} 年的放假调休安排，"
            "按工作日计算的期限将只跳过周末和法定节日，不计调休",
            hint=(
                f"升级 holidays 库（pip install -U holidays），或按国务院办公厅关于 {year} "
                "年部分节假日安排的通知在策略文件 [calendar] 中补充 holidays 和 makeup_workdays。"
            ),
            id="beian.W001",
        )
        for year in years
        if not policy.calendar.covers(year)
    ]


@register("beian")
def check_policy(app_configs=None, **kwargs: Any) -> list[CheckMessage]:
    """Django system check: the policy file must load (see validate_policy_setting)."""
    return validate_policy_setting()
