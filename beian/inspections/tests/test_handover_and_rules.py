"""Graduation hand-over and the inspection rules.

- Importing a roster that marks three students 毕业 puts the accounts and groups they hold
  on the right units' hand-over lists; handing over writes the change report and clears
  the finding; closing instead closes the record.
- The rules 未参检, 不合格 still running, 整改 past its deadline fire and resolve.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from beian.compliance.engine import scan_all
from beian.compliance.models import Finding
from beian.filings.choices import FilingKind
from beian.filings.models import Filing
from beian.inspections import handover, services
from beian.inspections.choices import HandoverState
from beian.inspections.models import HandoverCase, InspectionForm
from beian.orgs.choices import PersonKind, PersonStatus
from beian.registry.choices import FilingState
from beian.registry.models import GroupMember, MediaAccount
from beian.testing import make_account, make_group, make_person
from beian.transfer import services as transfer
from beian.transfer.tests.conftest import xlsx

NOW = dt.datetime(2026, 6, 20, 9, 0, tzinfo=dt.UTC)
HEADER = ["序号", "姓名", "工号/学号", "身份", "所在单位", "职务", "状态"]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def open_findings(rule, **record):
    return Finding.objects.filter(rule=rule, state="open", **record)


def test_a_roster_of_graduates_fills_the_units_hand_over_lists(
    cast, clock, django_capture_on_commit_callbacks
):
    students = [
        make_person(f"学生{i}", unit=unit, kind=PersonKind.STUDENT, number=f"S2022{i:04d}")
        for i, unit in enumerate([cast.lit, cast.cs, cast.se], start=1)
    ]
    lit_account = make_account(
        "文学院学生会", unit=cast.lit, team=[("operator", students[0])], filing_state="filed"
    )
    cs_group = make_group("计院学生群", unit=cast.cs, admins=[students[1]])
    se_group = make_group("软件系班群", unit=cast.se, creator=students[2])
    cast.lit_teacher.save()  # the operator teacher stays in post

    rows = [
        [i, s.name, s.number, "学生", s.unit.name, "", "毕业"] for i, s in enumerate(students, 1)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        transfer.import_commit(
            actor=cast.school_admin, kind="people", file_name="2026届毕业生.xlsx",
            data=xlsx(HEADER, rows),
        )  # fmt: skip
    cases = HandoverCase.objects.filter(state=HandoverState.OPEN)
    assert {(c.record.name, c.unit.name, tuple(c.roles)) for c in cases} == {
        ("文学院学生会", "文学院", ("operator",)),
        ("计院学生群", "计算机学院", ("admin",)),
        ("软件系班群", "软件工程系", ("creator",)),
    }
    assert cases.first().due_on == dt.date(2026, 7, 20)  # [handover] within = "30 days"
    # each unit sees its own list only (the 计算机学院 admin also sees 软件工程系)
    assert {c.record.name for c in HandoverCase.objects.visible_to(cast.lit_unit_admin)} == {
        "文学院学生会"
    }
    assert {c.record.name for c in HandoverCase.objects.visible_to(cast.cs_unit_admin)} == {
        "计院学生群",
        "软件系班群",
    }
    # idempotent: the June sweep adds nothing twice
    assert handover.handover_cases_open() == 0

    # past the due date: findings
    clock.move_to(dt.datetime(2026, 7, 25, 9, 0, tzinfo=dt.UTC))
    scan_all()
    assert open_findings("handover_overdue", account=lit_account).exists()
    assert open_findings("handover_overdue_group", group=cs_group).exists()

    # handing over the account writes a change report and clears the finding
    lit_case = cases.get(account=lit_account)
    handover.handover_hand_over(
        actor=cast.lit_unit_admin, case=lit_case, successor=cast.lit_teacher
    )
    report = Filing.objects.get(account=lit_account, kind=FilingKind.CHANGE)
    assert "team" in report.change_kinds
    assert [m.name for m in report.members.all()] == ["李老师"]
    lit_case.refresh_from_db()
    assert lit_case.state == HandoverState.HANDED_OVER and lit_case.filing == report
    scan_all()
    assert not open_findings("handover_overdue", account=lit_account).exists()

    # the group: its admin is replaced directly (groups have no change reports)
    cs_case = cases.get(group=cs_group)
    handover.handover_hand_over(actor=cast.cs_unit_admin, case=cs_case, successor=cast.cs_head)
    assert list(
        GroupMember.objects.filter(record=cs_group).values_list("person__name", flat=True)
    ) == ["张书记"]

    # or dissolve it
    se_case = cases.get(group=se_group)
    handover.handover_close(actor=cast.cs_unit_admin, case=se_case, reason="班级已毕业")
    se_group.refresh_from_db()
    assert se_group.status == "dissolved"
    scan_all()
    assert not open_findings("handover_overdue_group").exists()


def test_only_the_units_admin_hands_over(cast, django_capture_on_commit_callbacks):
    student = make_person("赵同学", unit=cast.lit, kind=PersonKind.STUDENT)
    make_group("文学院群", unit=cast.lit, admins=[student])
    from beian.orgs.services import person_update

    with django_capture_on_commit_callbacks(execute=True):
        person_update(actor=cast.school_admin, person=student, data={"status": "graduated"})
    case = HandoverCase.objects.get()
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        handover.handover_hand_over(actor=cast.cs_unit_admin, case=case, successor=cast.lit_teacher)
    gone = make_person("钱同学", unit=cast.lit, kind=PersonKind.STUDENT, status="graduated")
    with pytest.raises(ValidationError, match="不在岗"):
        handover.handover_hand_over(actor=cast.lit_unit_admin, case=case, successor=gone)
    # back in post: the case is settled by itself
    with django_capture_on_commit_callbacks(execute=True):
        person_update(
            actor=cast.school_admin, person=student, data={"status": PersonStatus.IN_POST}
        )
    case.refresh_from_db()
    assert case.state == HandoverState.SETTLED


def test_the_inspection_rules_fire_and_resolve(cast, clock):
    clock.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    MediaAccount.objects.update(filing_state=FilingState.FILED)
    inspection = services.inspection_open(
        actor=cast.school_admin, owner_unit=cast.school, deadline=dt.date(2026, 12, 10)
    )
    data = {
        "posts_this_year": 10, "audience": 100, "update_frequency": "每周",
        "last_post_date": dt.date(2026, 11, 30), "had_violations": False, "was_punished": False,
        "had_complaints": False, "content_review": True, "self_assessment": "正常",
    }  # fmt: skip
    lit = InspectionForm.objects.get(inspection=inspection, account=cast.lit_account)
    services.form_fill(actor=cast.lit_operator, form=lit, data=data)
    services.part_submit(actor=cast.lit_unit_admin, part=lit.part, opinion="同意")
    services.form_grade(
        actor=cast.school_admin, form=lit, grade="rectify", rectify_items="补审核人",
        rectify_deadline=dt.date(2026, 12, 20),
    )  # fmt: skip

    clock.move_to(dt.datetime(2026, 12, 11, 9, 0, tzinfo=dt.UTC))
    services.inspection_mark_missed(inspection=inspection)
    scan_all()
    assert open_findings("inspection_missed", account=cast.cs_account).exists()
    assert not open_findings("inspection_missed", account=cast.lit_account).exists()
    assert not open_findings("inspection_rectification_overdue").exists()

    clock.move_to(dt.datetime(2026, 12, 21, 9, 0, tzinfo=dt.UTC))
    scan_all()
    assert open_findings("inspection_rectification_overdue", account=cast.lit_account).exists()
    services.form_rectify_answer(actor=cast.lit_operator, form=lit, answer="已补齐")
    scan_all()
    assert not open_findings("inspection_rectification_overdue").exists()

    services.form_grade(actor=cast.school_admin, form=lit, grade="fail", comment="整改不到位")
    scan_all()
    assert open_findings("inspection_failed_running", account=cast.lit_account).exists()
    # (the closing request opened by the grade is approved: the account is closed)
    assert lit.closing_filing_id or InspectionForm.objects.get(pk=lit.pk).closing_filing_id
    MediaAccount.objects.filter(pk=cast.lit_account.pk).update(
        status="closed", closed_on=dt.date(2026, 12, 21), closed_reason="年检不合格"
    )
    scan_all()
    assert not open_findings("inspection_failed_running").exists()
    # closing the missed account resolves 未参检 too
    MediaAccount.objects.filter(pk=cast.cs_account.pk).update(
        status="closed", closed_on=dt.date(2026, 12, 21), closed_reason="年检不合格"
    )
    scan_all()
    assert not open_findings("inspection_missed", account=cast.cs_account).exists()
