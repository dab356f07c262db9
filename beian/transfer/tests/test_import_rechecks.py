"""After an import commits, the findings of the records it wrote are current without a scan
(issue 8): the registry's bulk upsert announces them and compliance re-checks them once the
transaction has committed — never for an import that rolls back."""

import pytest

from beian.compliance.models import Finding
from beian.core.models import AuditEvent
from beian.registry.models import ChatGroup
from beian.transfer import services

from .conftest import GROUP_HEADER, commit, xlsx

pytestmark = pytest.mark.django_db

ROWS = [
    [1, "计算机学院", "微信群", "计院2025级新生群", "学生管理", 200, "无", "", "", "", ""],
    [2, "计算机学院", "QQ群", "计院小群", "工作", 5, "无", "", "", "", ""],
]


def test_imported_groups_have_their_findings_at_once(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = commit(cast.school_admin, "groups", xlsx(GROUP_HEADER, ROWS))
    assert outcome.written["created"] == 2
    big = ChatGroup.objects.get(name="计院2025级新生群")
    small = ChatGroup.objects.get(name="计院小群")
    assert Finding.objects.filter(group=big, rule="group_unregistered", state="open").exists()
    assert not Finding.objects.filter(group=small, rule="group_unregistered").exists()
    # history and audit: one "+" row per group, one audit row for the batch with its ids
    assert big.history.get().history_change_reason == "表格导入（upload.xlsx）"
    (created,) = AuditEvent.objects.filter(event="create", object_type="")
    assert created.detail["model"] == "registry.ChatGroup" and created.detail["count"] == 2
    assert created.detail["authority"]["kind"] == "import"
    assert created.detail["ids"] == [[min(big.pk, small.pk), max(big.pk, small.pk)]]


def test_an_import_that_changes_a_group_rechecks_it(cast, django_capture_on_commit_callbacks):
    rows = [[1, "计算机学院", "微信群", "计算机学院教职工群", "工作", 120, "无", "", "", "", ""]]
    assert not Finding.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = commit(cast.cs_unit_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert outcome.written["updated"] == 1
    finding = Finding.objects.get(group=cast.cs_group, rule="group_unregistered")
    assert finding.state == "open" and "120" in finding.message


def test_nothing_is_rechecked_for_an_import_that_is_refused(
    cast, django_capture_on_commit_callbacks
):
    rows = [*ROWS, [3, "文学院", "微信群", "", "工作", 30, "无", "", "", "", ""]]  # no name
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(services.ImportBlocked),
    ):
        commit(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert callbacks == [] and not Finding.objects.exists()


def test_a_large_import_is_rechecked_on_the_task_queue(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    from beian.compliance import engine, recheck, tasks

    queued = []
    monkeypatch.setattr(recheck, "INLINE_RECHECK_MAX", 1)
    monkeypatch.setattr(tasks, "recheck_records_task", lambda **kw: queued.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        commit(cast.school_admin, "groups", xlsx(GROUP_HEADER, ROWS))
    (job,) = queued
    assert sorted(job["groups"]) == sorted(ChatGroup.objects.filter(
        name__in=["计院2025级新生群", "计院小群"]).values_list("pk", flat=True))  # fmt: skip
    assert not Finding.objects.exists()  # not in the request: the queue's worker runs it
    engine.scan_quietly(**job)
    big = ChatGroup.objects.get(name="计院2025级新生群")
    assert Finding.objects.filter(group=big, rule="group_unregistered", state="open").exists()
