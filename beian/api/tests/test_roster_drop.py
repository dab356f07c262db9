"""The nightly roster pick-up: clean files committed and moved to done/, files with
errors written not at all and moved to failed/ with the reasons, one e-mail report."""

import pytest
from django.core import mail

from beian.api import services
from beian.api.tasks import run_roster_drop
from beian.orgs.models import Person
from beian.transfer.tests.conftest import xlsx
from beian.users.choices import Role

from .test_writes import PEOPLE_HEADER

pytestmark = pytest.mark.django_db


def test_dropped_files_are_imported_with_the_preview_rules(cast, tmp_path, settings):
    hr = services.service_account_create(
        actor=cast.school_admin,
        username="svc-hr",
        purpose="人事处名单",
        role=Role.UNIT_ADMIN,
        unit=cast.school,
    )
    good = [[1, "陈老师", "T900001", "教师", "计算机学院", "副院长", "在职", "", "", ""]]
    bad = [
        [1, "吴老师", "T900003", "教师", "计算机学院", "", "在职", "", "", ""],
        [2, "错老师", "T900002", "教师", "没有这个学院", "", "在职", "", "", ""],
    ]
    (tmp_path / "people-hr.xlsx").write_bytes(xlsx(PEOPLE_HEADER, good))
    (tmp_path / "人员-学工.xlsx").write_bytes(xlsx(PEOPLE_HEADER, bad))
    (tmp_path / "readme.txt").write_text("not a roster")
    settings.BEIAN_ROSTER_DROP_DIR = str(tmp_path)
    settings.BEIAN_ROSTER_DROP_USER = hr.user.username
    settings.BEIAN_ROSTER_REPORT_TO = "xcb@example.edu.cn"

    results = run_roster_drop()

    assert [(r["file"], r["ok"]) for r in results] == [
        ("people-hr.xlsx", True),
        ("人员-学工.xlsx", False),
    ]
    assert Person.objects.filter(number="T900001").exists()
    assert not Person.objects.filter(number="T900003").exists()  # all or nothing
    assert len(list((tmp_path / "done").iterdir())) == 1
    failed = sorted(p.name for p in (tmp_path / "failed").iterdir())
    assert len(failed) == 2 and failed[1].endswith(".txt")
    reasons = next((tmp_path / "failed").glob("*.txt")).read_text("utf-8")
    assert "第 3 行" in reasons
    assert (tmp_path / "readme.txt").exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["xcb@example.edu.cn"] and "1 个成功，1 个未导入" in message.subject
    assert "人员-学工.xlsx" in message.body and "第 3 行" in message.body


def test_nothing_happens_without_a_folder(settings):
    settings.BEIAN_ROSTER_DROP_DIR = ""
    assert run_roster_drop() == []
