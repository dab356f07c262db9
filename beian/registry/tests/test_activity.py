"""Activity evidence: each source's claim with its worth, the precedence rule, the bulk
write for feeds and imports, and what every write leaves behind (history, audit, re-check)."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from beian.compliance.engine import scan_all
from beian.compliance.models import Finding
from beian.core.models import AuditEvent
from beian.registry.activity import (
    ActivityClaim,
    account_activity_record,
    account_activity_record_many,
    account_last_post_dates_import,
    last_post_date_error,
)
from beian.registry.choices import ActivityWorth
from beian.registry.models import ActivityEvidence, MediaAccount
from beian.testing import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    """Every test here runs on 2025-06-30 (dates are compared with today)."""
    with time_machine.travel("2025-06-30 10:00 +0800", tick=False):
        yield


def claims(account) -> dict[str, tuple[date, int]]:
    return {
        e.source: (e.posted_on, e.worth) for e in ActivityEvidence.objects.filter(account=account)
    }


def summary(account) -> tuple[date | None, str]:
    account.refresh_from_db()
    return account.last_post_date, account.last_post_source


def record(cast, account, on, source, **kw):
    return account_activity_record(
        actor=cast.school_admin, account=account, on=on, source=source, **kw
    )


# --- each source ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "worth"),
    [
        ("operator", ActivityWorth.REPORTED),
        ("inspection", ActivityWorth.CHECKED),
        ("import", ActivityWorth.DECLARED),
    ],
)
def test_each_source_records_its_claim_with_its_worth(cast, source, worth):
    account = record(cast, cast.lit_account, date(2025, 6, 1), source, reference="依据")
    assert summary(account) == (date(2025, 6, 1), source)
    assert claims(account) == {source: (date(2025, 6, 1), worth)}
    evidence = ActivityEvidence.objects.get(account=account)
    assert evidence.recorded_by == cast.school_admin and evidence.reference == "依据"


def test_the_feed_records_without_an_actor_and_no_one_else_does(cast):
    outcome = account_activity_record_many(
        actor=None,
        source="feed",
        claims=[ActivityClaim(cast.lit_account.pk, date(2025, 6, 20), "https://x/rss")],
    )
    assert outcome.changed_accounts == [cast.lit_account.pk]
    assert summary(cast.lit_account) == (date(2025, 6, 20), "feed")
    assert claims(cast.lit_account) == {"feed": (date(2025, 6, 20), ActivityWorth.CHECKED)}
    with pytest.raises(PermissionDenied):
        account_activity_record_many(
            actor=None,
            source="import",
            claims=[ActivityClaim(cast.lit_account.pk, date(2025, 6, 1))],
        )


def test_an_inspection_not_yet_graded_may_be_worth_less(cast):
    record(cast, cast.lit_account, date(2025, 6, 1), "inspection", worth=ActivityWorth.REPORTED)
    assert claims(cast.lit_account)["inspection"] == (date(2025, 6, 1), ActivityWorth.REPORTED)


# --- precedence --------------------------------------------------------------------------------


def test_a_newer_weaker_date_leads_but_the_stronger_claim_stays(cast):
    account = cast.lit_account
    record(cast, account, date(2025, 5, 1), "feed")
    record(cast, account, date(2025, 6, 1), "import")
    assert summary(account) == (date(2025, 6, 1), "import")
    assert claims(account) == {
        "feed": (date(2025, 5, 1), ActivityWorth.CHECKED),
        "import": (date(2025, 6, 1), ActivityWorth.DECLARED),
    }


def test_an_older_date_of_another_source_changes_no_summary(cast):
    account = cast.lit_account
    record(cast, account, date(2025, 6, 1), "feed")
    record(cast, account, date(2025, 3, 1), "operator")
    assert summary(account) == (date(2025, 6, 1), "feed")
    assert claims(account)["operator"] == (date(2025, 3, 1), ActivityWorth.REPORTED)


def test_on_the_same_date_the_stronger_source_names_it(cast):
    account = cast.lit_account
    record(cast, account, date(2025, 6, 1), "feed")
    record(cast, account, date(2025, 6, 1), "import")
    assert summary(account) == (date(2025, 6, 1), "feed")
    record(cast, account, date(2025, 6, 2), "import")
    record(cast, account, date(2025, 6, 2), "operator")
    assert summary(account) == (date(2025, 6, 2), "operator")


def test_a_source_corrects_its_own_claim_and_the_summary_falls_back(cast):
    account = cast.lit_account
    record(cast, account, date(2025, 4, 1), "inspection")
    record(cast, account, date(2025, 6, 25), "operator")  # a typo: meant May
    assert summary(account) == (date(2025, 6, 25), "operator")
    record(cast, account, date(2025, 5, 25), "operator")
    assert summary(account) == (date(2025, 5, 25), "operator")
    record(cast, account, date(2025, 3, 1), "operator")
    assert summary(account) == (date(2025, 4, 1), "inspection")


def test_a_date_written_before_evidence_rows_is_adopted_not_lost(cast):
    account = cast.lit_account
    MediaAccount.objects.filter(pk=account.pk).update(
        last_post_date=date(2025, 6, 10), last_post_source="operator"
    )
    record(cast, account, date(2025, 5, 1), "feed")
    assert summary(account) == (date(2025, 6, 10), "operator")
    assert claims(account)["operator"] == (date(2025, 6, 10), ActivityWorth.REPORTED)

    other = cast.cs_account  # a date without a source counts as the weakest
    MediaAccount.objects.filter(pk=other.pk).update(last_post_date=date(2025, 6, 10))
    record(cast, other, date(2025, 6, 10), "inspection")
    assert summary(other) == (date(2025, 6, 10), "inspection")
    assert claims(other)["import"] == (date(2025, 6, 10), ActivityWorth.DECLARED)


# --- checks ----------------------------------------------------------------------------------


def test_dates_in_the_future_or_before_creation_are_refused(cast):
    with pytest.raises(ValidationError) as caught:
        record(cast, cast.lit_account, date(2025, 7, 1), "operator")
    assert caught.value.message_dict == {"on": ["最近发布日期 2025-07-01 不能晚于今天"]}
    with pytest.raises(ValidationError) as caught:
        record(cast, cast.lit_account, date(2020, 2, 29), "inspection")
    assert "不能早于账号创建时间 2020-03" in caught.value.message_dict["on"][0]
    # a feed entry is a fact, whatever month someone typed as the creation month
    account_activity_record_many(
        actor=None, source="feed", claims=[ActivityClaim(cast.lit_account.pk, date(2019, 5, 1))]
    )
    assert summary(cast.lit_account) == (date(2019, 5, 1), "feed")
    assert last_post_date_error(None, created_month=None, source="import") == "请填写最近发布日期"


def test_only_who_may_edit_the_account_records_and_closed_accounts_take_no_claim(cast):
    with pytest.raises(PermissionDenied):
        account_activity_record(
            actor=cast.cs_unit_admin,
            account=cast.lit_account,
            on=date(2025, 6, 1),
            source="operator",
        )
    with pytest.raises(PermissionDenied):
        account_activity_record(
            actor=cast.auditor, account=cast.lit_account, on=date(2025, 6, 1), source="operator"
        )
    MediaAccount.objects.filter(pk=cast.se_account.pk).update(
        status="closed", closed_on=date(2025, 1, 1), closed_reason="停用"
    )
    with pytest.raises(ValidationError):
        record(cast, cast.se_account, date(2025, 6, 1), "operator")
    assert not ActivityEvidence.objects.exists()


# --- what a write leaves -----------------------------------------------------------------------


def test_a_claim_leaves_history_and_audit(cast):
    account = account_activity_record(
        actor=cast.lit_operator, account=cast.lit_account, on=date(2025, 6, 1), source="operator"
    )
    latest = account.history.first()
    assert latest.last_post_date == date(2025, 6, 1) and latest.history_user == cast.lit_operator
    assert latest.history_change_reason == "最近发布日期（运营者填报）"
    event = AuditEvent.objects.get(event="update", object_id=str(account.pk))
    assert event.actor == cast.lit_operator
    assert event.detail["action"] == "activity" and event.detail["source"] == "operator"
    assert event.detail["changes"]["last_post_date"] == [None, "2025-06-01"]
    # the same claim again writes nothing
    account_activity_record(
        actor=cast.lit_operator, account=cast.lit_account, on=date(2025, 6, 1), source="operator"
    )
    assert AuditEvent.objects.filter(object_id=str(account.pk)).count() == 1
    assert account.history.count() == 2  # creation, one change


def test_claims_make_findings_current_without_a_scan(cast, django_capture_on_commit_callbacks):
    zombie = make_account(unit=cast.lit, last_post_date=date(2025, 1, 1), last_post_source="import")
    scan_all()
    assert Finding.objects.get(rule="zombie_close", account=zombie).state == "open"
    assert Finding.objects.get(rule="activity_unknown", account=cast.cs_account).state == "open"
    with django_capture_on_commit_callbacks(execute=True):
        account_last_post_dates_import(
            actor=cast.school_admin,
            dates=[
                (zombie.pk, date(2025, 6, 28), "第 3 行"),
                (cast.cs_account.pk, date(2025, 6, 1), "第 4 行"),
            ],
            reference="汇总表.xlsx",
        )
    assert Finding.objects.get(rule="zombie_close", account=zombie).state == "resolved"
    assert Finding.objects.get(rule="activity_unknown", account=cast.cs_account).state == "resolved"


def test_the_import_column_is_all_or_nothing_and_names_the_row(cast):
    with pytest.raises(ValidationError) as caught:
        account_last_post_dates_import(
            actor=cast.school_admin,
            dates=[
                (cast.cs_account.pk, date(2025, 6, 1), "第 3 行"),
                (cast.lit_account.pk, date(2026, 1, 1), "第 4 行"),
            ],
        )
    assert caught.value.messages == [
        "第 4 行账号“文学院微言”：最近发布日期 2026-01-01 不能晚于今天"
    ]
    assert not ActivityEvidence.objects.exists()
    with pytest.raises(PermissionDenied):
        account_last_post_dates_import(
            actor=cast.cs_unit_admin, dates=[(cast.lit_account.pk, date(2025, 6, 1), "第 3 行")]
        )


def test_bulk_writes_one_audit_row_and_history_per_moved_account(cast):
    accounts = [make_account(unit=cast.lit) for _ in range(4)]
    outcome = account_last_post_dates_import(
        actor=cast.school_admin,
        dates=[(a.pk, date(2025, 6, i + 1), f"第 {i + 3} 行") for i, a in enumerate(accounts)],
        reference="汇总表.xlsx",
    )
    assert outcome.recorded == 4 and sorted(outcome.changed_accounts) == sorted(
        a.pk for a in accounts
    )
    event = AuditEvent.objects.get(detail__action="activity")
    assert event.actor == cast.school_admin and event.detail["recorded"] == 4
    for i, account in enumerate(accounts):
        assert account.history.first().last_post_date == date(2025, 6, i + 1)
        assert (
            ActivityEvidence.objects.get(account=account).reference == f"汇总表.xlsx 第 {i + 3} 行"
        )


def test_bulk_queries_do_not_grow_with_the_accounts(cast):
    few = [make_account(unit=cast.lit) for _ in range(3)]
    many = [make_account(unit=cast.lit) for _ in range(30)]

    def write(accounts, day):
        return account_activity_record_many(
            actor=None, source="feed", claims=[ActivityClaim(a.pk, day) for a in accounts]
        )

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        write(few, date(2025, 6, 1))
    with CaptureQueriesContext(connection) as large:
        write(many, date(2025, 6, 1))
    assert len(small) == len(large)


# --- the account form's date ------------------------------------------------------------------


def test_a_date_typed_in_the_account_form_is_an_operator_claim(cast):
    from beian.registry.services import account_update

    account = make_account("计院新闻", unit=cast.cs)
    record(cast, account, date(2025, 6, 20), "feed")
    account_update(
        actor=cast.cs_unit_admin, account=account, data={"last_post_date": date(2025, 6, 1)}
    )
    # the operator's earlier date is kept as its own claim; the feed's newer one still leads
    assert claims(account)["operator"] == (date(2025, 6, 1), ActivityWorth.REPORTED)
    assert summary(account) == (date(2025, 6, 20), "feed")

    account_update(
        actor=cast.cs_unit_admin, account=account, data={"last_post_date": date(2025, 6, 25)}
    )
    assert summary(account) == (date(2025, 6, 25), "operator")

    with pytest.raises(ValidationError) as exc:
        account_update(
            actor=cast.cs_unit_admin, account=account, data={"last_post_date": date(2025, 7, 2)}
        )
    assert "last_post_date" in exc.value.message_dict
