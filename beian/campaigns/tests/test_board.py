"""The school's side of a round, with the clock frozen: the board's counts and late flags,
bulk confirm / return (all or nothing), reminders, the 通报, the consolidated summary and
what changed since the previous round."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from beian.campaigns import board, bulk, bulletin, consolidated, diff, services
from beian.campaigns.choices import ItemAction, SheetCode, TaskEventAction, TaskState
from beian.campaigns.models import CampaignTask, TaskEvent, TaskItem
from beian.compliance.models import Finding
from beian.filings.tests.factories import PDF, PNG
from beian.registry import services as registry
from beian.registry.choices import GroupStatus
from beian.testing import make_account

OPENED = dt.datetime(2026, 4, 4, 9, 0, tzinfo=dt.UTC)
DEADLINE = dt.date(2026, 4, 25)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(OPENED, tick=False) as traveller:
        yield traveller


def make_campaign(cast, **data):
    defaults = {
        "kind": "registration",
        "title": "2026年度网络媒体平台备案统计",
        "notice": "请各单位按时报送。",
        "scope": "both",
        "opens_on": OPENED.date(),
        "deadline": DEADLINE,
        "sheets": [SheetCode.ACCOUNTS_NCWU, SheetCode.GROUPS_PDSU],
        "group_min_members": 10,
    }
    defaults.update(data)
    campaign = services.campaign_create(
        actor=cast.school_admin, owner_unit=cast.school, data=defaults, checklist=["已落实三审三校"]
    )
    services.campaign_open(actor=cast.school_admin, campaign=campaign)
    return campaign


def task_of(campaign, unit) -> CampaignTask:
    return CampaignTask.objects.get(campaign=campaign, unit=unit)


def item_of(task, record) -> TaskItem:
    field = "account" if record._meta.model_name == "mediaaccount" else "group"
    return TaskItem.objects.get(task=task, **{field: record})


def submit(task, admin) -> CampaignTask:
    """Confirm whatever is pending, answer the checklist, upload the scan, submit."""
    if task.items.exists():
        services.task_confirm_all_unchanged(actor=admin, task=task)
    else:
        services.task_zero_report(actor=admin, task=task)
    answers = {item.pk: True for item in task.campaign.checklist.all()}
    services.task_checklist_answer(actor=admin, task=task, answers=answers)
    upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    services.task_scan_upload(actor=admin, task=task, upload=upload)
    return services.task_submit(actor=admin, task=task)


def open_finding(record, unit, rule="account_not_verified"):
    from django.utils import timezone

    now = timezone.now()
    field = "account" if record._meta.model_name == "mediaaccount" else "group"
    return Finding.objects.create(
        rule=rule,
        severity="warning",
        owner_unit=unit,
        message="未整改",
        first_seen=now,
        last_seen=now,
        **{field: record},
    )


def rows_by_unit(campaign, user, on=None):
    rows = board.board_rows(board.board_tasks(campaign, user=user), deadline=DEADLINE, on=on)
    return {row.unit_name: row for row in rows}


def xlsx_texts(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- the board ---------------------------------------------------------------------------


def test_board_counts_findings_and_late_flags(cast, clock):
    campaign = make_campaign(cast)
    cs, lit = task_of(campaign, cast.cs), task_of(campaign, cast.lit)
    clock.shift(dt.timedelta(hours=1))
    services.task_item_confirm(actor=cast.cs_unit_admin, item=item_of(cs, cast.se_account))
    registry.account_update(
        actor=cast.cs_unit_admin, account=cast.cs_account, data={"name": "计算机学院青年"}
    )
    services.task_item_correct(actor=cast.cs_unit_admin, item=item_of(cs, cast.cs_account))
    extra = make_account("计算机学院新闻", unit=cast.cs, external_id="ncwu_cs_news")
    services.task_item_add(actor=cast.cs_unit_admin, task=cs, account=extra)
    open_finding(cast.cs_account, cast.cs)
    open_finding(cast.cs_group, cast.cs, rule="group_no_admin")

    clock.move_to(dt.datetime(2026, 4, 20, 9, tzinfo=dt.UTC))
    submit(lit, cast.lit_unit_admin)

    rows = rows_by_unit(campaign, cast.school_admin)
    assert rows["计算机学院"].state == TaskState.IN_PROGRESS
    assert (rows["计算机学院"].confirmed, rows["计算机学院"].corrected) == (1, 1)
    assert (rows["计算机学院"].added, rows["计算机学院"].pending) == (1, 1)
    assert rows["计算机学院"].open_findings == 2
    assert rows["文学院"].state == TaskState.SUBMITTED and rows["文学院"].open_findings == 0
    assert not any(row.late for row in rows.values())  # before the deadline nobody is late

    # The day after the deadline: the units that never submitted are late; 文学院 is not.
    clock.move_to(dt.datetime(2026, 4, 26, 9, tzinfo=dt.UTC))
    rows = rows_by_unit(campaign, cast.school_admin)
    assert rows["计算机学院"].late and rows["党委宣传部"].late
    assert not rows["文学院"].late
    # 计算机学院 submits now: still late (after the deadline).
    submit(cs, cast.cs_unit_admin)
    rows = rows_by_unit(campaign, cast.school_admin)
    assert rows["计算机学院"].late and rows["计算机学院"].state == TaskState.SUBMITTED
    summary = board.board_summary(list(rows.values()))
    assert summary["submitted"] == 2 and summary["late"] == 3 and summary["findings"] == 1


def test_board_page_filters_and_sorts(cast, client, clock):
    campaign = make_campaign(cast)
    submit(task_of(campaign, cast.lit), cast.lit_unit_admin)
    clock.move_to(dt.datetime(2026, 4, 28, 9, tzinfo=dt.UTC))
    client.force_login(cast.school_admin)
    url = reverse("campaigns:campaign_board", args=[campaign.pk])

    page = client.get(url).content.decode()
    assert "计算机学院" in page and "文学院" in page and "一键提醒未提交单位（3）" in page

    late = client.get(url, {"late": "yes"}).content.decode()
    assert "计算机学院" in late and "文学院" not in late.split('id="board-table"')[1]
    submitted = client.get(url, {"state": "submitted"}).content.decode()
    table = submitted.split('id="board-table"')[1]
    assert "文学院" in table and "计算机学院" not in table
    by_state = client.get(url, {"sort": "-state"}).content.decode()
    assert by_state.index("文学院", by_state.index('id="board-table"')) < by_state.index(
        "计算机学院", by_state.index('id="board-table"')
    )


def test_leader_reads_the_board_without_the_buttons_and_unit_admins_are_refused(cast, client):
    campaign = make_campaign(cast)
    url = reverse("campaigns:campaign_board", args=[campaign.pk])
    client.force_login(cast.leader)
    page = client.get(url)
    assert page.status_code == 200 and "确认所选" not in page.content.decode()
    client.force_login(cast.cs_unit_admin)
    assert client.get(url).status_code == 403
    post = client.post(reverse("campaigns:board_decide", args=[campaign.pk]), {})
    assert post.status_code == 403


# --- bulk decisions and reminders ---------------------------------------------------------


def test_bulk_confirm_is_all_or_nothing(cast):
    campaign = make_campaign(cast)
    lit, cs = task_of(campaign, cast.lit), task_of(campaign, cast.cs)
    submit(lit, cast.lit_unit_admin)
    with pytest.raises(ValidationError, match="计算机学院：只有已提交的填报可以确认"):
        bulk.tasks_confirm(actor=cast.school_admin, tasks=[lit, cs])
    lit.refresh_from_db()
    assert lit.state == TaskState.SUBMITTED  # rolled back with the refusal

    submit(cs, cast.cs_unit_admin)
    assert bulk.tasks_confirm(actor=cast.school_admin, tasks=[lit, cs], comment="齐全") == 2
    assert set(campaign.tasks.filter(pk__in=[lit.pk, cs.pk]).values_list("state", flat=True)) == {
        TaskState.CONFIRMED
    }
    assert TaskEvent.objects.filter(action=TaskEventAction.CONFIRMED, task=cs).exists()


def test_bulk_return_needs_a_comment_and_returns_each(cast, client):
    campaign = make_campaign(cast)
    lit, cs = task_of(campaign, cast.lit), task_of(campaign, cast.cs)
    submit(lit, cast.lit_unit_admin)
    submit(cs, cast.cs_unit_admin)
    with pytest.raises(ValidationError, match="退回意见"):
        bulk.tasks_return(actor=cast.school_admin, tasks=[lit, cs], comment=" ")

    client.force_login(cast.school_admin)
    response = client.post(
        reverse("campaigns:board_decide", args=[campaign.pk]),
        {"tasks": [lit.pk, cs.pk], "decision": "return", "comment": "请补充盖章扫描件"},
    )
    assert response.status_code == 302
    for task in (lit, cs):
        task.refresh_from_db()
        assert task.state == TaskState.RETURNED and task.return_comment == "请补充盖章扫描件"


def test_remind_all_slow_units_reaches_their_admins_once(
    cast, client, django_capture_on_commit_callbacks
):
    from beian.notify.models import Notification

    campaign = make_campaign(cast)
    submit(task_of(campaign, cast.lit), cast.lit_unit_admin)
    client.force_login(cast.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaigns:board_remind", args=[campaign.pk]), {"all": "1"})
    assert response.status_code == 302
    cs = task_of(campaign, cast.cs)
    assert cs.reminded_on == OPENED.date()
    assert TaskEvent.objects.filter(task=cs, action=TaskEventAction.REMINDED).count() == 1
    assert not TaskEvent.objects.filter(
        task=task_of(campaign, cast.lit), action=TaskEventAction.REMINDED
    ).exists()
    notes = Notification.objects.filter(recipient=cast.cs_unit_admin)
    assert notes.count() == 1 and "距截止日期" in notes.get().text
    with pytest.raises(ValidationError, match="今天已经提醒过"):
        bulk.tasks_remind(actor=cast.school_admin, tasks=[cs])
    assert not Notification.objects.filter(recipient=cast.lit_unit_admin).exists()


# --- 通报 ----------------------------------------------------------------------------------


def test_bulletin_names_late_missing_returned_and_open_findings(cast, client, clock):
    campaign = make_campaign(cast)
    lit, cs = task_of(campaign, cast.lit), task_of(campaign, cast.cs)
    league = task_of(campaign, cast.league)
    submit(lit, cast.lit_unit_admin)
    open_finding(cast.lit_account, cast.lit)
    submit(league, cast.school_admin)
    services.task_return(actor=cast.school_admin, task=league, comment="请补充")

    before = bulletin.build_bulletin(campaign, user=cast.school_admin)
    assert not before.is_final and before.missing == [] and before.late == []

    clock.move_to(dt.datetime(2026, 4, 27, 2, tzinfo=dt.UTC))
    submit(cs, cast.cs_unit_admin)  # two days late
    result = bulletin.build_bulletin(campaign, user=cast.school_admin)
    assert result.is_final
    assert [(line.unit, line.days_late) for line in result.late] == [("计算机学院", 2)]
    assert [line.unit for line in result.missing] == ["党委宣传部"]
    assert [line.unit for line in result.returned] == ["校团委"]
    assert [(line.unit, line.findings) for line in result.findings] == [("文学院", 1)]
    assert "按时报送 2 个，逾期报送 1 个，未报送 1 个" in bulletin.summary_text(result)

    client.force_login(cast.school_admin)
    page = client.get(reverse("campaigns:campaign_bulletin", args=[campaign.pk])).content.decode()
    assert "逾期 2 天" in page and "党委宣传部" in page

    docx = client.get(reverse("campaigns:campaign_bulletin_file", args=[campaign.pk, "docx"]))
    with zipfile.ZipFile(io.BytesIO(docx.content)) as archive:
        document = archive.read("word/document.xml").decode()
    for text in ("逾期报送单位", "计算机学院", "党委宣传部", "校团委", "文学院"):
        assert text in document

    xlsx = client.get(reverse("campaigns:campaign_bulletin_file", args=[campaign.pk, "xlsx"]))
    rows = xlsx_texts(xlsx.content)
    kinds = {(row[1], row[2]) for row in rows if isinstance(row[0], int)}
    assert kinds == {
        ("党委宣传部", "未提交"),
        ("校团委", "退回后未重新提交"),
        ("计算机学院", "逾期提交"),
        ("文学院", "提交后仍有未整改问题"),
    }
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert not any(
        isinstance(c.value, str) and c.value.startswith("=") for r in sheet.iter_rows() for c in r
    )


# --- the consolidated summary --------------------------------------------------------------


def test_consolidated_summary_holds_the_confirmed_units_records_with_their_corrections(
    cast, client, clock
):
    campaign = make_campaign(cast)
    cs, lit = task_of(campaign, cast.cs), task_of(campaign, cast.lit)
    clock.shift(dt.timedelta(hours=1))
    registry.account_update(
        actor=cast.cs_unit_admin, account=cast.cs_account, data={"name": "计算机学院青年之声"}
    )
    services.task_item_correct(actor=cast.cs_unit_admin, item=item_of(cs, cast.cs_account))
    submit(cs, cast.cs_unit_admin)
    submit(lit, cast.lit_unit_admin)
    services.task_confirm(actor=cast.school_admin, task=cs)  # 文学院 waits for the school

    data, rows, _digest = consolidated.consolidated_sheet(
        campaign, SheetCode.ACCOUNTS_NCWU, user=cast.school_admin
    )
    texts = {c for row in xlsx_texts(data) for c in row if isinstance(c, str)}
    assert "计算机学院青年之声" in texts and "计算机学院团委" not in texts
    assert "文学院微言" not in texts and rows == 2  # cs_account and se_account

    client.force_login(cast.school_admin)
    url = reverse("campaigns:campaign_summary", args=[campaign.pk, SheetCode.ACCOUNTS_NCWU])
    both = client.get(url, {"submitted": "1"})
    texts = {c for row in xlsx_texts(both.content) for c in row if isinstance(c, str)}
    assert {"计算机学院青年之声", "文学院微言"} <= texts
    groups = client.get(
        reverse("campaigns:campaign_summary", args=[campaign.pk, SheetCode.GROUPS_PDSU])
    )
    assert any("计算机学院教职工群" in str(c) for row in xlsx_texts(groups.content) for c in row)
    missing = reverse("campaigns:campaign_summary", args=[campaign.pk, SheetCode.ACCOUNTS_HNWU])
    assert client.get(missing).status_code == 404


# --- what changed since the previous round ----------------------------------------------


def test_diff_against_the_previous_round(cast, client, clock):
    last_year = make_campaign(cast, title="2025年度备案统计", deadline=DEADLINE)
    cs = task_of(last_year, cast.cs)
    submit(cs, cast.cs_unit_admin)
    services.campaign_close(actor=cast.school_admin, campaign=last_year)

    clock.move_to(dt.datetime(2027, 4, 4, 9, tzinfo=dt.UTC))
    this_year = services.campaign_copy(actor=cast.school_admin, source=last_year)
    services.campaign_update(
        actor=cast.school_admin,
        campaign=this_year,
        data={"title": "2027年度备案统计", "deadline": dt.date(2027, 4, 25)},
    )
    services.campaign_open(actor=cast.school_admin, campaign=this_year)
    cs_now = task_of(this_year, cast.cs)
    clock.shift(dt.timedelta(hours=1))
    # corrected: renamed; closed: the group dissolved with proof; added: a new account.
    registry.account_update(
        actor=cast.cs_unit_admin, account=cast.cs_account, data={"name": "计算机学院青年"}
    )
    services.task_item_correct(actor=cast.cs_unit_admin, item=item_of(cs_now, cast.cs_account))
    proof = SimpleUploadedFile("proof.png", PNG, content_type="image/png")
    services.task_item_mark_closing(
        actor=cast.cs_unit_admin,
        item=item_of(cs_now, cast.cs_group),
        reason="不再使用",
        proof=proof,
    )
    new = make_account("计算机学院就业", unit=cast.cs, external_id="ncwu_cs_job")
    services.task_item_add(actor=cast.cs_unit_admin, task=cs_now, account=new)
    submit(cs_now, cast.cs_unit_admin)
    cast.cs_group.refresh_from_db()
    assert cast.cs_group.status == GroupStatus.DISSOLVED

    result = diff.round_diff(this_year, user=cast.school_admin)
    assert result.previous == last_year
    unit = next(u for u in result.units if u.unit == "计算机学院")
    assert (unit.added, unit.corrected, unit.closed) == (1, 1, 1)
    renamed = next(c for c in unit.changes if c.kind == diff.CORRECTED)
    assert ("名称", "计算机学院团委", "计算机学院青年") in renamed.fields
    assert next(c for c in unit.changes if c.kind == diff.CLOSED).name == "计算机学院教职工群"
    assert next(u for u in result.units if u.unit == "文学院").submitted is False

    client.force_login(cast.auditor)
    page = client.get(reverse("campaigns:campaign_diff", args=[this_year.pk])).content.decode()
    assert "2025年度备案统计" in page and "计算机学院青年" in page
    xlsx = client.get(reverse("campaigns:campaign_diff_file", args=[this_year.pk]))
    rows = [r for r in xlsx_texts(xlsx.content) if isinstance(r[0], int)]
    assert sorted(r[2] for r in rows) == sorted(["新增", "修改", "注销/解散"])
    assert ItemAction.CLOSING  # the closing item stays in the task's snapshot


def test_the_board_costs_the_same_queries_whatever_the_number_of_units(
    cast, client, django_assert_max_num_queries
):
    from beian.testing import make_unit

    for i in range(12):
        unit = make_unit(f"第{i}学院", parent=cast.school)
        make_account(f"第{i}学院团委", unit=unit, external_id=f"ncwu_u{i}")
        open_finding(make_account(f"第{i}学院新闻", unit=unit, external_id=f"ncwu_n{i}"), unit)
    campaign = make_campaign(cast)
    client.force_login(cast.school_admin)
    url = reverse("campaigns:campaign_board", args=[campaign.pk])
    with django_assert_max_num_queries(14):
        page = client.get(url, {"late": "no", "sort": "-open_findings"})
    assert page.content.decode().count("campaigns/tasks/") >= 16
