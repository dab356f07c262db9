"""List tables: one row per account or group, sortable by the column headers
(names sort by pinyin, as people expect a Chinese list to be ordered). Rows show no
personal data; everything shown comes from the row and its `select_related` platform and
unit, so a page costs the same number of queries whatever its size."""

from decimal import ROUND_HALF_UP, Decimal

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .choices import AccountStatus, FilingState, GroupStatus
from .models import ChatGroup, MediaAccount

STATUS_BADGE = {
    AccountStatus.ACTIVE: "bg-green-lt",
    AccountStatus.SUSPENDED: "bg-yellow-lt",
    AccountStatus.CLOSED: "bg-secondary-lt",
    GroupStatus.DISSOLVED: "bg-secondary-lt",
}
FILING_BADGE = {
    FilingState.UNFILED: "bg-red-lt",
    FilingState.PENDING: "bg-yellow-lt",
    FilingState.FILED: "bg-green-lt",
}
NOWRAP = {"td": {"class": "beian-nowrap"}, "th": {"class": "beian-nowrap"}}
TIER_BADGE = {1: "bg-red-lt", 2: "bg-blue-lt", 3: "bg-azure-lt"}


def format_audience(value: int | None) -> str:
    """12345 → "1.2万", 9800 → "9800", None → "—" (as the seed sheets write 关注人数)."""
    if value is None:
        return "—"
    if value < 10000:
        return str(value)
    tens_of_thousands = (Decimal(value) / 10000).quantize(Decimal("0.1"), ROUND_HALF_UP)
    text = f"{tens_of_thousands:f}".removesuffix(".0")
    return f"{text}万"


def badge(css: str, text) -> str:
    return format_html('<span class="badge {}">{}</span>', css, text)


def yes_no(value: bool) -> str:
    if value:
        return format_html('<span class="text-green">{}</span>', _("是"))
    return format_html('<span class="text-secondary">{}</span>', _("否"))


class RecordTable(tables.Table):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_text", _("没有符合条件的记录"))
        super().__init__(*args, **kwargs)

    def render_status(self, record, value):
        return badge(STATUS_BADGE.get(record.status, "bg-secondary-lt"), value)


def _closed_row(record) -> str:
    closed = record.status in (AccountStatus.CLOSED, GroupStatus.DISSOLVED)
    return "beian-row-closed text-secondary opacity-75" if closed else ""


class AccountTable(RecordTable):
    name = tables.Column(
        verbose_name=_("账号名称"),
        linkify=("registry:account_detail", {"pk": tables.A("pk")}),
        order_by=("name_pinyin", "name"),
        attrs={"a": {"class": "fw-medium"}, "td": {"class": "beian-nowrap"}},
    )
    platform = tables.Column(
        verbose_name=_("平台"),
        accessor="platform__name",
        order_by=("platform__sort_order",),
        attrs=NOWRAP,
    )
    external_id = tables.Column(
        verbose_name=_("账号或网址"),
        attrs={"td": {"class": "text-break", "style": "min-width: 8rem"}},
    )
    owner_unit = tables.Column(
        verbose_name=_("管理单位"),
        accessor="owner_unit__name",
        order_by=("owner_unit__name_pinyin", "owner_unit__name"),
        attrs=NOWRAP,
    )
    tier = tables.Column(verbose_name=_("分级"), attrs=NOWRAP)
    audience = tables.Column(
        verbose_name=_("关注人数"), attrs={"td": {"class": "text-end beian-nowrap"}}
    )
    verified = tables.Column(verbose_name=_("认证"), attrs=NOWRAP)
    filing_state = tables.Column(verbose_name=_("备案"), attrs=NOWRAP)
    status = tables.Column(verbose_name=_("状态"), attrs=NOWRAP)

    class Meta:
        model = MediaAccount
        fields = ()
        sequence = (
            "name",
            "platform",
            "external_id",
            "owner_unit",
            "tier",
            "audience",
            "verified",
            "filing_state",
            "status",
        )
        attrs = {"class": "table table-vcenter card-table table-hover"}
        row_attrs = {"class": _closed_row}

    def render_tier(self, record, value):
        return badge(TIER_BADGE.get(record.tier, "bg-secondary-lt"), value)

    def render_audience(self, value):
        return format_audience(value)

    def order_audience(self, queryset, is_descending):
        """Accounts with no audience figure sort last both ways (PostgreSQL would put NULLs
        first when descending, SQLite last)."""
        field = F("audience")
        order = field.desc(nulls_last=True) if is_descending else field.asc(nulls_last=True)
        return queryset.order_by(order, "pk"), True

    def render_verified(self, value):
        return yes_no(value)

    def render_filing_state(self, record, value):
        return badge(FILING_BADGE.get(record.filing_state, "bg-secondary-lt"), value)


class GroupTable(RecordTable):
    name = tables.Column(
        verbose_name=_("群名称"),
        linkify=("registry:group_detail", {"pk": tables.A("pk")}),
        order_by=("name_pinyin", "name"),
        attrs={"a": {"class": "fw-medium"}, "td": {"class": "beian-nowrap"}},
    )
    platform = tables.Column(
        verbose_name=_("平台"),
        accessor="platform__name",
        order_by=("platform__sort_order",),
        attrs=NOWRAP,
    )
    group_number = tables.Column(verbose_name=_("群号"))
    owner_unit = tables.Column(
        verbose_name=_("管理单位"),
        accessor="owner_unit__name",
        order_by=("owner_unit__name_pinyin", "owner_unit__name"),
        attrs=NOWRAP,
    )
    purpose = tables.Column(verbose_name=_("群性质"), attrs=NOWRAP)
    member_count = tables.Column(
        verbose_name=_("群人数"), attrs={"td": {"class": "text-end beian-nowrap"}}
    )
    outside = tables.Column(
        verbose_name=_("校外人员"),
        accessor="outside_member_count",
        order_by=("has_outside_members", "outside_member_count"),
        empty_values=(),
    )
    status = tables.Column(verbose_name=_("状态"), attrs=NOWRAP)

    class Meta:
        model = ChatGroup
        fields = ()
        sequence = (
            "name",
            "platform",
            "group_number",
            "owner_unit",
            "purpose",
            "member_count",
            "outside",
            "status",
        )
        attrs = {"class": "table table-vcenter card-table table-hover"}
        row_attrs = {"class": _closed_row}

    def render_outside(self, record):
        if not record.has_outside_members:
            return yes_no(False)
        return format_html(
            '<span class="badge bg-orange-lt">{}</span>',
            _("有 %(count)s 人") % {"count": record.outside_member_count},
        )

    def render_status(self, record, value):
        text = value
        if record.is_temporary and not record.is_dissolved:
            return format_html(
                '{} <span class="badge bg-purple-lt">{}</span>',
                badge(STATUS_BADGE.get(record.status, "bg-secondary-lt"), text),
                _("临时"),
            )
        return super().render_status(record, value)
