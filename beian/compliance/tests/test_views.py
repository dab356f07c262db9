"""Compliance pages: every view for anonymous users, each role, in and out of scope; the
happy paths; the export; the name guard page; the activity form."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beian.compliance.engine import scan_all
from beian.compliance.models import Finding, ScanRun
from beian.core.models import AuditEvent
from beian.registry.models import MediaAccount
from beian.testing import make_account, make_group

pytestmark = pytest.mark.django_db

ROLES = (
    "school_admin",
    "leader",
    "league_approver",
    "cs_unit_admin",
    "lit_unit_admin",
    "lit_operator",
    "auditor",
    "nobody",
)


@pytest.fixture
def scanned(cast):
    # 文学院微言 last posted long ago (a zombie); the others have no evidence (unknown)
    MediaAccount.objects.filter(pk=cast.lit_account.pk).update(
        last_post_date=date(2020, 1, 1), last_post_source="operator"
    )
    scan_all()
    cast.cs_finding = Finding.objects.get(rule="group_unregistered", group=cast.cs_group)
    cast.lit_finding = Finding.objects.get(rule="group_unregistered", group=cast.lit_group)
    return cast


def login(client, user):
    client.force_login(user)
    return client


def status(client, user, method, url, data=None):
    client.force_login(user)
    return getattr(client, method)(url, data or {}).status_code


# --- the permission matrix ------------------------------------------------------------------


def routes(cast):
    """(name, method, url, data) of every compliance route; findings and the activity form
    point at 计算机学院 records."""
    finding = cast.cs_finding.pk
    return [
        ("overview", "get", reverse("compliance:overview"), None),
        ("finding_list", "get", reverse("compliance:finding_list"), None),
        ("finding_export", "get", reverse("compliance:finding_export"), None),
        ("finding_detail", "get", reverse("compliance:finding_detail", args=[finding]), None),
        (
            "finding_waive",
            "post",
            reverse("compliance:finding_waive", args=[finding]),
            {"reason": "保留"},
        ),
        ("finding_unwaive", "post", reverse("compliance:finding_unwaive", args=[finding]), None),
        ("todo", "get", reverse("compliance:todo"), None),
        ("rule_list", "get", reverse("compliance:rule_list"), None),
        ("scan_now", "post", reverse("compliance:scan_now"), None),
        ("name_check", "get", reverse("compliance:name_check"), None),
        (
            "activity_report",
            "get",
            reverse("compliance:activity_report", args=[cast.cs_account.pk]),
            None,
        ),
    ]


# Expected status per route and role: 计算机学院 records are in scope for the school-wide
# roles and the cs unit admin, out of scope (404) for the others.
EXPECTED = {
    "overview": dict.fromkeys(ROLES, 200),
    "finding_list": dict.fromkeys(ROLES, 200),
    "finding_export": dict.fromkeys(ROLES, 200),
    "todo": dict.fromkeys(ROLES, 200),
    "rule_list": dict.fromkeys(ROLES, 200),
    "finding_detail": {
        **dict.fromkeys(ROLES, 404),
        **dict.fromkeys(("school_admin", "leader", "auditor", "cs_unit_admin"), 200),
    },
    "finding_waive": {
        **dict.fromkeys(ROLES, 404),
        "school_admin": 302,
        **dict.fromkeys(("leader", "auditor", "cs_unit_admin"), 403),
    },
    "finding_unwaive": {
        **dict.fromkeys(ROLES, 404),
        "school_admin": 302,
        **dict.fromkeys(("leader", "auditor", "cs_unit_admin"), 403),
    },
    "scan_now": {**dict.fromkeys(ROLES, 403), "school_admin": 302},
    "name_check": {**dict.fromkeys(ROLES, 200), "nobody": 403},
    "activity_report": {
        **dict.fromkeys(ROLES, 404),
        **dict.fromkeys(("school_admin", "cs_unit_admin"), 200),
        **dict.fromkeys(("leader", "auditor"), 403),
    },
}


def test_every_compliance_route_is_in_the_matrix(scanned):
    from beian.tests.urlconf import named_routes

    mine = {name.split(":", 1)[1] for name in named_routes() if name.startswith("compliance:")}
    assert mine == {name for name, *_rest in routes(scanned)} == set(EXPECTED)


def test_anonymous_users_are_sent_to_the_login_page(client, scanned):
    for _name, method, url, data in routes(scanned):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, scanned, role, django_capture_on_commit_callbacks):
    user = getattr(scanned, role)
    for name, method, url, data in routes(scanned):
        with django_capture_on_commit_callbacks(execute=True):
            got = status(client, user, method, url, data)
        assert got == EXPECTED[name][role], (name, role, got)


def test_operators_see_the_findings_of_their_own_records_only(client, scanned):
    own = reverse("compliance:finding_detail", args=[scanned.lit_finding.pk])
    assert status(client, scanned.lit_operator, "get", own) == 200
    waive = reverse("compliance:finding_waive", args=[scanned.lit_finding.pk])
    assert status(client, scanned.lit_operator, "post", waive, {"reason": "x"}) == 403
    activity = reverse("compliance:activity_report", args=[scanned.lit_account.pk])
    assert status(client, scanned.lit_operator, "get", activity) == 200


# --- overview, list, to-do ------------------------------------------------------------------


def test_overview_counts_by_severity_rule_and_unit(client, scanned):
    response = login(client, scanned.school_admin).get(reverse("compliance:overview"))
    summary = response.context["summary"]
    open_findings = Finding.objects.open()
    assert summary.open_total == open_findings.count()
    by_severity = {code: n for code, _label, _colour, n in summary.by_severity}
    assert by_severity["warning"] == open_findings.filter(severity="warning").count()
    by_rule = {row.code: row.open for row in summary.by_rule}
    assert by_rule["group_unregistered"] == 2
    assert {u.name for u in summary.by_unit} >= {"计算机学院", "文学院"}
    content = response.content.decode()
    assert "立即全面检查" in content and "群成员" not in content


def test_overview_of_a_unit_admin_counts_only_their_units(client, scanned):
    response = login(client, scanned.cs_unit_admin).get(reverse("compliance:overview"))
    summary = response.context["summary"]
    assert {u.name for u in summary.by_unit} <= {"计算机学院", "软件工程系"}
    assert "立即全面检查" not in response.content.decode()


def listed(response):
    return {row.record.pk for row in response.context["table"].page.object_list}


def test_list_shows_open_findings_by_default_and_filters(client, scanned):
    client = login(client, scanned.school_admin)
    url = reverse("compliance:finding_list")
    assert listed(client.get(url)) == set(Finding.objects.open().values_list("pk", flat=True))
    assert listed(client.get(url, {"rule": "group_unregistered"})) == {
        scanned.cs_finding.pk,
        scanned.lit_finding.pk,
    }
    assert listed(client.get(url, {"unit": scanned.cs.pk, "rule": "group_unregistered"})) == {
        scanned.cs_finding.pk
    }
    Finding.objects.filter(pk=scanned.cs_finding.pk).update(state="resolved")
    assert scanned.cs_finding.pk not in listed(client.get(url))
    assert scanned.cs_finding.pk in listed(client.get(url, {"state": ""}))
    assert listed(client.get(url, {"state": "resolved"})) == {scanned.cs_finding.pk}
    assert listed(client.get(url, {"severity": "info", "target": "group"})) == set()
    assert listed(client.get(url, {"q": "辅导员"})) >= {scanned.lit_finding.pk}


def test_list_stays_in_scope(client, scanned):
    response = login(client, scanned.cs_unit_admin).get(reverse("compliance:finding_list"))
    units = Finding.objects.filter(pk__in=listed(response)).values_list("owner_unit", flat=True)
    assert set(units) <= {scanned.cs.pk, scanned.se.pk}


def test_list_query_count_does_not_grow_with_rows(client, cast):
    client = login(client, cast.school_admin)
    url = reverse("compliance:finding_list")

    def count():
        scan_all()
        client.get(url)  # warm caches (session, content types)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for i in range(15):
        make_group(unit=cast.cs, member_count=30 + i)
        make_account(unit=cast.lit, platform_code="weibo")
    assert count() == few


def test_todo_groups_open_findings_by_record(client, scanned):
    response = login(client, scanned.lit_unit_admin).get(reverse("compliance:todo"))
    items = response.context["items"]
    records = {(item.kind, item.record.pk) for item in items}
    assert records == {("account", scanned.lit_account.pk), ("group", scanned.lit_group.pk)}
    content = response.content.decode()
    assert reverse("registry:account_detail", args=[scanned.lit_account.pk]) in content
    assert "请尽快恢复更新" in content or "僵尸号" in content  # the rules' explanations


def test_todo_for_one_unit_and_out_of_scope_units(client, scanned):
    client = login(client, scanned.school_admin)
    response = client.get(reverse("compliance:todo"), {"unit": scanned.cs.pk})
    assert {item.record.pk for item in response.context["items"] if item.kind == "group"} == {
        scanned.cs_group.pk
    }
    client = login(client, scanned.lit_unit_admin)
    assert client.get(reverse("compliance:todo"), {"unit": scanned.cs.pk}).status_code == 404
    assert client.get(reverse("compliance:todo"), {"unit": "x"}).status_code == 404


def test_rules_page_lists_every_rule_with_its_parameters(client, scanned):
    content = login(client, scanned.auditor).get(reverse("compliance:rule_list")).content.decode()
    assert "zombie_warn" in content and "zombie.warn_after_days" in content
    assert "group_admin_left" in content


# --- waiving and scanning --------------------------------------------------------------------


def test_waive_and_unwaive_through_the_pages(client, scanned):
    client = login(client, scanned.school_admin)
    detail = reverse("compliance:finding_detail", args=[scanned.cs_finding.pk])
    assert "豁免理由" in client.get(detail).content.decode()
    response = client.post(
        reverse("compliance:finding_waive", args=[scanned.cs_finding.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("compliance:finding_waive", args=[scanned.cs_finding.pk]), {"reason": "期末后解散"}
    )
    assert response.status_code == 302
    scanned.cs_finding.refresh_from_db()
    assert (
        scanned.cs_finding.state == "waived"
        and scanned.cs_finding.waived_by == scanned.school_admin
    )
    assert "期末后解散" in client.get(detail).content.decode()
    client.post(reverse("compliance:finding_unwaive", args=[scanned.cs_finding.pk]))
    scanned.cs_finding.refresh_from_db()
    assert scanned.cs_finding.state == "open"


def test_scan_now_runs_a_full_scan(client, scanned, django_capture_on_commit_callbacks):
    before = ScanRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, scanned.school_admin).post(reverse("compliance:scan_now"))
    assert response.status_code == 302
    assert ScanRun.objects.count() == before + 1
    assert ScanRun.objects.first().triggered_by == scanned.school_admin
    assert AuditEvent.objects.filter(detail__action="compliance_scan").exists()


def test_get_is_refused_on_actions(client, scanned):
    client = login(client, scanned.school_admin)
    assert client.get(reverse("compliance:scan_now")).status_code == 405
    url = reverse("compliance:finding_waive", args=[scanned.cs_finding.pk])
    assert client.get(url).status_code == 405


# --- export ------------------------------------------------------------------------------------


def read_xlsx(response) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_export_is_filtered_scoped_neutralised_and_audited(client, cast):
    make_group('=HYPERLINK("http://x")', unit=cast.cs, member_count=50)
    make_group("@SUM(A1)", unit=cast.lit, member_count=50)
    scan_all()
    response = login(client, cast.cs_unit_admin).get(
        reverse("compliance:finding_export"), {"rule": "group_unregistered"}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(response)
    assert rows[0][0].startswith("检查发现（导出于")
    assert rows[1][:4] == ["严重程度", "规则", "对象类型", "账号/群名称"]
    names = sorted(row[3] for row in rows[2:])
    assert names == ['\'=HYPERLINK("http://x")', "计算机学院教职工群"]
    event = AuditEvent.objects.get(event="export")
    assert event.detail == {
        "what": "compliance_findings",
        "filter": {"rule": "group_unregistered"},
        "rows": 2,
    }
    assert event.actor == cast.cs_unit_admin


def test_export_with_an_invalid_filter_goes_back_to_the_list(client, scanned):
    response = login(client, scanned.school_admin).get(
        reverse("compliance:finding_export"), {"severity": "nonsense"}
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(event="export").exists()


# --- name guard page -------------------------------------------------------------------------


def check_names(client, user, **data):
    return login(client, user).post(reverse("compliance:name_check"), data)


def verdicts(response):
    return {r["verdict"].name: str(r["verdict"].name_class) for r in response.context["results"]}


def test_name_check_of_pasted_names(client, cast):
    response = check_names(
        client,
        cast.lit_unit_admin,
        names="华水考研互助\n\n滑水大学表白墙\n文学院读书会\n华水考研互助",
    )
    assert response.status_code == 200
    assert verdicts(response) == {
        "华水考研互助": "uses_name",
        "滑水大学表白墙": "imitates",
        "文学院读书会": "unrelated",
    }
    assert "同音" in response.content.decode()


def test_name_check_knows_the_registered_accounts(client, cast):
    make_account(
        "华北水利水电大学", unit=cast.propaganda, filing_state="filed", external_id="ncwu1951"
    )
    response = check_names(client, cast.school_admin, names="华北水利水电大学")
    assert verdicts(response) == {"华北水利水电大学": "official"}


def test_name_check_of_an_uploaded_list_in_gb18030(client, cast):
    upload = SimpleUploadedFile("名单.txt", "華北水利水電大學\n文学院读书会\n".encode("gb18030"))
    response = check_names(client, cast.school_admin, file=upload)
    assert verdicts(response) == {"華北水利水電大學": "uses_name", "文学院读书会": "unrelated"}
    assert "繁体" in response.content.decode()


def test_name_check_of_an_uploaded_csv_takes_the_first_column(client, cast):
    upload = SimpleUploadedFile("名单.csv", "华水考研互助,抖音\n,\n文学院读书会,微博\n".encode())
    response = check_names(client, cast.school_admin, file=upload)
    assert set(verdicts(response)) == {"华水考研互助", "文学院读书会"}


def test_name_check_refuses_binary_and_oversized_uploads(client, cast, settings):
    png = SimpleUploadedFile("names.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    response = check_names(client, cast.school_admin, file=png)
    assert response.status_code == 200 and not response.context["results"]
    assert response.context["form"].errors
    settings.BEIAN_UPLOAD_MAX_BYTES = 10
    big = SimpleUploadedFile("names.txt", "文学院读书会\n".encode() * 10)
    response = check_names(client, cast.school_admin, file=big)
    # cut off while it streams in, before the form sees it (issue 9: beian/core/request_limits)
    assert response.status_code == 413
    assert "单个文件不能超过" in response.content.decode()


def test_name_check_needs_some_names(client, cast):
    response = check_names(client, cast.school_admin, names="  \n ")
    assert "请粘贴账号名称或上传名单" in str(response.context["form"].errors)


# --- activity form ----------------------------------------------------------------------------


def test_activity_form_saves_the_date(client, cast, django_capture_on_commit_callbacks):
    url = reverse("compliance:activity_report", args=[cast.lit_account.pk])
    client = login(client, cast.lit_operator)
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"on": "2025-05-04"})
    assert response.status_code == 302
    assert response.url == reverse("registry:account_detail", args=[cast.lit_account.pk])
    cast.lit_account.refresh_from_db()
    assert cast.lit_account.last_post_date == date(2025, 5, 4)
    response = client.post(url, {"on": "2019-01-01"})
    assert response.status_code == 200 and "不能早于" in str(response.context["form"].errors)


def test_todo_is_paginated_by_record_with_a_fixed_number_of_queries(client, cast):
    client = login(client, cast.school_admin)
    url = reverse("compliance:todo")

    def count():
        scan_all()
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return len(queries), response

    few, _response = count()
    for i in range(25):
        make_group(unit=cast.cs, member_count=30 + i)
    many, response = count()
    assert many == few
    page = response.context["page"]
    assert page.paginator.count == 25 + 5 and len(response.context["items"]) == 20
    second = client.get(url, {"page": 2})
    assert len(second.context["items"]) == 10
    both = response.context["items"] + second.context["items"]
    shown = {(item.kind, item.record.pk) for item in both}
    assert len(shown) == 30


def test_record_findings_panel(rf, scanned):
    from beian.compliance.views import record_findings_panel

    request = rf.get("/")
    request.user = scanned.lit_operator
    html = record_findings_panel(request, scanned.lit_account)
    assert "僵尸号" in html
    assert reverse("compliance:activity_report", args=[scanned.lit_account.pk]) in html
    request.user = scanned.auditor
    html = record_findings_panel(request, scanned.lit_account)
    assert "僵尸号" in html and "填报最近发布" not in html
    assert "工作群未报备" in record_findings_panel(request, scanned.lit_group)


def test_record_findings_template(rf, scanned):
    from django.template.loader import render_to_string

    from beian.compliance.selectors import record_findings

    findings = list(record_findings(scanned.lit_account))
    assert findings and all(f.account_id == scanned.lit_account.pk for f in findings)
    ranks = [f.severity_rank for f in findings]
    assert ranks == sorted(ranks, reverse=True)
    html = render_to_string(
        "compliance/_record_findings.html", {"findings": findings, "activity_url": "/x/"}
    )
    assert "僵尸号" in html and 'href="/x/"' in html
    empty = render_to_string("compliance/_record_findings.html", {"findings": []})
    assert "目前未发现问题" in empty
