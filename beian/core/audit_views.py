"""The audit log page: read-only, for school admins and auditors. Nothing here (nor
anywhere) edits or deletes an event; the database refuses it too."""

import django_filters
import django_tables2 as tables
from django import forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.utils import timezone
from django.utils.html import format_html, format_html_join
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


#: Chinese names of the keys that audit rows carry besides the fields of their object.
DETAIL_LABELS = {
    "action": _("动作"),
    "change_kinds": _("变更事项"),
    "comment": _("意见"),
    "counts": _("行数统计"),
    "decision": _("审批意见"),
    "display_name": _("姓名"),
    "dropped_rows": _("舍弃的行"),
    "effective_on": _("生效日期"),
    "file": _("文件"),
    "filing": _("备案申请编号"),
    "filter": _("筛选条件"),
    "filters": _("筛选条件"),
    "format": _("格式"),
    "kind": _("类型"),
    "layout": _("版式"),
    "name": _("名称"),
    "number": _("备案编号"),
    "person": _("人员"),
    "parent": _("所属记录"),
    "path": _("路径"),
    "method": _("请求方法"),
    "fields": _("字段"),
    "personal_data": _("个人信息"),
    "position": _("审批步骤序号"),
    "previous_reason": _("原豁免理由"),
    "reason": _("原因"),
    "reported_late": _("逾期报备"),
    "role": _("角色"),
    "role_label": _("角色"),
    "round": _("轮次"),
    "rows": _("行数"),
    "sha256": _("文件校验值"),
    "sheet": _("工作表"),
    "source": _("来源"),
    "status": _("状态"),
    "step": _("审批步骤"),
    "team": _("管理队伍"),
    "tier": _("分级"),
    "unit": _("单位"),
    "unmasked": _("未脱敏行数"),
    "username": _("用户名"),
    "via": _("途径"),
    "what": _("内容"),
    "written": _("写入行数"),
}
#: Keys whose values are choices of a field elsewhere: (model label, field name).
DETAIL_CHOICES = {
    "action": ("filings.FilingEvent", "action"),
    "role": ("users.RoleAssignment", "role"),
}
#: Keys that repeat another key in a form for machines.
DETAIL_HIDDEN = {"role", "unit_id"}


def _model(label: str):
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(model, key: str) -> str:
    field = _field(model, key)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    return str(DETAIL_LABELS.get(key, key))


def _value(model, key: str, value) -> str:
    """A stored value as people read it: choices by their label, yes / no, lists joined."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, list):
        return "、".join(_value(model, key, v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{_label(None, k)}：{_value(None, k, v)}" for k, v in value.items())
    field = _field(model, key)
    if field is None and key in DETAIL_CHOICES:
        other, name = DETAIL_CHOICES[key]
        field = _field(_model(other), name)
    choices = dict(getattr(field, "flatchoices", None) or ())
    if choices:
        return str(choices.get(value, choices.get(str(value), value)))
    return str(value)


def _cell(**attrs) -> dict:
    """A cell's attributes plus its column's name (`data-label`), which the phone layout
    (`.beian-stack` in beian.css) shows above the value when rows stack into cards."""
    return {"td": {"data-label": lambda bound_column: bound_column.verbose_name, **attrs}}


class AuditEventTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name=_("时间"), format="Y-m-d H:i:s", attrs=_cell())
    actor_name = tables.Column(verbose_name=_("操作人"), orderable=False, attrs=_cell())
    event = tables.Column(
        verbose_name=_("事件"), orderable=False, attrs=_cell(**{"class": "beian-nowrap"})
    )
    success = tables.Column(
        verbose_name=_("结果"), orderable=False, attrs=_cell(**{"class": "beian-nowrap"})
    )
    object_repr = tables.Column(
        verbose_name=_("对象"), orderable=False, attrs=_cell(style="min-width: 8rem")
    )
    ip = tables.Column(
        verbose_name=_("IP 地址"), orderable=False, attrs=_cell(**{"class": "beian-nowrap"})
    )
    detail = tables.Column(
        verbose_name=_("详情"),
        orderable=False,
        empty_values=(),
        attrs=_cell(style="min-width: 18rem"),
    )

    class Meta:
        model = AuditEvent
        fields = ("at", "actor_name", "event", "success", "object_repr", "ip", "detail")
        attrs = {"class": "table table-vcenter card-table table-sm beian-stack"}
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
            model = _model(record.object_type)
            kind = model._meta.verbose_name if model is not None else record.object_type
            return format_html(
                '{} <span class="text-secondary small">{}</span>', record.object_repr, kind
            )
        return record.object_repr

    def render_detail(self, record):
        """Changed fields as a small table (field: 旧值 → 新值), other facts as lines, all
        in Chinese. Personal data arrives already masked by the services that wrote it."""
        detail = record.detail or {}
        if not detail:
            return "—"
        model = _model(record.object_type)
        parts = []
        changes = detail.get("changes")
        if isinstance(changes, dict) and changes:
            rows = format_html_join(
                "",
                '<tr><th scope="row">{}</th><td><span class="beian-diff-old">{}</span>'
                ' → <span class="beian-diff-new">{}</span></td></tr>',
                (
                    (_label(model, key), _value(model, key, pair[0]), _value(model, key, pair[1]))
                    for key, pair in changes.items()
                    if isinstance(pair, list | tuple) and len(pair) == 2
                ),
            )
            parts.append(
                format_html(
                    '<table class="table table-sm mb-1 beian-audit-changes">'
                    "<thead><tr><th>{}</th><th>{} → {}</th></tr></thead><tbody>{}</tbody></table>",
                    _("字段"),
                    _("旧值"),
                    _("新值"),
                    rows,
                )
            )
        facts = [
            (_label(model, key), _value(model, key, value))
            for key, value in detail.items()
            if key != "changes" and key not in DETAIL_HIDDEN
        ]
        if facts:
            parts.append(
                format_html_join(
                    "", '<div class="small"><span class="text-secondary">{}：</span>{}</div>', facts
                )
            )
        return format_html_join("", "{}", ((part,) for part in parts))


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
