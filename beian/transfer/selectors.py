"""What an export contains: the same scope and the same filters as the list it comes from.

Each kind starts from the list's own scoped queryset (`visible_to(user)`) and applies the
list's FilterSet to the query string, so `?unit=3&status=closed` means on the export
what it means on /registry/accounts/.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.db.models import QuerySet

from beian.orgs.models import Person, Unit
from beian.registry import selectors as registry_selectors
from beian.registry.filters import AccountFilterSet, GroupFilterSet
from beian.users.choices import Role


class InvalidFilters(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def _filtersets():
    from beian.orgs.filters import PersonFilterSet, UnitFilterSet

    return {
        "accounts": (AccountFilterSet, registry_selectors.account_list),
        "groups": (GroupFilterSet, registry_selectors.group_list),
        "units": (UnitFilterSet, lambda *, user: Unit.objects.visible_to(user)),
        "people": (
            PersonFilterSet,
            lambda *, user: Person.objects.visible_to(user).order_by("unit__name", "name", "pk"),
        ),
    }


#: Query parameters that are not filters.
NOT_FILTERS = frozenset({"format", "layout", "page", "per_page", "sort"})


def export_queryset(kind: str, user, params: dict[str, Any], request=None) -> tuple[QuerySet, str]:
    """The filtered, scoped queryset of a list and the name of the unit the export is for
    (the filtered unit, or a unit admin's only unit; "" otherwise). Raises InvalidFilters
    when a filter value is not one the user could choose on the list page."""
    filterset_class, scoped = _filtersets()[kind]
    data = {k: v for k, v in params.items() if k not in NOT_FILTERS}
    request = request or SimpleNamespace(user=user, GET=data)
    filterset = filterset_class(data or None, queryset=scoped(user=user), request=request)
    if filterset.is_bound and not filterset.is_valid():
        raise InvalidFilters({k: [str(e) for e in v] for k, v in filterset.errors.items()})
    unit_name = ""
    unit = filterset.form.cleaned_data.get("unit") if filterset.is_bound else None
    if unit is not None:
        unit_name = unit.name
    elif not user.is_school_admin:
        roots = {a.unit for a in user.role_assignments if a.role == Role.UNIT_ADMIN and a.unit}
        if len(roots) == 1:
            unit_name = next(iter(roots)).name
    return filterset.qs, unit_name
