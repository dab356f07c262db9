"""The people roster carries the cadre level (干部级别 / 职级) as HR writes it."""

import pytest

from beian.core import hooks
from beian.orgs.choices import CadreLevel
from beian.orgs.models import Person
from beian.orgs.services import person_update
from beian.transfer import services
from beian.transfer.importers.people import parse_cadre_level

from .conftest import commit, errors, preview, row, xlsx

pytestmark = pytest.mark.django_db

HEADER = ["序号", "姓名", "工号/学号", "身份", "所在单位", "职务", "职级", "状态"]


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("处级", CadreLevel.DIVISION),
        ("正处", CadreLevel.DIVISION),
        ("副处", CadreLevel.DIVISION),
        ("副处级干部", CadreLevel.DIVISION),
        ("正處級", CadreLevel.DIVISION),  # Traditional
        ("四级调研员", CadreLevel.DIVISION),
        ("科级", CadreLevel.SECTION),
        ("正科", CadreLevel.SECTION),
        ("副科级", CadreLevel.SECTION),
        ("二级主任科员", CadreLevel.SECTION),
        ("无", CadreLevel.NONE),
        ("科员", CadreLevel.NONE),
        ("非干部", CadreLevel.NONE),
        (" ", None),
    ],
)
def test_the_ways_hr_writes_a_level(written, level):
    assert parse_cadre_level(written) == level


def test_a_roster_sets_levels_and_a_blank_cell_keeps_the_stored_one(cast):
    person_update(actor=cast.school_admin, person=cast.cs_head, data={"cadre_level": "division"})
    rows = [
        [1, "张书记", cast.cs_head.number, "教师", "计算机学院", "党委书记", "", "在职"],
        [2, "陈科长", "T900002", "教师", "计算机学院", "办公室主任", "正科级", "在职"],
        [3, "李老师", cast.lit_teacher.number, "教师", "文学院", "", "副处", "在职"],
    ]
    plan = preview(cast.school_admin, "people", xlsx(HEADER, rows))
    assert [r.status for r in plan.rows] == ["unchanged", "new", "update"], errors(plan)
    assert [(c.label, c.old, c.new) for c in row(plan, 4).changes] == [("干部级别", "", "处级")]
    commit(cast.school_admin, "people", xlsx(HEADER, rows))
    cast.cs_head.refresh_from_db()
    cast.lit_teacher.refresh_from_db()
    assert cast.cs_head.cadre_level == CadreLevel.DIVISION
    assert Person.objects.get(number="T900002").cadre_level == CadreLevel.SECTION
    assert cast.lit_teacher.cadre_level == CadreLevel.DIVISION
    assert cast.lit_teacher.history.first().history_change_reason.startswith("表格导入")


def test_an_unknown_level_is_refused_at_its_cell(cast):
    rows = [[1, "陈老师", "T900003", "教师", "计算机学院", "", "大概处级吧", "在职"]]
    plan = preview(cast.school_admin, "people", xlsx(HEADER, rows))
    assert "干部级别“大概处级吧”无法识别，请填写：处级、科级或无" in errors(plan, 2)[0]


def test_changed_people_are_announced_for_re_checking(cast, monkeypatch):
    calls = []
    monkeypatch.setattr(hooks, "_listeners", [lambda **kw: calls.append(kw)])
    rows = [[1, "张书记", cast.cs_head.number, "教师", "计算机学院", "党委书记", "科级", "在职"]]
    commit(cast.school_admin, "people", xlsx(HEADER, rows))
    assert [c["people"] for c in calls] == [[cast.cs_head.pk]]


def test_the_roster_export_has_the_level_and_imports_unchanged(cast):
    person_update(actor=cast.school_admin, person=cast.cs_head, data={"cadre_level": "division"})
    exported = services.export_file(
        actor=cast.school_admin, kind="people", queryset=Person.objects.all(), fmt="csv"
    )
    text = exported.data.decode("utf-8-sig")
    assert "干部级别" in text and "处级" in text
    plan = preview(cast.school_admin, "people", exported.data, exported.name)
    assert plan.counts["update"] == plan.counts["new"] == plan.counts["error"] == 0
