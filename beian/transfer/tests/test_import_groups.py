"""Chat groups from the 即时群聊工具备案汇总表 (seed 002 附件3), as units fill it in."""

import datetime as dt

import pytest

from beian.core.tests import sheet_fixtures as F
from beian.orgs.choices import PersonKind
from beian.orgs.models import Person
from beian.registry.choices import GroupPurpose, GroupStatus
from beian.registry.models import ChatGroup
from beian.testing import make_person

from .conftest import GROUP_HEADER, commit, errors, preview, row, warnings, xlsx

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (F.to_xlsx, "附件3.xlsx"),
        (F.to_xls, "附件3.xls"),
        (F.to_ods, "附件3.ods"),
        (lambda g: F.to_csv(g, "utf-8-sig"), "附件3.csv"),
        (lambda g: F.to_csv(g, "gbk"), "附件3.csv"),
        (lambda g: F.to_csv(g, "utf-8"), "附件3.csv"),
    ],
)
def test_the_seed_sheet_imports_in_every_format(cast, build, name):
    data = build(F.pdsu_groups())
    plan = preview(cast.school_admin, "groups", data, name)
    assert plan.counts["new"] == 3 and plan.counts["error"] == 0, errors(plan)
    assert plan.layout == "pdsu" and plan.header_rows == (3,)
    commit(cast.school_admin, "groups", data, name)
    group = ChatGroup.objects.get(name="计院学生干部群")
    assert group.platform.code == "qq_group"
    assert group.owner_unit == cast.cs
    assert group.purpose == GroupPurpose.STUDENT_AFFAIRS
    assert (group.member_count, group.has_outside_members, group.outside_member_count) == (
        150,
        True,
        3,
    )
    assert group.created_month == dt.date(2021, 9, 1)
    assert group.creator.name == "李老师" and group.creator.unit == cast.cs
    assert group.creator.kind == PersonKind.STAFF and group.creator.mobile == "13800138001"
    assert group.created_by == cast.school_admin
    dingtalk = ChatGroup.objects.get(name="计院教研室")
    assert (dingtalk.member_count, dingtalk.has_outside_members) == (45, False)
    assert dingtalk.created_month == dt.date(2020, 3, 1)
    assert group.history.first().history_user == cast.school_admin
    assert group.history.first().history_type == "+"


def test_importing_the_same_file_again_changes_nothing(cast):
    data = F.to_xlsx(F.pdsu_groups())
    commit(cast.school_admin, "groups", data)
    people = Person.objects.count()
    history = ChatGroup.history.count()
    plan = preview(cast.school_admin, "groups", data)
    assert plan.counts["unchanged"] == 3 and not plan.changes_anything
    commit(cast.school_admin, "groups", data)
    assert Person.objects.count() == people and ChatGroup.history.count() == history


def test_an_edited_file_updates_in_place_with_the_diff(cast):
    rows = [[1, "计算机学院", "微信群", "计算机学院教职工群", "工作", "88", "有", "2", "2019年3月",
             "张书记", "13812341234"]]  # fmt: skip
    plan = preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    result = row(plan, 2)
    assert result.status == "update" and result.record_id == cast.cs_group.pk
    changes = {c.field: (c.old, c.new) for c in result.changes}
    assert changes["member_count"] == ("20", "88")
    assert changes["has_outside_members"] == ("否", "是")
    assert changes["outside_member_count"] == ("0", "2")
    assert changes["created_month"] == ("", "2019年3月")
    assert changes["creator"] == ("", "张书记")
    commit(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    cast.cs_group.refresh_from_db()
    assert cast.cs_group.member_count == 88 and cast.cs_group.creator == cast.cs_head
    assert ChatGroup.objects.filter(name="计算机学院教职工群").count() == 1
    assert cast.cs_group.history.first().history_type == "~"


def test_group_number_identifies_a_group_and_is_added_to_a_known_one(cast):
    header = [*GROUP_HEADER, "群号"]
    rows = [[1, "计算机学院", "微信群", "计算机学院教职工群", "", "", "", "", "", "", "",
             "wx123456"]]  # fmt: skip
    commit(cast.school_admin, "groups", xlsx(header, rows))
    cast.cs_group.refresh_from_db()
    assert cast.cs_group.group_number == "wx123456"
    renamed = [[1, "计算机学院", "微信群", "计算机学院全体教职工群", "", "", "", "", "", "", "",
                "wx123456"]]  # fmt: skip
    plan = preview(cast.school_admin, "groups", xlsx(header, renamed))
    assert row(plan, 2).status == "update"
    assert [(c.old, c.new) for c in row(plan, 2).changes] == [
        ("计算机学院教职工群", "计算机学院全体教职工群")
    ]


def test_duplicates_inside_the_file_name_both_rows(cast):
    rows = [
        [1, "计算机学院", "微信群", "迎新群", "工作", 10, "无", "", "", "", ""],
        [2, "计算机学院", "微信群", "迎新群", "工作", 12, "无", "", "", "", ""],
        [3, "计算机学院", "QQ群", "迎新群", "工作", 12, "无", "", "", "", ""],
    ]
    plan = preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert row(plan, 2).status == row(plan, 3).status == "error"
    assert "与第 3 行重复" in errors(plan, 2)[0] and "与第 2 行重复" in errors(plan, 3)[0]
    assert row(plan, 4).status == "new"


def test_meeting_the_registry_while_parsing_plans_what_two_passes_plan(cast, monkeypatch):
    """The groups importer resolves each row as it is parsed (its plan never holds every
    row's parsed values); a key that recurs later takes the first row's resolution back.
    The plan is the one the two-pass order (all rows parsed, duplicates marked, then
    resolved) makes: duplicates, an update, a changed phone, new people and errors."""
    make_person("赵老师", unit=cast.cs, mobile="13700001111")
    rows = [
        [1, "计算机学院", "微信群", "迎新群", "工作", 10, "无", "", "", "赵老师", "13700009999"],
        [2, "计算机学院", "QQ群", "迎新群", "工作", 12, "无", "", "", "钱老师", "13700002222"],
        [3, "计算机学院", "微信群", cast.cs_group.name, "工作", 99, "无", "", "", "", ""],
        [4, "计算机学院", "微信群", "迎新群", "工作", 12, "无", "", "", "孙老师", "13700003333"],
        [5, "计算机学院", "钉钉群", "教研群", "工作", -1, "无", "", "", "赵老师", "13700008888"],
        [6, "计算机学院", "钉钉群", "教研室", "工作", 8, "无", "", "", "赵老师", "13700007777"],
    ]
    data = xlsx(GROUP_HEADER, rows)
    single = preview(cast.school_admin, "groups", data)
    from beian.transfer.importers.groups import GroupImporter

    monkeypatch.setattr(GroupImporter, "resolves_while_parsing", False)
    two_passes = preview(cast.school_admin, "groups", data)
    assert single.as_dict() == two_passes.as_dict()
    assert single.digests() == two_passes.digests()
    assert row(single, 2).status == row(single, 5).status == "error"
    assert row(single, 2).label == "" and not row(single, 2).new_people
    assert [m.text[:8] for m in row(single, 2).errors] == ["与第 5 行重复"]
    assert row(single, 4).status == "update" and row(single, 3).status == "new"


def test_blank_cells_leave_stored_values_alone(cast):
    cast.cs_group.member_count = 77
    cast.cs_group.save()
    rows = [[1, "计算机学院", "微信群", "计算机学院教职工群", "", "", "", "", "", "", ""]]
    plan = preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert row(plan, 2).status == "unchanged"


def test_units_platforms_and_values_as_people_write_them(cast):
    rows = [
        [
            1,
            "計算機學院",
            "釘釘群",
            "计院 实验室群",
            "教學",
            "约 40 人",
            "√",
            "２",
            "2023.03",
            "",
            "",
        ],
        [2, "计院", "wechat_group", "计院班委群", "班级通知", "1.5万", "无", "", 202209, "", ""],
    ]
    plan = preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert plan.counts["new"] == 2, errors(plan)
    assert any("按“其他”登记" in w for w in warnings(plan, 3))
    commit(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    lab = ChatGroup.objects.get(name="计院 实验室群")
    assert lab.owner_unit == cast.cs and lab.platform.code == "dingtalk_group"
    assert (lab.member_count, lab.outside_member_count, lab.purpose) == (40, 2, "teaching")
    assert lab.created_month == dt.date(2023, 3, 1)
    assert ChatGroup.objects.get(name="计院班委群").member_count == 15000


def test_an_unknown_unit_is_suggested_never_guessed(cast):
    rows = [[1, "计算机学员", "微信群", "新群", "工作", 5, "无", "", "", "", ""]]
    plan = preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows, title="汇总表"))
    message = row(plan, 4).errors[0]
    assert (message.column, message.row, message.header, message.value) == (
        "B",
        4,
        "管理单位",
        "计算机学员",
    )
    assert "是否为“计算机学院”" in message.text
    assert message.sheet == "Sheet1"


def test_an_account_platform_in_the_groups_sheet_is_explained(cast):
    rows = [[1, "计算机学院", "微信公众号", "新群", "工作", 5, "无", "", "", "", ""]]
    plan = preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert "不是群聊平台" in errors(plan)[0]


def test_the_creator_is_matched_by_name_in_the_unit_or_created(cast):
    teacher = make_person("赵老师", unit=cast.cs, mobile="13700001111")
    rows = [
        [1, "计算机学院", "微信群", "群一", "工作", 5, "无", "", "", "赵老师", ""],
        [2, "计算机学院", "微信群", "群二", "工作", 5, "无", "", "", "钱老师", "13700002222"],
        [3, "计算机学院", "微信群", "群三", "工作", 5, "无", "", "", "钱老师", ""],
    ]
    plan = preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert row(plan, 3).new_people == ["钱老师"] and plan.counts["new_people"] == 1
    commit(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert ChatGroup.objects.get(name="群一").creator == teacher
    qian = Person.objects.get(name="钱老师")
    assert qian.unit == cast.cs and qian.mobile == "13700002222"
    assert ChatGroup.objects.get(name="群三").creator == qian


def test_two_people_of_one_name_need_a_phone(cast):
    make_person("周老师", unit=cast.cs, mobile="13700001111")
    second = make_person("周老师", unit=cast.cs, mobile="13700002222")
    rows = [
        [1, "计算机学院", "微信群", "群一", "工作", 5, "无", "", "", "周老师", ""],
        [2, "计算机学院", "微信群", "群二", "工作", 5, "无", "", "", "周老师", "137 0000 2222"],
    ]
    plan = preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert "请填写其手机号以区分" in errors(plan, 2)[0]
    assert row(plan, 3).status == "new"
    commit(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows), drop=[2])
    assert ChatGroup.objects.get(name="群二").creator == second


def test_outside_members_rules_are_the_forms_rules(cast):
    rows = [
        [1, "计算机学院", "微信群", "群一", "工作", 5, "有", 9, "", "", ""],
        [2, "计算机学院", "微信群", "群二", "工作", 5, "无", 2, "", "", ""],
        [3, "计算机学院", "微信群", "群三", "工作", 5, "", 2, "", "", ""],
    ]
    plan = preview(cast.school_admin, "groups", xlsx(GROUP_HEADER, rows))
    assert errors(plan, 2) == [
        "工作表“Sheet1”第 2 行 H 列（校外人员人数）：校外人员人数不能多于群人数"
    ]
    assert "请勾选“有校外人员”" in errors(plan, 3)[0] and "G 列" in errors(plan, 3)[0]
    assert row(plan, 4).status == "new"  # 有无 left blank: a count means 有


def test_dissolving_through_the_remark_column(cast):
    header = [*GROUP_HEADER, "备注"]
    rows = [[1, "文学院", "微信群", "文学院2024级辅导员群", "", "", "", "", "", "", "",
             "已解散，毕业"]]  # fmt: skip
    commit(cast.school_admin, "groups", xlsx(header, rows))
    cast.lit_group.refresh_from_db()
    assert cast.lit_group.status == GroupStatus.DISSOLVED
    assert cast.lit_group.dissolved_reason == "已解散，毕业"
    assert cast.lit_group.dissolved_on is not None
    edited = [[1, "文学院", "微信群", "文学院2024级辅导员群", "", 99, "", "", "", "", "", "已解散"]]
    plan = preview(cast.school_admin, "groups", xlsx(header, edited))
    assert "已解散的群聊不能修改" in errors(plan)[0]


def test_a_new_group_cannot_arrive_dissolved(cast):
    header = [*GROUP_HEADER, "备注"]
    rows = [[1, "文学院", "微信群", "新群", "", 3, "", "", "", "", "", "已解散"]]
    plan = preview(cast.school_admin, "groups", xlsx(header, rows))
    assert "新登记的群聊不能是已解散状态" in errors(plan)[0]


def test_missing_required_column_refuses_the_sheet(cast):
    from beian.core.sheets import SheetError

    with pytest.raises(SheetError, match="缺少必填列：群名称"):
        preview(
            cast.school_admin, "groups", xlsx(["序号", "管理单位", "群聊平台"], [[1, "a", "b"]])
        )


def test_unknown_columns_are_warned_on_the_sheet(cast):
    header = [*GROUP_HEADER, "群主微信"]
    rows = [[1, "计算机学院", "微信群", "群一", "工作", 5, "无", "", "", "", "", "x"]]
    plan = preview(cast.school_admin, "groups", xlsx(header, rows))
    assert any("未识别的列“群主微信”" in m.message for m in plan.messages)
