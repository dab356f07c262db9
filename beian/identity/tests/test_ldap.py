"""Sign-in against a real directory: Debian's slapd started by the tests (conftest.py) with
two people, one graduated. The password is typed into Beian's own login form; the entry's
attributes (named in the policy's [identity] table) keep the person current."""

from __future__ import annotations

import pytest

from beian.orgs.choices import PersonStatus
from beian.users.models import User

from .servers import roster

pytestmark = pytest.mark.django_db

POLICY = """
[identity]
number_attribute = "employeeNumber"
unit_attribute = "departmentNumber"
kind_attribute = "employeeType"
status_attribute = "businessCategory"
email_attribute = "mail"
"""


@pytest.fixture
def ldap_policy(policy_file):
    policy_file(POLICY)


def login(client, username, password):
    return client.post("/login/", {"username": username, "password": password}, follow=True)


def test_directory_password_signs_in_and_syncs_the_person(client, use_ldap, ldap_policy):
    cast = roster()
    page = login(client, "20150001", "ldap-pass-1")
    assert page.redirect_chain[-1][0] == "/identity/no-role/"
    user = User.objects.get(username="20150001")
    cast["lin"].refresh_from_db()
    assert user.person == cast["lin"] and cast["lin"].unit == cast["water"]
    assert user.email == "linxiao@example.edu.cn" and not user.has_usable_password()
    assert client.session["beian_auth_backend_kind"] == "sso"
    assert client.session["beian_sso_protocol"] == "ldap"


def test_a_wrong_directory_password_is_the_usual_login_error(client, use_ldap, ldap_policy):
    roster()
    page = login(client, "20150001", "wrong")
    assert page.status_code == 200 and "用户名或密码错误" in page.content.decode()
    assert not User.objects.filter(username="20150001").exists()


def test_a_graduate_in_the_directory_is_refused(client, use_ldap, ldap_policy):
    cast = roster()
    page = login(client, "2022110101", "ldap-pass-2")
    assert page.status_code == 403
    assert "不能再登录本系统" in page.content.decode()
    cast["zhao"].refresh_from_db()
    assert cast["zhao"].status == PersonStatus.GRADUATED
    assert "_auth_user_id" not in client.session


def test_local_accounts_still_sign_in_with_ldap_configured(client, use_ldap, ldap_policy):
    cast = roster()
    from beian.testing import PASSWORD

    page = login(client, cast["admin"].username, PASSWORD)
    assert page.redirect_chain[-1][0] == "/"
