"""Inspection reminders through `beian.notify` (the channel layer the campaigns use): the
round opened, 7 days and 1 day before the deadline, overdue, for each unit that has not
submitted; a rectification due in 3 days and overdue. Keys name each due point for good
("inspection:3:part:12:due-7d"), so each is sent once however often it is scheduled."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.notify.services import reminder_schedule, reminders_cancel
from beian.users.choices import Role
from beian.users.models import RoleAssignment

from .choices import FormState, InspectionStatus, PartState
from .models import Inspection, InspectionForm, InspectionPart

REMIND_AT = dt.time(8, 30)


def announce(event: str, **ids: int) -> None:
    if event == "opened":
        inspection = Inspection.objects.get(pk=ids["inspection_id"])
        schedule_inspection(inspection, now=timezone.now(), opened=True)
    elif event == "part_submitted":
        part = InspectionPart.objects.get(pk=ids["part_id"])
        reminders_cancel(key_prefix=f"inspection:{part.inspection_id}:part:{part.pk}:")
    elif event == "part_returned":
        part = InspectionPart.objects.select_related("inspection").get(pk=ids["part_id"])
        stamp = part.returned_at.strftime("%Y%m%d%H%M%S") if part.returned_at else "0"
        reminder_schedule(
            key=f"inspection:{part.inspection_id}:part:{part.pk}:returned-{stamp}",
            unit=part.unit_id,
            kind="inspection-returned",
            text=_("宣传部退回了本单位的“%(title)s”：%(comment)s。请修改后重新提交")
            % {"title": part.inspection.title, "comment": part.return_comment[:200]},
            link=reverse("inspections:part_detail", args=[part.pk]),
            due_at=timezone.now(),
            recipients=unit_admins([part.unit_id]).get(part.unit_id, []),
        )


def inspection_due_points(now: dt.datetime) -> int:
    """A notify provider: keep the due points of every open round in step."""
    scheduled = 0
    for inspection in Inspection.objects.filter(status=InspectionStatus.OPEN):
        scheduled += schedule_inspection(inspection, now=now)
    return scheduled


def schedule_inspection(inspection: Inspection, *, now: dt.datetime, opened: bool = False) -> int:
    parts = list(InspectionPart.objects.filter(inspection=inspection).select_related("unit"))
    admins = unit_admins([p.unit_id for p in parts])
    deadline = inspection.deadline
    points = (
        ("due-7d", deadline - dt.timedelta(days=7), _("距截止还有 7 天")),
        ("due-1d", deadline - dt.timedelta(days=1), _("明天截止")),
        ("overdue", deadline + dt.timedelta(days=1), _("已逾期，未提交的账号将记为未参检")),
    )
    created = 0
    for part in parts:
        prefix = f"inspection:{inspection.pk}:part:{part.pk}:"
        link = reverse("inspections:part_detail", args=[part.pk])
        if part.state != PartState.OPEN:
            reminders_cancel(key_prefix=prefix)
            continue
        recipients = admins.get(part.unit_id, [])
        if opened:
            _r, new = reminder_schedule(
                key=prefix + "opened",
                unit=part.unit_id,
                kind="inspection-opened",
                text=_("宣传部已发起“%(title)s”，请于 %(deadline)s 前填写年检表并提交单位意见")
                % {"title": inspection.title, "deadline": deadline.isoformat()},
                link=link,
                due_at=now,
                recipients=recipients,
            )
            created += new
        for name, day, words in points:
            due_at = timezone.make_aware(dt.datetime.combine(day, REMIND_AT))
            if name != "overdue" and due_at < now - dt.timedelta(days=1):
                continue
            _r, new = reminder_schedule(
                key=prefix + name,
                unit=part.unit_id,
                kind=f"inspection-{name}",
                text=_("“%(title)s”%(words)s（截止 %(deadline)s），本单位尚未提交")
                % {"title": inspection.title, "words": words, "deadline": deadline.isoformat()},
                link=link,
                due_at=due_at,
                recipients=recipients,
            )
            created += new
    rectifying = InspectionForm.objects.filter(
        inspection=inspection, state=FormState.RECTIFYING
    ).select_related("account", "part")
    for form in rectifying:
        prefix = f"inspection:{inspection.pk}:form:{form.pk}:rectify-{form.rectify_deadline}:"
        for name, day in (
            ("due-3d", form.rectify_deadline - dt.timedelta(days=3)),
            ("overdue", form.rectify_deadline + dt.timedelta(days=1)),
        ):
            due_at = timezone.make_aware(dt.datetime.combine(day, REMIND_AT))
            _r, new = reminder_schedule(
                key=prefix + name,
                unit=form.part.unit_id,
                kind=f"inspection-rectify-{name}",
                text=_("账号“%(name)s”年检整改期限 %(deadline)s：%(items)s")
                % {
                    "name": form.account.name,
                    "deadline": form.rectify_deadline.isoformat(),
                    "items": form.rectify_items[:100],
                },
                link=reverse("inspections:form_detail", args=[form.pk]),
                due_at=due_at,
                recipients=admins.get(form.part.unit_id, []),
            )
            created += new
    return created


def unit_admins(unit_ids) -> dict[int, list[int]]:
    admins: dict[int, list[int]] = {}
    rows = RoleAssignment.objects.filter(role=Role.UNIT_ADMIN, unit_id__in=list(unit_ids))
    for unit_id, user_id in rows.values_list("unit_id", "user_id"):
        admins.setdefault(unit_id, []).append(user_id)
    return admins
