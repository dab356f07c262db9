"""The audit log page: read-only, for school admins and auditors. Nothing here (nor
anywhere) edits or deletes an event; the database refuses it too."""

import json

import django_filters
import django_tables2 as tables
from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .choices import AuditEventType
from .models import AuditEvent
from .views import ScopedListView


class DateInput(forms.DateInput):
    input_type = "date"


class AuditEventFilterSet(django_filters.FilterSet):
    event = django_filters.ChoiceFilter(
        label=_("事件"), choices=AuditEventType.choices, empty_label=_("全部")
    )
    actor = django_filters.CharFilter(
        label=_("操作人账号"), field_name="actor_name", lookup_expr="icontains"
    )
    since = django_filters.DateFilter(
        label=_("起始日期"), field_name="at", lookup_expr="date__gte", widget=DateInput
    )
    until = django_filters.DateFilter(
        label=_("截止日期"), field_name="at", lookup_expr="date__lte", widget=DateInput
    )
    success = django_filters.BooleanFilter(
        label=_("结果"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("成功")), ("false", _("失败"))]),
    )

    class Meta:
        model = AuditEvent
        fields = ["event", "actor", "since", "until", "success"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )


class AuditEventTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name=_("时间"), format="Y-m-d H:i:s")
    actor_name = tables.Column(verbose_name=_("操作人"), orderable=False)
    event = tables.Column(
        verbose_name=_("事件"), orderable=False, attrs={"td": {"class": "beian-nowrap"}}
    )
    success = tables.Column(
        verbose_name=_("结果"), orderable=False, attrs={"td": {"class": "beian-nowrap"}}
    )
    object_repr = tables.Column(
        verbose_name=_("对象"), orderable=False, attrs={"td": {"style": "min-width: 8rem"}}
    )
    ip = tables.Column(
        verbose_name=_("IP 地址"), orderable=False, attrs={"td": {"class": "beian-nowrap"}}
    )
    detail = tables.Column(
        verbose_name=_("详情"), orderable=False, attrs={"td": {"style": "min-width: 16rem"}}
    )

    class Meta:
        model = AuditEvent
        fields = ("at", "actor_name", "event", "success", "object_repr", "ip", "detail")
        attrs = {"class": "table table-vcenter card-table table-sm"}
        empty_text = _("没有符合条件的记录")

    def render_at(self, value):
        return format_html(
            '<span class="beian-nowrap">{}</span>',
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S"),
        )

    def render_event(self, record):
        return record.get_event_display()

    def render_success(self, value):
        if value:
            return format_html('<span class="badge bg-green-lt">{}</span>', _("成功"))
        return format_html('<span class="badge bg-red-lt">{}</span>', _("失败"))

    def render_object_repr(self, record):
        if record.object_type:
            return format_html(
                '{} <span class="text-secondary small">{}</span>',
                record.object_repr,
                record.object_type,
            )
        return record.object_repr

    def render_detail(self, value):
        if not value:
            return "—"
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        short = text if len(text) <= 120 else text[:117] + "…"
        return format_html('<code class="small" title="{}">{}</code>', text, short)


class AuditListView(ScopedListView):
    """Newest first, filtered by event, actor, date range and result; one count and one
    page query whatever the filters."""

    model = AuditEvent
    filterset_class = AuditEventFilterSet
    table_class = AuditEventTable
    template_name = "core/audit_list.html"
    title = _("审计日志")
    nav = "audit"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.can_read_audit_log:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def scoped_queryset(self):
        return AuditEvent.objects.order_by("-at", "-id")
