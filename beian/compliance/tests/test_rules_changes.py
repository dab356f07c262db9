"""The change rules (issue 5): a change of a registered account seen in the registry's
history and not reported in time (`change_not_reported`), and change reports that came in
late (`change_reported_late`). Changes are made through the real services (the registry's
`account_update`, the filings workflow) at fixed dates, and the engine scans."""

import ast
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beian.compliance.engine import scan_all
from beian.compliance.models import Finding
from beian.core.policy import reset_policy_cache
from beian.filings import services as filings
from beian.filings.choices import FilingStatus
from beian.filings.selectors import responsible_of, team_rows_of
from beian.filings.tests.factories import apply_new, approve_all
from beian.orgs.choices import PersonKind
from beian.registry.choices import FilingState
from beian.registry.services import account_update
from beian.testing import make_account, make_person

pytestmark = pytest.mark.django_db

CODES = ("change_not_reported", "change_reported_late")


def on(day: str, hour: str = "10:00", *, tick: bool = False):
    """Travel to a day of the school's time zone (the clock stands still unless `tick`:
    then the rows of one transaction are milliseconds apart, as in real life)."""
    return time_machine.travel(f"{day} {hour} +0800", tick=tick)


def scan(day: str) -> None:
    with on(day, "02:30"):
        scan_all()


def finding(rule: str, account) -> Finding | None:
    return Finding.objects.filter(rule=rule, account=account).first()


def open_finding(rule: str, account) -> Finding | None:
    found = finding(rule, account)
    return found if found is not None and found.state == "open" else None


def registered(cast, name: str = "文学院微讯", day: str = "2026-09-01"):
    """An account registered through the filings workflow (新开设备案, approved)."""
    with on(day, tick=True):
        filing = apply_new(cast.lit_operator, cast.lit, name, external_id=f"ncwu_{day}")
        return approve_all(filing, cast.lit_unit_admin, cast.school_admin, cast.leader).account


def rename(cast, account, name: str, day: str):
    with on(day):
        return account_update(actor=cast.lit_unit_admin, account=account, data={"name": name})


def change_fields(account, **kw) -> dict:
    account.refresh_from_db()
    fields = {
        "account_name": account.name,
        "external_id": account.external_id,
        "url": account.url,
        "update_frequency": account.update_frequency,
        "columns": account.columns,
        "introduction": account.introduction,
        "guiding_unit": account.guiding_unit,
        **responsible_of(account),
    }
    fields.update(kw)
    return fields


def report(cast, account, effective_on: date, day: str, **kw):
    """A change report submitted on `day` (the name ticked: it goes to approval)."""
    with on(day):
        return filings.change_report_create(
            actor=cast.lit_operator,
            account=account,
            effective_on=effective_on,
            fields=change_fields(account, **kw),
            declared_kinds=["name"],
        )


# --- change_not_reported -------------------------------------------------------------------


def test_a_rename_not_reported_after_the_deadline_is_a_finding(cast):
    account = registered(cast)
    rename(cast, account, "文学院之声", "2026-10-12")  # Monday; 5 workdays → Monday 19th

    scan("2026-10-22")  # 10 days later

    found = open_finding("change_not_reported", account)
    assert found is not None
    assert found.message == (
        "2026-10-12 账号名称由“文学院微讯”改为“文学院之声”，应于 2026-10-19 前报备变更，尚未报备"
    )
    assert found.severity == "warning" and found.owner_unit == cast.lit
    # the registration itself (account, team, registration number) is no change
    assert finding("change_reported_late", account) is None


def test_within_the_deadline_there_is_no_finding(cast):
    account = registered(cast)
    rename(cast, account, "文学院之声", "2026-10-12")

    scan("2026-10-19")  # the last day to report
    assert finding("change_not_reported", account) is None

    scan("2026-10-20")
    assert open_finding("change_not_reported", account) is not None


def test_renaming_back_is_no_change(cast):
    account = registered(cast)
    rename(cast, account, "文学院之声", "2026-10-12")
    rename(cast, account, "文学院微讯", "2026-10-13")
    scan("2026-10-30")
    assert finding("change_not_reported", account) is None


def test_workdays_skip_the_holidays_of_the_policy_calendar(cast, settings, tmp_path):
    # 3 workdays from Monday 2027-03-01: Tue 2, (Wed 3 a holiday), Thu 4, Fri 5.
    path = tmp_path / "policy.toml"
    path.write_text(
        '[changes]\nreport_within = "3 workdays"\n\n[calendar]\nholidays = ["2027-03-03"]\n',
        encoding="utf-8",
    )
    settings.BEIAN_POLICY_FILE = str(path)
    reset_policy_cache()
    try:
        account = registered(cast, day="2027-02-01")
        rename(cast, account, "文学院之声", "2027-03-01")

        scan("2027-03-05")
        assert finding("change_not_reported", account) is None  # not the 4th: the 3rd is off

        scan("2027-03-06")
        found = open_finding("change_not_reported", account)
        assert found is not None
        assert "2027-03-01 账号名称由" in found.message
        assert "应于 2027-03-05 前报备变更" in found.message
    finally:
        reset_policy_cache()


def test_filing_a_change_report_resolves_it_at_the_next_scan(cast):
    account = registered(cast)
    rename(cast, account, "文学院之声", "2026-10-12")
    scan("2026-10-22")
    assert open_finding("change_not_reported", account) is not None

    filed = report(cast, account, date(2026, 10, 12), "2026-10-23")
    assert filed.status == FilingStatus.PENDING and filed.reported_late

    scan("2026-10-23")
    assert finding("change_not_reported", account).state == "resolved"


def test_a_change_applied_by_an_approved_change_report_is_no_finding(cast):
    account = registered(cast)
    # reported on the 12th, approved (and so applied to the registry) on the 15th: the
    # rename in the registry's history is dated the 15th, after the report's dates
    with on("2026-10-12"):
        filing = filings.change_report_create(
            actor=cast.lit_operator,
            account=account,
            effective_on=date(2026, 10, 12),
            fields=change_fields(account, account_name="文学院之声"),
        )
    with on("2026-10-15", tick=True):
        approve_all(filing, cast.lit_unit_admin, cast.school_admin, cast.leader)
    account.refresh_from_db()
    assert account.name == "文学院之声"
    applied = account.history.filter(name="文学院之声").earliest("history_date")
    assert timezone.localdate(applied.history_date) == date(2026, 10, 15)

    scan("2026-10-30")
    assert finding("change_not_reported", account) is None

    # a later change by hand is measured from the approved name
    rename(cast, account, "文学院新闻", "2026-11-02")
    scan("2026-11-12")
    found = open_finding("change_not_reported", account)
    assert found is not None
    assert found.message.startswith("2026-11-02 账号名称由“文学院之声”改为“文学院新闻”")


def test_a_team_change_recorded_without_approval_is_no_finding(cast):
    account = registered(cast)
    team = team_rows_of(account)
    with on("2026-10-12"):
        filed = filings.change_report_create(
            actor=cast.lit_operator,
            account=account,
            effective_on=date(2026, 10, 12),
            fields=change_fields(account),
            team=[*team, {"role": "reviewer", "name": "孙审核", "identity": "staff"}],
        )
    assert filed.status == FilingStatus.APPROVED  # recorded at once, team applied
    scan("2026-10-30")
    assert finding("change_not_reported", account) is None


def test_replacing_the_responsible_person_is_a_finding(cast):
    account = registered(cast)
    old = {m.role: m.person for m in account.members.select_related("person")}
    assert old["first_responsible"].name == "刘书记"
    student = make_person("钱同学", unit=cast.lit, kind=PersonKind.STUDENT)
    with on("2026-10-12"):
        account_update(
            actor=cast.lit_unit_admin,
            account=account,
            data={},
            team=[
                ("first_responsible", cast.lit_teacher),
                ("operator", old["operator"]),
                ("reviewer", cast.lit_teacher),
                ("student_lead", student),  # not a role whose change must be reported
            ],
        )

    scan("2026-10-22")

    found = open_finding("change_not_reported", account)
    assert found is not None
    assert found.message == (
        "2026-10-12 第一责任人由 刘书记 改为 李老师，增加内容审核人 李老师，"
        "应于 2026-10-19 前报备变更，尚未报备"
    )


def test_changes_on_several_days_each_have_their_deadline(cast):
    account = registered(cast)
    rename(cast, account, "文学院之声", "2026-10-12")
    operator = account.members.get(role="operator").person
    with on("2026-10-14"):
        account_update(
            actor=cast.lit_unit_admin,
            account=account,
            data={},
            team=[(m.role, m.person) for m in account.members.exclude(person=operator)],
        )
    scan("2026-10-20")  # the rename is overdue, the team change not yet
    assert open_finding("change_not_reported", account).message == (
        "2026-10-12 账号名称由“文学院微讯”改为“文学院之声”，应于 2026-10-19 前报备变更，尚未报备"
    )
    scan("2026-10-22")
    assert open_finding("change_not_reported", account).message == (
        "2026-10-12 账号名称由“文学院微讯”改为“文学院之声”，应于 2026-10-19 前报备变更；"
        "2026-10-14 移除运营者 赵运营，应于 2026-10-21 前报备变更，尚未报备"
    )


def test_an_unfiled_account_has_no_change_to_report(cast):
    with on("2026-09-01"):
        account = make_account("文学院微讯", unit=cast.lit, team=[("operator", cast.lit_teacher)])
    rename(cast, account, "文学院之声", "2026-10-12")
    scan("2026-10-22")
    assert finding("change_not_reported", account) is None


def test_an_account_filed_by_hand_is_settled_as_filed(cast):
    """Registered outside the workflow (an import, the school admin): what it was when it
    became 已备案 is the reference, its team written with it included."""
    with on("2026-09-01", tick=True):
        imported = make_account(
            "文学院微讯",
            unit=cast.lit,
            filing_state=FilingState.FILED,
            team=[("first_responsible", cast.lit_teacher)],
        )
        by_hand = make_account("文学院视频号", unit=cast.lit)
    with on("2026-09-02", tick=True):
        account_update(
            actor=cast.school_admin,
            account=by_hand,
            data={"filing_state": FilingState.FILED, "name": "文学院视频"},
            team=[("first_responsible", cast.lit_teacher)],
        )
    scan("2026-10-30")
    assert finding("change_not_reported", imported) is None
    assert finding("change_not_reported", by_hand) is None

    rename(cast, imported, "文学院之声", "2026-11-02")
    scan("2026-11-12")
    assert open_finding("change_not_reported", imported) is not None


def _population(cast, n: int, start: int) -> None:
    """n filed accounts renamed by hand; every other one reported it late."""
    for i in range(start, start + n):
        with on("2026-09-01"):
            account = make_account(
                f"账号{i}",
                unit=cast.lit,
                filing_state=FilingState.FILED,
                team=[("first_responsible", cast.lit_teacher)],
            )
        rename(cast, account, f"新账号{i}", "2026-10-12")
        if i % 2:
            report(cast, account, date(2026, 10, 12), "2026-10-21")


def _queries(day: str) -> int:
    Finding.objects.all().delete()
    with CaptureQueriesContext(connection) as queries, on(day, "02:30"):
        scan_all(rules=CODES)
    return len(queries)


def test_queries_do_not_grow_with_the_number_of_accounts(cast):
    _population(cast, 3, 0)
    small = _queries("2026-10-22")
    assert Finding.objects.filter(rule="change_not_reported").count() == 2
    assert Finding.objects.filter(rule="change_reported_late").count() == 1

    _population(cast, 12, 3)
    large = _queries("2026-10-22")
    assert Finding.objects.filter(rule="change_not_reported").count() == 8
    assert Finding.objects.filter(rule="change_reported_late").count() == 7
    assert small == large, (small, large)


# --- change_reported_late ------------------------------------------------------------------


def test_a_late_report_is_a_finding_for_a_year(cast):
    account = registered(cast)
    rename(cast, account, "文学院之声", "2026-10-12")
    report(cast, account, date(2026, 10, 12), "2026-10-23")

    scan("2026-10-23")
    found = open_finding("change_reported_late", account)
    assert found is not None and found.severity == "attention"
    assert found.message == (
        "账号名称变更于 2026-10-12 生效，应于 2026-10-19 前报备，2026-10-23 才报备，逾期 4 天"
    )

    scan("2027-10-22")
    assert open_finding("change_reported_late", account) is not None
    scan("2027-10-23")  # 365 days after it was reported
    assert finding("change_reported_late", account).state == "resolved"


def test_reports_on_time_and_withdrawn_late_reports_are_no_finding(cast):
    account = registered(cast)
    rename(cast, account, "文学院之声", "2026-10-12")
    on_time = report(cast, account, date(2026, 10, 12), "2026-10-19")
    assert not on_time.reported_late
    scan("2026-10-20")
    assert finding("change_reported_late", account) is None
    assert finding("change_not_reported", account) is None

    other = registered(cast, "文学院视频", day="2026-09-02")
    rename(cast, other, "文学院视频号", "2026-10-12")
    late = report(cast, other, date(2026, 10, 12), "2026-10-23")
    with on("2026-10-23", "11:00"):
        filings.filing_withdraw(filing=late, actor=cast.lit_operator)
    scan("2026-10-24")
    assert finding("change_reported_late", other) is None
    assert open_finding("change_not_reported", other) is not None  # withdrawn: not reported


# --- the layers ----------------------------------------------------------------------------


def test_the_rules_import_the_filings_app_lazily():
    """`beian.compliance` must load without `beian.filings`: no module-level import."""
    folder = Path(__file__).resolve().parent.parent / "rules"
    modules = sorted(folder.glob("*.py"))
    assert folder / "changes.py" in modules
    for path in modules:
        name = path.name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("beian.filings"), name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("beian.filings") for a in node.names), name
