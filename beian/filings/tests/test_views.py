"""Every filings page for anonymous users, each role, in and out of scope."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from beian.filings import services
from beian.filings.choices import FilingStatus
from beian.filings.models import Filing, Notification
from beian.tests.urlconf import named_routes

from .factories import PDF, apply_new, approve_all

pytestmark = pytest.mark.django_db

USERS = (
    "school_admin",
    "leader",
    "league_approver",
    "cs_unit_admin",
    "lit_unit_admin",
    "lit_operator",
    "auditor",
    "nobody",
)
ALL_200 = dict.fromkeys(USERS, 200)
#: Who sees the 文学院 records and the 文学院 filing, and who may act on them.
LIT_RECORD = {
    "school_admin": 200,
    "lit_unit_admin": 200,
    "lit_operator": 200,  # on the team
    "leader": 403,  # sees everything, edits nothing
    "auditor": 403,
    "cs_unit_admin": 404,
    "league_approver": 404,
    "nobody": 404,
}
LIT_FILING_READ = {
    "school_admin": 200,
    "leader": 200,
    "auditor": 200,
    "lit_unit_admin": 200,
    "lit_operator": 200,
    "cs_unit_admin": 404,
    "league_approver": 404,
    "nobody": 404,
}


@pytest.fixture
def filing(cast):
    return apply_new(cast.lit_operator, cast.lit)


def _check(client, cast, method: str, url: str, expected: dict, data=None):
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 302 and "/login/" in response["Location"], url
    for name, status in expected.items():
        client.force_login(getattr(cast, name))
        response = getattr(client, method)(url, data or {})
        assert response.status_code == status, (name, url, response.status_code)
        client.logout()


def test_lists_and_inbox(cast, client):
    for name in (
        "filings:mine",
        "filings:waiting",
        "filings:waiting_bulk",
        "filings:list",
        "notify:inbox",
    ):
        _check(client, cast, "get", reverse(name), ALL_200)


def test_new_filing_form(cast, client):
    expected = {
        "school_admin": 200,
        "cs_unit_admin": 200,
        "lit_unit_admin": 200,
        "lit_operator": 200,
        "league_approver": 200,
        "leader": 403,
        "auditor": 403,
        "nobody": 403,
    }
    _check(client, cast, "get", reverse("filings:create"), expected)


@pytest.mark.parametrize(
    "name", ["filings:create_late", "filings:change_create", "filings:closing_account"]
)
def test_forms_about_an_account(cast, client, name):
    _check(client, cast, "get", reverse(name, args=[cast.lit_account.pk]), LIT_RECORD)


@pytest.mark.parametrize("name", ["filings:create_group", "filings:closing_group"])
def test_forms_about_a_group(cast, client, name):
    _check(client, cast, "get", reverse(name, args=[cast.lit_group.pk]), LIT_RECORD)


def test_detail_and_docx(cast, client, filing):
    _check(client, cast, "get", reverse("filings:detail", args=[filing.pk]), LIT_FILING_READ)
    _check(client, cast, "get", reverse("filings:docx", args=[filing.pk]), LIT_FILING_READ)


def test_only_the_current_approver_sees_the_decision_buttons(cast, client, filing):
    url = reverse("filings:detail", args=[filing.pk])
    decide = reverse("filings:decide", args=[filing.pk])
    for name in ("school_admin", "leader", "lit_operator", "auditor"):
        client.force_login(getattr(cast, name))
        assert decide not in client.get(url).content.decode(), name
    client.force_login(cast.lit_unit_admin)
    assert decide in client.get(url).content.decode()


def test_direct_post_of_a_decision_by_the_wrong_person_is_refused(cast, client, filing):
    url = reverse("filings:decide", args=[filing.pk])
    expected = {
        "school_admin": 403,
        "leader": 403,
        "auditor": 403,
        "lit_operator": 403,  # the applicant
        "cs_unit_admin": 404,
        "league_approver": 404,
        "nobody": 404,
    }
    for decision in ("approve", "reject", "return"):
        _check(client, cast, "post", url, expected, {"decision": decision, "comment": "x"})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PENDING and filing.current_step == "unit_head"
    client.force_login(cast.lit_unit_admin)
    response = client.post(
        url, {"decision": "approve", "comment": "同意", "round_no": 1, "position": 0}
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.current_step == "school_admin"


def test_return_without_comment_shows_an_error(cast, client, filing):
    client.force_login(cast.lit_unit_admin)
    response = client.post(
        reverse("filings:decide", args=[filing.pk]),
        {"decision": "return", "round_no": 1, "position": 0},
        follow=True,
    )
    assert "请说明" in response.content.decode()
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PENDING


def test_edit_submit_withdraw_are_the_applicants(cast, client, filing):
    services.filing_return(filing=filing, actor=cast.lit_unit_admin, comment="补充")
    expected = {**LIT_FILING_READ, **{k: 403 for k, v in LIT_FILING_READ.items() if v == 200}}
    expected["lit_operator"] = 200
    _check(client, cast, "get", reverse("filings:edit", args=[filing.pk]), expected)
    post = {k: (302 if v == 200 else v) for k, v in expected.items()}
    post["lit_operator"] = 302
    others = {k: v for k, v in post.items() if k != "lit_operator"}
    _check(client, cast, "post", reverse("filings:withdraw", args=[filing.pk]), others)
    _check(client, cast, "post", reverse("filings:submit", args=[filing.pk]), others)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.RETURNED
    client.force_login(cast.lit_operator)
    assert client.post(reverse("filings:submit", args=[filing.pk])).status_code == 302
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PENDING and filing.round == 2


def test_attachments_upload_and_download(cast, client, filing):
    url = reverse("filings:attach", args=[filing.pk])
    expected = {
        "school_admin": 302,
        "lit_unit_admin": 302,
        "lit_operator": 302,
        "leader": 403,
        "auditor": 403,
        "cs_unit_admin": 404,
        "league_approver": 404,
        "nobody": 404,
    }
    response = client.post(url, {"kind": "application"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    for name, status in expected.items():
        client.force_login(getattr(cast, name))
        upload = SimpleUploadedFile("签字.pdf", PDF, content_type="application/pdf")
        response = client.post(url, {"kind": "application", "file": upload})
        assert response.status_code == status, name
    client.logout()
    assert filing.attachments.count() == 3
    item = filing.attachments.first()
    _check(
        client,
        cast,
        "get",
        reverse("filings:attachment", args=[filing.pk, item.pk]),
        LIT_FILING_READ,
    )


def test_a_disguised_file_is_refused(cast, client, filing):
    client.force_login(cast.lit_operator)
    upload = SimpleUploadedFile(
        "scan.pdf", b"<html>not a pdf</html>", content_type="application/pdf"
    )
    response = client.post(
        reverse("filings:attach", args=[filing.pk]),
        {"kind": "application", "file": upload},
        follow=True,
    )
    assert "PDF、JPG 或 PNG" in response.content.decode()
    assert not filing.attachments.exists()


def test_inbox_items_are_the_recipients_own(cast, client):
    note = Notification.objects.create(recipient=cast.lit_operator, text="x", link="/filings/")
    url = reverse("filings:notification_open", args=[note.pk])
    expected = dict.fromkeys(USERS, 404)
    expected["lit_operator"] = 302
    _check(client, cast, "post", url, expected)
    note.refresh_from_db()
    assert note.read_at is not None
    _check(client, cast, "post", reverse("filings:inbox_read_all"), dict.fromkeys(USERS, 302))


def test_new_filing_through_the_form(cast, client):
    client.force_login(cast.lit_operator)
    from beian.testing import platform

    data = {
        "owner_unit": cast.lit.pk,
        "platform": platform("wechat_official").pk,
        "account_name": "文学院青年",
        "external_id": "ncwu_lit_youth",
        "responsible_name": "刘书记",
        "responsible_post": "党委书记",
        "responsible_phone": "13811112222",
        "goes_live_on": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "columns": "青年动态",
        "update_frequency": "每周一次",
        "introduction": "",
        "pledge": "on",
        "team-TOTAL_FORMS": "3",
        "team-INITIAL_FORMS": "0",
        "team-0-role": "operator",
        "team-0-name": "赵运营",
        "team-0-identity": "student",
        "team-0-mobile": "139 0000 1111",
        "team-1-role": "operator",
        "team-1-identity": "staff",
        "team-2-role": "operator",
        "team-2-identity": "staff",
        "attachment": SimpleUploadedFile("申请.pdf", PDF),
        "submit": "1",
    }
    response = client.post(reverse("filings:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    filing = Filing.objects.get(account_name="文学院青年")
    assert filing.status == FilingStatus.PENDING
    assert filing.members.get().mobile == "13900001111"
    assert filing.attachments.count() == 1

    # without the pledge: the form comes back with the message, nothing is written
    data.update(account_name="文学院青年二", external_id="ncwu_lit_y2")
    data.pop("pledge")
    data["attachment"] = SimpleUploadedFile("申请.pdf", PDF)
    response = client.post(reverse("filings:create"), data)
    assert response.status_code == 200
    assert "承诺书" in response.content.decode()
    assert not Filing.objects.filter(account_name="文学院青年二").exists()


def test_change_report_through_the_form(cast, client):
    filing = approve_all(
        apply_new(cast.lit_operator, cast.lit, external_id="ncwu_lit_n"),
        cast.lit_unit_admin,
        cast.school_admin,
        cast.leader,
    )
    account = filing.account
    client.force_login(cast.lit_operator)
    page = client.get(reverse("filings:change_create", args=[account.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    formset = page.context["formset"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["account_name"] = "文学院之声"
    data["effective_on"] = timezone.localdate().isoformat()
    data.update({"team-TOTAL_FORMS": str(len(formset.initial)), "team-INITIAL_FORMS": "0"})
    for i, row in enumerate(formset.initial):
        for key, value in row.items():
            data[f"team-{i}-{key}"] = value
    response = client.post(reverse("filings:change_create", args=[account.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    report = Filing.objects.get(kind="change")
    assert report.change_kinds == ["name"] and report.status == FilingStatus.PENDING


def test_every_filings_route_is_in_this_matrix():
    covered = {
        "filings:mine",
        "filings:waiting",
        "filings:waiting_bulk",
        "filings:list",
        "filings:inbox",
        "filings:create",
        "filings:create_late",
        "filings:change_create",
        "filings:closing_account",
        "filings:create_group",
        "filings:closing_group",
        "filings:detail",
        "filings:docx",
        "filings:decide",
        "filings:take_over",
        "filings:edit",
        "filings:withdraw",
        "filings:submit",
        "filings:attach",
        "filings:attachment",
        "filings:notification_open",
        "filings:inbox_read_all",
    }
    assert {r for r in named_routes() if r.startswith("filings:")} == covered


def test_waiting_list_query_count_is_fixed(cast, client, django_assert_max_num_queries):
    for i in range(5):
        apply_new(cast.lit_operator, cast.lit, f"号{i}", external_id=f"ncwu_q_{i}")
    client.force_login(cast.lit_unit_admin)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("filings:waiting"))
    assert response.content.decode().count("/filings/") >= 5
