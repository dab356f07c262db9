"""Reads of the notify app."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Channel, Notification


def inbox(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def can_manage_channels(user) -> bool:
    """School admins, and unit admins for their subtrees."""
    return user.is_authenticated and (user.is_school_admin or bool(user.admin_unit_ids))


def can_see_channels(user) -> bool:
    return user.is_authenticated and (user.sees_everything or bool(user.admin_unit_ids))


def channel_list(user) -> QuerySet[Channel]:
    return Channel.objects.visible_to(user).select_related("unit").order_by("unit__name", "name")


def inherited_channels(user) -> list[tuple[str, str]]:
    """For each unit a unit admin administers directly: (unit name, name of the unit whose
    channels serve it), or "" when no channel serves it at all."""
    from beian.orgs.models import Unit
    from beian.users.choices import Role

    from .delivery import ChannelResolver

    roots = [a.unit_id for a in user.role_assignments if a.role == Role.UNIT_ADMIN and a.unit_id]
    if not roots:
        return []
    resolver = ChannelResolver()
    names = dict(Unit.objects.values_list("pk", "name"))
    return [(names.get(pk, ""), names.get(resolver.source_of(pk), "")) for pk in sorted(set(roots))]
