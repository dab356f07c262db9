"""The fast validation path of imports keeps the forms' rules: a table of bad values is
refused by both the import (at the cell) and the registry forms (on the field), and good
values are taken by both."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from beian.registry import services
from beian.registry.forms import AccountForm, GroupForm
from beian.testing import platform
from beian.transfer.rules import GroupRules

from .conftest import ACCOUNT_HEADER, GROUP_HEADER, preview, row, xlsx

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NEXT_MONTH = (TODAY.replace(day=28) + dt.timedelta(days=5)).replace(day=1)


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"created_month": NEXT_MONTH},
        {"created_month": TODAY.replace(day=1)},
        {"member_count": 5, "outside_member_count": 6, "has_outside_members": True},
        {"member_count": 5, "outside_member_count": 5, "has_outside_members": True},
        {"member_count": 5, "outside_member_count": 2, "has_outside_members": False},
        {"member_count": 0, "outside_member_count": 0, "has_outside_members": True},
        {"temporary_until": TODAY, "is_temporary": False},
        {"temporary_until": TODAY, "is_temporary": True},
        {"member_count": None, "outside_member_count": 1, "has_outside_members": True},
    ],
)
def test_group_rules_answer_as_the_service_does(values):
    full = {
        "created_month": None,
        "member_count": 10,
        "outside_member_count": 0,
        "has_outside_members": False,
        "is_temporary": False,
        "temporary_until": None,
        **values,
    }
    expected = {k: str(v) for k, v in services.group_rule_errors(SimpleNamespace(**full)).items()}
    assert GroupRules(TODAY)(full) == expected


def _form_errors(form_class, user, data) -> set[str]:
    form = form_class(data=data, user=user)
    form.is_valid()
    return set(form.errors)


def group_form_data(cast, **override):
    data = {
        "platform": platform("wechat_group").pk,
        "name": "测试群",
        "group_number": "",
        "purpose": "work",
        "owner_unit": cast.cs.pk,
        "status": "active",
        "member_count": "10",
        "outside_member_count": "0",
        "created_month": "2020-03",
    }
    data.update(override)
    return {k: v for k, v in data.items() if v is not None}


GROUP_CASES = [
    # (sheet column, cell value, form field, form value)
    ("members", "-5", "member_count", "-5"),
    ("members", "很多", "member_count", "很多"),
    ("members", "3.5", "member_count", "3.5"),
    ("outsiders", "50", "outside_member_count", "50"),
    ("created", f"{NEXT_MONTH.year}年{NEXT_MONTH.month}月", "created_month",
     NEXT_MONTH.strftime("%Y-%m")),
    ("created", "1985年3月", "created_month", "1985-03"),
    ("created", "2019.13", "created_month", "2019-13"),
    ("name", "群" * 129, "name", "群" * 129),
    ("group_number", "9" * 65, "group_number", "9" * 65),
]  # fmt: skip


@pytest.mark.parametrize(("column", "value", "field", "form_value"), GROUP_CASES)
def test_bad_group_values_are_refused_by_both_paths(cast, column, value, field, form_value):
    header = [*GROUP_HEADER, "群号"]
    cells = {"members": 10, "outsiders": 2 if column == "outsiders" else "", "created": "2020年3月",
             "name": "测试群", "group_number": "", "has_outsiders": "有"}  # fmt: skip
    cells[column] = value
    sheet_row = [1, "计算机学院", "微信群", cells["name"], "工作", cells["members"],
                 cells["has_outsiders"], cells["outsiders"], cells["created"], "", "",
                 cells["group_number"]]  # fmt: skip
    if column == "outsiders":
        sheet_row[7] = value
    plan = preview(cast.school_admin, "groups", xlsx(header, [sheet_row]))
    result = row(plan, 2)
    assert result.status == "error", (column, value)
    data = group_form_data(cast, **{field: form_value})
    if field == "outside_member_count":
        data["has_outside_members"] = "on"
    assert field in _form_errors(GroupForm, cast.school_admin, data)


def test_good_group_values_are_taken_by_both_paths(cast):
    header = [*GROUP_HEADER, "群号"]
    sheet_row = [
        1,
        "计算机学院",
        "微信群",
        "测试群",
        "工作",
        10,
        "有",
        2,
        "2020年3月",
        "",
        "",
        "12345",
    ]
    assert row(preview(cast.school_admin, "groups", xlsx(header, [sheet_row])), 2).status == "new"
    data = group_form_data(cast, outside_member_count="2", has_outside_members="on",
                           group_number="12345")  # fmt: skip
    assert _form_errors(GroupForm, cast.school_admin, data) == set()


def account_form_data(cast, **override):
    data = {
        "platform": platform("weibo").pk,
        "name": "测试账号",
        "external_id": "https://weibo.com/test",
        "owner_unit": cast.cs.pk,
        "created_month": "2019-03",
        "status": "active",
        "audience": "12000",
        "update_frequency": "1次/日",
        "filing_state": "unfiled",
    }
    data.update(override)
    return {k: v for k, v in data.items() if v is not None}


ACCOUNT_CASES = [
    # (sheet column, cell value, form overrides)
    ("audience", "-1", {"audience": "-1"}),
    ("audience", "很多", {"audience": "很多"}),
    ("audience", "300000万", {"audience": "300000万"}),
    ("created", f"{NEXT_MONTH.year}.{NEXT_MONTH.month:02d}", {"created_month": NEXT_MONTH.strftime("%Y-%m")}),
    ("created", "1985年", {"created_month": "1985"}),
    ("verified", "2018年1月", {"verified": "on", "verified_month": "2018-01"}),
    ("verified", "已认证", {"verified": "on"}),
    ("external_id", "not-a-weibo-address", {"external_id": "not-a-weibo-address"}),
    ("external_id", "https://weibo.com/" + "x" * 250, {"external_id": "https://weibo.com/" + "x" * 250}),
    ("name", "号" * 129, {"name": "号" * 129}),
    ("frequency", "每" * 65, {"update_frequency": "每" * 65}),
]  # fmt: skip
_ACCOUNT_COLUMNS = {name: index for index, name in enumerate(
    ["seq", "unit", "tier", "platform", "name", "external_id", "created", "verified", "audience",
     "frequency", "teacher", "teacher_phone", "student", "student_phone"])}  # fmt: skip


@pytest.mark.parametrize(("column", "value", "form"), ACCOUNT_CASES)
def test_bad_account_values_are_refused_by_both_paths(cast, column, value, form):
    sheet_row = [1, "计算机学院", "", "新浪微博", "测试账号", "https://weibo.com/test", "2019年3月",
                 "", "1.2", "1次/日", "", "", "", ""]  # fmt: skip
    sheet_row[_ACCOUNT_COLUMNS[column]] = value
    plan = preview(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, [sheet_row]))
    result = row(plan, 2)
    assert result.status == "error", (column, value, result.status)
    assert result.errors[0].column  # placed at a cell
    errors = _form_errors(AccountForm, cast.school_admin, account_form_data(cast, **form))
    fields = {"audience": {"audience"}, "created": {"created_month"},
              "verified": {"verified_month", "verified"}, "external_id": {"external_id"},
              "name": {"name"}, "frequency": {"update_frequency"}}[column]  # fmt: skip
    assert errors & fields, (column, value, errors)


def test_good_account_values_are_taken_by_both_paths(cast):
    sheet_row = [1, "计算机学院", "", "新浪微博", "测试账号", "https://weibo.com/test", "2019年3月",
                 "2020年1月", "1.2", "1次/日", "", "", "", ""]  # fmt: skip
    plan = preview(cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, [sheet_row]))
    assert row(plan, 2).status == "new"
    data = account_form_data(cast, verified="on", verified_month="2020-01")
    assert _form_errors(AccountForm, cast.school_admin, data) == set()
