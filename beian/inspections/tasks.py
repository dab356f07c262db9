"""Daily work of the inspection (huey; found by the consumer in every app's `tasks`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(hour="6", minute="40"))
@lock_task("inspections-daily")
def inspections_daily():
    """Every morning: open the year's inspection in the policy's month (once per school and
    year), mark 未参检 in rounds past their deadline, and in the hand-over month sweep the
    leaving people still on accounts and groups."""
    return run_daily()


def run_daily(today=None) -> dict[str, int]:
    from django.utils import timezone

    from beian.core.policy import get_policy

    from .choices import InspectionStatus
    from .handover import handover_cases_open
    from .models import Inspection
    from .services import inspection_mark_missed, inspection_open_scheduled

    today = today or timezone.localdate()
    opened = inspection_open_scheduled(today=today)
    missed = 0
    for inspection in Inspection.objects.filter(status=InspectionStatus.OPEN, deadline__lt=today):
        missed += inspection_mark_missed(inspection=inspection, today=today)
    handovers = 0
    if today.month == get_policy().handover.month:
        handovers = handover_cases_open(today=today)
    return {"opened": len(opened), "missed": missed, "handovers": handovers}
