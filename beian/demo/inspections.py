"""The demo's annual inspections (issue 11), dated relative to the day the demo is loaded:

- last year's round (opened 1 December of last year), finished and published: most
  accounts 合格, a few 整改 (one of them answered and re-graded 合格), one 不合格 (its
  closing request opened), one unit that never submitted (未参检);
- this year's round, open, with every state: forms to fill, filled, one unit submitted
  with forms 待评定, 合格, 整改中 and 整改待复查;
- three students who run groups marked 毕业, on their units' hand-over lists.

Everything goes through the inspections services (the clock is set with `rounds._clock`).
"""

from __future__ import annotations

from datetime import date, timedelta

from .context import DemoContext
from .rounds import _at, _clock


def _answers(on: date, *, incident: bool = False) -> dict:
    return {
        "posts_this_year": 96,
        "audience": 8600,
        "update_frequency": "每周 2 次",
        "last_post_date": on,
        "team_changes": "",
        "had_violations": False,
        "was_punished": False,
        "had_complaints": incident,
        "incident_details": "被校外网友投诉一次，已删除相关内容" if incident else "",
        "content_review": True,
        "self_assessment": "按期更新，落实三审三校，无违规。",
    }


def _fill_part(actor, part, on: date, *, incident_every: int = 0) -> int:
    from beian.inspections import services
    from beian.inspections.models import InspectionForm

    filled = 0
    forms = InspectionForm.objects.filter(part=part).select_related("account", "inspection")
    for i, form in enumerate(forms):
        created, last_post = form.account.created_month, form.account.last_post_date
        if (created and created > on) or last_post is None:
            continue  # not running yet, or no sign of life the demo could vouch for
        if form.account.last_post_source == "inspection" and last_post > on:
            continue  # its date came from an inspection after this one: left 未参检
        incident = bool(incident_every) and i % incident_every == incident_every - 1
        answer = _answers(min(last_post, on), incident=incident)
        services.form_fill(actor=actor, form=form, data=answer)
        filled += 1
    return filled


def _answerable(form, on: date) -> bool:
    account = form.account
    return (
        account.last_post_date is not None
        and account.last_post_date <= on
        and (not account.created_month or account.created_month <= on)
    )


def write_inspections(ctx: DemoContext) -> None:
    from beian.inspections import services
    from beian.inspections.models import Inspection, InspectionForm

    admin = ctx.school_admin
    root = ctx.units[ctx.plan.units[0].name]
    today = ctx.today

    # --- last December's round, finished and published --------------------------------
    year = today.year - 1
    opened = date(year, 12, 1)
    with _clock(_at(opened, 9)):
        try:
            last = services.inspection_open(
                actor=admin, owner_unit=root, year=year, deadline=date(year, 12, 16)
            )
        except Exception:  # noqa: BLE001 - no registered account: no inspection to show
            return
    parts = list(last.parts.order_by("unit__name"))
    with _clock(_at(date(year, 12, 10), 15)):
        for part in parts[:-1]:  # the last unit never submits: 未参检
            if _fill_part(admin, part, date(year, 12, 5), incident_every=7) and not (
                InspectionForm.objects.filter(part=part, state="pending").exists()
            ):
                services.part_submit(
                    actor=admin, part=part, opinion="本单位账号运行正常，同意报送。"
                )
    submitted = list(
        InspectionForm.objects.filter(inspection=last, state="submitted").order_by("pk")
    )
    with _clock(_at(date(year, 12, 18), 10)):
        for form in submitted[:3]:
            services.form_grade(
                actor=admin, form=form, grade="rectify", rectify_items="补齐内容审核人，按周更新",
                rectify_deadline=date(year + 1, 1, 15),
            )  # fmt: skip
        if len(submitted) > 3:
            services.form_grade(
                actor=admin, form=submitted[3], grade="fail", comment="全年仅发布 2 条，长期停更"
            )
        services.form_grade_bulk(actor=admin, forms=submitted[4:])
        for form in InspectionForm.objects.filter(inspection=last, state="submitted"):
            services.form_grade(actor=admin, form=form, grade="pass", comment="投诉已妥善处理")
    if submitted:
        with _clock(_at(date(year + 1, 1, 10), 11)):
            services.form_rectify_answer(actor=admin, form=submitted[0], answer="已增设审核人")
        with _clock(_at(date(year + 1, 1, 12), 9)):
            services.form_grade(actor=admin, form=submitted[0], grade="pass")
    with _clock(_at(date(year + 1, 1, 20), 9)):
        services.inspection_close(actor=admin, inspection=last)
        services.inspection_publish(actor=admin, inspection=last, published=True)

    # --- this year's round, open, with every state ---------------------------------------
    if Inspection.objects.filter(owner_unit=root, year=today.year).exists():
        return
    start = today - timedelta(days=5)
    with _clock(_at(start, 9)):
        current = services.inspection_open(
            actor=admin, owner_unit=root, year=today.year, deadline=today + timedelta(days=10),
            extra_items=["是否设有宣传校园文化的专栏"],
        )  # fmt: skip
    from django.db.models import Count

    parts = list(current.parts.annotate(n=Count("forms")).order_by("-n", "unit__name"))
    extra = {"extra_answers": {"0": "设有“校园风采”专栏"}}
    fill_day = today - timedelta(days=2)

    def answerable(part):
        forms = list(InspectionForm.objects.filter(part=part).select_related("account"))
        return forms, all(_answerable(f, fill_day) for f in forms)

    with _clock(_at(fill_day, 15)):
        whole = None
        for part in parts:  # the largest unit whose forms can all be answered submits
            forms, ok = answerable(part)
            if ok and len(forms) >= 4:
                whole = part
                for form in forms:
                    on = form.account.last_post_date
                    services.form_fill(actor=admin, form=form, data={**_answers(on), **extra})
                services.part_submit(actor=admin, part=part, opinion="同意报送。")
                break
        for part in parts:  # a unit half way: some forms filled
            if part == whole:
                continue
            forms = [f for f in answerable(part)[0] if _answerable(f, fill_day)][:2]
            for form in forms:
                on = form.account.last_post_date
                services.form_fill(actor=admin, form=form, data={**_answers(on), **extra})
            if forms:
                break
    submitted = list(
        InspectionForm.objects.filter(inspection=current, state="submitted").order_by("pk")
    )
    with _clock(_at(today - timedelta(days=1), 10)):
        if submitted:
            services.form_grade(actor=admin, form=submitted[0], grade="pass")
        if len(submitted) > 1:
            services.form_grade(
                actor=admin, form=submitted[1], grade="rectify", rectify_items="补充运营者联系方式",
                rectify_deadline=today + timedelta(days=20),
            )  # fmt: skip
        if len(submitted) > 2:
            services.form_grade(
                actor=admin, form=submitted[2], grade="rectify", rectify_items="恢复按周更新",
                rectify_deadline=today + timedelta(days=20),
            )  # fmt: skip
            services.form_rectify_answer(actor=admin, form=submitted[2], answer="已恢复每周更新")

    _graduates(ctx, admin)


def _graduates(ctx: DemoContext, admin) -> None:
    """Three students on accounts or groups marked 毕业: their records on the hand-over
    lists of their units."""
    from beian.inspections.handover import handover_cases_open
    from beian.orgs.models import Person
    from beian.orgs.services import person_update
    from beian.registry.models import AccountMember, GroupMember

    # students who run groups only: the accounts' teams stay as the demo's broken-record
    # list says (docs/demo.md)
    students = Person.objects.filter(kind="student", status="in_post").exclude(
        pk__in=AccountMember.objects.values("person_id")
    )
    student_ids = list(
        students.filter(pk__in=GroupMember.objects.values("person_id")).values_list(
            "pk", flat=True
        )[:3]
    )
    for person in Person.objects.filter(pk__in=student_ids):
        person_update(actor=admin, person=person, data={"status": "graduated"})
    handover_cases_open(person_ids=student_ids)
