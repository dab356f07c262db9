"""The engine: findings appear, stay, resolve, reopen; waivers hold until the record
changes; scans of saved records; policy switches; bounded queries."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beian.compliance import engine, services
from beian.compliance.engine import scan_all, scan_records
from beian.compliance.models import Finding, ScanRun
from beian.compliance.recheck import records_changed
from beian.core.audit import AuditEvent
from beian.core.policy import Policy
from beian.orgs.choices import PersonStatus
from beian.registry.choices import FilingState
from beian.registry.models import AccountMember, MediaAccount
from beian.testing import make_account, make_group, make_person

pytestmark = pytest.mark.django_db


def finding(rule, record) -> Finding:
    field = "account" if isinstance(record, MediaAccount) else "group"
    return Finding.objects.get(rule=rule, **{field: record})


def edit(record, **fields):
    """A change made elsewhere (the registry's services); the engine only reads."""
    type(record).objects.filter(pk=record.pk).update(**fields)
    record.refresh_from_db()


def test_full_scan_creates_one_finding_per_rule_and_record(cast):
    run = scan_all()
    assert run.finished_at and run.records == 5 and run.created == Finding.objects.count() > 0
    group = finding("group_unregistered", cast.cs_group)
    assert group.state == "open" and group.owner_unit == cast.cs
    assert group.severity == "warning" and group.message.startswith("群成员 20 人")

    again = scan_all()
    assert again.created == again.reopened == again.resolved == 0
    assert Finding.objects.count() == run.created
    group_again = finding("group_unregistered", cast.cs_group)
    assert group_again.last_seen > group.last_seen
    assert group_again.first_seen == group.first_seen


def test_findings_resolve_when_fixed_and_reopen_when_broken_again(cast):
    scan_all()
    edit(cast.cs_group, registered=True)
    scan_records(groups=[cast.cs_group.pk])
    resolved = finding("group_unregistered", cast.cs_group)
    assert resolved.state == "resolved" and resolved.resolved_at is not None

    edit(cast.cs_group, registered=False)
    scan_all()
    reopened = finding("group_unregistered", cast.cs_group)
    assert reopened.pk == resolved.pk
    assert reopened.state == "open" and reopened.resolved_at is None
    assert reopened.times_opened == 2 and reopened.first_seen > resolved.first_seen


def test_a_closed_account_has_no_findings_left(cast):
    scan_all()
    assert Finding.objects.current().filter(account=cast.lit_account).exists()
    edit(cast.lit_account, status="closed", closed_on=date(2025, 1, 1), closed_reason="停用")
    scan_records(accounts=[cast.lit_account.pk])
    assert not Finding.objects.current().filter(account=cast.lit_account).exists()


def test_message_and_owner_unit_follow_the_record(cast):
    scan_all()
    edit(cast.cs_group, member_count=44, owner_unit=cast.lit)
    scan_all()
    group = finding("group_unregistered", cast.cs_group)
    assert group.owner_unit == cast.lit and "44 人" in group.message
    assert group.state == "open" and group.times_opened == 1


# --- waivers --------------------------------------------------------------------------------


def test_a_waiver_survives_rescans_until_the_record_changes(cast):
    edit(cast.lit_account, last_post_date=date(2020, 1, 1), last_post_source="operator")
    scan_all()
    open_finding = finding("zombie_close", cast.lit_account)
    waived = services.finding_waive(
        finding=open_finding, actor=cast.school_admin, reason="  寒假停更，  开学恢复 "
    )
    assert waived.state == "waived" and waived.waived_reason == "寒假停更， 开学恢复"
    assert AuditEvent.objects.filter(event="update", detail__action="waive").exists()

    scan_all()
    scan_records(accounts=[cast.lit_account.pk])
    edit(cast.lit_account, name="文学院微言（新）")  # not what the zombie rule reads
    scan_all()
    assert finding("zombie_close", cast.lit_account).state == "waived"

    edit(cast.lit_account, last_post_date=date(2020, 6, 1))  # still a zombie, but changed
    scan_all()
    reopened = finding("zombie_close", cast.lit_account)
    assert reopened.state == "open" and reopened.waived_reason == ""
    assert reopened.first_seen == open_finding.first_seen  # the same episode goes on
    assert reopened.times_opened == 1


def test_a_waived_finding_resolves_when_fixed(cast):
    scan_all()
    services.finding_waive(
        finding=finding("group_unregistered", cast.cs_group), actor=cast.school_admin, reason="x"
    )
    edit(cast.cs_group, registered=True)
    scan_all()
    assert finding("group_unregistered", cast.cs_group).state == "resolved"


def test_waiving_checks_the_actor_the_reason_and_the_current_data(cast):
    scan_all()
    target = finding("group_unregistered", cast.cs_group)
    with pytest.raises(PermissionDenied):
        services.finding_waive(finding=target, actor=cast.cs_unit_admin, reason="x")
    with pytest.raises(ValidationError):
        services.finding_waive(finding=target, actor=cast.school_admin, reason="   ")
    edit(cast.cs_group, registered=True)  # fixed since the last scan
    with pytest.raises(ValidationError):
        services.finding_waive(finding=target, actor=cast.school_admin, reason="保留")
    assert finding("group_unregistered", cast.cs_group).state == "resolved"


def test_unwaive(cast):
    scan_all()
    target = finding("group_unregistered", cast.cs_group)
    services.finding_waive(finding=target, actor=cast.school_admin, reason="保留")
    with pytest.raises(PermissionDenied):
        services.finding_unwaive(finding=target, actor=cast.leader)
    unwaived = services.finding_unwaive(finding=target, actor=cast.school_admin)
    assert unwaived.state == "open" and unwaived.waived_by is None
    with pytest.raises(ValidationError):
        services.finding_unwaive(finding=target, actor=cast.school_admin)


# --- scopes ---------------------------------------------------------------------------------


def test_scan_records_touches_only_those_records(cast):
    scan_records(accounts=[cast.lit_account.pk])
    assert set(Finding.objects.values_list("account_id", flat=True)) == {cast.lit_account.pk}
    assert not Finding.objects.filter(group__isnull=False).exists()


def test_scan_records_of_people_rechecks_their_records(cast):
    scan_all()
    edit(cast.lit_teacher, status=PersonStatus.LEFT)
    stats = scan_records(people=[cast.lit_teacher.pk])
    assert stats.records == 2  # 文学院微言 (operator) and the counsellors' group (admin)
    assert finding("team_member_left", cast.lit_account).message == "运营者 李老师 已离职"
    assert finding("group_admin_left", cast.lit_group).state == "open"


def test_records_changed_rechecks_after_commit(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        records_changed(groups=[cast.cs_group.pk])
        assert not Finding.objects.exists()
    assert finding("group_unregistered", cast.cs_group).state == "open"


def test_duplicate_official_resolves_for_the_peer_of_a_saved_record(cast):
    second = make_account(unit=cast.cs, is_official=True)
    scan_all()
    assert finding("duplicate_official", cast.cs_account).state == "open"
    edit(second, is_official=False)
    scan_records(accounts=[second.pk])
    assert finding("duplicate_official", cast.cs_account).state == "resolved"


def test_rules_switched_off_by_the_policy_resolve_their_findings(cast, monkeypatch):
    scan_all()
    assert finding("group_unregistered", cast.cs_group).state == "open"
    relaxed = replace(Policy(), review=replace(Policy().review, min_content_reviewers=0))
    monkeypatch.setattr(engine, "get_policy", lambda: relaxed)
    run = scan_all()
    assert run.resolved == Finding.objects.filter(rule="too_few_reviewers").count() > 0
    assert not Finding.objects.current().filter(rule="too_few_reviewers").exists()
    assert finding("group_unregistered", cast.cs_group).state == "open"


def test_small_chunks_give_the_same_findings(cast, monkeypatch):
    for i in range(7):
        make_group(unit=cast.cs, member_count=10 + i)
    scan_all()
    expected = set(Finding.objects.current().values_list("rule", "account_id", "group_id"))
    Finding.objects.all().delete()
    monkeypatch.setattr(engine, "CHUNK_SIZE", 3)
    scan_all()
    assert set(Finding.objects.current().values_list("rule", "account_id", "group_id")) == expected
    edit(cast.cs_group, registered=True)
    scan_all()
    assert finding("group_unregistered", cast.cs_group).state == "resolved"


def test_scan_command_and_rule_selection(cast, capsys):
    call_command("scan", rule=["group_unregistered"])
    assert "新发现 2" in capsys.readouterr().out
    assert set(Finding.objects.values_list("rule", flat=True)) == {"group_unregistered"}
    assert ScanRun.objects.count() == 1


# --- scale: queries do not grow with the records --------------------------------------------


def _populate(cast, n):
    people = [make_person(unit=cast.lit, status=PersonStatus.LEFT) for _ in range(3)]
    for i in range(n):
        account = make_account(
            unit=cast.lit if i % 2 else cast.union,
            platform_code="weibo" if i % 3 else "wechat_official",
            audience=60000,
            is_official=True,
            is_personal=i % 5 == 0,
            last_post_date=date(2020, 1, 1),
        )
        AccountMember.objects.create(record=account, role="responsible", person=people[i % 3])
        make_group(unit=cast.cs, creator=people[i % 3], has_outside_members=True)


def _count_queries() -> tuple[int, int]:
    """Queries of a first scan (no findings yet) and of a second one after every account
    changed."""
    Finding.objects.all().delete()
    MediaAccount.objects.update(last_post_date=date(2020, 1, 1))
    with CaptureQueriesContext(connection) as first:
        scan_all()
    MediaAccount.objects.update(last_post_date=timezone.localdate() - timedelta(days=70))
    with CaptureQueriesContext(connection) as second:
        scan_all()
    return len(first), len(second)


def test_queries_for_10_and_50_records_are_equal(cast):
    _populate(cast, 10)
    small = _count_queries()
    assert Finding.objects.filter(rule="zombie_warn").count() == 10 + 3
    _populate(cast, 40)
    large = _count_queries()
    assert Finding.objects.filter(rule="zombie_warn").count() == 50 + 3
    assert small == large
    assert max(small) < 165, small  # 150 + the five inspection / hand-over rules (issue 11)


@time_machine.travel("2025-06-30 10:00 +0800", tick=False)
def test_zombie_finding_moves_from_warn_to_close_as_time_passes(cast):
    make_account(
        "时间账号", unit=cast.cs, last_post_date=date(2025, 4, 20), last_post_source="feed"
    )
    scan_all()
    account = MediaAccount.objects.get(name="时间账号")
    assert finding("zombie_warn", account).state == "open"
    with time_machine.travel("2025-07-20 10:00 +0800", tick=False):
        scan_all()
    assert finding("zombie_warn", account).state == "resolved"
    assert finding("zombie_close", account).message.startswith(
        "最近发布于 2025-04-20（来源：订阅源抓取），已 91 天"
    )


def test_filing_an_account_resolves_running_unfiled(cast):
    scan_all()
    edit(cast.cs_account, filing_state=FilingState.FILED)
    scan_records(accounts=[cast.cs_account.pk])
    assert finding("live_before_approval", cast.cs_account).state == "resolved"


def test_visible_to_follows_the_owner_unit_and_the_operator_records(cast):
    scan_all()
    everyone = Finding.objects.count()
    assert Finding.objects.visible_to(cast.auditor).count() == everyone
    cs_units = {cast.cs.pk, cast.se.pk}
    assert {f.owner_unit_id for f in Finding.objects.visible_to(cast.cs_unit_admin)} == cs_units
    mine = Finding.objects.visible_to(cast.lit_operator)
    assert mine.exists() and {f.owner_unit_id for f in mine} == {cast.lit.pk}
    assert not Finding.objects.visible_to(cast.nobody).exists()


def test_a_waived_then_resolved_finding_reopens_without_its_old_waiver(cast):
    scan_all()
    target = finding("group_unregistered", cast.cs_group)
    services.finding_waive(finding=target, actor=cast.school_admin, reason="保留")
    edit(cast.cs_group, registered=True)
    scan_all()
    edit(cast.cs_group, registered=False)
    scan_all()
    again = finding("group_unregistered", cast.cs_group)
    assert again.state == "open" and again.times_opened == 2
    assert again.waived_reason == "" and again.waived_by is None and again.waived_at is None
