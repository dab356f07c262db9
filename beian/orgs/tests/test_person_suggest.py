"""The person autocomplete of team forms: what a user types finds the people they may see,
and only those, with unit and identity, never contact details."""

import pytest
from django.urls import reverse

from beian.orgs.choices import PersonKind
from beian.orgs.selectors import person_suggestions
from beian.testing import make_person

pytestmark = pytest.mark.django_db

URL = reverse("orgs:person_suggest")


def names(people) -> list[str]:
    return [p.name for p in people]


def test_unit_admin_finds_nobody_outside_their_subtree(cast):
    assert names(person_suggestions(cast.cs_unit_admin, "张")) == ["张书记"]
    assert person_suggestions(cast.cs_unit_admin, "李") == []
    assert person_suggestions(cast.cs_unit_admin, "李老师") == []
    assert person_suggestions(cast.cs_unit_admin, cast.lit_teacher.number) == []
    assert person_suggestions(cast.cs_unit_admin, "ll") == []


def test_the_page_answer_is_scoped_too(client, cast):
    client.force_login(cast.cs_unit_admin)
    page = client.get(URL, {"q": "李"}).content.decode()
    assert "李老师" not in page and "没有找到“李”" in page
    client.force_login(cast.school_admin)
    page = client.get(URL, {"q": "李"}).content.decode()
    assert "李老师" in page


def test_an_operator_finds_only_themself(cast):
    assert names(person_suggestions(cast.lit_operator, "李")) == ["李老师"]
    assert person_suggestions(cast.lit_operator, "王同学") == []


def test_a_school_admin_finds_by_name_number_initials_pinyin_and_traditional(cast):
    admin = cast.school_admin
    assert names(person_suggestions(admin, "张书记")) == ["张书记"]
    assert names(person_suggestions(admin, "張書記")) == ["张书记"]
    assert names(person_suggestions(admin, "ＺＳＪ")) == ["张书记"]  # full-width initials
    assert names(person_suggestions(admin, "zsj")) == ["张书记"]
    assert names(person_suggestions(admin, "zhangshu")) == ["张书记"]
    assert names(person_suggestions(admin, cast.lit_teacher.number)) == ["李老师"]
    assert names(person_suggestions(admin, cast.lit_teacher.number.lower())) == ["李老师"]
    assert names(person_suggestions(admin, "同学")) == ["王同学"]  # inside the name
    assert person_suggestions(admin, "   ") == []


def test_best_matches_first_and_a_limit(cast):
    for i in range(15):
        make_person(f"张书记{i:02d}", unit=cast.cs)
    found = person_suggestions(cast.school_admin, "张书记", limit=10)
    assert len(found) == 10
    assert found[0].name == "张书记"  # the exact name before longer ones
    assert len(person_suggestions(cast.school_admin, "张", limit=5)) == 5


def test_answer_shows_unit_and_identity_but_no_contact_details(client, cast):
    make_person("张同学", unit=cast.se, kind=PersonKind.STUDENT, mobile="13700007777")
    client.force_login(cast.cs_unit_admin)
    response = client.get(URL, {"q": "张"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "张书记" in page and "张同学" in page
    assert "计算机学院" in page and "软件工程系" in page
    assert "教职工" in page and "学生" in page
    assert "党委书记" in page  # the post helps tell namesakes apart
    assert "13812341234" not in page and "13700007777" not in page
    assert f'data-person-id="{cast.cs_head.pk}"' in page


def test_blank_query_answers_nothing(client, cast):
    client.force_login(cast.school_admin)
    response = client.get(URL, {"q": ""})
    assert response.status_code == 200
    assert "data-person-id" not in response.content.decode()


def test_anonymous_is_sent_to_login(client, cast):
    response = client.get(URL, {"q": "张"})
    assert response.status_code == 302 and "/login/" in response["Location"]
