from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from beian.core.models import AuditEvent
from beian.filings import services
from beian.filings.choices import EventAction, FilingKind, FilingStatus, StepStatus
from beian.filings.models import Filing, FilingEvent, Notification, RegistrationCounter
from beian.filings.selectors import filings_waiting_for, pending_counts, responsible_of
from beian.filings.workflow import TransitionError
from beian.registry.choices import AccountStatus, FilingState, GroupStatus
from beian.registry.models import MediaAccount

from .factories import PDF, PNG, School, apply_new, approve_all, new_fields, team, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(cast):
    return School(cast)


# --- the default chains --------------------------------------------------------------------


def test_tier2_chain_is_unit_head_school_admin_leader(cast):
    filing = apply_new(cast.lit_operator, cast.lit)
    assert filing.status == FilingStatus.PENDING
    assert filing.chain == ["unit_head", "school_admin", "leader"]
    assert filing.tier == 2 and filing.second_unit == cast.lit
    assert list(filings_waiting_for(cast.lit_unit_admin)) == [filing]
    assert not filings_waiting_for(cast.school_admin).exists()

    filing = approve_all(filing, cast.lit_unit_admin)
    assert filing.current_step == "school_admin"
    assert list(filings_waiting_for(cast.school_admin)) == [filing]
    filing = approve_all(filing, cast.school_admin)
    assert filing.current_step == "leader"
    filing = approve_all(filing, cast.leader)

    assert filing.status == FilingStatus.APPROVED
    year = today().year
    assert filing.registration_number == f"HS-{year}-0001"
    account = filing.account
    assert account.name == "文学院微讯"
    assert account.filing_state == FilingState.FILED
    assert account.registration_number == filing.registration_number
    assert account.owner_unit == cast.lit and account.tier == 2
    roles = sorted(account.members.values_list("role", "person__name"))
    assert ("first_responsible", "刘书记") in roles and ("operator", "赵运营") in roles
    steps = list(filing.steps.order_by("position").values_list("step", "status", "decided_by"))
    assert steps == [
        ("unit_head", StepStatus.APPROVED, cast.lit_unit_admin.pk),
        ("school_admin", StepStatus.APPROVED, cast.school_admin.pk),
        ("leader", StepStatus.APPROVED, cast.leader.pk),
    ]


def test_tier1_chain_is_school_admin_then_leader(cast, school):
    filing = apply_new(cast.school_admin, cast.school, "华水发布", external_id="ncwu_news")
    assert filing.chain == ["school_admin", "leader"] and filing.tier == 1
    assert filing.second_unit is None
    with pytest.raises(PermissionDenied):
        services.filing_approve(filing=filing, actor=cast.school_admin)
    filing = approve_all(filing, school.second_admin, cast.leader)
    assert filing.status == FilingStatus.APPROVED and filing.account.tier == 1


def test_tier3_chain_is_unit_head_and_school_is_informed(
    cast, school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        filing = apply_new(cast.lit_operator, school.lit_division, "汉语言文学系")
    assert filing.chain == ["unit_head"] and filing.tier == 3
    assert filing.second_unit == cast.lit and filing.inform_school
    with django_capture_on_commit_callbacks(execute=True):
        filing = approve_all(filing, cast.lit_unit_admin)
    assert filing.status == FilingStatus.APPROVED
    assert filing.events.filter(action=EventAction.INFORMED).exists()
    informed = Notification.objects.filter(
        recipient=cast.school_admin, subject=f"filing:{filing.pk}"
    )
    assert informed.filter(text__contains="报备").exists()
    assert not filing.steps.filter(step="school_admin").exists()  # informed, not a step


def test_school_student_org_chain_is_league_then_school_admin(cast, school):
    filing = apply_new(school.union_operator, cast.union, "校学生会", external_id="ncwu_union")
    assert filing.chain == ["league_approver", "school_admin"]
    assert list(filings_waiting_for(cast.league_approver)) == [filing]
    assert not filings_waiting_for(cast.lit_unit_admin).exists()
    filing = approve_all(filing, cast.league_approver, cast.school_admin)
    assert filing.status == FilingStatus.APPROVED


def test_personal_account_chain_is_unit_head(cast):
    filing = apply_new(cast.lit_operator, cast.lit, "李老师读书", is_personal=True)
    assert filing.chain == ["unit_head"] and filing.tier == 3
    filing = approve_all(filing, cast.lit_unit_admin)
    assert filing.account.is_personal and filing.account.tier == 3


def test_group_filing_chain_is_unit_head_and_marks_the_group_registered(cast):
    filing = services.filing_create(
        actor=cast.lit_operator,
        kind=FilingKind.GROUP,
        group=cast.lit_group,
        fields={"responsible_name": "李老师", "introduction": "辅导员工作群"},
        pledge_accepted=True,
    )
    assert filing.chain == ["unit_head"]
    approve_all(filing, cast.lit_unit_admin)
    cast.lit_group.refresh_from_db()
    assert cast.lit_group.registered


def test_policy_file_changes_the_chain(cast, policy_file):
    policy_file('[filing]\nchain.tier2 = ["school_admin"]\n')
    filing = apply_new(cast.lit_operator, cast.lit)
    assert filing.chain == ["school_admin"]
    approve_all(filing, cast.school_admin)


def test_unit_head_may_be_the_heads_own_login(cast):
    from beian.testing import make_user

    head_user = make_user("cs_head_user", person=cast.cs_head, name="张书记")
    filing = apply_new(cast.school_admin, cast.cs, "计算机学院", external_id="ncwu_cs_new")
    assert filings_waiting_for(head_user).get() == filing
    assert filings_waiting_for(cast.cs_unit_admin).get() == filing
    approve_all(filing, head_user)


def test_a_step_nobody_else_holds_falls_to_the_school_admin(cast):
    filing = apply_new(cast.lit_unit_admin, cast.lit)
    assert filing.current_step == "unit_head" and filing.current_fallback
    assert not filings_waiting_for(cast.lit_unit_admin).exists()
    approve_all(filing, cast.school_admin)
    assert filing.steps.get(position=0).fallback


# --- reject, return, withdraw ------------------------------------------------------------


def test_reject_needs_a_reason_and_ends_the_request(cast, django_capture_on_commit_callbacks):
    cast.lit_operator.email = "li@ncwu.edu.cn"
    cast.lit_operator.save()
    filing = apply_new(cast.lit_operator, cast.lit)
    with pytest.raises(ValidationError):
        services.filing_reject(filing=filing, actor=cast.lit_unit_admin, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        filing = services.filing_reject(filing=filing, actor=cast.lit_unit_admin, reason="重复")
    assert filing.status == FilingStatus.REJECTED and filing.current_step == ""
    assert list(filing.steps.values_list("status", flat=True).order_by("position")) == [
        StepStatus.REJECTED,
        StepStatus.CANCELLED,
        StepStatus.CANCELLED,
    ]
    assert Notification.objects.filter(recipient=cast.lit_operator, text__contains="重复").exists()
    assert any("重复" in m.body for m in mail.outbox)
    with pytest.raises(TransitionError):
        services.filing_approve(filing=filing, actor=cast.lit_unit_admin)
    assert not MediaAccount.objects.filter(name="文学院微讯").exists()


def test_return_then_resubmit_starts_a_new_round_from_the_first_step(cast):
    filing = apply_new(cast.lit_operator, cast.lit)
    filing = approve_all(filing, cast.lit_unit_admin)
    filing = services.filing_return(filing=filing, actor=cast.school_admin, comment="补充栏目")
    assert filing.status == FilingStatus.RETURNED
    with pytest.raises(PermissionDenied):
        services.filing_update(filing=filing, actor=cast.lit_unit_admin, fields={})
    filing = services.filing_update(
        filing=filing,
        actor=cast.lit_operator,
        fields={"columns": "学院新闻、通知公告、学术讲座"},
        team=team("钱管理"),
    )
    filing = services.filing_submit(filing=filing, actor=cast.lit_operator)
    assert filing.round == 2 and filing.current_step == "unit_head"
    filing = approve_all(filing, cast.lit_unit_admin, cast.school_admin, cast.leader)
    assert filing.status == FilingStatus.APPROVED
    assert filing.steps.filter(round=1).count() == 3 and filing.steps.filter(round=2).count() == 3
    actions = list(filing.events.values_list("action", flat=True))
    assert actions[:6] == [
        EventAction.CREATED,
        EventAction.SUBMITTED,
        EventAction.APPROVED,
        EventAction.RETURNED,
        EventAction.UPDATED,
        EventAction.RESUBMITTED,
    ]
    update = filing.events.get(action=EventAction.UPDATED)
    assert "columns" in update.detail["changes"] and "team" in update.detail["changes"]
    assert filing.account.columns == "学院新闻、通知公告、学术讲座"


def test_withdraw_by_the_applicant_only(cast):
    filing = apply_new(cast.lit_operator, cast.lit)
    with pytest.raises(PermissionDenied):
        services.filing_withdraw(filing=filing, actor=cast.lit_unit_admin)
    filing = services.filing_withdraw(filing=filing, actor=cast.lit_operator, reason="不开了")
    assert filing.status == FilingStatus.WITHDRAWN
    assert not filing.steps.filter(status=StepStatus.CURRENT).exists()
    with pytest.raises(TransitionError):
        services.filing_withdraw(filing=filing, actor=cast.lit_operator)


# --- who may decide ------------------------------------------------------------------------


def test_nobody_approves_their_own_application(cast):
    filing = apply_new(cast.school_admin, cast.lit)
    filing = approve_all(filing, cast.lit_unit_admin)
    assert filing.current_step == "school_admin"
    with pytest.raises(PermissionDenied, match="自己"):
        services.filing_approve(filing=filing, actor=cast.school_admin)
    filing.refresh_from_db()
    assert filing.current_step == "school_admin"


@pytest.mark.parametrize(
    "who", ["cs_unit_admin", "school_admin", "leader", "league_approver", "auditor", "nobody"]
)
def test_out_of_scope_approval_is_refused(cast, who):
    filing = apply_new(cast.lit_operator, cast.lit)
    actor = getattr(cast, who)
    for decide in (
        lambda: services.filing_approve(filing=filing, actor=actor),
        lambda: services.filing_reject(filing=filing, actor=actor, reason="x"),
        lambda: services.filing_return(filing=filing, actor=actor, comment="x"),
    ):
        with pytest.raises(PermissionDenied):
            decide()
    filing.refresh_from_db()
    assert filing.current_step == "unit_head" and filing.status == FilingStatus.PENDING


def test_cannot_apply_outside_ones_units(cast):
    with pytest.raises(PermissionDenied):
        apply_new(cast.lit_operator, cast.cs)
    with pytest.raises(PermissionDenied):
        apply_new(cast.leader, cast.lit)
    with pytest.raises(PermissionDenied):
        apply_new(cast.cs_unit_admin, cast.lit)


# --- content checks ----------------------------------------------------------------------


def test_pledge_is_required_and_recorded(cast):
    with pytest.raises(ValidationError) as exc:
        services.filing_create(
            actor=cast.lit_operator,
            kind=FilingKind.NEW,
            fields=new_fields(cast.lit),
            team=team(),
            pledge_accepted=False,
        )
    assert "pledge" in exc.value.message_dict
    filing = apply_new(cast.lit_operator, cast.lit)
    assert filing.pledge_accepted_by == cast.lit_operator and filing.pledge_accepted_at
    assert filing.pledge_version


def test_lead_time_warns_by_default_and_flags_the_filing(cast, policy_file):
    policy_file("[filing]\nlead_days = 14\n")
    filing = apply_new(cast.lit_operator, cast.lit, goes_live_on=today() + timedelta(days=3))
    assert filing.lead_time_short


def test_lead_time_refused_when_policy_says_so(cast, policy_file):
    policy_file('[filing]\nlead_days = 14\nlead_time_mode = "refuse"\n')
    with pytest.raises(ValidationError) as exc:
        apply_new(cast.lit_operator, cast.lit, goes_live_on=today() + timedelta(days=3))
    assert "goes_live_on" in exc.value.message_dict
    assert not Filing.objects.exists()
    filing = apply_new(cast.lit_operator, cast.lit, goes_live_on=today() + timedelta(days=14))
    assert not filing.lead_time_short


def test_late_filing_flags_live_before_approval_and_fills_the_number(cast):
    account = cast.lit_account
    filing = services.filing_create(
        actor=cast.lit_operator,
        kind=FilingKind.LATE,
        account=account,
        fields={**new_fields(cast.lit, account.name, goes_live_on=None), "external_id": "ncwu_lit"},
        team=team(),
        pledge_accepted=True,
    )
    account.refresh_from_db()
    assert account.filing_state == FilingState.PENDING
    approve_all(filing, cast.lit_unit_admin, cast.school_admin, cast.leader)
    filing.refresh_from_db()
    account.refresh_from_db()
    assert filing.live_before_approval and account.filing_state == FilingState.FILED
    assert account.registration_number == filing.registration_number


def test_rejected_late_filing_puts_the_account_back_to_unfiled(cast):
    filing = services.filing_create(
        actor=cast.lit_unit_admin,
        kind=FilingKind.LATE,
        account=cast.lit_account,
        fields=new_fields(cast.lit, "文学院微言", goes_live_on=None, external_id="ncwu_lit"),
        team=team(),
        pledge_accepted=True,
    )
    services.filing_reject(filing=filing, actor=cast.school_admin, reason="材料不全")
    cast.lit_account.refresh_from_db()
    assert cast.lit_account.filing_state == FilingState.UNFILED


def test_new_filing_for_an_account_already_registered_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        apply_new(cast.lit_operator, cast.lit, external_id="ncwu_lit")
    assert "补办" in str(exc.value)


def test_attachments_are_checked_by_content(cast, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    filing = apply_new(cast.lit_operator, cast.lit)
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.filing_attach(filing=filing, actor=cast.lit_operator, upload=fake)
    png_named_txt = SimpleUploadedFile("scan.txt", PNG, content_type="text/plain")
    attachment = services.filing_attach(
        filing=filing, actor=cast.lit_operator, upload=png_named_txt
    )
    assert attachment.content_type == "image/png" and attachment.file.name.endswith(".png")
    settings.BEIAN_UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="过大"):
        services.filing_attach(
            filing=filing, actor=cast.lit_operator, upload=SimpleUploadedFile("a.pdf", PDF)
        )
    with pytest.raises(PermissionDenied):
        services.filing_attach(
            filing=filing,
            actor=cast.cs_unit_admin,
            upload=SimpleUploadedFile("a.pdf", PDF),
        )
    with pytest.raises(PermissionDenied):  # the stamped form only after approval
        services.filing_attach(
            filing=filing,
            actor=cast.lit_operator,
            upload=SimpleUploadedFile("a.pdf", PDF),
            kind="stamped_form",
        )


# --- registration numbers ----------------------------------------------------------------


def test_registration_numbers_are_sequential_and_gapless(cast):
    numbers = []
    for i in range(4):
        filing = apply_new(cast.lit_operator, cast.lit, f"文学院号{i}", external_id=f"ncwu_lit_{i}")
        if i == 1:
            services.filing_reject(filing=filing, actor=cast.lit_unit_admin, reason="否")
            continue
        filing = approve_all(filing, cast.lit_unit_admin, cast.school_admin, cast.leader)
        numbers.append(filing.registration_number)
    year = today().year
    assert numbers == [f"HS-{year}-0001", f"HS-{year}-0002", f"HS-{year}-0003"]
    assert RegistrationCounter.objects.get(year=year).last == 3


def test_number_format_comes_from_the_policy(cast, policy_file):
    policy_file('[institution]\nnumber_format = "{prefix}备{year}{tier}{seq:03d}"\n')
    filing = apply_new(cast.lit_operator, cast.lit)
    filing = approve_all(filing, cast.lit_unit_admin, cast.school_admin, cast.leader)
    assert filing.registration_number == f"HS备{today().year}2001"


def test_a_number_used_by_an_imported_account_is_passed_over(cast):
    year = today().year
    MediaAccount.objects.filter(pk=cast.cs_account.pk).update(registration_number=f"HS-{year}-0001")
    filing = apply_new(cast.lit_operator, cast.lit)
    filing = approve_all(filing, cast.lit_unit_admin, cast.school_admin, cast.leader)
    assert filing.registration_number == f"HS-{year}-0002"


# --- change reports --------------------------------------------------------------------


def _registered(cast):
    filing = apply_new(cast.lit_operator, cast.lit, external_id="ncwu_lit_news")
    return approve_all(filing, cast.lit_unit_admin, cast.school_admin, cast.leader).account


def _change_fields(account, **kw):
    fields = {
        "account_name": account.name,
        "external_id": account.external_id,
        "url": account.url,
        "update_frequency": account.update_frequency,
        "columns": account.columns,
        "introduction": account.introduction,
        "guiding_unit": account.guiding_unit,
        **responsible_of(account),
    }
    fields.update(kw)
    return fields


def test_name_change_needs_approval_and_is_applied(cast):
    account = _registered(cast)
    report = services.change_report_create(
        actor=cast.lit_operator,
        account=account,
        effective_on=today(),
        fields=_change_fields(account, account_name="文学院之声"),
    )
    assert report.change_kinds == ["name"]
    assert report.chain == ["unit_head", "school_admin", "leader"]
    assert report.status == FilingStatus.PENDING and not report.reported_late
    approve_all(report, cast.lit_unit_admin, cast.school_admin, cast.leader)
    account.refresh_from_db()
    assert account.name == "文学院之声"
    assert AuditEvent.objects.filter(
        object_type="registry.MediaAccount", object_id=str(account.pk), event="update"
    ).exists()


def test_team_change_is_recorded_without_approval(cast):
    account = _registered(cast)
    report = services.change_report_create(
        actor=cast.lit_operator,
        account=account,
        effective_on=today(),
        fields=_change_fields(account),
        team=[*team(), {"role": "reviewer", "name": "孙审核", "identity": "staff"}],
    )
    assert report.change_kinds == ["team"]
    assert report.status == FilingStatus.APPROVED and report.chain == []
    assert report.events.filter(action=EventAction.RECORDED).exists()
    assert account.members.filter(role="reviewer", person__name="孙审核").exists()


def test_change_with_nothing_changed_is_refused(cast):
    account = _registered(cast)
    with pytest.raises(ValidationError, match="没有发现变更"):
        services.change_report_create(
            actor=cast.lit_operator,
            account=account,
            effective_on=today(),
            fields=_change_fields(account),
        )


@override_settings(BEIAN_POLICY_FILE="")
def test_late_change_counts_workdays_and_skips_a_holiday(cast, policy_file):
    import time_machine

    # 5 workdays from Wednesday 2026-09-23: Thu 24, (Fri 25 – Sun 27 中秋 holiday),
    # Mon 28, Tue 29, Wed 30, (Oct 1–7 国庆), Thu 8 October → deadline 2026-10-08.
    policy_file('[changes]\nreport_within = "5 workdays"\n')
    account = _registered(cast)
    effective = date(2026, 9, 23)
    with time_machine.travel(date(2026, 10, 8)):
        on_time = services.change_report_create(
            actor=cast.lit_operator,
            account=account,
            effective_on=effective,
            fields=_change_fields(account, update_frequency="每周 3 次"),
        )
    assert on_time.report_deadline == date(2026, 10, 8) and not on_time.reported_late
    with time_machine.travel(date(2026, 10, 9)):
        late = services.change_report_create(
            actor=cast.lit_operator,
            account=account,
            effective_on=effective,
            fields=_change_fields(account, update_frequency="每周 4 次"),
        )
    assert late.reported_late
    assert late.events.get(action=EventAction.SUBMITTED).detail["reported_late"] is True


def test_three_calendar_days_policy(cast, policy_file):
    import time_machine

    policy_file('[changes]\nreport_within = "3 days"\n')
    account = _registered(cast)
    # Monday 2026-06-15 + 3 days = Thursday 18th.
    with time_machine.travel(date(2026, 6, 19)):
        report = services.change_report_create(
            actor=cast.lit_operator,
            account=account,
            effective_on=date(2026, 6, 15),
            fields=_change_fields(account, columns="新栏目"),
        )
    assert report.report_deadline == date(2026, 6, 18) and report.reported_late


# --- closing -------------------------------------------------------------------------


def test_closing_an_account_keeps_the_row(cast):
    account = _registered(cast)
    filing = services.closing_request_create(
        actor=cast.lit_operator, account=account, reason="停止运营", closing_on=today()
    )
    assert filing.chain == ["unit_head", "school_admin"]
    approve_all(filing, cast.lit_unit_admin, cast.school_admin)
    account.refresh_from_db()
    assert account.status == AccountStatus.CLOSED
    assert account.closed_on == today() and account.closed_reason == "停止运营"
    assert AuditEvent.objects.filter(event="close", object_id=str(account.pk)).exists()
    with pytest.raises(ValidationError):
        services.closing_request_create(
            actor=cast.lit_unit_admin, account=account, reason="再注销", closing_on=today()
        )


def test_dissolving_a_group(cast):
    filing = services.closing_request_create(
        actor=cast.lit_operator, group=cast.lit_group, reason="已毕业", closing_on=today()
    )
    approve_all(filing, cast.lit_unit_admin)
    cast.lit_group.refresh_from_db()
    assert cast.lit_group.status == GroupStatus.DISSOLVED
    assert cast.lit_group.dissolved_reason == "已毕业"


def test_one_open_request_per_record(cast):
    services.closing_request_create(
        actor=cast.lit_operator, group=cast.lit_group, reason="已毕业", closing_on=today()
    )
    with pytest.raises(ValidationError, match="正在办理"):
        services.closing_request_create(
            actor=cast.lit_unit_admin, group=cast.lit_group, reason="重复", closing_on=today()
        )


# --- notifications and counts ------------------------------------------------------------


def test_each_assigned_step_and_decision_is_notified_after_commit(
    cast, django_capture_on_commit_callbacks
):
    cast.lit_unit_admin.email = "lit@ncwu.edu.cn"
    cast.lit_unit_admin.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        filing = apply_new(cast.lit_operator, cast.lit)
        assert not Notification.objects.exists()  # nothing inside the transaction
    for callback in callbacks:
        callback()
    note = Notification.objects.get(recipient=cast.lit_unit_admin)
    assert "待审批" in note.text and note.link == f"/filings/{filing.pk}/"
    assert mail.outbox and mail.outbox[0].to == ["lit@ncwu.edu.cn"]
    counts = pending_counts(cast.lit_unit_admin)
    assert counts["waiting"] == 1 and counts["unread"] == 1
    assert pending_counts(cast.lit_operator)["mine_open"] == 1


def test_reminders_go_to_the_current_approvers_once_a_day(cast, django_capture_on_commit_callbacks):
    import time_machine

    with time_machine.travel(date(2026, 6, 1)):
        filing = apply_new(cast.lit_operator, cast.lit, goes_live_on=date(2026, 7, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(today=date(2026, 6, 2)) == 0
        assert services.reminders_send(today=date(2026, 6, 4)) == 1
        assert services.reminders_send(today=date(2026, 6, 4)) == 0
    assert Notification.objects.filter(
        recipient=cast.lit_unit_admin, subject=f"filing:{filing.pk}", text__contains="催办"
    ).exists()


# --- audit and timeline in one transaction ------------------------------------------------


def test_every_transition_writes_an_audit_row_and_a_timeline_entry(cast):
    filing = apply_new(cast.lit_operator, cast.lit)
    filing = approve_all(filing, cast.lit_unit_admin)
    filing = services.filing_return(filing=filing, actor=cast.school_admin, comment="改")
    filing = services.filing_submit(filing=filing, actor=cast.lit_operator)
    services.filing_withdraw(filing=filing, actor=cast.lit_operator)
    events = FilingEvent.objects.filter(filing=filing).count()
    audits = AuditEvent.objects.filter(object_type="filings.Filing", object_id=str(filing.pk))
    assert events == audits.count() == 6
    assert set(audits.values_list("event", flat=True)) == {"create", "update", "approve"}


@pytest.mark.parametrize("decision", ["approve", "reject", "return"])
def test_a_failure_after_the_transition_rolls_back_audit_and_timeline(cast, decision, monkeypatch):
    filing = apply_new(cast.lit_operator, cast.lit)
    events = FilingEvent.objects.count()
    audits = AuditEvent.objects.count()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    # notify() is the last thing each decision does, after its event and audit rows.
    monkeypatch.setattr(services.decisions, "notify", boom)
    with pytest.raises(RuntimeError):
        services.filing_decide(
            filing=filing, actor=cast.lit_unit_admin, decision=decision, comment="意见"
        )
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PENDING and filing.current_step == "unit_head"
    assert FilingEvent.objects.count() == events
    assert AuditEvent.objects.count() == audits
    assert filing.steps.get(position=0).status == StepStatus.CURRENT


def test_a_failure_while_registering_rolls_back_the_number(cast, monkeypatch):
    filing = apply_new(cast.lit_operator, cast.lit)
    filing = approve_all(filing, cast.lit_unit_admin, cast.school_admin)

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services.records, "_account_team", boom)
    with pytest.raises(RuntimeError):
        services.filing_approve(filing=filing, actor=cast.leader)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PENDING and not filing.registration_number
    assert not RegistrationCounter.objects.filter(last__gt=0).exists()
    assert not MediaAccount.objects.filter(name="文学院微讯").exists()
    monkeypatch.undo()
    filing = services.filing_approve(filing=filing, actor=cast.leader)
    assert filing.registration_number.endswith("-0001")
