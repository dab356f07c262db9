"""Reads of the annual inspection and the hand-over lists. Every list starts from the
models' `visible_to(user)`; counts are aggregated in the database."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from .choices import FormState, Grade, HandoverState, InspectionStatus, PartState
from .models import HandoverCase, Inspection, InspectionForm, InspectionPart

GRADES = [Grade.PASS, Grade.RECTIFY, Grade.FAIL, Grade.MISSED]


def inspection_list(user):
    return Inspection.objects.visible_to(user).select_related("owner_unit")


def current_inspection(user) -> Inspection | None:
    return inspection_list(user).filter(status=InspectionStatus.OPEN).first()


def settle_missed(inspection: Inspection) -> None:
    """ "On read": a page of an open round past its deadline marks the unanswered forms
    未参检 before it counts them (the daily task does the same at night)."""
    from .services import inspection_mark_missed

    if inspection.is_open and timezone.localdate() > inspection.deadline:
        inspection_mark_missed(inspection=inspection)


def part_progress(user, inspection: Inspection) -> list[dict]:
    """Each unit's part with its forms counted by state (the units' progress board)."""
    parts = (
        InspectionPart.objects.visible_to(user)
        .filter(inspection=inspection)
        .select_related("unit")
        .annotate(
            total=Count("forms"),
            filled=Count("forms", filter=~Q(forms__state=FormState.PENDING)),
            rectifying=Count("forms", filter=Q(forms__state=FormState.RECTIFYING)),
        )
        .order_by("unit__name", "pk")
    )
    return list(parts)


@dataclass
class Results:
    """Counts by unit and grade, and the totals; `rows` carry the forms for the lists."""

    inspection: Inspection
    units: list[dict] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    total: int = 0


def results(user, inspection: Inspection) -> Results:
    """The school-wide results: per unit of the round, how many forms got each grade (and
    how many are still ungraded)."""
    forms = InspectionForm.objects.visible_to(user).filter(inspection=inspection)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[int, str] = {}
    for part_id, unit_name, grade, n in (
        forms.order_by().values_list("part_id", "part__unit__name", "grade").annotate(n=Count("pk"))
    ):
        counts[part_id][grade or ""] += n
        names[part_id] = unit_name
    out = Results(inspection=inspection)
    totals: dict[str, int] = defaultdict(int)
    for part_id in sorted(names, key=lambda pk: names[pk]):
        row = {"part_id": part_id, "unit": names[part_id], "total": 0}
        for grade in [*GRADES, ""]:
            row[grade or "ungraded"] = counts[part_id].get(grade, 0)
            row["total"] += counts[part_id].get(grade, 0)
            totals[grade or "ungraded"] += counts[part_id].get(grade, 0)
        out.units.append(row)
    out.totals = dict(totals)
    out.total = sum(r["total"] for r in out.units)
    return out


def graded_forms(user, inspection: Inspection):
    return (
        InspectionForm.objects.visible_to(user)
        .filter(inspection=inspection)
        .select_related("account", "account__platform", "part__unit", "account__owner_unit")
        .order_by("part__unit__name", "account__name", "pk")
    )


def grading_queue(inspection: Inspection, *, state: str = "", unit: int | None = None):
    """The school's grading page: forms submitted (or answered after 整改) first."""
    qs = (
        InspectionForm.objects.filter(inspection=inspection)
        .select_related("account", "account__platform", "part__unit")
        .order_by("part__unit__name", "account__name", "pk")
    )
    if state:
        qs = qs.filter(state=state)
    if unit:
        qs = qs.filter(part__unit_id=unit)
    return qs


def account_history(user, account) -> list[InspectionForm]:
    """An account's inspection history, newest year first (forms the user may see)."""
    return list(
        InspectionForm.objects.visible_to(user)
        .filter(account=account)
        .select_related("inspection")
        .order_by("-inspection__year", "-pk")
    )


def record_handover_cases(user, record) -> list[HandoverCase]:
    field_name = "account" if record._meta.model_name == "mediaaccount" else "group"
    return list(
        HandoverCase.objects.visible_to(user)
        .filter(**{field_name: record}, state=HandoverState.OPEN)
        .select_related("person")
    )


def handover_list(user, *, state: str = HandoverState.OPEN):
    qs = HandoverCase.objects.visible_to(user).select_related(
        "person", "account", "account__platform", "group", "group__platform", "unit", "successor"
    )
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("due_on", "unit__name", "pk")


def unit_todo_counts(user) -> dict[str, int]:
    """For a unit's to-do list: forms to fill, rectifications to answer, hand-overs due."""
    forms = InspectionForm.objects.fillable_by(user).filter(inspection__status="open")
    return {
        "to_fill": forms.filter(state=FormState.PENDING).count(),
        "to_rectify": forms.filter(state=FormState.RECTIFYING).count(),
        "parts_open": InspectionPart.objects.submittable_by(user)
        .filter(inspection__status="open", state=PartState.OPEN)
        .count(),
        "handovers": HandoverCase.objects.actable_by(user).filter(state=HandoverState.OPEN).count(),
    }


# --- public results (for the directory: no personal data) ------------------------------------

PUBLIC_FIELDS = ("account_name", "platform", "unit", "grade", "grade_code")


def published_results(institution=None) -> list[dict]:
    """The rounds whose results the school published, newest first, each as
    {"id", "year", "title", "published_at", "counts": {grade label: n},
    "rows": [{"account_name", "platform", "unit", "grade"}]} — names, platforms, units and
    grades only, never a person. `institution`: the school (one per deployment today; its
    rounds are those of the root units)."""
    rounds = Inspection.objects.filter(published=True, owner_unit__parent__isnull=True).order_by(
        "-year", "-pk"
    )
    out = []
    for inspection in rounds:
        out.append(published_round(inspection))
    return out


def published_round(inspection: Inspection) -> dict:
    """One round's public results: its graded forms (name, platform, unit, grade) in unit
    order, the counts by grade, and the counts by unit and grade (one query). Forms not
    yet graded are left out, and so are accounts opened in a person's name (their name
    often is the person's), as the public directory leaves them out."""
    rows = []
    counts: dict[str, int] = {str(g.label): 0 for g in GRADES}
    units: dict[str, dict] = {}
    forms = (
        InspectionForm.objects.filter(inspection=inspection)
        .exclude(grade="")
        .exclude(account__is_personal=True)  # an account in a person's name names the person
        .order_by("part__unit__name", "account__name", "pk")
        .values_list("account__name", "account__platform__name", "part__unit__name", "grade")
    )
    for name, platform, unit, grade in forms:
        label = str(Grade(grade).label)
        counts[label] += 1
        line = units.setdefault(unit, {"unit": unit, "total": 0, **{g.value: 0 for g in GRADES}})
        line[grade] += 1
        line["total"] += 1
        rows.append({"account_name": name, "platform": platform, "unit": unit, "grade": label,
                     "grade_code": grade})  # fmt: skip
    return {
        "id": inspection.pk,
        "year": inspection.year,
        "title": inspection.title,
        "status": inspection.status,
        "published_at": inspection.published_at,
        "counts": counts,
        "units": list(units.values()),
        "total": len(rows),
        "rows": rows,
    }


def overdue_rectifications(today: dt.date | None = None):
    today = today or timezone.localdate()
    return InspectionForm.objects.filter(state=FormState.RECTIFYING, rectify_deadline__lt=today)
