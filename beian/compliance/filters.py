"""Filters of the findings list (also used by its export): rule, severity, state, kind of
record, unit subtree and a search over record names and messages."""

import django_filters
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from beian.orgs.filters import ScopedFilterSet, UnitOnlyFilter, UnitSubtreeFilter

from .choices import FindingState, Severity, TargetKind
from .models import Finding
from .rules import RULES

ALL = _("全部")


def rule_choices():
    return [(code, rule.title) for code, rule in RULES.items()]


class FindingFilterSet(ScopedFilterSet):
    """Without a `state` parameter the list shows the open findings; `state=` (empty) shows
    every state."""

    unit = UnitSubtreeFilter(field_name="owner_unit", empty_label=ALL)
    unit_only = UnitOnlyFilter(field_name="owner_unit")
    rule = django_filters.ChoiceFilter(label=_("规则"), choices=rule_choices, empty_label=ALL)
    severity = django_filters.ChoiceFilter(
        label=_("严重程度"), choices=Severity.choices, empty_label=ALL
    )
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=FindingState.choices, empty_label=ALL
    )
    target = django_filters.ChoiceFilter(
        label=_("对象"), choices=TargetKind.choices, empty_label=ALL, method="filter_target"
    )

    class Meta:
        model = Finding
        fields = ["q", "unit", "unit_only", "rule", "severity", "state", "target"]

    def __init__(self, data=None, *args, **kwargs):
        if data is None or "state" not in data:
            data = data.copy() if data is not None else QueryDict(mutable=True)
            data["state"] = FindingState.OPEN
        super().__init__(data, *args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = _("账号/群名称、账号、说明")

    def filter_target(self, queryset, name, value):
        if value == TargetKind.ACCOUNT:
            return queryset.filter(account__isnull=False)
        if value == TargetKind.GROUP:
            return queryset.filter(group__isnull=False)
        return queryset

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
