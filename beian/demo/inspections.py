"""The demo's annual inspections (issue 11), dated relative to the day the demo is loaded:

- last year's round (opened 1 December of last year), finished and published: most
  accounts 合格, 整改 (two answered and re-graded 合格; one never answered; the account
  that never posted, answered "0 posts", told to resume or close), one 不合格 (its closing
  request opened), and the smallest unit's handful of accounts 未参检 (it never submitted);
- this year's round, open, with every state: units submitted (forms 待评定, 合格, 整改中
  and 整改待复查), one unit's forms returned by the school with a comment (填报中 again),
  one unit half way, the others not started;
- three students who run groups marked 毕业, on their units' hand-over lists.

Everything goes through the inspections services (the clock is set with `rounds._clock`).
"""

from __future__ import annotations

from datetime import date, timedelta

from .context import DemoContext
from .rounds import _at, _clock


def _answers(on: date | None, *, incident: bool = False) -> dict:
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
        account = form.account
        if account.created_month and account.created_month > on:
            continue  # not running yet
        if account.last_post_date is None:  # never posted: says so, with no date
            answer = {**_answers(None), "posts_this_year": 0, "update_frequency": "未更新",
                      "self_assessment": "本年度未发布内容。"}  # fmt: skip
        else:
            incident = bool(incident_every) and i % incident_every == incident_every - 1
            answer = _answers(min(account.last_post_date, on), incident=incident)
        services.form_fill(actor=actor, form=form, data=answer)
        filled += 1
    return filled


def _forms(part):
    from beian.inspections.models import InspectionForm

    return list(InspectionForm.objects.filter(part=part).select_related("account"))


def _answerable(form, on: date, *, later_ok: bool = False) -> bool:
    """Whether the demo can answer the form on day `on`: the account was running and has a
    sign of life the demo can vouch for (with `later_ok`, one after `on` counts too: the
    form then states `on`, as an operator would at the time)."""
    account = form.account
    return (
        account.last_post_date is not None
        and (later_ok or account.last_post_date <= on)
        and (not account.created_month or account.created_month <= on)
    )


def _later_inspection_claims(inspection, on: date) -> dict:
    """{account id: (date, worth, reference)} of the accounts whose last post date comes
    from an inspection after `on` (the registry demo's own evidence). Last year's form
    replaces the source's claim with an older date; `_restore_claims` puts these back."""
    from beian.registry.models import ActivityEvidence, MediaAccount

    ids = list(inspection.forms.values_list("account_id", flat=True))
    found = {
        e.account_id: (e.posted_on, e.worth, e.reference)
        for e in ActivityEvidence.objects.filter(
            account_id__in=ids, source="inspection", posted_on__gt=on
        )
    }
    for pk, posted_on in MediaAccount.objects.filter(
        pk__in=ids, last_post_source="inspection", last_post_date__gt=on
    ).values_list("pk", "last_post_date"):
        found.setdefault(pk, (posted_on, None, ""))
    return found


def _restore_claims(actor, claims: dict) -> None:
    from beian.registry.activity import account_activity_record
    from beian.registry.models import MediaAccount

    for account in MediaAccount.objects.filter(pk__in=sorted(claims)).exclude(status="closed"):
        posted_on, worth, reference = claims[account.pk]
        account_activity_record(
            actor=actor, account=account, on=posted_on, source="inspection", worth=worth,
            reference=reference,
        )  # fmt: skip


def write_inspections(ctx: DemoContext) -> None:
    from django.db.models import Count

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
    answer_on = date(year, 12, 5)
    later = _later_inspection_claims(last, answer_on)
    parts = list(last.parts.annotate(n=Count("forms")).order_by("n", "unit__name"))
    # the units with an account not yet running then, or else the smallest unit of three
    # accounts or more, never submit: their accounts are 未参检 (a handful)
    missed = {
        part.pk
        for part in parts
        if any(f.account.created_month and f.account.created_month > answer_on
               for f in _forms(part))
    } or {next((p.pk for p in parts if p.n >= 3), parts[0].pk)}  # fmt: skip
    with _clock(_at(date(year, 12, 10), 15)):
        for part in parts:
            if part.pk in missed:
                continue
            _fill_part(admin, part, answer_on, incident_every=7)
            services.part_submit(actor=admin, part=part, opinion="本单位账号运行正常，同意报送。")
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
        services.form_grade_bulk(
            actor=admin, forms=[f for f in submitted[4:] if f.posts_this_year != 0]
        )
        for form in InspectionForm.objects.filter(inspection=last, state="submitted"):
            if form.posts_this_year == 0:  # never posted: run it or close it
                services.form_grade(
                    actor=admin, form=form, grade="rectify",
                    rectify_items="全年未发布内容：恢复更新，或申请注销",
                    rectify_deadline=date(year + 1, 1, 15),
                )  # fmt: skip
            else:
                services.form_grade(actor=admin, form=form, grade="pass", comment="投诉已妥善处理")
    # two rectifications answered and re-graded 合格; the third was never answered
    for form in submitted[:2]:
        with _clock(_at(date(year + 1, 1, 10), 11)):
            services.form_rectify_answer(
                actor=admin, form=form, answer="已增设审核人，恢复每周更新"
            )
        with _clock(_at(date(year + 1, 1, 12), 9)):
            services.form_grade(actor=admin, form=form, grade="pass", comment="整改到位")
    with _clock(_at(date(year + 1, 1, 20), 9)):
        services.inspection_close(actor=admin, inspection=last)
        services.inspection_publish(actor=admin, inspection=last, published=True)
    _restore_claims(admin, later)

    # --- this year's round, open, with every state ---------------------------------------
    if Inspection.objects.filter(owner_unit=root, year=today.year).exists():
        return
    start = today - timedelta(days=5)
    with _clock(_at(start, 9)):
        current = services.inspection_open(
            actor=admin, owner_unit=root, year=today.year, deadline=today + timedelta(days=10),
            extra_items=["是否设有宣传校园文化的专栏"],
        )  # fmt: skip
    parts = list(current.parts.annotate(n=Count("forms")).order_by("-n", "unit__name"))
    extra = {"extra_answers": {"0": "设有“校园风采”专栏"}}
    fill_day = today - timedelta(days=2)

    def answerable(part):
        forms = list(InspectionForm.objects.filter(part=part).select_related("account"))
        return forms, all(_answerable(f, fill_day) for f in forms)

    with _clock(_at(fill_day, 15)):
        done = []  # units whose forms can all be answered submit: the largest first
        for part in parts:
            forms, ok = answerable(part)
            if ok and forms and (done or len(forms) >= 4):
                for form in forms:
                    on = form.account.last_post_date
                    services.form_fill(actor=admin, form=form, data={**_answers(on), **extra})
                services.part_submit(actor=admin, part=part, opinion="同意报送。")
                done.append(part)
                if len(done) == 4:
                    break
        for part in parts:  # a unit half way: some forms filled
            if part in done:
                continue
            forms = [f for f in answerable(part)[0] if _answerable(f, fill_day)][:2]
            for form in forms:
                on = form.account.last_post_date
                services.form_fill(actor=admin, form=form, data={**_answers(on), **extra})
            if forms:
                break
    if len(done) > 1:  # the school returns one unit's forms with a comment
        with _clock(_at(today - timedelta(days=1), 9)):
            services.part_return(
                actor=admin, part=done[-1],
                comment="本单位各账号“本年度发布条数”均填为 96，与平台实际不符，请逐个核实后重新提交。",
            )  # fmt: skip
    submitted = list(
        InspectionForm.objects.filter(part=done[0], state="submitted").order_by("pk")
        if done
        else []
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
