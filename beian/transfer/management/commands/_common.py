"""What the import and export commands share: the acting user and the unit option."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from beian.core.sheets import CellError
from beian.orgs.models import Unit
from beian.users.choices import Role


def acting_user(username: str | None):
    """--user, or the first superuser / school admin (the command then acts as the
    school)."""
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有用户“{username}”")
        return user
    user = (
        User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
        or User.objects.filter(is_active=True, roles__role=Role.SCHOOL_ADMIN).order_by("pk").first()
    )
    if user is None:
        raise CommandError("请用 --user 指定操作人（系统中没有宣传部管理员）")
    return user


def unit_option(value: str | None, user) -> Unit | None:
    if not value:
        return None
    from beian.transfer.context import UnitIndex

    try:
        pk = UnitIndex(user).resolve(value)
    except CellError as error:
        raise CommandError(error.reason) from None
    return Unit.objects.get(pk=pk)
