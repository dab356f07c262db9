"""Reads of units and people, always starting from the user's scope (`visible_to`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from beian.core.text import normalize_text, pinyin_keys

from .choices import SECOND_LEVEL_KINDS, UnitKind
from .models import Person, Unit


def _related_count(relation: str) -> Coalesce:
    """A correlated count of a reverse relation of Unit (accounts, groups, people), written
    through the relation name so that orgs need not import the apps above it."""
    counted = (
        Unit.objects.filter(pk=OuterRef("pk"))
        .annotate(n=Count(relation))
        .values("n")
        .order_by()[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def unit_list(user) -> QuerySet[Unit]:
    """Units the user sees, in tree order (siblings by pinyin), with parent, head and the
    numbers of accounts and groups each owns — one query whatever the page size."""
    return (
        Unit.objects.visible_to(user)
        .with_tree_fields()
        .order_siblings_by("name_pinyin")
        .select_related("parent", "head")
        .annotate(account_count=_related_count("accounts"), group_count=_related_count("groups"))
    )


def visible_unit_ids(user) -> frozenset[int] | None:
    """The ids of the units `user` sees, or None for "all of them" (global roles). The same
    rule as `UnitQuerySet.visible_to`, without a query, to decide what to link."""
    if user.sees_everything:
        return None
    ids = set(user.scoped_unit_ids)
    if user.person_id and user.person is not None:
        ids.add(user.person.unit_id)
    return frozenset(ids)


def person_list(user) -> QuerySet[Person]:
    return Person.objects.visible_to(user).select_related("unit").order_by("name_pinyin", "pk")


@dataclass
class UnitOverview:
    ancestors: list[Unit]  # each with `visible`: whether the user may open it
    children: list[Unit]
    people_count: int
    account_count: int
    group_count: int
    subtree_people_count: int
    subtree_account_count: int
    subtree_group_count: int


def unit_overview(unit: Unit, user) -> UnitOverview:
    """What the unit page shows besides the unit itself: its path from the root, the child
    units the user sees, and how many people, accounts and groups hang on it."""
    ancestors = list(Unit.objects.ancestors(unit)) if unit.parent_id else []
    visible = visible_unit_ids(user)
    for ancestor in ancestors:
        ancestor.visible = visible is None or ancestor.pk in visible
    children = list(
        Unit.objects.visible_to(user)
        .filter(parent=unit)
        .select_related("head")
        .annotate(account_count=_related_count("accounts"), group_count=_related_count("groups"))
        .order_by("name_pinyin")
    )
    counts = (
        Unit.objects.filter(pk__in=Unit.objects.subtree_ids([unit.pk]))
        .annotate(
            n_people=_related_count("people"),
            n_accounts=_related_count("accounts"),
            n_groups=_related_count("groups"),
        )
        .values_list("pk", "n_people", "n_accounts", "n_groups")
        .order_by()
    )
    own = (0, 0, 0)
    below = [0, 0, 0]
    for pk, people, accounts, groups in counts:
        if pk == unit.pk:
            own = (people, accounts, groups)
        below[0] += people
        below[1] += accounts
        below[2] += groups
    return UnitOverview(
        ancestors=ancestors,
        children=children,
        people_count=own[0],
        account_count=own[1],
        group_count=own[2],
        subtree_people_count=below[0],
        subtree_account_count=below[1],
        subtree_group_count=below[2],
    )


def editable_units(user) -> QuerySet[Unit]:
    """Units the user may write in: all for the school admin, the unit admin's subtrees."""
    if user.is_school_admin:
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=sorted(user.admin_unit_ids))


def can_create_units(user) -> bool:
    return user.is_authenticated and (user.is_school_admin or bool(user.admin_unit_ids))


def unit_kinds_for(user) -> list[tuple[str, str]]:
    """The unit kinds a user may give: the school admin any; a unit admin only the kinds
    below the second level (系, 教研室, 班级 …), since 二级单位 are set by the school."""
    if user.is_school_admin:
        return list(UnitKind.choices)
    reserved = SECOND_LEVEL_KINDS | {UnitKind.SCHOOL}
    return [(value, label) for value, label in UnitKind.choices if value not in reserved]


def head_candidates(user) -> QuerySet[Person]:
    """People who may be chosen as a unit's head: those the user sees."""
    return Person.objects.visible_to(user).select_related("unit")


# --- person autocomplete ---------------------------------------------------------------

SUGGEST_LIMIT = 10
_TOP = "\U0010ffff"  # above every character: [text, text + _TOP) is "starts with text"


def person_suggestions(user, text: str, *, limit: int = SUGGEST_LIMIT) -> list[Person]:
    """People the user may see whose staff / student number, pinyin initials, name or full
    pinyin starts with `text` (Traditional and full-width input accepted), then those whose
    name contains it; at most `limit`, best matches first.

    Fast on a large roster: every step is a query with a LIMIT, and all but the last read an
    index (the number's unique index, the pinyin initials' index: a name typed in characters
    is looked up through its initials). Only when those find nobody does one LIKE scan look
    for the text inside names, which no index can serve."""
    raw = " ".join((text or "").split())
    normalized = normalize_text(text)
    if not normalized or limit <= 0:
        return []
    scope = Person.objects.visible_to(user)
    found: dict[int, Person] = {}

    def take(condition: Q, order: str | None = None) -> None:
        need = limit - len(found)
        if need <= 0:
            return
        rows = scope.filter(condition).select_related("unit")
        rows = rows.order_by(order) if order else rows.order_by()
        if found:
            rows = rows.exclude(pk__in=list(found))
        for person in rows[:need]:
            found.setdefault(person.pk, person)

    def starts(field: str, value: str) -> Q:
        return Q(**{f"{field}__gte": value, f"{field}__lt": value + _TOP})

    terms = list(dict.fromkeys((raw, normalized)))
    key = normalized.replace(" ", "")
    if key.isascii() and key.isalnum():
        letters = key.lower()
        # the number's partial unique index needs its condition (number <> '') in the query
        for number in dict.fromkeys((key.upper(), key)):
            take(starts("number", number) & ~Q(number=""), "number")
        if letters.isalpha():
            take(starts("name_initials", letters), "name_initials")
            # full pinyin ("zhangw"): within the initials' index range of its first letter
            take(starts("name_initials", letters[0]) & Q(name_pinyin__startswith=letters))
    else:
        initials = {pinyin_keys(term)[1] for term in terms} - {""}
        for ini in sorted(initials):
            take(Q(name_initials=ini) & Q(name__in=terms))
        for ini in sorted(initials):
            prefix = Q()
            for term in terms:
                prefix |= Q(name__startswith=term)
            take(starts("name_initials", ini) & prefix)
    if not found:
        inside = Q()
        for term in terms:
            inside |= Q(name__contains=term)
        take(inside)
    return list(found.values())
