"""Exports re-import with no changes, and no cell Beian writes can run as a formula."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from beian.core.tests.sheet_fixtures import FORMULA_PAYLOADS
from beian.orgs.choices import PersonKind, UnitKind
from beian.registry.choices import AccountStatus, GroupStatus
from beian.testing import make_account, make_group, make_person, make_unit
from beian.transfer import services
from beian.transfer.selectors import export_queryset

from .conftest import errors, preview

pytestmark = pytest.mark.django_db

TRIGGERS = tuple("=+-@\t\r\n＝＋－＠")


def export(user, kind, layout="", fmt="xlsx", **params):
    queryset, unit_name = export_queryset(kind, user, params)
    return services.export_file(
        actor=user, kind=kind, queryset=queryset, layout=layout, fmt=fmt, unit_name=unit_name
    )


@pytest.fixture
def registry(cast):
    """The cast's school with what makes round trips hard: formula payloads as names,
    closed and dissolved records, big audiences, two units of one name, teams."""
    office_cs = make_unit("办公室", kind=UnitKind.SECTION, parent=cast.cs)
    make_unit("办公室", kind=UnitKind.SECTION, parent=cast.lit)
    teacher = make_person("郑老师", unit=cast.cs, mobile="13600001111")
    student = make_person("吴同学", unit=cast.cs, kind=PersonKind.STUDENT, mobile="13600002222")
    for index, payload in enumerate(FORMULA_PAYLOADS):
        make_account(
            payload,
            unit=cast.cs,
            platform_code="douyin",
            external_id=f"dy{index}",  # payloads differ only in white space: ids tell them apart
            audience=[None, 1, 12345, 999_999, 1_000_000, 123_456_789][index % 6],
            update_frequency=payload[:60],
            team=[("responsible", teacher), ("student_lead", student)] if index % 3 == 0 else [],
        )
        make_group(payload, unit=office_cs, platform_code="qq_group", member_count=index,
                   group_number=str(10000 + index), creator=teacher if index % 2 else None)  # fmt: skip
    make_account("无账号的账号", unit=cast.cs, platform_code="xiaohongshu", audience=50)
    make_group("无群号的群", unit=office_cs, platform_code="wechat_group", member_count=3)
    make_account(
        "已停用账号",
        unit=cast.lit,
        platform_code="kuaishou",
        external_id="ks_closed",
        status=AccountStatus.CLOSED,
        closed_on=dt.date(2023, 5, 1),
        closed_reason="半年以上未更新",
    )
    make_account(
        "认证账号",
        unit=cast.lit,
        platform_code="bilibili",
        external_id="https://space.bilibili.com/1",
        verified=True,
        verified_month=dt.date(2021, 6, 1),
        audience=4321,
    )
    make_group(
        "已解散群",
        unit=cast.lit,
        platform_code="dingtalk_group",
        status=GroupStatus.DISSOLVED,
        dissolved_on=dt.date(2024, 1, 1),
        dissolved_reason="临时群到期",
        has_outside_members=True,
        outside_member_count=3,
        created_month=dt.date(2022, 9, 1),
    )
    return cast


ROUND_TRIPS = [
    ("accounts", "pdsu", "xlsx"),
    ("accounts", "pdsu", "csv"),
    ("accounts", "hnwu", "xlsx"),
    ("accounts", "hnwu", "csv"),
    ("groups", "pdsu", "xlsx"),
    ("groups", "pdsu", "csv"),
    ("units", "units", "xlsx"),
    ("units", "units", "csv"),
    ("people", "people", "xlsx"),
    ("people", "people", "csv"),
]


@pytest.mark.parametrize(("kind", "layout", "fmt"), ROUND_TRIPS)
def test_an_export_imports_with_no_changes(registry, kind, layout, fmt):
    exported = export(registry.school_admin, kind, layout, fmt)
    assert exported.rows > 0
    plan = preview(registry.school_admin, kind, exported.data, exported.name)
    counts = plan.counts
    assert counts["error"] == 0, errors(plan)
    assert counts["new"] == counts["update"] == 0, [
        (r.number, r.label, [(c.label, c.old, c.new) for c in r.changes])
        for r in plan.rows
        if r.status != "unchanged"
    ]
    assert counts["unchanged"] == exported.rows
    assert not [m.message for m in plan.messages]  # no unknown columns either


def test_a_unit_admins_export_round_trips_in_their_scope(registry):
    exported = export(registry.cs_unit_admin, "groups", "pdsu", "xlsx")
    plan = preview(registry.cs_unit_admin, "groups", exported.data, exported.name)
    assert plan.counts["unchanged"] == exported.rows > 0 and not plan.has_errors


@pytest.mark.parametrize(("kind", "layout"), [("accounts", "pdsu"), ("accounts", "hnwu"),
                                              ("groups", "pdsu"), ("units", "units"),
                                              ("people", "people")])  # fmt: skip
def test_exports_hold_no_formula(registry, kind, layout):
    make_unit('=HYPERLINK("http://evil.example")', parent=registry.school)
    make_person("@SUM(1)", unit=registry.cs)
    workbook = openpyxl.load_workbook(io.BytesIO(export(registry.school_admin, kind, layout).data))
    texts = 0
    for sheet in workbook.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts += 1
                    assert not cell.value.startswith(TRIGGERS), (cell.coordinate, cell.value)
    assert texts > 20
    text = export(registry.school_admin, kind, layout, "csv").data.decode("utf-8-sig")
    for record in csv.reader(io.StringIO(text)):
        for field in record:
            assert not field.startswith(TRIGGERS), field


def test_the_export_is_the_seed_sheet_ready_to_sign(registry):
    workbook = openpyxl.load_workbook(io.BytesIO(export(registry.school_admin, "accounts").data))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "华北水利水电大学新媒体账号信息汇总表"
    assert rows[1][0].startswith("报送单位（负责人签字加盖公章）：") and "汇总时间：" in rows[1][0]
    assert rows[2][:4] == ("序号", "管理单位", "账号\n分级", "账号\n类型")
    closed = next(r for r in rows if r[4] == "已停用账号")
    assert closed[-1].startswith("已注销（2023年5月1日）")
    assert rows[-1][0].startswith("6．已注销的账号")
    assert any(r[0] == "5．关注人数以万为单位。" for r in rows)
    verified = next(r for r in rows if r[4] == "认证账号")
    assert verified[7] == "2021年6月" and verified[8] == pytest.approx(0.4321)
    assert sheet.page_setup.orientation == "landscape"


def test_a_unit_admins_export_names_their_unit_on_the_signature_line(registry):
    workbook = openpyxl.load_workbook(io.BytesIO(export(registry.cs_unit_admin, "groups").data))
    line = workbook.active["A2"].value
    assert line.startswith("报送单位（负责人签字加盖公章）：计算机学院")
