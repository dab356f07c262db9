"""The board's filters (django-filter) and table (django-tables2, sortable by its column
headers). The table takes `board.BoardRow`s: the counts come from two grouped queries,
so they are sorted in memory (a round has at most a few hundred units)."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .board import late_q
from .choices import TaskState
from .models import CampaignTask

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


class BoardTable(tables.Table):
    """Column headers and sorting of the board. The rows are written by the board's template
    (a plain loop over the sorted `BoardRow`s: a hundred units render in a few ms, where
    django-tables2's per-cell machinery took 150 ms)."""

    unit_name = tables.Column(verbose_name=_("单位"))
    state = tables.Column(verbose_name=_("状态"), order_by=("state_order", "unit_name"))
    confirmed = tables.Column(verbose_name=_("确认"))
    corrected = tables.Column(verbose_name=_("修改"))
    closing = tables.Column(verbose_name=_("注销/解散"))
    added = tables.Column(verbose_name=_("新增"))
    pending = tables.Column(verbose_name=_("待处理"))
    open_findings = tables.Column(verbose_name=_("未整改问题"))
    submitted_at = tables.Column(verbose_name=_("提交时间"))
    late = tables.Column(verbose_name=_("逾期"))

    class Meta:
        order_by = ("unit_name",)

    def sorted_rows(self) -> list:
        return list(self.data)
