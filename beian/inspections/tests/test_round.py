"""A whole inspection at the service level, clock frozen in December: opened by hand and by
the scheduled task (once only) → forms pre-filled → the operator fills → the unit admin
gives the opinion and submits all forms together → the school grades (整改, 不合格, 合格 in
bulk) → the operator answers the rectification → the school re-grades → 未参检 after the
deadline → results."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from beian.core.models import AuditEvent
from beian.filings.choices import FilingKind
from beian.filings.models import Filing
from beian.inspections import selectors, services
from beian.inspections.choices import FormState, Grade, PartState
from beian.inspections.models import Inspection, InspectionForm
from beian.inspections.tasks import run_daily
from beian.registry.choices import ActivitySource, FilingState
from beian.registry.models import ActivityEvidence, MediaAccount
from beian.testing import make_account

OPENED = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(OPENED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def school(cast):
    """The cast with its accounts registered (已备案), and one unregistered account."""
    MediaAccount.objects.filter(
        pk__in=[cast.cs_account.pk, cast.se_account.pk, cast.lit_account.pk]
    ).update(filing_state=FilingState.FILED)
    cast.unfiled = make_account("未备案账号", unit=cast.lit)
    return cast


def answers(**kw):
    data = {
        "posts_this_year": 120,
        "audience": 12000,
        "update_frequency": "每周 3 次",
        "last_post_date": dt.date(2026, 11, 28),
        "team_changes": "",
        "had_violations": False,
        "was_punished": False,
        "had_complaints": False,
        "incident_details": "",
        "content_review": True,
        "self_assessment": "运行正常，按期更新。",
    }
    data.update(kw)
    return data


def open_round(cast, **kw):
    return services.inspection_open(actor=cast.school_admin, owner_unit=cast.school, **kw)


def form_of(inspection, account):
    return InspectionForm.objects.get(inspection=inspection, account=account)


def test_opening_gives_every_registered_account_a_prefilled_form_and_each_unit_a_part(school):
    inspection = open_round(school, extra_items=["是否设立专门栏目宣传校园文化"])
    forms = InspectionForm.objects.filter(inspection=inspection)
    assert {f.account_id for f in forms} == {
        school.cs_account.pk,
        school.se_account.pk,
        school.lit_account.pk,
    }
    # the 软件工程系 account belongs to the 计算机学院's part (its 二级单位)
    parts = {p.unit.name: p for p in inspection.parts.all()}
    assert set(parts) == {"计算机学院", "文学院"}
    assert form_of(inspection, school.se_account).part == parts["计算机学院"]
    lit = form_of(inspection, school.lit_account)
    assert lit.prefill["team"] == "运营者：李老师；负责学生：王同学"
    assert lit.state == FormState.PENDING
    assert inspection.deadline == dt.date(2026, 12, 16)  # today + [inspection] answer_days
    assert AuditEvent.objects.filter(object_id=str(inspection.pk), detail__forms=3).exists()


def test_only_the_school_admin_opens_and_only_once_a_year(school):
    with pytest.raises(PermissionDenied):
        services.inspection_open(actor=school.cs_unit_admin, owner_unit=school.school)
    open_round(school)
    with pytest.raises(ValidationError, match="已发起过年检"):
        open_round(school)


def test_the_scheduled_task_opens_in_the_policy_month_once_only(school, clock):
    clock.move_to(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC))
    assert run_daily()["opened"] == 0  # November: not yet
    clock.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    assert run_daily()["opened"] == 1
    assert run_daily()["opened"] == 0
    inspection = Inspection.objects.get()
    assert inspection.opened_by is None and inspection.year == 2026
    assert AuditEvent.objects.filter(actor_name="system:inspection").exists()


def test_the_scheduled_task_follows_the_policy(school, policy_file):
    policy_file("[inspection]\nenabled = false\n")
    assert run_daily()["opened"] == 0
    policy_file("[inspection]\nmonth = 11\n")
    assert run_daily()["opened"] == 0  # it is December


def test_the_whole_round(school, clock):
    inspection = open_round(school)
    lit = form_of(inspection, school.lit_account)
    # the operator fills; an incomplete form names what is missing
    with pytest.raises(ValidationError) as exc:
        services.form_fill(
            actor=school.lit_operator, form=lit, data=answers(self_assessment="", was_punished=True)
        )
    assert set(exc.value.message_dict) == {"self_assessment", "incident_details"}
    services.form_fill(actor=school.lit_operator, form=lit, data=answers())
    lit.refresh_from_db()
    assert lit.state == FormState.FILLED
    evidence = ActivityEvidence.objects.get(account=school.lit_account)
    assert evidence.source == ActivitySource.INSPECTION
    assert evidence.posted_on == dt.date(2026, 11, 28)
    school.lit_account.refresh_from_db()
    assert school.lit_account.last_post_date == dt.date(2026, 11, 28)
    # another unit's admin may not fill it
    with pytest.raises(PermissionDenied):
        services.form_fill(actor=school.cs_unit_admin, form=lit, data=answers())

    # the unit admin submits with the unit's opinion
    part = lit.part
    with pytest.raises(ValidationError, match="单位意见"):
        services.part_submit(actor=school.lit_unit_admin, part=part, opinion=" ")
    with pytest.raises(PermissionDenied):
        services.part_submit(actor=school.cs_unit_admin, part=part, opinion="同意")
    services.part_submit(actor=school.lit_unit_admin, part=part, opinion="运行良好，同意。")
    part.refresh_from_db()
    lit.refresh_from_db()
    assert part.state == PartState.SUBMITTED and lit.state == FormState.SUBMITTED
    with pytest.raises(ValidationError, match="已提交"):
        services.form_fill(actor=school.lit_operator, form=lit, data=answers())

    # the school: 整改 with what to fix; the operator answers; the school re-grades 合格
    with pytest.raises(ValidationError):
        services.form_grade(actor=school.school_admin, form=lit, grade=Grade.RECTIFY)
    services.form_grade(
        actor=school.school_admin,
        form=lit,
        grade=Grade.RECTIFY,
        rectify_items="补齐内容审核人",
        rectify_deadline=dt.date(2026, 12, 31),
    )
    lit.refresh_from_db()
    assert lit.state == FormState.RECTIFYING and lit.grade == Grade.RECTIFY
    with pytest.raises(PermissionDenied):
        services.form_grade(actor=school.lit_unit_admin, form=lit, grade=Grade.PASS)
    services.form_rectify_answer(actor=school.lit_operator, form=lit, answer="已增设两名审核人")
    lit.refresh_from_db()
    assert lit.state == FormState.ANSWERED
    services.form_grade(actor=school.school_admin, form=lit, grade=Grade.PASS)
    lit.refresh_from_db()
    assert (lit.state, lit.grade, lit.was_rectified) == (FormState.GRADED, Grade.PASS, True)
    assert ActivityEvidence.objects.get(account=school.lit_account).worth == 3  # checked

    # the 计算机学院 cannot submit while a form is not filled
    cs = form_of(inspection, school.cs_account)
    se = form_of(inspection, school.se_account)
    services.form_fill(actor=school.cs_unit_admin, form=cs, data=answers())
    with pytest.raises(ValidationError, match="软件工程系"):
        services.part_submit(actor=school.cs_unit_admin, part=cs.part, opinion="同意")
    cs.refresh_from_db()
    assert cs.state == FormState.FILLED  # nothing half-written
    services.form_fill(
        actor=school.cs_unit_admin,
        form=se,
        data=answers(had_complaints=True, incident_details="被投诉一次，已处理"),
    )
    services.part_submit(actor=school.cs_unit_admin, part=cs.part, opinion="同意")

    # bulk 合格 grades only the clean one (the complaint is left for one-by-one grading)
    graded = services.form_grade_bulk(actor=school.school_admin, forms=[cs, se])
    assert graded == 1
    cs.refresh_from_db()
    se.refresh_from_db()
    assert cs.grade == Grade.PASS and se.state == FormState.SUBMITTED
    assert AuditEvent.objects.filter(object_id=str(cs.pk), detail__bulk=True).count() == 1

    # 不合格 needs a reason and opens a closing request for the account
    with pytest.raises(ValidationError, match="理由"):
        services.form_grade(actor=school.school_admin, form=se, grade=Grade.FAIL)
    services.form_grade(
        actor=school.school_admin, form=se, grade=Grade.FAIL, comment="长期未整改投诉问题"
    )
    se.refresh_from_db()
    assert se.grade == Grade.FAIL
    closing = Filing.objects.get(account=school.se_account, kind=FilingKind.CLOSING)
    assert se.closing_filing == closing or se.marked_for_closing
    assert "年检不合格" in closing.reason

    # results: counts by unit and grade
    result = selectors.results(school.school_admin, inspection)
    by_unit = {row["unit"]: row for row in result.units}
    assert by_unit["文学院"]["pass"] == 1
    assert by_unit["计算机学院"]["pass"] == 1 and by_unit["计算机学院"]["fail"] == 1
    assert result.totals["pass"] == 2 and result.total == 3


def test_forms_not_submitted_by_the_deadline_are_missed(school, clock):
    inspection = open_round(school, deadline=dt.date(2026, 12, 10))
    lit = form_of(inspection, school.lit_account)
    services.form_fill(actor=school.lit_operator, form=lit, data=answers())
    assert services.inspection_mark_missed(inspection=inspection) == 0  # not yet
    clock.move_to(dt.datetime(2026, 12, 11, 9, 0, tzinfo=dt.UTC))
    with pytest.raises(ValidationError, match="截止"):
        services.form_fill(actor=school.lit_operator, form=lit, data=answers())
    assert run_daily()["missed"] == 3
    lit.refresh_from_db()
    assert (lit.grade, lit.state) == (Grade.MISSED, FormState.GRADED)
    assert run_daily()["missed"] == 0


def test_publishing_exposes_no_personal_data(school):
    inspection = open_round(school)
    services.inspection_close(actor=school.school_admin, inspection=inspection)
    assert selectors.published_results() == []
    services.inspection_publish(actor=school.school_admin, inspection=inspection, published=True)
    [published] = selectors.published_results()
    assert published["year"] == 2026 and published["counts"] == {
        "合格": 0,
        "整改": 0,
        "不合格": 0,
        "未参检": 3,
    }
    for row in published["rows"]:
        assert set(row) == set(selectors.PUBLIC_FIELDS)
    text = str(published)
    for secret in ("李老师", "13900001111", "12345678", "张书记"):
        assert secret not in text


def test_scope_of_the_forms(school):
    inspection = open_round(school)
    visible = set(
        InspectionForm.objects.visible_to(school.lit_operator).values_list("account_id", flat=True)
    )
    assert visible == {school.lit_account.pk}
    assert set(
        InspectionForm.objects.visible_to(school.cs_unit_admin).values_list("account_id", flat=True)
    ) == {school.cs_account.pk, school.se_account.pk}
    assert Inspection.objects.visible_to(school.nobody).count() == 0
    assert Inspection.objects.visible_to(school.lit_operator).get() == inspection


def test_the_school_returns_a_units_forms_and_the_unit_resubmits(school):
    inspection = open_round(school)
    cs = form_of(inspection, school.cs_account)
    se = form_of(inspection, school.se_account)
    for form in (cs, se):
        services.form_fill(actor=school.cs_unit_admin, form=form, data=answers())
    part = cs.part
    with pytest.raises(ValidationError, match="只有已提交"):
        services.part_return(actor=school.school_admin, part=part, comment="请补充")
    services.part_submit(actor=school.cs_unit_admin, part=part, opinion="同意")
    services.form_grade(actor=school.school_admin, form=cs, grade=Grade.PASS)

    # only the school returns, and only with a comment; a refused return changes nothing
    with pytest.raises(PermissionDenied):
        services.part_return(actor=school.cs_unit_admin, part=part, comment="请补充")
    with pytest.raises(ValidationError, match="退回意见"):
        services.part_return(actor=school.school_admin, part=part, comment="  ")
    part.refresh_from_db()
    assert part.state == PartState.SUBMITTED

    services.part_return(
        actor=school.school_admin, part=part, comment="软件工程系的发布条数与平台数据不符，请核实"
    )
    part.refresh_from_db()
    cs.refresh_from_db()
    se.refresh_from_db()
    assert part.state == PartState.OPEN and part.returned_by == school.school_admin
    assert "发布条数" in part.return_comment
    assert se.state == FormState.FILLED  # back to the operators
    assert (cs.state, cs.grade) == (FormState.GRADED, Grade.PASS)  # a graded form stays graded
    assert AuditEvent.objects.filter(object_id=str(part.pk), detail__action="return").exists()
    assert se.history.first().history_change_reason.startswith("宣传部退回")

    # the operator corrects, the unit admin resubmits; the graded form is left as it was
    services.form_fill(actor=school.cs_unit_admin, form=se, data=answers(posts_this_year=36))
    services.part_submit(actor=school.cs_unit_admin, part=part, opinion="已核实更正")
    part.refresh_from_db()
    se.refresh_from_db()
    cs.refresh_from_db()
    assert part.state == PartState.SUBMITTED and part.opinion == "已核实更正"
    assert se.state == FormState.SUBMITTED and se.posts_this_year == 36
    assert cs.state == FormState.GRADED


def test_a_return_after_the_deadline_is_refused(school, clock):
    inspection = open_round(school, deadline=dt.date(2026, 12, 10))
    lit = form_of(inspection, school.lit_account)
    services.form_fill(actor=school.lit_operator, form=lit, data=answers())
    services.part_submit(actor=school.lit_unit_admin, part=lit.part, opinion="同意")
    clock.move_to(dt.datetime(2026, 12, 11, 9, 0, tzinfo=dt.UTC))
    with pytest.raises(ValidationError, match="截止"):
        services.part_return(actor=school.school_admin, part=lit.part, comment="请补充")
    lit.refresh_from_db()
    assert lit.state == FormState.SUBMITTED


def test_the_audience_on_a_graded_form_updates_the_registry_with_history(school):
    MediaAccount.objects.filter(pk=school.lit_account.pk).update(audience=8000)
    inspection = open_round(school)
    lit = form_of(inspection, school.lit_account)
    cs = form_of(inspection, school.cs_account)
    se = form_of(inspection, school.se_account)
    services.form_fill(actor=school.lit_operator, form=lit, data=answers(audience=15000))
    services.form_fill(actor=school.cs_unit_admin, form=cs, data=answers(audience=23000))
    services.form_fill(actor=school.cs_unit_admin, form=se, data=answers(audience=500))
    school.lit_account.refresh_from_db()
    assert school.lit_account.audience == 8000  # filled is not yet checked
    services.part_submit(actor=school.lit_unit_admin, part=lit.part, opinion="同意")
    services.part_submit(actor=school.cs_unit_admin, part=cs.part, opinion="同意")

    services.form_grade(
        actor=school.school_admin,
        form=lit,
        grade=Grade.RECTIFY,
        rectify_items="补齐内容审核人",
        rectify_deadline=dt.date(2026, 12, 31),
    )
    school.lit_account.refresh_from_db()
    assert school.lit_account.audience == 15000
    latest = school.lit_account.history.first()
    assert latest.audience == 15000 and "年检" in latest.history_change_reason
    assert latest.history_user == school.school_admin
    assert AuditEvent.objects.filter(
        object_id=str(school.lit_account.pk), detail__authority__kind="inspection"
    ).exists()

    services.form_grade_bulk(actor=school.school_admin, forms=[cs])  # bulk 合格
    services.form_grade(actor=school.school_admin, form=se, grade=Grade.FAIL, comment="停更")
    school.cs_account.refresh_from_db()
    school.se_account.refresh_from_db()
    assert school.cs_account.audience == 23000
    assert school.se_account.audience != 500  # 不合格: the figure is not taken over


def test_an_account_that_never_posted_answers_zero_posts_without_a_date(school):
    inspection = open_round(school)
    lit = form_of(inspection, school.lit_account)
    with pytest.raises(ValidationError) as exc:
        services.form_fill(actor=school.lit_operator, form=lit, data=answers(last_post_date=None))
    assert "last_post_date" in exc.value.message_dict
    services.form_fill(
        actor=school.lit_operator,
        form=lit,
        data=answers(last_post_date=None, posts_this_year=0, update_frequency="未更新"),
    )
    lit.refresh_from_db()
    assert lit.state == FormState.FILLED and lit.last_post_date is None
    assert not ActivityEvidence.objects.filter(account=school.lit_account).exists()
