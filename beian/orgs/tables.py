"""List tables of units and people."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .choices import PersonStatus
from .models import Person, Unit
from .selectors import visible_unit_ids

NOWRAP = {"td": {"class": "beian-nowrap"}}
NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}
#: Columns a phone can do without (the tree indentation already shows the parent).
WIDE_ONLY = {"td": {"class": "d-none d-md-table-cell"}, "th": {"class": "d-none d-md-table-cell"}}


class UnitTable(tables.Table):
    name = tables.Column(verbose_name=_("名称"), order_by=("name_pinyin",), attrs=NOWRAP)
    kind = tables.Column(verbose_name=_("类型"), attrs=NOWRAP)
    parent = tables.Column(
        verbose_name=_("上级单位"), order_by=("parent__name_pinyin",), attrs=WIDE_ONLY
    )
    head = tables.Column(
        verbose_name=_("第一责任人"), order_by=("head__name_pinyin",), attrs=NOWRAP
    )
    account_count = tables.Column(verbose_name=_("账号"), attrs=NUMBER)
    group_count = tables.Column(verbose_name=_("群聊"), attrs=NUMBER)

    class Meta:
        model = Unit
        fields = ("name", "kind", "parent", "head", "account_count", "group_count")
        attrs = {"class": "table table-vcenter card-table"}
        order_by_field = "sort"
        empty_text = _("没有符合条件的单位")

    def before_render(self, request):
        self._visible = visible_unit_ids(request.user)

    def _sees(self, unit_id) -> bool:
        visible = getattr(self, "_visible", None)
        return visible is None or unit_id in visible

    def render_name(self, record):
        """Indented under the nearest ancestor the user sees, while in tree order."""
        url = reverse("orgs:unit_detail", args=[record.pk])
        depth = 0
        if not self.order_by:
            depth = sum(1 for pk in getattr(record, "tree_path", [])[:-1] if self._sees(pk))
        inactive = (
            format_html(' <span class="badge bg-secondary-lt">{}</span>', _("停用"))
            if not record.is_active
            else ""
        )
        if depth:
            return format_html(
                '<span class="beian-tree-indent" style="padding-left: {}rem">'
                '<span class="text-secondary">└</span> <a href="{}">{}</a>{}</span>',
                f"{(depth - 1) * 1.25:.2f}",
                url,
                record.name,
                inactive,
            )
        return format_html('<a href="{}">{}</a>{}', url, record.name, inactive)

    def render_parent(self, value):
        if not self._sees(value.pk):
            return value.name
        return format_html(
            '<a href="{}">{}</a>', reverse("orgs:unit_detail", args=[value.pk]), value
        )

    def render_head(self, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("orgs:person_detail", args=[value.pk]), value.name
        )


STATUS_BADGE = {
    PersonStatus.IN_POST: "bg-green-lt",
    PersonStatus.LEFT: "bg-secondary-lt",
    PersonStatus.GRADUATED: "bg-secondary-lt",
}


class PersonTable(tables.Table):
    """People. The mobile, e-mail and QQ columns are only built for users who may see
    personal data (the view excludes them otherwise, and logs the bulk view)."""

    name = tables.Column(verbose_name=_("姓名"), order_by=("name_pinyin",), attrs=NOWRAP)
    number = tables.Column(verbose_name=_("工号/学号"), attrs=NOWRAP)
    kind = tables.Column(verbose_name=_("身份"), attrs=NOWRAP)
    unit = tables.Column(verbose_name=_("所在单位"), order_by=("unit__name_pinyin",), attrs=NOWRAP)
    post = tables.Column(verbose_name=_("职务"), attrs=NOWRAP)
    cadre_level = tables.Column(verbose_name=_("干部级别"), attrs=NOWRAP)
    status = tables.Column(verbose_name=_("状态"), attrs=NOWRAP)
    mobile = tables.Column(verbose_name=_("手机"), attrs=NOWRAP)

    class Meta:
        model = Person
        fields = (
            "name",
            "number",
            "kind",
            "unit",
            "post",
            "cadre_level",
            "status",
            "mobile",
            "email",
            "qq",
        )
        attrs = {"class": "table table-vcenter card-table"}
        order_by_field = "sort"
        empty_text = _("没有符合条件的人员")

    def render_name(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("orgs:person_detail", args=[record.pk]), record.name
        )

    def render_unit(self, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("orgs:unit_detail", args=[value.pk]), value
        )

    def render_status(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            STATUS_BADGE.get(record.status, "bg-secondary-lt"),
            record.get_status_display(),
        )


PERSONAL_COLUMNS = ("mobile", "email", "qq")
