"""Background work on the task queue (huey): the nightly full scan, feed polling, and the
full scan a school admin asks for. Periodic tasks are found by huey's consumer, which
imports every installed app's `tasks` module."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from .activity import poll_feeds
from .engine import scan_all, scan_quietly


@db_periodic_task(crontab(hour="2", minute="30"))
@lock_task("compliance-scan")
def nightly_scan():
    """Every night at 02:30: the whole registry against every rule."""
    scan_all()


@db_task()
@lock_task("compliance-scan")
def scan_all_task(actor_id=None):
    """A full scan asked for from the UI ("立即检查")."""
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    scan_all(actor=actor)


@db_task()
def recheck_records_task(accounts=(), groups=(), people=()):
    """Records a bulk write changed (an import of thousands of rows), re-checked after its
    commit (`recheck.records_changed`)."""
    scan_quietly(accounts=accounts, groups=groups, people=people)


@db_periodic_task(crontab(minute="15"))
@lock_task("compliance-poll-feeds")
def poll_feeds_task():
    """Every hour at :15, the feeds that are due (each feed is checked about twice a day,
    less often after failures)."""
    poll_feeds()
