"""The board's filters (django-filter) and table (django-tables2, sortable by its column
headers). The table takes `board.BoardRow`s: the counts come from two grouped queries,
so they are sorted in memory (a round has at most a few hundred units)."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .board import late_q
from .choices import TaskState
from .models import CampaignTask
from .templatetags.campaigns_tags import state_class

ALL = _("全部")
YES, NO = "yes", "no"


class BoardFilterSet(django_filters.FilterSet):
    """State, late (是/否, against the campaign's deadline) and the unit's name."""

    q = django_filters.CharFilter(field_name="unit__name", lookup_expr="icontains", label=_("单位"))
    state = django_filters.ChoiceFilter(label=_("状态"), choices=TaskState.choices, empty_label=ALL)
    late = django_filters.ChoiceFilter(
        label=_("逾期"),
        choices=((YES, _("是")), (NO, _("否"))),
        empty_label=ALL,
        method="filter_late",
    )

    class Meta:
        model = CampaignTask
        fields: list[str] = []

    def __init__(self, *args, campaign, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if hasattr(field.widget, "choices") else "form-control"
            field.widget.attrs["class"] = css
        self.form.fields["q"].widget.attrs["placeholder"] = _("单位名称")

    def filter_late(self, queryset, name, value):
        q = late_q(self.campaign.deadline)
        if value == YES:
            return queryset.filter(q)
        if value == NO:
            return queryset.exclude(q)
        return queryset


def _count(value) -> str:
    return format_html('<span class="text-secondary">0</span>') if not value else str(value)


class BoardTable(tables.Table):
    select = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "th__input": {"data-select-all": "tasks", "aria-label": _("全选")},
            "td__input": {"name": "tasks", "form": "board-actions"},
        },
        orderable=False,
    )
    unit_name = tables.Column(verbose_name=_("单位"))
    state = tables.Column(verbose_name=_("状态"), order_by=("state_order", "unit_name"))
    confirmed = tables.Column(verbose_name=_("确认"), attrs={"td": {"class": "text-end"}})
    corrected = tables.Column(verbose_name=_("修改"), attrs={"td": {"class": "text-end"}})
    closing = tables.Column(verbose_name=_("注销/解散"), attrs={"td": {"class": "text-end"}})
    added = tables.Column(verbose_name=_("新增"), attrs={"td": {"class": "text-end"}})
    pending = tables.Column(verbose_name=_("待处理"), attrs={"td": {"class": "text-end"}})
    open_findings = tables.Column(verbose_name=_("未整改问题"), attrs={"td": {"class": "text-end"}})
    submitted_at = tables.DateTimeColumn(
        verbose_name=_("提交时间"), format="Y-m-d H:i", attrs={"td": {"class": "beian-nowrap"}}
    )
    late = tables.Column(verbose_name=_("逾期"))

    class Meta:
        attrs = {"class": "table table-vcenter card-table table-sm", "id": "board-table"}
        order_by = ("unit_name",)
        empty_text = _("没有符合条件的单位")

    def render_unit_name(self, record, value):
        url = reverse("campaigns:task_detail", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, value)

    def render_state(self, record, value):
        return format_html(
            '<span class="badge {}">{}</span>',
            state_class(value),
            record.task.get_state_display(),
        )

    def render_late(self, value):
        if value:
            return format_html('<span class="badge bg-red-lt">{}</span>', _("逾期"))
        return "—"

    def render_confirmed(self, value):
        return _count(value)

    def render_corrected(self, value):
        return _count(value)

    def render_closing(self, value):
        return _count(value)

    def render_added(self, value):
        return _count(value)

    def render_pending(self, value):
        return _count(value)

    def render_open_findings(self, value):
        if not value:
            return _count(value)
        return format_html('<span class="badge bg-orange-lt">{}</span>', value)
