"""A whole round at the service level, with the clock frozen: the school opens a campaign;
units confirm, correct, close, add and zero-report; submit; the school returns; the unit
resubmits; the school confirms."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from beian.campaigns import services
from beian.campaigns.choices import CampaignStatus, ItemAction, SheetCode, TaskState
from beian.campaigns.models import CampaignTask, TaskEvent, TaskItem, TaskSheet
from beian.core.models import AuditEvent
from beian.filings.tests.factories import PDF, PNG
from beian.orgs.choices import UnitKind
from beian.registry import services as registry
from beian.registry.choices import AccountStatus, GroupStatus
from beian.testing import make_account, make_group, make_unit, platform

OPENED = dt.datetime(2026, 4, 4, 9, 0, tzinfo=dt.UTC)
DEADLINE = dt.date(2026, 4, 25)


def png(name="proof.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name="scan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def clock():
    """Frozen before the cast is created, so the records predate the round."""
    with time_machine.travel(OPENED, tick=False) as traveller:
        yield traveller


def make_campaign(cast, **data):
    defaults = {
        "kind": "registration",
        "title": "2026年度网络媒体平台备案和互联网群组统计",
        "notice": "请各单位于**4月25日**前完成排查统计。",
        "scope": "both",
        "opens_on": dt.date(2026, 4, 4),
        "deadline": DEADLINE,
        "sheets": [SheetCode.ACCOUNTS_NCWU, SheetCode.GROUPS_PDSU],
        "group_min_members": 10,
    }
    defaults.update(data)
    return services.campaign_create(
        actor=cast.school_admin,
        owner_unit=cast.school,
        data=defaults,
        checklist=["已落实三审三校", ("毕业学生管理员已移除", True), ("有专人负责评论区", False)],
    )


def task_of(campaign, unit) -> CampaignTask:
    return CampaignTask.objects.get(campaign=campaign, unit=unit)


def item_of(task, record) -> TaskItem:
    field = "account" if record._meta.model_name == "mediaaccount" else "group"
    return TaskItem.objects.get(task=task, **{field: record})


def answer_checklist(actor, task):
    answers = {item.pk: True for item in task.campaign.checklist.all() if item.required}
    return services.task_checklist_answer(actor=actor, task=task, answers=answers)


def test_opening_gives_every_second_level_unit_a_task_with_its_subtree(cast, clock):
    small = make_group("计算机学院小组", unit=cast.cs, member_count=5)  # below the threshold
    closed = make_account(
        "已停用", unit=cast.cs, status=AccountStatus.CLOSED, closed_on=dt.date(2025, 1, 1),
        closed_reason="停用",
    )  # fmt: skip
    campaign = make_campaign(cast)
    services.campaign_open(actor=cast.school_admin, campaign=campaign)

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    units = set(campaign.tasks.values_list("unit__name", flat=True))
    assert units == {"计算机学院", "文学院", "党委宣传部", "校团委"}
    cs = task_of(campaign, cast.cs)
    records = {str(item.record) for item in cs.items.all()}
    # The college's own account, its division's account and its group, nothing else.
    assert records == {
        str(cast.cs_account),
        str(cast.se_account),
        str(cast.cs_group),
    }
    assert not cs.items.filter(group=small).exists()
    assert not cs.items.filter(account=closed).exists()
    assert cs.state == TaskState.NOT_STARTED
    assert AuditEvent.objects.filter(object_type="campaigns.Campaign", object_id=campaign.pk)


def test_only_the_school_admin_opens_and_a_past_deadline_is_refused(cast, clock):
    campaign = make_campaign(cast)
    with pytest.raises(PermissionDenied):
        services.campaign_open(actor=cast.cs_unit_admin, campaign=campaign)
    services.campaign_update(
        actor=cast.school_admin,
        campaign=campaign,
        data={"opens_on": dt.date(2026, 3, 1), "deadline": dt.date(2026, 4, 1)},
    )
    with pytest.raises(ValidationError, match="截止日期已过"):
        services.campaign_open(actor=cast.school_admin, campaign=campaign)


def test_the_whole_round(cast, clock):
    campaign = make_campaign(cast)
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    lit = task_of(campaign, cast.lit)
    admin = cast.lit_unit_admin

    # The operator confirms their own account; they cannot touch the unit's group.
    clock.shift(dt.timedelta(days=1))
    services.task_item_confirm(actor=cast.lit_operator, item=item_of(lit, cast.lit_account))
    lit.refresh_from_db()
    assert lit.state == TaskState.IN_PROGRESS
    assert lit.started_by == cast.lit_operator

    # Corrected: the registry form saves a change, the item follows.
    other = make_account("文学院青年", unit=cast.lit, external_id="ncwu_lit_youth")
    item = services.task_item_add(actor=admin, task=lit, account=other)
    assert item.action == ItemAction.ADDED
    with pytest.raises(ValidationError, match="没有修改记录"):
        services.task_item_correct(
            actor=admin, item=item_of(lit, cast.lit_group), note="群人数变化"
        )
    registry.group_update(actor=admin, group=cast.lit_group, data={"member_count": 45})
    services.task_item_correct(actor=admin, item=item_of(lit, cast.lit_group), note="群人数")
    assert item_of(lit, cast.lit_group).action == ItemAction.CORRECTED

    # A zombie group is dissolved with proof.
    zombie = make_group("文学院2019级临时群", unit=cast.lit, member_count=30)
    services.task_item_add(actor=admin, task=lit, group=zombie)
    TaskItem.objects.filter(task=lit, group=zombie).update(action=ItemAction.PENDING)
    with pytest.raises(ValidationError, match="证明"):
        services.task_item_mark_closing(
            actor=admin, item=item_of(lit, zombie), reason="已无实际功能"
        )
    services.task_item_mark_closing(
        actor=admin, item=item_of(lit, zombie), reason="已无实际功能", proof=png()
    )
    zombie.refresh_from_db()
    assert zombie.status == GroupStatus.DISSOLVED
    assert item_of(lit, zombie).action == ItemAction.CLOSING

    # Submitting too early names every gap and changes nothing.
    with pytest.raises(ValidationError) as refused:
        services.task_submit(actor=admin, task=lit)
    text = " ".join(refused.value.messages)
    assert "检查项尚未回答" in text and "扫描件" in text
    lit.refresh_from_db()
    assert lit.state == TaskState.IN_PROGRESS
    assert not TaskSheet.objects.filter(task=lit).exists()

    answer_checklist(admin, lit)
    services.task_scan_upload(actor=admin, task=lit, upload=pdf())
    with pytest.raises(PermissionDenied):
        services.task_submit(actor=cast.lit_operator, task=lit)
    clock.shift(dt.timedelta(days=2))
    lit = services.task_submit(actor=admin, task=lit)
    assert lit.state == TaskState.SUBMITTED
    assert lit.submission_count == 1
    assert not lit.is_late
    codes = set(TaskSheet.objects.filter(task=lit).values_list("code", flat=True))
    assert codes == {SheetCode.ACCOUNTS_NCWU, SheetCode.GROUPS_PDSU}
    assert str(other.pk) in lit.snapshot["accounts"]
    assert lit.snapshot["groups"][str(zombie.pk)]["status"] == GroupStatus.DISSOLVED

    # After submitting, the unit can no longer act.
    with pytest.raises(ValidationError, match="不能再修改"):
        services.task_item_confirm(actor=admin, item=item_of(lit, other))

    # Returned, resubmitted, confirmed.
    with pytest.raises(PermissionDenied):
        services.task_return(actor=admin, task=lit, comment="自己退回")
    with pytest.raises(ValidationError, match="退回意见"):
        services.task_return(actor=cast.school_admin, task=lit, comment="  ")
    lit = services.task_return(actor=cast.school_admin, task=lit, comment="请补充负责学生电话")
    assert lit.state == TaskState.RETURNED
    with pytest.raises(ValidationError, match="重新提交"):
        services.task_submit(actor=admin, task=lit)
    lit = services.task_resubmit(actor=admin, task=lit)
    assert lit.state == TaskState.SUBMITTED and lit.submission_count == 2
    assert TaskSheet.objects.filter(task=lit, submission=2).count() == 2
    lit = services.task_confirm(actor=cast.school_admin, task=lit)
    assert lit.state == TaskState.CONFIRMED
    actions = list(TaskEvent.objects.filter(task=lit).values_list("action", flat=True))
    assert actions[0] == "opened" and actions[-3:] == ["returned", "resubmitted", "confirmed"]


def test_confirm_all_unchanged_and_late_submission(cast, clock):
    campaign = make_campaign(cast)
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    cs = task_of(campaign, cast.cs)
    assert services.task_confirm_all_unchanged(actor=cast.cs_unit_admin, task=cs) == 3
    assert not cs.items.filter(action=ItemAction.PENDING).exists()
    answer_checklist(cast.cs_unit_admin, cs)
    services.task_scan_upload(actor=cast.cs_unit_admin, task=cs, upload=pdf())
    clock.move_to(dt.datetime(2026, 4, 27, 9, 0, tzinfo=dt.UTC))
    cs = services.task_submit(actor=cast.cs_unit_admin, task=cs)
    assert cs.is_late


def test_a_unit_with_nothing_in_scope_submits_a_zero_report(cast, clock):
    campaign = make_campaign(cast)
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    propaganda = task_of(campaign, cast.propaganda)
    admin = cast.school_admin
    assert not propaganda.items.exists()
    answer_checklist(admin, propaganda)
    services.task_scan_upload(actor=admin, task=propaganda, upload=pdf())
    with pytest.raises(ValidationError, match="零报告"):
        services.task_submit(actor=admin, task=propaganda)
    services.task_zero_report(actor=admin, task=propaganda)
    propaganda = services.task_submit(actor=admin, task=propaganda)
    assert propaganda.state == TaskState.SUBMITTED and propaganda.zero_report

    cs = task_of(campaign, cast.cs)
    with pytest.raises(ValidationError, match="不能提交零报告"):
        services.task_zero_report(actor=cast.cs_unit_admin, task=cs)


def test_records_registered_during_the_round_join_the_task(cast, clock, rf):
    from beian.core.context import reset_current_request, set_current_request

    campaign = make_campaign(cast)
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    lit = task_of(campaign, cast.lit)
    request = rf.post("/registry/accounts/new/")
    request.user = cast.lit_unit_admin
    token = set_current_request(request)
    try:
        account = registry.account_create(
            actor=cast.lit_unit_admin,
            data={
                "platform": platform("douyin"),
                "name": "文学院抖音",
                "owner_unit": cast.lit,
                "external_id": "lit_douyin",
            },
        )
        registry.account_update(
            actor=cast.lit_unit_admin, account=cast.lit_account, data={"update_frequency": "每日"}
        )
    finally:
        reset_current_request(token)
    assert item_of(lit, account).action == ItemAction.ADDED
    assert item_of(lit, account).acted_by == cast.lit_unit_admin
    assert item_of(lit, cast.lit_account).action == ItemAction.CORRECTED
    # A unit of another subtree does not join this one.
    other_unit = make_unit("外语学院", kind=UnitKind.COLLEGE, parent=cast.school)
    make_account("外语学院", unit=other_unit)
    assert not TaskItem.objects.filter(task__campaign=campaign, account__name="外语学院").exists()


def test_submission_is_all_or_nothing_when_a_sheet_fails(cast, clock, monkeypatch):
    campaign = make_campaign(cast)
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    cs = task_of(campaign, cast.cs)
    services.task_confirm_all_unchanged(actor=cast.cs_unit_admin, task=cs)
    answer_checklist(cast.cs_unit_admin, cs)
    services.task_scan_upload(actor=cast.cs_unit_admin, task=cs, upload=pdf())

    calls = []

    def broken(code, **kw):
        calls.append(code)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return b"xlsx", 1, "0" * 64

    monkeypatch.setattr("beian.campaigns.sheets.render_sheet", broken)
    with pytest.raises(RuntimeError):
        services.task_submit(actor=cast.cs_unit_admin, task=cs)
    cs.refresh_from_db()
    assert cs.state == TaskState.IN_PROGRESS
    assert cs.submission_count == 0 and cs.snapshot == {}
    assert not TaskSheet.objects.filter(task=cs).exists()


def test_a_unit_admin_acts_only_on_their_own_task(cast, clock):
    campaign = make_campaign(cast)
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    cs = task_of(campaign, cast.cs)
    with pytest.raises(PermissionDenied):
        services.task_item_confirm(actor=cast.lit_unit_admin, item=item_of(cs, cast.cs_account))
    with pytest.raises(PermissionDenied):
        services.task_confirm_all_unchanged(actor=cast.lit_unit_admin, task=cs)
    with pytest.raises(PermissionDenied):
        services.task_scan_upload(actor=cast.lit_unit_admin, task=cs, upload=pdf())
    assert set(CampaignTask.objects.visible_to(cast.lit_unit_admin)) == {
        task_of(campaign, cast.lit)
    }
    assert set(CampaignTask.objects.visible_to(cast.lit_operator)) == {task_of(campaign, cast.lit)}
    assert CampaignTask.objects.visible_to(cast.nobody).count() == 0
    assert CampaignTask.objects.visible_to(cast.auditor).count() == 4


def test_copy_from_last_year(cast, clock):
    campaign = make_campaign(cast)
    copy = services.campaign_copy(actor=cast.school_admin, source=campaign)
    assert copy.is_draft and copy.copied_from == campaign
    assert copy.deadline == dt.date(2027, 4, 25)
    assert [i.text for i in copy.checklist.all()] == [i.text for i in campaign.checklist.all()]
    assert copy.sheets == campaign.sheets


def test_closing_a_filed_account_opens_a_closing_request_with_the_proof(cast):
    from beian.filings.choices import FilingKind
    from beian.filings.models import Filing
    from beian.registry.models import MediaAccount

    MediaAccount.objects.filter(pk=cast.lit_account.pk).update(
        filing_state="filed", registration_number="HS-2025-2-001"
    )
    unfiled = make_account("文学院旧号", unit=cast.lit)
    campaign = make_campaign(cast)
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    lit = task_of(campaign, cast.lit)

    item = services.task_item_mark_closing(
        actor=cast.lit_unit_admin,
        item=item_of(lit, cast.lit_account),
        reason="半年以上未更新",
        proof=png(),
    )
    filing = Filing.objects.get(pk=item.closing_filing_id)
    assert filing.kind == FilingKind.CLOSING and filing.attachments.count() == 1
    assert item.action == ItemAction.CLOSING and item.proof_sha256

    services.task_item_mark_closing(
        actor=cast.lit_unit_admin, item=item_of(lit, unfiled), reason="不再使用", proof=png()
    )
    unfiled.refresh_from_db()
    assert unfiled.status == AccountStatus.CLOSED
    assert item_of(lit, unfiled).closing_filing is None


def test_a_units_imported_sheet_joins_its_task(cast, rf):
    """The unit imports its own 汇总表 during the round: new rows join the task as "added",
    changed rows of records already listed become "corrected"."""
    from beian.core.context import reset_current_request, set_current_request
    from beian.transfer import services as transfer
    from beian.transfer.tests.conftest import csv

    campaign = make_campaign(cast)
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    lit = task_of(campaign, cast.lit)
    header = ["序号", "管理单位", "群聊平台", "群名称", "群性质", "群人数"]
    data = csv(
        header,
        [
            [1, "文学院", "微信群", "文学院2024级辅导员群", "工作", 60],
            [2, "文学院", "QQ群", "文学院教工群", "工作", 80],
        ],
    )
    request = rf.post("/transfer/import/")
    request.user = cast.lit_unit_admin
    token = set_current_request(request)
    try:
        transfer.import_commit(
            actor=cast.lit_unit_admin, kind="groups", file_name="群.csv", data=data, unit=cast.lit
        )
    finally:
        reset_current_request(token)
    new = TaskItem.objects.get(task=lit, group__name="文学院教工群")
    assert new.action == ItemAction.ADDED and new.acted_by == cast.lit_unit_admin
    assert item_of(lit, cast.lit_group).action == ItemAction.CORRECTED
