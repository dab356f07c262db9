"""Writes of the notify app: the inbox, channels and due points. Other apps call these;
nothing else writes these models."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.audit import audit, changed_fields
from beian.core.choices import AuditEventType

from .channels import SUBJECT_PREFIX, Digest, SendError, absolute, check_webhook_url, send
from .choices import WEBHOOK_KINDS, ChannelKind, ReminderState
from .models import Channel, Notification, Reminder

logger = logging.getLogger(__name__)

# --- inbox --------------------------------------------------------------------------------


def notification_send(
    *,
    recipients: Iterable,
    text: str,
    link: str = "",
    subject: str = "",
    unit=None,
    kind: str = "",
    email: bool = True,
) -> None:
    """Tell each recipient once (in-app, and by e-mail when they have an address), after
    the current transaction commits: a rolled-back decision tells nobody anything."""
    users = {u.pk: u for u in recipients if u is not None and getattr(u, "is_active", True)}
    if not users:
        return
    people = list(users.values())
    unit_id = getattr(unit, "pk", unit)
    transaction.on_commit(
        lambda: deliver_inbox(
            people, text, link=link, subject=subject, unit_id=unit_id, kind=kind, email=email
        )
    )


def deliver_inbox(
    users: list,
    text: str,
    *,
    link: str = "",
    subject: str = "",
    unit_id: int | None = None,
    kind: str = "",
    email: bool = True,
) -> None:
    """Write the inbox rows and send the mails (runs after commit)."""
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=u,
                text=text[:500],
                link=link[:300],
                subject=subject[:100],
                unit_id=unit_id,
                kind=kind[:64],
            )
            for u in users
        ]
    )
    if not email:
        return
    body = text + (f"\n\n{absolute(link)}" if link else "")
    for user in users:
        if not user.email:
            continue
        try:
            send_mail(SUBJECT_PREFIX + text[:60], body, None, [user.email])
        except Exception:  # noqa: BLE001 - a mail server outage must not undo the decision
            logger.exception("could not mail %s", user.email)


@transaction.atomic
def notification_mark_read(*, notification: Notification, actor) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- channels -------------------------------------------------------------------------------

CHANNEL_FIELDS = ("unit", "kind", "name", "webhook_url", "secret", "recipients", "enabled")


def _check_channel(channel: Channel) -> None:
    errors: dict[str, list[str]] = {}
    if channel.kind in WEBHOOK_KINDS:
        if not channel.webhook_url:
            errors["webhook_url"] = [_("请填写群机器人的 Webhook 地址")]
        else:
            try:
                check_webhook_url(channel.webhook_url)
            except ValidationError as exc:
                errors["webhook_url"] = exc.messages
    elif channel.kind == ChannelKind.EMAIL:
        from django.core.validators import validate_email

        for address in channel.recipient_addresses():
            try:
                validate_email(address)
            except ValidationError:
                errors.setdefault("recipients", []).append(
                    _("收件人地址无效：%(value)s") % {"value": address}
                )
    if errors:
        raise ValidationError(errors)
    channel.full_clean(exclude=["created_by"])


def _require_unit(actor, unit) -> None:
    if not actor.can_edit_in_unit(getattr(unit, "pk", None)):
        raise PermissionDenied(_("您不能为该单位设置通知渠道"))


def _snapshot(channel: Channel) -> dict:
    data = {f: getattr(channel, f) for f in CHANNEL_FIELDS if f != "secret"}
    data["unit"] = str(channel.unit) if channel.unit_id else None
    data["secret"] = "已设置" if channel.secret else ""
    return data


@transaction.atomic
def channel_create(
    *,
    actor,
    unit,
    kind: str,
    name: str,
    webhook_url: str = "",
    secret: str = "",
    recipients: str = "",
    enabled: bool = True,
) -> Channel:
    _require_unit(actor, unit)
    channel = Channel(
        unit=unit,
        kind=kind,
        name=name.strip(),
        webhook_url=webhook_url.strip() if kind in WEBHOOK_KINDS else "",
        secret=secret.strip() if kind in WEBHOOK_KINDS else "",
        recipients=recipients.strip() if kind == ChannelKind.EMAIL else "",
        enabled=enabled,
        created_by=actor,
    )
    _check_channel(channel)
    channel._change_reason = "新增通知渠道"
    channel.save()
    audit(event=AuditEventType.CREATE, actor=actor, obj=channel, detail=_snapshot(channel))
    return channel


@transaction.atomic
def channel_update(*, actor, channel: Channel, data: dict) -> Channel:
    """Apply the form's values. An empty secret keeps the stored one (it is never shown
    back); `clear_secret` removes it."""
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    _require_unit(actor, channel.unit)
    before = _snapshot(channel)
    for field in ("unit", "kind", "name", "webhook_url", "recipients", "enabled"):
        if field in data:
            value = data[field]
            setattr(channel, field, value.strip() if isinstance(value, str) else value)
    _require_unit(actor, channel.unit)
    if data.get("clear_secret"):
        channel.secret = ""
    elif data.get("secret"):
        channel.secret = data["secret"].strip()
    if channel.kind not in WEBHOOK_KINDS:
        channel.webhook_url = channel.secret = ""
    if channel.kind != ChannelKind.EMAIL:
        channel.recipients = ""
    _check_channel(channel)
    channel._change_reason = "修改通知渠道"
    channel.save()
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=channel,
        detail={"changed": changed_fields(before, _snapshot(channel))},
    )
    return channel


@transaction.atomic
def channel_set_enabled(*, actor, channel: Channel, enabled: bool) -> Channel:
    return channel_update(actor=actor, channel=channel, data={"enabled": enabled})


def channel_test(*, actor, channel: Channel) -> str:
    """Send a test message now; records the outcome on the channel. Returns the error text,
    or "" when the platform took it."""
    _require_unit(actor, channel.unit)
    digest = Digest(
        title=_("测试消息：%(name)s") % {"name": channel.name},
        lines=[{"text": _("这是新媒体备案系统发出的测试消息，收到即表示渠道可用。"), "link": ""}],
    )
    from .delivery import email_recipients

    error = ""
    try:
        send(channel, digest, email_to=email_recipients(channel, channel.unit_id))
    except SendError as exc:
        error = str(exc)
    now = timezone.now()
    with transaction.atomic():
        if error:
            Channel.objects.filter(pk=channel.pk).update(last_error=error, last_error_at=now)
        else:
            Channel.objects.filter(pk=channel.pk).update(last_ok_at=now, last_error="")
        audit(
            event=AuditEventType.OTHER,
            actor=actor,
            obj=channel,
            success=not error,
            detail={"action": "channel_test", "error": error},
        )
    return error


# --- due points -------------------------------------------------------------------------------


def reminder_schedule(
    *,
    key: str,
    unit,
    kind: str,
    text: str,
    due_at: datetime,
    link: str = "",
    subject: str = "",
    recipients: Iterable = (),
) -> tuple[Reminder, bool]:
    """Record a due point once. The key names it for good ("campaign:12:task:34:due-7d"):
    scheduling the same key again changes a still pending reminder (a moved deadline, a new
    text) and does nothing to one already sent or cancelled. Returns (reminder, created).
    `recipients` are users (or their ids) who also get it in their inbox."""
    if not key or len(key) > 200:
        raise ValueError("reminder key must be 1-200 characters")
    if timezone.is_naive(due_at):
        raise ValueError("due_at must be an aware datetime")
    user_ids = sorted({getattr(u, "pk", u) for u in recipients if u is not None})
    values = {
        "unit_id": getattr(unit, "pk", unit),
        "kind": kind[:64],
        "text": text[:500],
        "link": link[:300],
        "subject": subject[:100],
        "recipients": user_ids,
        "due_at": due_at,
    }
    with transaction.atomic():
        reminder, created = Reminder.objects.get_or_create(key=key, defaults=values)
        if not created and reminder.state == ReminderState.PENDING:
            changed = {f: v for f, v in values.items() if getattr(reminder, f) != v}
            if changed:
                Reminder.objects.filter(pk=reminder.pk, state=ReminderState.PENDING).update(
                    **changed
                )
                reminder.refresh_from_db()
    return reminder, created


def reminders_cancel(*, key_prefix: str) -> int:
    """Cancel the pending reminders whose key starts with `key_prefix` (e.g. a task was
    submitted: "campaign:12:task:34:"). Sent ones stay as they were."""
    if not key_prefix:
        raise ValueError("key_prefix must not be empty")
    return Reminder.objects.filter(key__startswith=key_prefix, state=ReminderState.PENDING).update(
        state=ReminderState.CANCELLED
    )
