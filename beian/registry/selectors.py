"""Reads of the registry: scoped querysets for lists and detail pages, who may do what to a
record, the people and units a form may offer, and a record's history incl. its team's.

Every query here starts from `visible_to(user)` or `editable_by(user)`; nothing in the
registry UI reads accounts or groups any other way."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.history import HISTORY_TYPE, Change, HistoryEntry, history_entries
from beian.orgs.models import Person, Unit

from .choices import TeamRole
from .models import AccountMember, ChatGroup, GroupMember, MediaAccount, Platform

# --- lists and single records ------------------------------------------------------------


def account_list(*, user) -> QuerySet[MediaAccount]:
    """The accounts a user may see, with what a list row shows (a fixed number of queries)."""
    return MediaAccount.objects.visible_to(user).select_related("platform", "owner_unit")


def group_list(*, user) -> QuerySet[ChatGroup]:
    """The chat groups a user may see, with what a list row shows."""
    return ChatGroup.objects.visible_to(user).select_related("platform", "owner_unit")


def account_for_detail() -> QuerySet[MediaAccount]:
    return MediaAccount.objects.select_related(
        "platform", "owner_unit", "guiding_unit", "created_by"
    )


def group_for_detail() -> QuerySet[ChatGroup]:
    return ChatGroup.objects.select_related(
        "platform", "owner_unit", "creator", "creator__unit", "created_by"
    )


# --- when an account opened, when it last posted (the dashboard's figures and the list's
# filters that its bars link to share these definitions) --------------------------------


def opened_between_q(start: dt.date, end: dt.date) -> Q:
    """Accounts opened on or after `start` and before `end`: by their 创建时间
    (`created_month`) when known, else by the day they were entered in Beian."""
    tz = timezone.get_current_timezone()
    entered_from = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    entered_to = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    return Q(created_month__gte=start, created_month__lt=end) | Q(
        created_month__isnull=True, created_at__gte=entered_from, created_at__lt=entered_to
    )


def posted_within_q(days: int, today: dt.date | None = None) -> Q:
    """Accounts whose last known post (the newest activity evidence) is at most `days`
    days old."""
    today = today or timezone.localdate()
    return Q(last_post_date__gte=today - dt.timedelta(days=days))


_ROLE_ORDER = {role: index for index, role in enumerate(TeamRole.values)}


def record_team(record: MediaAccount | ChatGroup) -> list[AccountMember | GroupMember]:
    """The team of an account or a group, in the order the forms list roles (主管领导,
    第一责任人, 负责人 … 负责学生), with each person's unit."""
    members = record.members.select_related("person", "person__unit").order_by("pk")
    return sorted(members, key=lambda m: _ROLE_ORDER.get(m.role, len(_ROLE_ORDER)))


# --- who may do what -------------------------------------------------------------------


def _queryset_for(record) -> QuerySet:
    return type(record)._default_manager.all()


def can_create_records(user) -> bool:
    """School admins create anywhere; unit admins inside their subtrees."""
    return user.is_authenticated and (user.is_school_admin or bool(user.admin_unit_ids))


def can_edit_record(user, record: MediaAccount | ChatGroup) -> bool:
    """The record is in `editable_by(user)`: school admin, unit admin of the owning unit's
    subtree, or an operator on the record's team."""
    if not user.is_authenticated:
        return False
    if user.is_school_admin or record.owner_unit_id in user.admin_unit_ids:
        return True
    return _queryset_for(record).editable_by(user).filter(pk=record.pk).exists()


def can_manage_record(user, record: MediaAccount | ChatGroup) -> bool:
    """Moving a record, changing what its tier follows from, closing or dissolving it: the
    school admin or the unit admin of the owning unit (operators cannot)."""
    return user.is_authenticated and user.can_edit_in_unit(record.owner_unit_id)


def can_close_record(user, record: MediaAccount | ChatGroup) -> bool:
    closed = record.is_closed if isinstance(record, MediaAccount) else record.is_dissolved
    return not closed and can_manage_record(user, record)


def can_set_tier(user) -> bool:
    """Only the school admin overrides the tier an account derives from its unit."""
    return user.is_authenticated and user.is_school_admin


def record_permissions(user, record: MediaAccount | ChatGroup) -> dict[str, bool]:
    """What the detail page may offer: edit, close/dissolve, tier override."""
    closed = record.is_closed if isinstance(record, MediaAccount) else record.is_dissolved
    can_edit = not closed and can_edit_record(user, record)
    return {
        "can_edit": can_edit,
        "can_close": can_close_record(user, record),
        "can_set_tier": isinstance(record, MediaAccount) and not closed and can_set_tier(user),
    }


# --- what forms may offer --------------------------------------------------------------


def writable_units(user) -> QuerySet[Unit]:
    """Units a user may own records in: all for the school admin, the admin subtrees
    otherwise (operators none)."""
    if user.is_school_admin:
        return Unit.objects.filter(is_active=True).order_by("name")
    return Unit.objects.filter(pk__in=sorted(user.admin_unit_ids), is_active=True).order_by("name")


def selectable_people(user, record: MediaAccount | ChatGroup | None = None) -> QuerySet[Person]:
    """People a user may put on a team: the people they can see, plus whoever is on the
    record's team already (so an operator can keep a teammate they cannot look up)."""
    people = Person.objects.visible_to(user)
    if record is not None and record.pk:
        current = list(record.members.values_list("person_id", flat=True))
        if isinstance(record, ChatGroup) and record.creator_id:
            current.append(record.creator_id)
        if current and not user.sees_everything:
            people = Person.objects.filter(pk__in=people.values("pk")) | Person.objects.filter(
                pk__in=current
            )
    return people.select_related("unit").order_by("unit__name", "name", "pk")


def account_platforms(keep: int | None = None) -> QuerySet[Platform]:
    """Platforms an account may be on (not group platforms); `keep` a retired one in use."""
    return Platform.objects.filter(Q(is_active=True) | Q(pk=keep), for_groups=False)


def group_platforms(keep: int | None = None) -> QuerySet[Platform]:
    """Chat-group platforms; `keep` a retired one in use."""
    return Platform.objects.filter(Q(is_active=True) | Q(pk=keep), for_groups=True)


# --- history ---------------------------------------------------------------------------


def record_history(record: MediaAccount | ChatGroup, limit: int = 50) -> list[HistoryEntry]:
    """The record's own field history and its team's (people joining and leaving roles),
    newest first."""
    entries = history_entries(record, limit=limit)
    member_model = AccountMember if isinstance(record, MediaAccount) else GroupMember
    rows = (
        member_model.history.filter(record_id=record.pk)
        .select_related("person", "history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    label = _("管理队伍")
    roles = dict(member_model._meta.get_field("role").flatchoices)
    for row in rows:
        who = f"{roles.get(row.role, row.role)}：{row.person.name if row.person else '—'}"
        old, new = ("—", who) if row.history_type == "+" else (who, "—")
        if row.history_type == "~":
            old = new = who
        entries.append(
            HistoryEntry(
                at=row.history_date,
                user=str(row.history_user) if row.history_user else "系统",
                kind=HISTORY_TYPE.get(row.history_type, row.history_type),
                reason=row.history_change_reason or "",
                changes=[Change("team", label, old, new)],
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
