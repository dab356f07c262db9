"""What the home page shows: the user's scope in numbers and what needs attention. Every
number is counted inside `visible_to(user)` with a handful of aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beian.core.policy import Policy, get_policy
from beian.orgs.models import Person, Unit
from beian.registry.choices import AccountStatus, FilingState, GroupStatus, TeamRole, Tier
from beian.registry.models import AccountMember, ChatGroup, MediaAccount


@dataclass
class Figure:
    label: str
    value: int
    url: str = ""
    tone: str = ""


@dataclass
class AttentionItem:
    label: str
    value: int
    hint: str = ""
    url: str = ""
    url_label: str = ""

    @property
    def needs_attention(self) -> bool:
        return self.value > 0


@dataclass
class Inspection:
    """The annual inspection (年检) as the policy sets it: the month it opens every year
    and the first day of the next (or current) inspection month."""

    month: int
    opens_on: date
    is_open: bool
    days_left: int


@dataclass
class Overview:
    has_role: bool
    accounts_total: int = 0
    accounts_by_status: list[Figure] = field(default_factory=list)
    accounts_by_tier: list[Figure] = field(default_factory=list)
    groups: list[Figure] = field(default_factory=list)
    units: int = 0
    people: int = 0
    attention: list[AttentionItem] = field(default_factory=list)
    inspection: Inspection | None = None


def _url(name: str, **params) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def inspection_calendar(policy: Policy, today: date) -> Inspection | None:
    """When the annual inspection opens ([inspection] month), None when the policy has no
    annual inspection ([inspection] enabled = false)."""
    if not policy.inspection.enabled:
        return None
    month = policy.inspection.month
    opens_on = date(today.year, month, 1)
    is_open = today.month == month
    if not is_open and opens_on < today:
        opens_on = date(today.year + 1, month, 1)
    days_left = 0 if is_open else (opens_on - today).days
    return Inspection(month=month, opens_on=opens_on, is_open=is_open, days_left=days_left)


def home_overview(user, *, today=None, policy: Policy | None = None) -> Overview:
    """The scope of `user` in numbers, and the records that need attention. Thresholds
    come from the policy in force: an account counts as idle after
    `[zombie] close_after_days` without a post (the zombie rule's threshold)."""
    has_role = user.is_superuser or bool(user.role_set)
    if not has_role:
        return Overview(has_role=False)
    today = today or timezone.localdate()
    policy = policy or get_policy()
    stale_days = policy.zombie.close_after_days
    stale_on_or_before = today - timedelta(days=stale_days)

    active = Q(status=AccountStatus.ACTIVE)
    has_first_responsible = Exists(
        AccountMember.objects.filter(record_id=OuterRef("pk"), role=TeamRole.FIRST_RESPONSIBLE)
    )
    accounts = MediaAccount.objects.visible_to(user).aggregate(
        total=Count("pk"),
        **{f"status_{s.value}": Count("pk", filter=Q(status=s)) for s in AccountStatus},
        **{
            f"tier_{t.value}": Count("pk", filter=Q(tier=t) & ~Q(status=AccountStatus.CLOSED))
            for t in Tier
        },
        unfiled=Count("pk", filter=active & Q(filing_state=FilingState.UNFILED)),
        no_first_responsible=Count("pk", filter=active & ~Q(has_first_responsible)),
        stale=Count("pk", filter=active & Q(last_post_date__lte=stale_on_or_before)),
        no_post_date=Count("pk", filter=active & Q(last_post_date__isnull=True)),
    )
    group_active = Q(status=GroupStatus.ACTIVE)
    groups = ChatGroup.objects.visible_to(user).aggregate(
        total=Count("pk"),
        active=Count("pk", filter=group_active),
        dissolved=Count("pk", filter=Q(status=GroupStatus.DISSOLVED)),
        outside=Count("pk", filter=group_active & Q(has_outside_members=True)),
        temporary=Count("pk", filter=group_active & Q(is_temporary=True)),
        temporary_expired=Count(
            "pk", filter=group_active & Q(is_temporary=True, temporary_until__lt=today)
        ),
    )

    account_list = "registry:account_list"
    group_list = "registry:group_list"
    status_tone = {
        AccountStatus.ACTIVE: "green",
        AccountStatus.SUSPENDED: "yellow",
        AccountStatus.CLOSED: "secondary",
    }
    return Overview(
        has_role=True,
        accounts_total=accounts["total"],
        accounts_by_status=[
            Figure(
                s.label,
                accounts[f"status_{s.value}"],
                _url(account_list, status=s.value),
                status_tone[s],
            )
            for s in AccountStatus
        ],
        accounts_by_tier=[
            Figure(t.label, accounts[f"tier_{t.value}"], _url(account_list, tier=t.value))
            for t in Tier
        ],
        groups=[
            Figure(
                _("在用"), groups["active"], _url(group_list, status=GroupStatus.ACTIVE), "green"
            ),
            Figure(
                _("已解散"),
                groups["dissolved"],
                _url(group_list, status=GroupStatus.DISSOLVED),
                "secondary",
            ),
            Figure(
                _("其中临时群"),
                groups["temporary"],
                _url(group_list, status=GroupStatus.ACTIVE, is_temporary="yes"),
            ),
        ],
        units=Unit.objects.visible_to(user).count(),
        people=Person.objects.visible_to(user).count(),
        attention=[
            AttentionItem(
                _("未备案的运营中账号"),
                accounts["unfiled"],
                _("账号须经审批备案后方可开设；已在运营的须补办备案"),
                _url(account_list, status=AccountStatus.ACTIVE, filing_state=FilingState.UNFILED),
            ),
            AttentionItem(
                _("缺少第一责任人的运营中账号"),
                accounts["no_first_responsible"],
                _("管理队伍中须有第一责任人"),
                _url(account_list, status=AccountStatus.ACTIVE),
                _("账号列表"),
            ),
            AttentionItem(
                _("有校外人员的在用群聊"),
                groups["outside"],
                _("请核实校外人员的必要性"),
                _url(group_list, status=GroupStatus.ACTIVE, has_outside_members="yes"),
            ),
            AttentionItem(
                _("已过截止日期的临时群"),
                groups["temporary_expired"],
                _("临时群到期后应解散"),
                _url(group_list, status=GroupStatus.ACTIVE, is_temporary="yes"),
                _("临时群列表"),
            ),
            AttentionItem(
                _("%(days)s 天未更新的运营中账号") % {"days": stale_days},
                accounts["stale"],
                _("另有 %(n)s 个运营中账号未记录最近发布日期") % {"n": accounts["no_post_date"]}
                if accounts["no_post_date"]
                else _("超过 %(days)s 天未更新即为“僵尸号”，应整改或注销") % {"days": stale_days},
                _url(account_list, status=AccountStatus.ACTIVE),
                _("账号列表"),
            ),
        ],
        inspection=inspection_calendar(policy, today),
    )
