"""Filters shared by every list that can be narrowed to a unit subtree, and the filters of
the unit and people lists."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from beian.core.text import normalize_text

from .choices import CadreLevel, PersonKind, PersonStatus, UnitKind
from .models import Person, Unit


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


class UnitOnlyFilter(django_filters.ChoiceFilter):
    """仅本级: with the list's unit filter set, keeps only the rows of that very unit, not of
    the units below it (the dashboard's "（本级）" bars link here)."""

    def __init__(self, *args, unit_filter: str = "unit", **kwargs):
        self.unit_filter = unit_filter
        kwargs.setdefault("label", _("仅本级"))
        kwargs.setdefault("choices", [("yes", _("是")), ("no", _("否"))])
        kwargs.setdefault("empty_label", _("全部"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        unit = self.parent.form.cleaned_data.get(self.unit_filter)
        if value != "yes" or not unit:
            return qs
        return qs.filter(**{self.field_name: unit.pk})


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


def style_filter_form(form: forms.Form) -> None:
    """Gives the filter widgets the CSS kit's classes (selects and inputs look alike)."""
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        if css not in widget.attrs.get("class", ""):
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def yes_no_filter(label) -> django_filters.BooleanFilter:
    """A yes / no / either filter shown as a select with Chinese choices."""
    return django_filters.BooleanFilter(
        label=label,
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )


def name_search_q(text: str, *, text_fields: tuple[str, ...] = ("name",)) -> Q | None:
    """The Q for a search box over a model with `name_pinyin` / `name_initials` keys: a
    substring of any of `text_fields` (Traditional or full-width input accepted), or the
    start of the pinyin initials or full pinyin ("jsj", "jisuanji"). None for blank input."""
    raw = " ".join((text or "").split())
    normalized = normalize_text(text)
    if not normalized:
        return None
    q = Q()
    for value in dict.fromkeys((raw, normalized)):
        for field in text_fields:
            q |= Q(**{f"{field}__icontains": value})
    letters = normalized.lower().replace(" ", "")
    if letters.isascii() and letters.isalnum():
        q |= Q(name_initials__startswith=letters) | Q(name_pinyin__startswith=letters)
    return q


def search_units(queryset: QuerySet, text: str) -> QuerySet:
    """Units by name, short name, unit code or pinyin of the name."""
    q = name_search_q(text, text_fields=("name", "short_name", "code"))
    return queryset if q is None else queryset.filter(q)


def search_people(queryset: QuerySet, text: str) -> QuerySet:
    """People by name, staff / student number or pinyin of the name."""
    q = name_search_q(text, text_fields=("name", "number"))
    return queryset if q is None else queryset.filter(q)


class UnitFilterSet(ScopedFilterSet):
    unit = UnitSubtreeFilter(field_name="id", label=_("范围（含下级）"), empty_label=_("全部"))
    kind = django_filters.ChoiceFilter(
        label=_("类型"), choices=UnitKind.choices, empty_label=_("全部")
    )
    is_active = yes_no_filter(_("在用"))

    class Meta:
        model = Unit
        fields = ["q", "unit", "kind", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = _("名称、简称、代码、拼音首字母")
        style_filter_form(self.form)

    def filter_search(self, queryset, name, value):
        return search_units(queryset, value)


class PersonFilterSet(ScopedFilterSet):
    unit = UnitSubtreeFilter(field_name="unit", empty_label=_("全部"))
    kind = django_filters.ChoiceFilter(
        label=_("身份"), choices=PersonKind.choices, empty_label=_("全部")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=PersonStatus.choices, empty_label=_("全部")
    )
    cadre_level = django_filters.ChoiceFilter(
        label=_("干部级别"),
        choices=[*CadreLevel.choices, ("unknown", _("未登记"))],
        empty_label=_("全部"),
        method="filter_cadre_level",
    )

    class Meta:
        model = Person
        fields = ["q", "unit", "kind", "status", "cadre_level"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = _("姓名、工号/学号、拼音首字母")
        style_filter_form(self.form)

    def filter_search(self, queryset, name, value):
        return search_people(queryset, value)

    def filter_cadre_level(self, queryset, name, value):
        return queryset.filter(cadre_level="" if value == "unknown" else value)
