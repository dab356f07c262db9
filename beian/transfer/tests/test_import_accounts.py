"""Media accounts from the PDSU 新媒体账号信息汇总表 (seed 002 附件2) and the HNWU 清查表
(seed 000 附件2), as units fill them in."""

import datetime as dt

import pytest

from beian.core.tests import sheet_fixtures as F
from beian.orgs.choices import PersonKind, UnitKind
from beian.orgs.models import Person
from beian.registry.choices import AccountStatus, TeamRole, Tier
from beian.registry.models import AccountMember, MediaAccount
from beian.testing import make_account, make_person, make_unit

from .conftest import ACCOUNT_HEADER, commit, errors, preview, row, warnings, xlsx

pytestmark = pytest.mark.django_db

SEED_VARIANTS = [
    pytest.param({}, id="as-in-the-seed"),
    pytest.param({"traditional": True}, id="traditional-headers"),
    pytest.param({"shuffled": True}, id="columns-in-any-order"),
    pytest.param({"two_row_header": True}, id="two-row-header"),
    pytest.param({"fill_by_merge": False}, id="unit-left-blank-below"),
]


@pytest.mark.parametrize("variant", SEED_VARIANTS)
def test_the_seed_summary_sheet_imports(cast, variant):
    data = F.to_xlsx(F.pdsu_accounts(**variant))
    plan = preview(cast.school_admin, "accounts", data)
    assert plan.layout == "pdsu"
    assert plan.counts["new"] == 4 and plan.counts["error"] == 0, errors(plan)
    commit(cast.school_admin, "accounts", data)
    official = MediaAccount.objects.get(external_id="pdsujsj")
    assert official.platform.code == "wechat_official" and official.owner_unit == cast.cs
    assert official.created_month == dt.date(2019, 3, 1)
    assert official.verified and official.verified_month == dt.date(2020, 5, 1)
    assert official.audience == 12000 and official.update_frequency == "1次/日"
    assert official.tier == Tier.TWO and official.created_by == cast.school_admin
    assert official.name_initials == "pdsxyjsjxy"
    team = {
        (m.role, m.person.name, m.person.kind) for m in official.members.select_related("person")
    }
    assert team == {
        (TeamRole.RESPONSIBLE, "张老师", PersonKind.STAFF),
        (TeamRole.STUDENT_LEAD, "李同学", PersonKind.STUDENT),
    }
    assert Person.objects.get(name="张老师").mobile == "13800138000"
    weibo = MediaAccount.objects.get(name="计院青年")
    assert weibo.platform.code == "weibo" and weibo.audience == 3500
    assert weibo.created_month == dt.date(2019, 3, 1)
    channels = MediaAccount.objects.get(external_id="wxy")
    assert channels.platform.code == "wechat_channels" and channels.owner_unit == cast.lit
    assert channels.audience == 12000  # written as people, taken so with a warning


def test_the_seed_sheet_says_what_it_could_not_take(cast):
    plan = preview(cast.school_admin, "accounts", F.to_xlsx(F.pdsu_accounts()))
    assert "表中为“三级”，未采用" in warnings(plan, 5)[0]  # tier follows the unit
    assert any("12000 万不合理，按 12000 人处理" in w for w in warnings(plan, 7))
    assert any("不是手机号" in w and "L 列" in w for w in warnings(plan, 7))


def test_reimport_is_unchanged_and_edits_update_in_place(cast):
    data = F.to_xlsx(F.pdsu_accounts())
    commit(cast.school_admin, "accounts", data)
    plan = preview(cast.school_admin, "accounts", data)
    assert plan.counts["unchanged"] == 4 and not plan.changes_anything
    rows = [[1, "计算机学院", "二级", "微信公众号", "平顶山学院计算机学院", "pdsujsj", "2019年3月",
             "2020.05", "2.5万", "2次/日", "孙老师", "13900000001", "李同学", "13900139000"]]  # fmt: skip
    plan = preview(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, rows))
    changes = {c.label: (c.old, c.new) for c in row(plan, 2).changes}
    assert changes == {
        "关注人数": ("12000", "25000"),
        "更新频率": ("1次/日", "2次/日"),
        "负责老师": ("张老师", "孙老师（新增人员）"),
    }
    commit(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, rows))
    account = MediaAccount.objects.get(external_id="pdsujsj")
    roles = set(account.members.values_list("role", "person__name"))
    assert roles == {(TeamRole.RESPONSIBLE, "孙老师"), (TeamRole.STUDENT_LEAD, "李同学")}
    assert account.audience == 25000


def test_a_teacher_already_on_the_team_in_another_role_counts(cast):
    rows = [[1, "计算机学院", "二级", "微信公众号", "计算机学院团委", "ncwu_cs", "", "", "", "", "张书记",
             "13812341234", "", ""]]  # fmt: skip
    plan = preview(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, rows))
    assert row(plan, 2).status == "unchanged"


def test_accounts_are_matched_by_platform_and_id_then_by_name_and_unit(cast):
    rows = [
        [1, "计算机学院", "", "公众号", "计算机学院团委（新名）", "ncwu_cs", "", "", "", "", "", "", "", ""],
        [2, "软件工程系", "", "抖音", "软件工程系", "", "", "", 0.5, "", "", "", "", ""],
        [3, "软件工程系", "", "抖音", "软件工程系", "se_douyin", "", "", "", "", "", "", "", ""],
    ]  # fmt: skip
    plan = preview(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, rows))
    assert row(plan, 2).record_id == cast.cs_account.pk
    assert [c.field for c in row(plan, 2).changes] == ["name"]
    # rows 3 and 4 are one account twice (by name and unit, and by name for the id it
    # lacks): both are refused rather than written twice
    assert row(plan, 3).record_id == row(plan, 4).record_id == cast.se_account.pk
    assert "与第 4 行是系统中的同一条记录" in errors(plan, 3)[0]
    plan = preview(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, rows), drop=[3])
    assert row(plan, 4).status == "update"
    assert [c.field for c in row(plan, 4).changes] == ["external_id"]  # gets the id it lacked


def test_closing_through_the_remark_column(cast):
    header = [*ACCOUNT_HEADER, "备注"]
    rows = [[1, "文学院", "", "微信公众号", "文学院微言", "ncwu_lit", "", "", "", "", "", "", "", "",
             "已注销（停止运营）"]]  # fmt: skip
    commit(cast.school_admin, "accounts", xlsx(header, rows))
    cast.lit_account.refresh_from_db()
    assert cast.lit_account.status == AccountStatus.CLOSED
    assert cast.lit_account.closed_reason == "已注销（停止运营）"
    plan = preview(cast.school_admin, "accounts", xlsx(header, rows))
    assert row(plan, 2).status == "unchanged"
    edited = [[*rows[0][:8], "3", *rows[0][9:]]]
    assert (
        "已注销的账号不能修改"
        in errors(preview(cast.school_admin, "accounts", xlsx(header, edited)))[0]
    )


def test_verification_rules_are_the_forms_rules(cast):
    rows = [
        [1, "计算机学院", "", "抖音", "甲", "a_1", "2021年5月", "2020年1月", "", "", "", "", "", ""],
        [2, "计算机学院", "", "抖音", "乙", "b_1", "", "已认证", "", "", "", "", "", ""],
        [3, "计算机学院", "", "新浪微博", "丙", "not-a-weibo-url", "", "", "", "", "", "", "", ""],
        [4, "计算机学院", "", "抖音", "丁", "d_1", "", "未认证", "", "", "", "", "", ""],
    ]  # fmt: skip
    plan = preview(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, rows))
    assert "认证时间不能早于创建时间" in errors(plan, 2)[0] and "H 列" in errors(plan, 2)[0]
    assert "已认证的账号请填写认证时间" in errors(plan, 3)[0]
    assert "不符合新浪微博的账号格式" in errors(plan, 4)[0] and "F 列" in errors(plan, 4)[0]
    assert row(plan, 5).status == "new"


def test_a_group_platform_in_the_accounts_sheet_is_explained(cast):
    rows = [[1, "计算机学院", "", "QQ群", "甲", "", "", "", "", "", "", "", "", ""]]
    plan = preview(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, rows))
    assert "是群聊平台" in errors(plan)[0]


def test_moving_an_account_rederives_its_tier(cast):
    make_account("系账号", unit=cast.se, platform_code="kuaishou", external_id="ks_1")
    rows = [[1, "计算机学院", "", "快手", "系账号", "ks_1", "", "", "", "", "", "", "", ""]]
    plan = preview(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, rows))
    changes = {c.field: (c.old, c.new) for c in row(plan, 2).changes}
    assert changes == {"owner_unit_id": ("软件工程系", "计算机学院"), "tier": ("三级", "二级")}


# --- HNWU 清查表 --------------------------------------------------------------------------


def hnwu_school(cast):
    make_unit("党委宣传统战部", kind=UnitKind.DEPARTMENT, parent=cast.school)
    art = make_unit("艺术设计学院", parent=cast.school)
    make_person("刘书记", unit=art)
    return art


def test_the_inventory_sheet_is_told_by_its_header_and_asks_for_platforms(cast):
    art = hnwu_school(cast)
    plan = preview(cast.school_admin, "accounts", F.to_xlsx(F.hnwu_inventory()))
    assert plan.layout == "hnwu" and plan.header_rows == (3,)
    assert "无法确定平台" in errors(plan, 4)[0]  # an id without a platform
    assert "无法确定平台" in errors(plan, 5)[0]  # a name only
    assert row(plan, 6).status == "new"
    assert [r.number for r in plan.rows] == [4, 5, 6]  # numbered empty rows are skipped
    commit(cast.school_admin, "accounts", F.to_xlsx(F.hnwu_inventory()), drop=[4, 5])
    account = MediaAccount.objects.get(name="湘女艺设")
    assert account.platform.code == "douyin" and account.owner_unit == art
    members = set(account.members.values_list("role", "person__name"))
    assert members == {(TeamRole.FIRST_RESPONSIBLE, "刘书记"), (TeamRole.ADMIN, "陈五")}
    assert "尚未完成备案" not in " ".join(warnings(plan, 6))


def test_the_inventory_cell_forms(cast):
    hnwu_school(cast)
    make_account("湖南女子学院", unit=cast.propaganda, external_id="hnwu_official")
    header = ["序号", "单位名称", "微信公众号/微博/抖音名称、账号", "责任人", "管理员", "是否备案"]
    rows = [
        [1, "党委宣传部", "湖南女子学院（hnwu_official）", "王丽华", "李四、张三", "√"],
        [2, "党委宣传部", "微博：湖南女子学院官方微博", "", "", "否"],
        [3, "党委宣传部", "湖南女子学院（官方）（新浪微博，https://weibo.com/hnwu）", "", "", ""],
    ]
    plan = preview(cast.school_admin, "accounts", xlsx(header, rows, title="清查表"))
    first = row(plan, 4)
    assert first.status == "update" and first.label == "微信公众号 · 湖南女子学院"
    assert {c.new for c in first.changes} >= {"王丽华（新增人员）", "增加 李四（新增人员）"}
    assert "尚未完成备案" in warnings(plan, 4)[0]
    assert row(plan, 5).label == "新浪微博 · 湖南女子学院官方微博"
    assert row(plan, 6).label == "新浪微博 · 湖南女子学院（官方）"


def test_traditional_platform_aliases(cast):
    rows = [[1, "計算機學院", "", "視頻號", "計院視頻", "", "", "", "", "", "", "", "", ""]]
    plan = preview(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, rows))
    assert row(plan, 2).label == "微信视频号 · 計院視頻" and row(plan, 2).unit == "计算机学院"


def test_members_are_written_with_history(cast):
    commit(cast.school_admin, "accounts", F.to_xlsx(F.pdsu_accounts()))
    member = AccountMember.objects.filter(record__external_id="pdsujsj").first()
    assert member.history.first().history_type == "+"
    assert member.history.first().history_user == cast.school_admin
