"""Filters of the account and group lists. Both start from the user's scope (the view's
queryset) and offer only the units the user can see."""

import datetime as dt

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from beian.orgs.filters import ScopedFilterSet, UnitOnlyFilter, UnitSubtreeFilter

from .choices import AccountStatus, FilingState, GroupPurpose, GroupStatus, Tier
from .models import ChatGroup, MediaAccount, Platform
from .selectors import opened_between_q, posted_within_q

ALL = _("全部")
YES, NO = "yes", "no"


class YesNoFilter(django_filters.ChoiceFilter):
    """A boolean field as 全部 / 是 / 否."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [(YES, _("是")), (NO, _("否"))])
        kwargs.setdefault("empty_label", ALL)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value not in (YES, NO):
            return qs
        return qs.filter(**{self.field_name: value == YES})


class MonthFilter(django_filters.CharFilter):
    """A month as "2026-03" (the browser's month picker); the filterset's `method` turns
    it into a range with `month_range`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "validators",
            [RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", _("请按“年-月”填写月份，如 2026-03"))],
        )
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month"}))
        super().__init__(*args, **kwargs)


def month_range(value: str) -> tuple[dt.date, dt.date]:
    """ "2026-03" → (2026-03-01, 2026-04-01)."""
    year, month = (int(part) for part in value.split("-"))
    return dt.date(year, month, 1), dt.date(year + month // 12, month % 12 + 1, 1)


#: The 最近发布 filter: (value, label, days, posted within them or not).
POSTED_CHOICES = (
    ("30", _("30 天内有发布"), 30, True),
    ("90", _("90 天内有发布"), 90, True),
    ("stale90", _("90 天内无发布（含未记录）"), 90, False),
)


class StyledFilterSet(ScopedFilterSet):
    """Tabler classes on the filter widgets (the list template renders them bare)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            is_select = hasattr(field.widget, "choices")
            css = "form-select" if is_select else "form-control"
            current = field.widget.attrs.get("class", "")
            if css not in current.split():
                field.widget.attrs["class"] = f"{current} {css}".strip()


class AccountFilterSet(StyledFilterSet):
    unit = UnitSubtreeFilter(field_name="owner_unit", empty_label=ALL)
    unit_only = UnitOnlyFilter(field_name="owner_unit")
    platform = django_filters.ModelChoiceFilter(
        label=_("平台"),
        queryset=Platform.objects.filter(for_groups=False),
        empty_label=ALL,
    )
    tier = django_filters.ChoiceFilter(label=_("分级"), choices=Tier.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=AccountStatus.choices, empty_label=ALL
    )
    filing_state = django_filters.ChoiceFilter(
        label=_("备案状态"), choices=FilingState.choices, empty_label=ALL
    )
    verified = YesNoFilter(label=_("已认证"))
    is_official = YesNoFilter(label=_("官方账号"))
    is_personal = YesNoFilter(label=_("个人名义"))
    posted = django_filters.ChoiceFilter(
        label=_("最近发布"),
        choices=[(value, label) for value, label, _days, _within in POSTED_CHOICES],
        empty_label=ALL,
        method="filter_posted",
    )
    opened_month = MonthFilter(label=_("开设月份"), method="filter_opened")
    closed_month = MonthFilter(label=_("注销月份"), method="filter_closed")

    class Meta:
        model = MediaAccount
        fields: list[str] = []

    def filter_posted(self, queryset, name, value):
        for code, _label, days, within in POSTED_CHOICES:
            if value == code:
                q = posted_within_q(days)
                return queryset.filter(q) if within else queryset.exclude(q)
        return queryset

    def filter_opened(self, queryset, name, value):
        return queryset.filter(opened_between_q(*month_range(value)))

    def filter_closed(self, queryset, name, value):
        start, end = month_range(value)
        return queryset.filter(closed_on__gte=start, closed_on__lt=end)


class GroupFilterSet(StyledFilterSet):
    unit = UnitSubtreeFilter(field_name="owner_unit", empty_label=ALL)
    unit_only = UnitOnlyFilter(field_name="owner_unit")
    platform = django_filters.ModelChoiceFilter(
        label=_("平台"),
        queryset=Platform.objects.filter(for_groups=True),
        empty_label=ALL,
    )
    purpose = django_filters.ChoiceFilter(
        label=_("群性质"), choices=GroupPurpose.choices, empty_label=ALL
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=GroupStatus.choices, empty_label=ALL
    )
    has_outside_members = YesNoFilter(label=_("有校外人员"))
    is_temporary = YesNoFilter(label=_("临时群"))
    min_members = django_filters.NumberFilter(
        label=_("人数不少于"), field_name="member_count", lookup_expr="gte", min_value=0
    )
    registered = YesNoFilter(label=_("已报备"))

    class Meta:
        model = ChatGroup
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = _("群名称、群号、拼音首字母")
