"""Sending due points exactly once, as digests, within the platforms' rate limits.

One run of `send_due()` (the periodic task, every few minutes; safe to run in several
workers at once):

1. calls the registered providers (they schedule due points idempotently by key);
2. **claims** the due reminders in one UPDATE … WHERE state='pending' (or 'sending' with a
   claim older than CLAIM_TIMEOUT: a worker that died mid-run) → 'sending' with its own
   claim token, so two workers never hold the same row;
3. **fans out** its claimed rows in one transaction: inbox rows for their recipients, one
   digest `Message` per unit per channel, and the rows marked 'sent' — all or nothing, and
   only while the claim is still its own;
4. **delivers** the messages: each one claimed the same way, at most RATE_LIMIT attempts per
   webhook in any RATE_WINDOW (the sent-log is `Message.last_attempt_at`, checked while the
   channel row is locked), retried with exponential back-off, given up after MAX_ATTEMPTS
   with the error shown on the channel page.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.orgs.models import Unit
from beian.users.choices import Role
from beian.users.models import RoleAssignment, User

from . import providers
from .channels import Digest, SendError, send
from .choices import ChannelKind, MessageState, ReminderState
from .models import Channel, Message, Notification, Reminder

#: A claim older than this belongs to a worker that died; another run takes it over.
CLAIM_TIMEOUT = timedelta(minutes=10)
#: The platforms allow 20 messages a minute per robot (DingTalk, WeCom, Feishu).
RATE_LIMIT = 20
RATE_WINDOW = timedelta(minutes=1)
#: Failed sends are retried after 1, 2, 4, 8, 16 minutes; then given up.
MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(minutes=1)
BATCH = 500


def send_due(now: datetime | None = None, *, run_providers: bool = True) -> dict[str, int]:
    """One run of the periodic task. Returns counts for the log and the tests."""
    now = now or timezone.now()
    if run_providers:
        providers.run_all(now)
    fanned = 0
    while True:
        token = claim_reminders(now)
        if token is None:
            break
        fanned += fan_out(token, now)
    delivered = deliver_messages(now)
    return {"reminders": fanned, **delivered}


# --- 2. claim -------------------------------------------------------------------------------


def _claimable_reminders(now: datetime) -> Q:
    return Q(state=ReminderState.PENDING, due_at__lte=now) | Q(
        state=ReminderState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )


def claim_reminders(now: datetime, limit: int = BATCH) -> str | None:
    """Claim up to `limit` due reminders for this run; returns the claim token, or None
    when nothing was left to claim."""
    ids = list(
        Reminder.objects.filter(_claimable_reminders(now))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return None
    token = uuid.uuid4().hex
    claimed = (
        Reminder.objects.filter(pk__in=ids)
        .filter(_claimable_reminders(now))
        .update(state=ReminderState.SENDING, claim_token=token, claimed_at=now)
    )
    return token if claimed else ""


# --- 3. fan out ------------------------------------------------------------------------------


def fan_out(token: str, now: datetime) -> int:
    """Turn this run's claimed reminders into inbox rows and digests, and mark them sent."""
    if not token:
        return 0
    with transaction.atomic():
        rows = list(
            Reminder.objects.select_for_update()
            .filter(claim_token=token, state=ReminderState.SENDING)
            .order_by("due_at", "pk")
        )
        if not rows:
            return 0
        Reminder.objects.filter(pk__in=[r.pk for r in rows], claim_token=token).update(
            state=ReminderState.SENT, sent_at=now
        )
        _write_inbox(rows)
        _write_digests(rows, now)
    return len(rows)


def _write_inbox(rows: list[Reminder]) -> None:
    wanted = {pk for r in rows for pk in r.recipients}
    active = set(User.objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                text=r.text,
                link=r.link,
                subject=r.subject,
                unit_id=r.unit_id,
                kind=r.kind,
            )
            for r in rows
            for pk in r.recipients
            if pk in active
        ]
    )


def _write_digests(rows: list[Reminder], now: datetime) -> None:
    by_unit: dict[int, list[Reminder]] = defaultdict(list)
    for r in rows:
        if r.unit_id:
            by_unit[r.unit_id].append(r)
    if not by_unit:
        return
    names = dict(Unit.objects.filter(pk__in=by_unit).values_list("pk", "name"))
    resolver = ChannelResolver()
    for unit_id, items in by_unit.items():
        title = _("%(unit)s：%(count)s 条提醒") % {
            "unit": names.get(unit_id, ""),
            "count": len(items),
        }
        lines = [{"text": r.text, "link": r.link, "kind": r.kind} for r in items]
        for channel in resolver.channels_for(unit_id):
            message = Message.objects.create(
                channel=channel, unit_id=unit_id, title=title, lines=lines, next_try_at=now
            )
            message.reminders.set(items)


class ChannelResolver:
    """The enabled channels that serve a unit: its own, else those of its nearest ancestor
    that has some (the school's root unit's are the default)."""

    def __init__(self):
        self.parent = dict(Unit.objects.values_list("pk", "parent_id"))
        self.by_unit: dict[int, list[Channel]] = defaultdict(list)
        for channel in Channel.objects.filter(enabled=True).order_by("pk"):
            self.by_unit[channel.unit_id].append(channel)

    def channels_for(self, unit_id: int | None) -> list[Channel]:
        seen = set()
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            if self.by_unit.get(unit_id):
                return self.by_unit[unit_id]
            unit_id = self.parent.get(unit_id)
        return []

    def source_of(self, unit_id: int | None) -> int | None:
        """The unit whose channels serve `unit_id` (itself or an ancestor), or None."""
        found = self.channels_for(unit_id)
        return found[0].unit_id if found else None


def email_recipients(channel: Channel, unit_id: int | None) -> list[str]:
    """The channel's own addresses; else the e-mail of every unit admin of the unit or of
    a unit above it."""
    if channel.kind != ChannelKind.EMAIL:
        return []
    named = channel.recipient_addresses()
    if named:
        return named
    parent = dict(Unit.objects.values_list("pk", "parent_id"))
    chain, current = [], unit_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parent.get(current)
    emails = (
        RoleAssignment.objects.filter(role=Role.UNIT_ADMIN, unit_id__in=chain, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


# --- 4. deliver ------------------------------------------------------------------------------


def _claimable_messages(now: datetime) -> Q:
    return Q(state=MessageState.PENDING, next_try_at__lte=now) | Q(
        state=MessageState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )


def deliver_messages(now: datetime) -> dict[str, int]:
    counts = {"sent": 0, "failed": 0, "deferred": 0}
    ids = list(
        Message.objects.filter(_claimable_messages(now))
        .order_by("next_try_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    for pk in ids:
        outcome = deliver_one(pk, now)
        if outcome in counts:
            counts[outcome] += 1
    return counts


def deliver_one(pk: int, now: datetime) -> str:
    """Claim one message within its channel's rate limit, send it, record the outcome.
    Returns "sent", "failed" (will retry or gave up), "deferred" (rate limit) or "taken"."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        message = Message.objects.filter(pk=pk).first()
        if message is None:
            return "taken"
        channel = Channel.objects.select_for_update().get(pk=message.channel_id)
        if not channel.enabled:
            Message.objects.filter(pk=pk).filter(_claimable_messages(now)).update(
                state=MessageState.FAILED, last_error=_("渠道已停用")
            )
            return "taken"
        window = Message.objects.filter(
            channel_id=channel.pk, last_attempt_at__gt=now - RATE_WINDOW
        )
        if window.count() >= RATE_LIMIT:
            oldest = window.order_by("last_attempt_at").values_list("last_attempt_at", flat=True)[0]
            Message.objects.filter(pk=pk, state=MessageState.PENDING).update(
                next_try_at=oldest + RATE_WINDOW
            )
            return "deferred"
        claimed = (
            Message.objects.filter(pk=pk)
            .filter(_claimable_messages(now))
            .update(
                state=MessageState.SENDING,
                claim_token=token,
                claimed_at=now,
                last_attempt_at=now,
                attempts=F("attempts") + 1,
            )
        )
        if not claimed:
            return "taken"
    message.refresh_from_db()
    digest = Digest(title=message.title, lines=message.lines)
    error = ""
    try:
        send(channel, digest, email_to=email_recipients(channel, message.unit_id))
    except SendError as exc:
        error = str(exc) or type(exc).__name__
    return _record(message, channel, token, now, error)


def _record(message: Message, channel: Channel, token: str, now: datetime, error: str) -> str:
    mine = Message.objects.filter(pk=message.pk, claim_token=token, state=MessageState.SENDING)
    with transaction.atomic():
        if not error:
            mine.update(state=MessageState.SENT, sent_at=now, last_error="")
            Channel.objects.filter(pk=channel.pk).update(last_ok_at=now)
            return "sent"
        if message.attempts >= MAX_ATTEMPTS:
            text = _("%(error)s（已尝试 %(n)s 次，放弃发送：%(title)s）") % {
                "error": error,
                "n": message.attempts,
                "title": message.title,
            }
            mine.update(state=MessageState.FAILED, last_error=text)
        else:
            text = error
            delay = BACKOFF_BASE * (2 ** (message.attempts - 1))
            mine.update(state=MessageState.PENDING, last_error=text, next_try_at=now + delay)
        Channel.objects.filter(pk=channel.pk).update(last_error=text, last_error_at=now)
    return "failed"
