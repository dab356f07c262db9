"""Mobile, e-mail and QQ: in full only for users who may see them (`can_see_personal_data`),
masked otherwise; a list that shows them in full is written to the audit log."""

import pytest
from django.urls import reverse

from beian.core.choices import AuditEventType
from beian.core.models import AuditEvent
from beian.testing import make_group, make_person

FULL = {"mobile": "13900001111", "qq": "12345678", "email": "li@ncwu.edu.cn"}
MASKED = {"mobile": "139****1111", "qq": "12****78", "email": "l****@ncwu.edu.cn"}


def contact(row) -> dict:
    return {key: row[key] for key in ("mobile", "qq", "email")}


# 李老师 (文学院): who sees her contact details in full on her own record (people) and on
# the team of 文学院微言 / the admins of 文学院2024级辅导员群 (she runs both).
ON_PERSON = {
    "school_admin": True,
    "lit_unit_admin": True,
    "leader": False,
    "auditor": False,
    "lit_operator": False,  # the operator's right covers their accounts' teams, not the roster
}
ON_TEAM = {
    "school_admin": True,
    "lit_unit_admin": True,
    "lit_operator": True,  # on the team
    "leader": False,
    "auditor": False,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "full"), ON_PERSON.items())
def test_person_detail_and_list_mask_by_role(cast, api, username, full):
    client = api(getattr(cast, username))
    detail = client.get(reverse("api:person-detail", args=[cast.lit_teacher.pk])).json()
    assert contact(detail) == (FULL if full else MASKED)
    assert detail["personal_data_masked"] is (not full)
    rows = client.get(reverse("api:person-list"), {"q": "李老师"}).json()["results"]
    assert [contact(r) for r in rows] == [FULL if full else MASKED]


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "full"), ON_TEAM.items())
def test_account_team_masks_by_the_records_rule(cast, api, username, full):
    body = api(getattr(cast, username)).get(
        reverse("api:account-detail", args=[cast.lit_account.pk])
    )
    team = body.json()["team"]
    assert [m["role"] for m in team] == ["operator", "student_lead"]
    assert team[0]["role_display"] == "运营者"
    teacher = team[0]["person"]
    assert teacher["name"] == "李老师" and teacher["unit"]["name"] == "文学院"
    assert contact(teacher) == (FULL if full else MASKED)
    assert teacher["personal_data_masked"] is (not full)
    assert ("13900001111" in body.content.decode()) is full


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "full"), ON_TEAM.items())
def test_group_admins_and_creator_mask_by_the_records_rule(cast, api, username, full):
    creator = make_person("赵老师", unit=cast.lit, mobile="13700002222")
    group = make_group("文学院新闻群", unit=cast.lit, creator=creator, admins=[cast.lit_teacher])
    body = api(getattr(cast, username)).get(reverse("api:group-detail", args=[group.pk])).json()
    assert contact(body["team"][0]["person"]) == (FULL if full else MASKED)
    assert body["creator"]["name"] == "赵老师"
    assert body["creator"]["mobile"] == ("13700002222" if full else "137****2222")


@pytest.mark.django_db
def test_group_without_creator(cast, api):
    body = api(cast.school_admin).get(reverse("api:group-detail", args=[cast.cs_group.pk]))
    assert body.json()["creator"] is None and body.json()["team"] == []


@pytest.mark.django_db
def test_lists_carry_no_team(cast, api):
    row = api(cast.school_admin).get(reverse("api:account-list")).json()["results"][0]
    assert "team" not in row and "mobile" not in str(row)


def _view_personal_events():
    return list(AuditEvent.objects.filter(event=AuditEventType.VIEW_PERSONAL_DATA))


@pytest.mark.django_db
def test_a_people_list_in_full_is_audited_with_filter_and_rows(cast, api):
    response = api(cast.lit_unit_admin).get(reverse("api:person-list"), {"kind": "staff"})
    assert response.json()["count"] == 1
    [event] = _view_personal_events()
    assert event.actor == cast.lit_unit_admin
    assert event.detail == {"filter": "kind=staff", "rows": 1, "unmasked": 1, "via": "api"}


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["leader", "auditor", "lit_operator", "nobody"])
def test_a_masked_or_empty_people_list_is_not_audited(cast, api, username):
    assert api(getattr(cast, username)).get(reverse("api:person-list")).status_code == 200
    assert _view_personal_events() == []


@pytest.mark.django_db
def test_an_empty_page_is_not_audited(cast, api):
    response = api(cast.school_admin).get(reverse("api:person-list"), {"q": "无此人"})
    assert response.json()["count"] == 0
    assert _view_personal_events() == []


@pytest.mark.django_db
def test_details_are_not_audited_as_bulk_views(cast, api):
    api(cast.school_admin).get(reverse("api:person-detail", args=[cast.lit_teacher.pk]))
    api(cast.school_admin).get(reverse("api:account-detail", args=[cast.lit_account.pk]))
    assert _view_personal_events() == []
