"""The unit tree and the people roster from sheets."""

import pytest

from beian.orgs.choices import PersonKind, PersonStatus, UnitKind
from beian.orgs.models import Person, Unit

from .conftest import commit, errors, preview, row, warnings, xlsx

pytestmark = pytest.mark.django_db

UNIT_HEADER = [
    "序号",
    "单位名称",
    "上级单位",
    "单位类型",
    "简称",
    "单位代码",
    "第一责任人",
    "是否在用",
]
PEOPLE_HEADER = [
    "序号",
    "姓名",
    "工号/学号",
    "身份",
    "所在单位",
    "职务",
    "状态",
    "手机",
    "邮箱",
    "QQ",
]


def test_a_tree_with_parents_below_their_children(cast):
    rows = [
        [1, "数据科学系", "大数据学院", "系", "", "DS01", "", "在用"],
        [2, "大数据学院", "华北水利水电大学", "二级学院", "大数据", "BD", "张书记", "是"],
        [3, "软件工程系", "计算机学院", "系", "软工", "", "", ""],
    ]
    plan = preview(cast.school_admin, "units", xlsx(UNIT_HEADER, rows))
    assert [r.status for r in plan.rows] == ["new", "new", "update"], errors(plan)
    assert [(c.field, c.new) for c in row(plan, 4).changes] == [("short_name", "软工")]
    commit(cast.school_admin, "units", xlsx(UNIT_HEADER, rows))
    college = Unit.objects.get(code="BD")
    assert college.parent == cast.school and college.kind == UnitKind.COLLEGE
    assert college.head == cast.cs_head and college.name_initials == "dsjxy"
    assert Unit.objects.get(code="DS01").parent == college
    assert college.history.first().history_type == "+"
    assert preview(cast.school_admin, "units", xlsx(UNIT_HEADER, rows)).counts["unchanged"] == 3


def test_unit_rules(cast):
    cast.cs.code = "CS"
    cast.cs.save()
    rows = [
        [1, "新学院", "", "学院", "", "", "", ""],  # no parent
        [2, "子学校", "计算机学院", "学校", "", "", "", ""],  # a school under a unit
        [3, "计算机学院", "软件工程系", "", "", "CS", "", ""],  # under its own child
        [4, "甲系", "乙系", "系", "", "", "", ""],  # a cycle inside the sheet
        [5, "乙系", "甲系", "系", "", "", "", ""],
        [6, "某系", "计算机学院", "院系", "", "", "", ""],  # unknown kind
    ]
    plan = preview(cast.school_admin, "units", xlsx(UNIT_HEADER, rows))
    assert "请选择上级单位" in errors(plan, 2)[0]
    assert "学校是单位树的根" in errors(plan, 3)[0]
    assert "不能把单位移到它自己的下级单位之下" in errors(plan, 4)[0]
    assert any("循环" in e for e in errors(plan, 5))
    assert "单位类型“院系”无法识别" in errors(plan, 7)[0]


def test_a_unit_admin_adds_units_below_their_own_only(cast):
    rows = [
        [1, "人工智能系", "计算机学院", "系", "", "", "", ""],
        [2, "新学院", "华北水利水电大学", "系", "", "", "", ""],
        [3, "计院学生会", "计算机学院", "校级学生组织", "", "", "", ""],
    ]
    plan = preview(cast.cs_unit_admin, "units", xlsx(UNIT_HEADER, rows))
    assert row(plan, 2).status == "new"
    assert "只能在本单位及下级单位范围内" in errors(plan, 3)[0]
    assert "由宣传部设置" in errors(plan, 4)[0]


def test_a_head_who_is_not_on_the_roster_is_noted(cast):
    rows = [[1, "软件工程系", "计算机学院", "", "", "", "无名氏", ""]]
    plan = preview(cast.school_admin, "units", xlsx(UNIT_HEADER, rows))
    assert "第一责任人未设置" in warnings(plan, 2)[0]


def test_people_from_a_roster(cast):
    rows = [
        [1, "陈老师", "T900001", "教师", "计算机学院", "副院长", "在职", "13700001111", "chen@x.edu.cn", "123456"],
        [2, "李老师", "", "", "文学院", "", "", "139-0000-1111", "", ""],
        [3, "林同学", "S2024001", "本科生", "软件工程系", "", "在读", "", "", ""],
    ]  # fmt: skip
    plan = preview(cast.school_admin, "people", xlsx(PEOPLE_HEADER, rows))
    assert [r.status for r in plan.rows] == ["new", "unchanged", "new"], errors(plan)
    commit(cast.school_admin, "people", xlsx(PEOPLE_HEADER, rows))
    chen = Person.objects.get(number="T900001")
    assert (chen.kind, chen.post, chen.mobile, chen.email) == (
        PersonKind.STAFF, "副院长", "13700001111", "chen@x.edu.cn"
    )  # fmt: skip
    assert Person.objects.get(number="S2024001").kind == PersonKind.STUDENT
    moved = [[1, "陈老师", "T900001", "教师", "文学院", "副院长", "离职", "", "", ""]]
    plan = preview(cast.school_admin, "people", xlsx(PEOPLE_HEADER, moved))
    assert {c.field for c in row(plan, 2).changes} == {"unit_id", "status"}
    commit(cast.school_admin, "people", xlsx(PEOPLE_HEADER, moved))
    chen.refresh_from_db()
    assert chen.unit == cast.lit and chen.status == PersonStatus.LEFT


def test_people_values_are_checked_at_their_cells(cast):
    rows = [
        [1, "甲", "", "教师", "计算机学院", "", "", "0375-2657625", "", ""],
        [2, "乙", "", "教师", "计算机学院", "", "", "", "not-an-email", ""],
        [3, "丙", "", "教师", "计算机学院", "", "", "", "", "0123"],
        [4, "丁", "", "博士后", "计算机学院", "", "", "", "", ""],
        [5, "戊", cast.cs_head.number, "教师", "计算机学院", "", "", "", "", ""],
        [6, "己", "X1", "教师", "计算机学院", "", "", "", "", ""],
        [7, "庚", "X1", "教师", "计算机学院", "", "", "", "", ""],
    ]
    plan = preview(cast.school_admin, "people", xlsx(PEOPLE_HEADER, rows))
    assert "H 列" in errors(plan, 2)[0] and "不是有效的手机号码" in errors(plan, 2)[0]
    assert "I 列" in errors(plan, 3)[0] and "邮箱" in errors(plan, 3)[0]
    assert "J 列" in errors(plan, 4)[0] and "QQ" in errors(plan, 4)[0]
    assert "身份“博士后”无法识别" in errors(plan, 5)[0]
    assert "与第 8 行重复" in errors(plan, 7)[0]
    assert row(plan, 6).status == "update"  # 张书记's number: the row renames him
    assert row(plan, 6).record_id == cast.cs_head.pk


def test_masked_personal_data_from_an_export_is_taken_as_unchanged(cast):
    rows = [
        [
            1,
            "李老师",
            "",
            "教职工",
            "文学院",
            "",
            "",
            "139****1111",
            "l****@ncwu.edu.cn",
            "12****78",
        ]
    ]
    plan = preview(cast.school_admin, "people", xlsx(PEOPLE_HEADER, rows))
    assert row(plan, 2).status == "unchanged", errors(plan)
    wrong = [[1, "李老师", "", "教职工", "文学院", "", "", "138****1111", "", ""]]
    assert "打码" in errors(preview(cast.school_admin, "people", xlsx(PEOPLE_HEADER, wrong)))[0]


def test_a_unit_admin_edits_people_of_their_units_only(cast):
    rows = [
        [1, "李老师", "", "", "文学院", "院长", "", "", "", ""],
        [2, "新老师", "", "", "计算机学院", "", "", "", "", ""],
    ]
    plan = preview(cast.cs_unit_admin, "people", xlsx(PEOPLE_HEADER, rows))
    assert "不在您的管理范围内" in errors(plan, 2)[0]
    assert row(plan, 3).status == "new"


def test_a_unit_admin_updates_their_own_unit_without_naming_its_parent(cast):
    rows = [
        [1, "计算机学院", "", "", "计算机", "", "", ""],
        [2, "机器人实验室", "", "科室", "", "", "", ""],
    ]
    plan = preview(cast.cs_unit_admin, "units", xlsx(UNIT_HEADER, rows))
    assert row(plan, 2).status == "update" and row(plan, 2).record_id == cast.cs.pk
    assert row(plan, 2).unit == "华北水利水电大学"
    assert row(plan, 3).status == "new" and row(plan, 3).unit == "计算机学院"
