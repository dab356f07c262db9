"""Filters shared by every list that can be narrowed to a unit subtree."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Unit


class UnitSubtreeFilter(django_filters.ModelChoiceFilter):
    """Keeps rows whose unit is the chosen unit or below it. The choices are the units the
    requesting user can see (set by `ScopedFilterSet`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("单位（含下级）"))
        kwargs.setdefault("queryset", Unit.objects.none())
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        ids = Unit.objects.subtree_ids([value.pk])
        return qs.filter(**{f"{self.field_name}__in": ids})


class ScopedFilterSet(django_filters.FilterSet):
    """A FilterSet whose unit choices are limited to the requesting user's scope, and whose
    `q` field searches through the queryset's `search()`."""

    q = django_filters.CharFilter(label=_("搜索"), method="filter_search")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for name, f in self.filters.items():
            if isinstance(f, UnitSubtreeFilter) and user is not None:
                self.form.fields[name].queryset = Unit.objects.visible_to(user).order_by("name")
        self.form.fields["q"].widget.attrs.setdefault("placeholder", _("名称、账号、拼音首字母"))

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
