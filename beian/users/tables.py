"""The users table: logins with their roles (prefetched, so the page costs fixed queries)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import User


class UserTable(tables.Table):
    username = tables.Column(verbose_name=_("用户名"))
    display_name = tables.Column(verbose_name=_("姓名"))
    person = tables.Column(verbose_name=_("对应人员"), order_by=("person__name_pinyin",))
    roles = tables.Column(verbose_name=_("角色"), empty_values=(), orderable=False)
    is_active = tables.BooleanColumn(verbose_name=_("启用"), yesno=("是", "否"))
    last_login = tables.DateTimeColumn(verbose_name=_("最近登录"), format="Y-m-d H:i")

    class Meta:
        model = User
        fields = ("username", "display_name", "person", "roles", "is_active", "last_login")
        attrs = {"class": "table table-vcenter card-table"}
        empty_text = _("没有符合条件的用户")

    def render_username(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("users:user_detail", args=[record.pk]), record.username
        )

    def render_person(self, value):
        return format_html('{} <span class="text-secondary">{}</span>', value.name, value.unit.name)

    def render_roles(self, record):
        roles = list(record.roles.all())
        if record.is_superuser:
            roles_html = format_html('<span class="badge bg-red-lt">{}</span> ', _("超级用户"))
        else:
            roles_html = ""
        if not roles and not roles_html:
            return format_html('<span class="text-secondary">{}</span>', _("未分配角色"))
        return format_html(
            "{}{}",
            roles_html,
            format_html_join(
                " ", '<span class="badge bg-blue-lt">{}</span>', ((str(a),) for a in roles)
            ),
        )
