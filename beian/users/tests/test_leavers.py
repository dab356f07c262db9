"""A person who has left (离职 / 毕业) cannot sign in with a local password either: the login
form says why (after the password checked out, so it tells nothing to a stranger) and the
refusal is audited."""

import pytest
import time_machine
from django.urls import reverse

from beian.core.models import AuditEvent
from beian.orgs.models import Person
from beian.testing import PASSWORD
from beian.users.leavers import SESSION_CHECK_SECONDS, SESSION_CHECKED_KEY

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


def test_a_session_opened_before_the_person_left_ends_with_the_reason(cast, client):
    """The roster says 毕业 while lit_operator is signed in: within the minute the next page
    signs them out, the login page says why, and the ending is audited."""
    with time_machine.travel("2026-06-15 10:00 +0800", tick=False) as clock:
        assert login(client, "lit_operator").status_code == 302
        assert client.get(reverse("home")).status_code == 200
        Person.objects.filter(pk=cast.lit_teacher.pk).update(status="graduated")
        clock.shift(SESSION_CHECK_SECONDS + 1)
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response["Location"] == reverse("login")
        assert "_auth_user_id" not in client.session
        page = client.get(reverse("login")).content.decode()
        assert "您已被退出登录" in page and "在学校名册中的状态为“毕业”" in page
        assert "您已被退出登录" not in client.get(reverse("login")).content.decode()  # once
    ended = AuditEvent.objects.get(detail__reason="person_left", detail__via="session")
    assert ended.event == "session_expired" and ended.actor_name == "lit_operator"


def test_an_htmx_request_of_an_ended_session_sends_the_whole_page_to_login(cast, client):
    assert login(client, "lit_operator").status_code == 302
    Person.objects.filter(pk=cast.lit_teacher.pk).update(status="left")
    session = client.session
    session.pop(SESSION_CHECKED_KEY, None)
    session.save()
    response = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("login")


def test_a_session_of_someone_in_post_goes_on(cast, client):
    with time_machine.travel("2026-06-15 10:00 +0800", tick=False) as clock:
        assert login(client, "lit_operator").status_code == 302
        clock.shift(SESSION_CHECK_SECONDS * 3)
        assert client.get(reverse("home")).status_code == 200
    assert not AuditEvent.objects.filter(detail__via="session").exists()
