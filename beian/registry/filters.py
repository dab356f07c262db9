"""Filters of the account and group lists. Both start from the user's scope (the view's
queryset) and offer only the units the user can see."""

import django_filters
from django.utils.translation import gettext_lazy as _

from beian.orgs.filters import ScopedFilterSet, UnitSubtreeFilter

from .choices import AccountStatus, FilingState, GroupPurpose, GroupStatus, Tier
from .models import ChatGroup, MediaAccount, Platform

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

    class Meta:
        model = MediaAccount
        fields: list[str] = []


class GroupFilterSet(StyledFilterSet):
    unit = UnitSubtreeFilter(field_name="owner_unit", empty_label=ALL)
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
