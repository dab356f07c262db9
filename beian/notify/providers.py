"""Providers: plain functions that higher apps register (in their AppConfig.ready) and that
the periodic task `notify.tasks.send_due` calls before it sends, so that each app can
schedule its due points (`services.reminder_schedule`, idempotent by key) without this app
knowing its models.

    from beian.notify.providers import register

    @register                       # every run of send_due (every few minutes)
    def campaign_due_points(now): ...

    @register(daily_at=time(8, 30))  # once a day, at the first run after 08:30 local time
    def remind_filings(now): ...

A provider takes the current time (aware datetime) and returns nothing (or a count). An
exception in one provider is logged and does not stop the others or the sending."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

Provider = Callable[[datetime], object]


@dataclass(frozen=True)
class Registered:
    name: str
    func: Provider
    daily_at: time | None = None


_providers: dict[str, Registered] = {}


def register(func: Provider | None = None, *, name: str = "", daily_at: time | None = None):
    """Register `func(now)`; usable as `@register` or `@register(daily_at=time(8, 30))`.
    Registering the same name again replaces the earlier entry (safe under autoreload)."""

    def wrap(f: Provider) -> Provider:
        key = name or f"{f.__module__}.{f.__qualname__}"
        _providers[key] = Registered(key, f, daily_at)
        return f

    return wrap(func) if func is not None else wrap


def registered() -> list[Registered]:
    return list(_providers.values())


def unregister(name: str) -> None:
    _providers.pop(name, None)


def run_all(now: datetime | None = None) -> dict[str, object]:
    """Call every provider that is due now; daily ones at most once per local day, even with
    several workers (the unique ProviderRun row is the claim)."""
    from .models import ProviderRun

    now = now or timezone.now()
    local = timezone.localtime(now)
    results: dict[str, object] = {}
    for entry in registered():
        if entry.daily_at is not None:
            if local.time() < entry.daily_at:
                continue
            try:
                with transaction.atomic():
                    ProviderRun.objects.create(name=entry.name, run_on=local.date())
            except IntegrityError:
                continue  # another run took today's turn
        try:
            results[entry.name] = entry.func(now)
        except Exception:  # noqa: BLE001 - one app's bug must not stop the reminders of all
            logger.exception("notification provider %s failed", entry.name)
            results[entry.name] = None
            if entry.daily_at is not None:  # let the next run try today's turn again
                ProviderRun.objects.filter(name=entry.name, run_on=local.date()).delete()
    return results
