"""The school's writes over several tasks of a round at once, from the board: confirm or
return a selection of submissions, remind one unit or every slow one.

Each runs in one transaction and calls the single-task service for every task
(`task_confirm`, `task_return`), so each task keeps its history, timeline entry and audit
row; any refusal rolls the whole selection back and names the unit (all or nothing).
Reminders reach the unit admins of each task's unit through the notify app (in-app and
e-mail after the commit), and are written to the task's timeline and the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.users.choices import Role
from beian.users.models import User

from . import services
from .board import UNSUBMITTED
from .choices import CampaignStatus, TaskEventAction
from .models import CampaignTask, TaskEvent

try:  # the notify app (in-app inbox, e-mail, robots)
    from beian.notify.services import notification_send as _send
except ImportError:  # pragma: no cover - before the notify app: the filings' inbox path
    from beian.filings.notifications import notify as _filings_notify

    def _send(*, recipients, text, link="", **_kw):
        _filings_notify(recipients, text, link=link)


def _check_admin(actor) -> None:
    if not actor.is_authenticated or not actor.is_school_admin:
        raise PermissionDenied(_("只有宣传部（学校管理员）可以管理填报任务"))


def _ordered(tasks: Iterable[CampaignTask]) -> list[CampaignTask]:
    ids = sorted({getattr(t, "pk", t) for t in tasks})
    return list(
        CampaignTask.objects.filter(pk__in=ids)
        .select_related("campaign", "unit")
        .order_by("unit__name", "pk")
    )


def _named(task: CampaignTask, exc: ValidationError) -> ValidationError:
    return ValidationError(
        [_("%(unit)s：%(message)s") % {"unit": task.unit.name, "message": m} for m in exc.messages]
    )


@transaction.atomic
def tasks_confirm(*, actor, tasks: Iterable[CampaignTask], comment: str = "") -> int:
    """Confirm several submissions at once (已确认). All or nothing: one task that is not
    submitted refuses the whole selection, naming its unit."""
    _check_admin(actor)
    selected = _ordered(tasks)
    if not selected:
        raise ValidationError(_("请至少选择一个单位"))
    for task in selected:
        try:
            services.task_confirm(actor=actor, task=task, comment=comment)
        except ValidationError as exc:
            raise _named(task, exc) from exc
    return len(selected)


@transaction.atomic
def tasks_return(*, actor, tasks: Iterable[CampaignTask], comment: str) -> int:
    """Return several submissions with one comment (退回). The comment is required; all or
    nothing as `tasks_confirm`."""
    _check_admin(actor)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("请填写退回意见，说明需要补正的内容")})
    selected = _ordered(tasks)
    if not selected:
        raise ValidationError(_("请至少选择一个单位"))
    for task in selected:
        try:
            services.task_return(actor=actor, task=task, comment=comment)
        except ValidationError as exc:
            raise _named(task, exc) from exc
    return len(selected)


def unit_admins(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """{unit id: its active unit admins} in one query."""
    out: dict[int, list[User]] = {}
    rows = (
        User.objects.filter(
            is_active=True, roles__role=Role.UNIT_ADMIN, roles__unit_id__in=sorted(set(unit_ids))
        )
        .values_list("roles__unit_id", "pk")
        .distinct()
    )
    pairs = list(rows)
    by_pk = {u.pk: u for u in User.objects.filter(pk__in={pk for _unit, pk in pairs})}
    for unit_id, pk in pairs:
        out.setdefault(unit_id, []).append(by_pk[pk])
    return out


@transaction.atomic
def tasks_remind(*, actor, tasks: Iterable[CampaignTask]) -> int:
    """Remind the unit admins of each task's unit that the round waits for them (in-app and
    e-mail, after the commit). Only tasks not yet (re)submitted of an open round are
    reminded, and each at most once a day (a second click the same day reaches nobody
    twice); returns how many units were reminded."""
    _check_admin(actor)
    selected = [t for t in _ordered(tasks) if t.campaign.status == CampaignStatus.OPEN]
    selected = [t for t in selected if t.state in UNSUBMITTED]
    if not selected:
        raise ValidationError(_("所选单位都已提交，无需提醒"))
    today = timezone.localdate()
    selected = [t for t in selected if t.reminded_on != today]
    if not selected:
        raise ValidationError(_("所选单位今天已经提醒过，明天再提醒"))
    admins = unit_admins(t.unit_id for t in selected)
    now = timezone.now()
    for task in selected:
        campaign = task.campaign
        days = (campaign.deadline - today).days
        if days >= 0:
            when = _("距截止日期（%(date)s）还有 %(days)d 天") % {
                "date": campaign.deadline.isoformat(),
                "days": days,
            }
        else:
            when = _("已超过截止日期（%(date)s）%(days)d 天") % {
                "date": campaign.deadline.isoformat(),
                "days": -days,
            }
        text = _("请尽快完成《%(title)s》的填报并提交：%(when)s，当前状态“%(state)s”。") % {
            "title": campaign.title,
            "when": when,
            "state": task.get_state_display(),
        }
        _send(
            recipients=admins.get(task.unit_id, []),
            text=text,
            link=reverse("campaigns:task_detail", args=[task.pk]),
            subject=f"campaign:{campaign.pk}:task:{task.pk}",
            unit=task.unit_id,
            kind="campaign",
        )
        task.reminded_on = today
        task.save(update_fields=["reminded_on", "updated_at"])
        TaskEvent.objects.create(
            task=task,
            at=now,
            actor=actor,
            action=TaskEventAction.REMINDED,
            detail={"recipients": [u.pk for u in admins.get(task.unit_id, [])]},
        )
        audit(
            event=AuditEventType.OTHER,
            actor=actor,
            obj=task,
            detail={"action": "remind", "recipients": len(admins.get(task.unit_id, []))},
        )
    return len(selected)
