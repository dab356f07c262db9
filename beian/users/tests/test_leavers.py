"""A person who has left (离职 / 毕业) cannot sign in with a local password either: the login
form says why (after the password checked out, so it tells nothing to a stranger) and the
refusal is audited."""

import pytest
from django.urls import reverse

from beian.core.models import AuditEvent
from beian.orgs.models import Person
from beian.testing import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.parametrize(("status", "label"), [("graduated", "毕业"), ("left", "离职")])
def test_a_leaver_is_refused_at_the_login_form_with_the_reason(cast, client, status, label):
    Person.objects.filter(pk=cast.lit_teacher.pk).update(status=status)
    response = login(client, "lit_operator")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"在学校名册中的状态为“{label}”，不能再登录本系统" in page
    assert "_auth_user_id" not in client.session
    refusal = AuditEvent.objects.get(detail__reason="person_left", detail__via="password")
    assert refusal.success is False and refusal.actor_name == "lit_operator"
    assert refusal.detail["status"] == status


def test_a_wrong_password_of_a_leaver_says_nothing_about_the_roster(cast, client):
    Person.objects.filter(pk=cast.lit_teacher.pk).update(status="graduated")
    page = login(client, "lit_operator", "wrong-Password1").content.decode()
    assert "用户名或密码错误" in page and "名册" not in page


def test_in_post_people_and_users_without_a_person_sign_in(cast, client):
    assert login(client, "lit_operator").status_code == 302
    client.logout()
    assert login(client, "school_admin").status_code == 302
