"""The findings table: one row per finding, sortable by the column headers. Everything
shown comes from the row and its `select_related` record, platform and unit."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .choices import FindingState
from .models import Finding

STATE_BADGE = {
    FindingState.OPEN: "bg-red-lt",
    FindingState.RESOLVED: "bg-green-lt",
    FindingState.WAIVED: "bg-secondary-lt",
}
NOWRAP = {"td": {"class": "beian-nowrap"}, "th": {"class": "beian-nowrap"}}


def severity_badge(finding: Finding) -> str:
    return format_html(
        '<span class="badge bg-{}-lt">{}</span>',
        finding.severity_colour,
        finding.get_severity_display(),
    )


def state_badge(finding: Finding) -> str:
    return format_html(
        '<span class="badge {}">{}</span>',
        STATE_BADGE.get(finding.state, "bg-secondary-lt"),
        finding.get_state_display(),
    )


class FindingTable(tables.Table):
    severity = tables.Column(verbose_name=_("严重程度"), order_by=("severity_rank",), attrs=NOWRAP)
    rule = tables.Column(verbose_name=_("规则"), attrs=NOWRAP)
    target = tables.Column(
        verbose_name=_("账号/群聊"),
        empty_values=(),
        order_by=("account__name", "group__name"),
        attrs={"td": {"style": "min-width: 10rem"}},
    )
    owner_unit = tables.Column(
        verbose_name=_("责任单位"), accessor="owner_unit__name", attrs=NOWRAP
    )
    message = tables.Column(verbose_name=_("说明"), orderable=False)
    state = tables.Column(verbose_name=_("状态"), attrs=NOWRAP)
    last_seen = tables.DateTimeColumn(verbose_name=_("最近发现"), format="Y-m-d", attrs=NOWRAP)
    first_seen = tables.DateTimeColumn(verbose_name=_("首次发现"), format="Y-m-d", attrs=NOWRAP)
    actions = tables.Column(verbose_name="", empty_values=(), orderable=False, attrs=NOWRAP)

    class Meta:
        model = Finding
        fields = (
            "severity",
            "rule",
            "target",
            "owner_unit",
            "message",
            "state",
            "last_seen",
            "first_seen",
            "actions",
        )
        attrs = {"class": "table table-vcenter card-table"}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_text", _("没有符合条件的检查发现"))
        super().__init__(*args, **kwargs)

    def render_severity(self, record):
        return severity_badge(record)

    def render_rule(self, record):
        return record.rule_title

    def render_target(self, record):
        target = record.target
        platform = target.platform.name if target.platform_id else ""
        return format_html(
            '<a class="fw-medium" href="{}">{}</a><div class="small text-secondary">{}</div>',
            record.record_url,
            target.name,
            platform,
        )

    def render_state(self, record):
        return state_badge(record)

    def render_actions(self, record):
        return format_html(
            '<a class="btn btn-sm btn-ghost-primary" href="{}">{}</a>',
            reverse("compliance:finding_detail", args=[record.pk]),
            _("详情"),
        )
