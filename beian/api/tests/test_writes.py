"""The write API: the same forms and services as the pages, scoped the same way, with
Chinese refusals that name the field; by session and by token alike."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from beian.api import services
from beian.filings.models import Filing
from beian.orgs.models import Person
from beian.testing import platform
from beian.transfer.tests.conftest import xlsx

pytestmark = pytest.mark.django_db

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


def token_client(user) -> Client:
    _, secret = services.token_create(actor=user, name="测试")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def new_filing(unit, **kw) -> dict:
    data = {
        "kind": "new",
        "owner_unit": unit.pk,
        "platform": platform("wechat_official").pk,
        "account_name": "计院新号",
        "responsible_name": "刘书记",
        "responsible_phone": "13811112222",
        "goes_live_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "pledge": True,
        "team": [{"role": "operator", "name": "赵运营", "identity": "student"}],
    }
    data.update(kw)
    return data


def test_a_unit_admin_files_a_new_account_by_token(cast):
    client = token_client(cast.cs_unit_admin)
    response = client.post(
        reverse("api:filing-list"), new_filing(cast.cs), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "new" and body["status"] == "pending"
    filing = Filing.objects.get(pk=body["id"])
    assert filing.applicant == cast.cs_unit_admin and filing.owner_unit == cast.cs
    listed = client.get(reverse("api:filing-list")).json()
    assert body["id"] in {row["id"] for row in listed["results"]}


def test_a_filing_outside_the_scope_or_incomplete_is_refused_naming_the_field(cast):
    client = token_client(cast.cs_unit_admin)
    outside = client.post(
        reverse("api:filing-list"), new_filing(cast.lit), content_type="application/json"
    )
    assert outside.status_code == 400 and "owner_unit" in outside.json()
    missing = client.post(
        reverse("api:filing-list"),
        new_filing(cast.cs, account_name=""),
        content_type="application/json",
    )
    assert missing.status_code == 400 and "account_name" in missing.json()
    bad_team = client.post(
        reverse("api:filing-list"),
        new_filing(cast.cs, team=[{"role": "operator", "name": "赵", "mobile": "123"}]),
        content_type="application/json",
    )
    assert bad_team.status_code == 400 and "team[1].mobile" in bad_team.json()
    assert not Filing.objects.filter(applicant=cast.cs_unit_admin).exists()


def test_a_draft_then_submit(cast):
    client = token_client(cast.cs_unit_admin)
    draft = client.post(
        reverse("api:filing-list"),
        new_filing(cast.cs, submit=False),
        content_type="application/json",
    ).json()
    assert draft["status"] == "draft"
    submitted = client.post(reverse("api:filing-submit", args=[draft["id"]]))
    assert submitted.status_code == 200 and submitted.json()["status"] == "pending"
    again = client.post(reverse("api:filing-submit", args=[draft["id"]]))
    assert again.status_code == 400 and again.json()["code"] == "invalid"


def test_a_change_report_on_an_account_in_scope_only(cast):
    client = token_client(cast.cs_unit_admin)
    data = {
        "kind": "change",
        "account": cast.cs_account.pk,
        "account_name": "计算机学院团委（新）",
        "effective_on": timezone.localdate().isoformat(),
        "pledge": True,
    }
    response = client.post(reverse("api:filing-list"), data, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "change"
    data["account"] = cast.lit_account.pk
    outside = client.post(reverse("api:filing-list"), data, content_type="application/json")
    assert outside.status_code == 404


def test_activity_report(cast):
    client = token_client(cast.lit_operator)
    today = timezone.localdate()
    ok = client.post(
        reverse("api:account-activity", args=[cast.lit_account.pk]),
        {"on": today.isoformat()},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["last_post_date"] == today.isoformat()
    future = client.post(
        reverse("api:account-activity", args=[cast.lit_account.pk]),
        {"on": (today + timedelta(days=3)).isoformat()},
        content_type="application/json",
    )
    assert future.status_code == 400 and "不能晚于今天" in future.json()["on"][0]
    other = client.post(
        reverse("api:account-activity", args=[cast.cs_account.pk]),
        {"on": today.isoformat()},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_a_roster_sheet_is_previewed_then_committed(cast):
    client = token_client(cast.school_admin)
    rows = [
        [1, "陈老师", "T900001", "教师", "计算机学院", "副院长", "在职", "13700001111", "", ""],
        [2, "错老师", "T900002", "教师", "没有这个学院", "", "在职", "", "", ""],
    ]
    sheet = xlsx(PEOPLE_HEADER, rows)
    from django.core.files.uploadedfile import SimpleUploadedFile

    preview = client.post(
        reverse("api:import-list"),
        {"kind": "people", "file": SimpleUploadedFile("人事.xlsx", sheet)},
    )
    assert preview.status_code == 201, preview.json()
    body = preview.json()
    assert body["counts"]["new"] == 1 and body["error_rows"] == [3]
    assert not Person.objects.filter(number="T900001").exists()
    blocked = client.post(reverse("api:import-commit", args=[body["id"]]))
    assert blocked.status_code == 400 and blocked.json()["code"] == "import_blocked"
    assert not Person.objects.filter(number="T900001").exists()
    done = client.post(
        reverse("api:import-commit", args=[body["id"]]),
        {"drop": [3]},
        content_type="application/json",
    )
    assert done.status_code == 200, done.json()
    assert Person.objects.filter(number="T900001").exists()
    twice = client.post(
        reverse("api:import-commit", args=[body["id"]]),
        {"drop": [3]},
        content_type="application/json",
    )
    assert twice.status_code == 400
    # another user cannot see or commit it
    other = token_client(cast.cs_unit_admin)
    assert other.get(reverse("api:import-detail", args=[body["id"]])).status_code == 404
    assert other.post(reverse("api:import-commit", args=[body["id"]])).status_code == 404


def test_imports_need_the_right_to_import(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = token_client(cast.lit_operator)
    response = client.post(
        reverse("api:import-list"),
        {"kind": "people", "file": SimpleUploadedFile("a.xlsx", xlsx(PEOPLE_HEADER, []))},
    )
    assert response.status_code == 403


def test_a_campaign_task_is_answered_through_the_api(db):
    from beian.tests.matrix import World

    world = World()
    client = token_client(world.cast.cs_unit_admin)
    url = reverse("api:campaign-task-confirm", args=[world.cs_task.pk])
    done = client.post(url, {"all_unchanged": True}, content_type="application/json")
    assert done.status_code == 200 and done.json()["confirmed"] >= 1
    item = world.campaign.checklist.first()
    answered = client.post(
        reverse("api:campaign-task-checklist", args=[world.cs_task.pk]),
        {"answers": [{"item": item.pk, "answer": True}]},
        content_type="application/json",
    )
    assert answered.status_code == 200, answered.json()
    gaps = client.post(reverse("api:campaign-task-submit", args=[world.cs_task.pk]))
    assert gaps.status_code == 400  # no stamped scan yet: refused, saying so
    assert "扫描件" in str(gaps.json())
    lit = client.post(
        reverse("api:campaign-task-confirm", args=[world.lit_task.pk]),
        {"all_unchanged": True},
        content_type="application/json",
    )
    assert lit.status_code == 404
