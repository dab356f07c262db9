"""Scope and all-or-nothing: a row for another unit is an error, not a write; an error row
blocks the commit unless dropped; the commit writes exactly what was previewed."""

import pytest
from django.core.exceptions import PermissionDenied

from beian.core.models import AuditEvent
from beian.orgs.models import Person
from beian.registry.models import ChatGroup, MediaAccount
from beian.transfer import bulk, services

from .conftest import ACCOUNT_HEADER, GROUP_HEADER, commit, errors, preview, row, xlsx

pytestmark = pytest.mark.django_db

ROWS = [
    [1, "计算机学院", "微信群", "计院新群", "工作", 30, "无", "", "", "冯老师", ""],
    [2, "文学院", "微信群", "文学院新群", "工作", 30, "无", "", "", "", ""],
]


def snapshot():
    return (
        ChatGroup.objects.count(),
        ChatGroup.history.count(),
        MediaAccount.objects.count(),
        Person.objects.count(),
    )


def test_a_unit_admins_row_for_another_unit_is_an_error_and_nothing_is_written(cast):
    before = snapshot()
    plan = preview(cast.cs_unit_admin, "groups", xlsx(GROUP_HEADER, ROWS))
    assert row(plan, 2).status == "new"
    assert errors(plan, 3) == [
        "工作表“Sheet1”第 3 行 B 列（管理单位）：“文学院”不在您的管理范围内，不能导入"
    ]
    with pytest.raises(services.ImportBlocked):
        commit(cast.cs_unit_admin, "groups", xlsx(GROUP_HEADER, ROWS))
    assert snapshot() == before
    assert not AuditEvent.objects.filter(event="import").exists()


def test_dropping_the_error_row_commits_the_rest(cast):
    outcome = commit(cast.cs_unit_admin, "groups", xlsx(GROUP_HEADER, ROWS), drop=[3])
    assert outcome.written["created"] == 1
    assert ChatGroup.objects.filter(name="计院新群", owner_unit=cast.cs).exists()
    assert not ChatGroup.objects.filter(name="文学院新群").exists()
    event = AuditEvent.objects.get(event="import")
    assert event.actor == cast.cs_unit_admin
    assert event.detail["kind"] == "groups" and event.detail["dropped_rows"] == [3]
    assert event.detail["counts"]["new"] == 1 and len(event.detail["sha256"]) == 64


def test_an_existing_record_out_of_scope_is_not_touched(cast):
    header = [*ACCOUNT_HEADER]
    rows = [[1, "计算机学院", "", "微信公众号", "文学院微言", "ncwu_lit", "", "", "", "", "", "", "",
             ""]]  # fmt: skip
    plan = preview(cast.cs_unit_admin, "accounts", xlsx(header, rows))
    assert "该账号不在您的管理范围内" in errors(plan)[0]
    assert "文学院" not in errors(plan)[0]  # whose it is stays unsaid (issue 9, finding 8)


def test_the_import_unit_limits_the_rows(cast):
    rows = [[1, "", "微信群", "空白单位的群", "工作", 3, "无", "", "", "", ""], *ROWS]
    plan = preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows), unit=cast.cs)
    assert row(plan, 2).unit == "计算机学院" and row(plan, 2).status == "new"
    assert "不属于本次导入的单位“计算机学院”" in errors(plan, 4)[0]


def test_a_blank_unit_without_a_default_is_an_error(cast):
    rows = [[1, "", "微信群", "空白单位的群", "工作", 3, "无", "", "", "", ""]]
    plan = preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert "请填写管理单位" in errors(plan)[0]
    plan = preview(cast.cs_unit_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert row(plan, 2).unit == "计算机学院"  # a unit admin's only unit


@pytest.mark.parametrize("who", ["lit_operator", "auditor", "leader", "nobody"])
def test_only_admins_import(cast, who):
    with pytest.raises(PermissionDenied):
        preview(getattr(cast, who), "groups", xlsx(GROUP_HEADER, ROWS))
    with pytest.raises(PermissionDenied):
        preview(cast.cs_unit_admin, "groups", xlsx(GROUP_HEADER, ROWS), unit=cast.lit)


def test_a_failure_while_writing_leaves_nothing_behind(cast, monkeypatch):
    before = snapshot()

    def broken(self, ids, kind):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk.RecordWriter, "_history", broken)
    with pytest.raises(RuntimeError):
        commit(cast.school_admin, "groups", xlsx(GROUP_HEADER, ROWS))
    assert snapshot() == before


def test_the_commit_refuses_when_the_registry_changed_after_the_preview(cast):
    rows = [[1, "计算机学院", "微信群", "计算机学院教职工群", "工作", 50, "无", "", "", "", ""]]
    data = xlsx(GROUP_HEADER, rows)
    plan = preview(cast.school_admin, "groups", data)
    expected = plan.digests()
    ChatGroup.objects.filter(pk=cast.cs_group.pk).update(member_count=50)  # someone else
    with pytest.raises(services.PlanChanged) as changed:
        commit(cast.school_admin, "groups", data, expected=expected)
    assert changed.value.rows == [2]
    assert row(changed.value.plan, 2).status == "unchanged"
    commit(cast.school_admin, "groups", data, expected=changed.value.plan.digests())


def test_dropping_one_of_two_duplicates_needs_a_second_look(cast):
    rows = [
        [1, "计算机学院", "微信群", "迎新群", "工作", 10, "无", "", "", "", ""],
        [2, "计算机学院", "微信群", "迎新群", "工作", 12, "无", "", "", "", ""],
    ]
    data = xlsx(GROUP_HEADER, rows)
    plan = preview(cast.school_admin, "groups", data)
    with pytest.raises(services.PlanChanged) as changed:
        commit(cast.school_admin, "groups", data, drop=[3], expected=plan.digests())
    assert row(changed.value.plan, 2).status == "new"  # no longer a duplicate
    commit(cast.school_admin, "groups", data, drop=[3], expected=changed.value.plan.digests())
    assert ChatGroup.objects.get(name="迎新群").member_count == 10
