"""In Chromium: the login page offers the school's sign-on first; signing in through the
local CAS server (both families) lands on the home page as the mapped person; logging out
ends both sessions (the CAS server asks for the password again). Someone without a role
sees whom to ask; a graduate sees why they cannot sign in. Screenshots at 1400 and 390 px
go to test-artifacts/."""

from __future__ import annotations

import pytest

from beian.users.choices import Role
from beian.users.models import RoleAssignment, User

from .servers import roster

pytestmark = pytest.mark.django_db(transaction=True)


def cas_form(page, username: str, password: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(("family", "cas_path"), [("jinzhi", "/authserver/"), ("apereo", "/cas/")])
def test_sign_in_through_cas_lands_home_as_the_mapped_person_and_logout_ends_both(
    page, live_server, idp, use_cas, screenshot, family, cas_path
):
    use_cas(family)
    cast = roster()
    lin_user = User.objects.create(username="20150001", person=cast["lin"], display_name="林晓")
    RoleAssignment.objects.create(user=lin_user, role=Role.OPERATOR)

    page.goto(f"{live_server.url}/login/")
    button = page.locator(".beian-sso-button")
    assert button.inner_text().strip() == "统一身份认证登录"
    if family == "jinzhi":
        screenshot(page, "identity-login-sso-1400")
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot(page, "identity-login-sso-390")
        page.set_viewport_size({"width": 1400, "height": 1000})
    button.click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{idp.url}{cas_path}login?service=")
    cas_form(page, "20150001", "cas-pass-1")
    assert page.url == f"{live_server.url}/"
    assert "林晓" in page.locator("header").inner_text()
    cast["lin"].refresh_from_db()
    assert cast["lin"].unit == cast["water"]

    page.get_by_label("用户菜单").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{live_server.url}/login/**")
    page.wait_for_load_state("networkidle")
    page.locator(".beian-sso-button").click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{idp.url}{cas_path}login")  # CAS asks again: signed out there
    assert page.locator("#id_password").is_visible()


def test_no_role_and_refused_pages(page, live_server, idp, use_cas, screenshot):
    use_cas("apereo")
    roster()
    page.goto(f"{live_server.url}/identity/cas/login/")
    cas_form(page, "20150001", "cas-pass-1")
    assert page.url == f"{live_server.url}/identity/no-role/"
    assert "宣传部王老师" in page.content()
    screenshot(page, "identity-no-role-1400")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "identity-no-role-390")
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/identity/cas/login/")
    cas_form(page, "2022110101", "cas-pass-2")
    assert "不能再登录本系统" in page.content()
    screenshot(page, "identity-refused-1400")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "identity-refused-390")
