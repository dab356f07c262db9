"""Sign-in through a real OpenID Connect provider (django-oauth-toolkit with OIDC, RS256
ID tokens checked against its JWKS, PKCE) in a second Django process: the claims map to the
person like CAS attributes do; a graduate is refused; logout goes to the end-session
endpoint."""

from __future__ import annotations

import pytest
import requests

from beian.orgs.choices import PersonStatus
from beian.users.models import User

from .servers import roster, submit_idp_form

pytestmark = pytest.mark.django_db(transaction=True)


def oidc_sign_in(base_url: str, username: str, password: str):
    http = requests.Session()
    login_page = http.get(f"{base_url}/oidc/authenticate/", timeout=30)
    return http, login_page, submit_idp_form(http, login_page, username, password)


def test_sign_in_through_openid_connect_maps_the_claims_to_the_person(live_server, idp, use_oidc):
    cast = roster()
    http, login_page, landed = oidc_sign_in(live_server.url, "20150001", "cas-pass-1")
    assert login_page.url.startswith(f"{idp.url}/accounts/login/")
    assert landed.status_code == 200, (landed.url, landed.text[-1500:])
    assert landed.url == f"{live_server.url}/identity/no-role/"
    user = User.objects.get(username="20150001")
    cast["lin"].refresh_from_db()
    assert user.person == cast["lin"] and cast["lin"].unit == cast["water"]
    assert user.email == "linxiao@example.edu.cn"
    token = http.cookies.get("csrftoken")
    out = http.post(
        f"{live_server.url}/logout/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": live_server.url + "/"},
        timeout=30,
    )
    assert f'content="0;url={idp.url}/o/logout/?post_logout_redirect_uri=' in out.text
    assert http.get(f"{live_server.url}/", timeout=30).url.startswith(f"{live_server.url}/login/")


def test_a_graduate_signing_in_through_openid_connect_is_refused(live_server, idp, use_oidc):
    cast = roster()
    _, _, landed = oidc_sign_in(live_server.url, "2022110101", "cas-pass-2")
    assert landed.status_code == 403 and "不能再登录本系统" in landed.text
    cast["zhao"].refresh_from_db()
    assert cast["zhao"].status == PersonStatus.GRADUATED


def test_the_login_page_button_starts_openid_connect(live_server, idp, use_oidc, client):
    text = client.get("/login/").content.decode()
    assert 'href="/oidc/authenticate/"' in text and "统一身份认证登录" in text


def test_a_provider_refusing_the_client_gives_a_clear_page(live_server, idp, use_oidc, settings):
    settings.OIDC_RP_CLIENT_SECRET = "wrong-secret"
    roster()
    _, _, landed = oidc_sign_in(live_server.url, "20150001", "cas-pass-1")
    assert landed.status_code == 403
    assert "没有给出可识别的应答" in landed.text
