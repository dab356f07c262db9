"""Sign-in through a real CAS server (django-mama-cas in a second Django process) for both
URL families: 金智 /authserver/login + /authserver/serviceValidate (CAS 2) and Apereo
/cas/login + /cas/p3/serviceValidate (CAS 3). The identity's attributes move the person to
their unit; a graduate is refused; logging out of either side ends both (single logout)."""

from __future__ import annotations

import re

import pytest
import requests

from beian.core.models import AuditEvent
from beian.notify.models import Notification
from beian.orgs.choices import PersonStatus
from beian.users.models import User

from .servers import roster, submit_idp_form

pytestmark = pytest.mark.django_db(transaction=True)


def cas_sign_in(base_url: str, username: str, password: str):
    http = requests.Session()
    login_page = http.get(f"{base_url}/identity/cas/login/", timeout=30)
    return http, login_page, submit_idp_form(http, login_page, username, password)


@pytest.mark.parametrize(
    ("family", "login_path", "validate_path"),
    [
        ("jinzhi", "/authserver/login", "authserver/serviceValidate"),
        ("apereo", "/cas/login", "cas/p3/serviceValidate"),
    ],
)
def test_sign_in_through_either_cas_family_maps_the_person_and_keeps_the_roster_current(
    live_server, idp, use_cas, family, login_path, validate_path
):
    values = use_cas(family)
    cast = roster()
    http, login_page, landed = cas_sign_in(live_server.url, "20150001", "cas-pass-1")
    assert login_page.url.startswith(f"{idp.url}{login_path}?service=")
    assert landed.status_code == 200
    # No role yet: the home page sends them to the page that says whom to ask.
    assert landed.url == f"{live_server.url}/identity/no-role/"
    assert "宣传部王老师" in landed.text and "林晓" in landed.text
    user = User.objects.get(username="20150001")
    cast["lin"].refresh_from_db()
    assert user.person == cast["lin"]
    assert cast["lin"].unit == cast["water"]  # moved by deptCode=0301
    sync = AuditEvent.objects.get(object_type="orgs.Person", object_id=str(cast["lin"].pk))
    assert sync.detail["source"] == "cas" and sync.actor == user
    assert AuditEvent.objects.filter(event="login", actor=user).exists()
    # The validation URL django-cas-ng built is the family's.
    from django_cas_ng.utils import get_cas_client

    client = get_cas_client(service_url="http://x/")
    assert client.server_url == values["CAS_SERVER_URL"]
    assert client.url_suffix == validate_path.split("/", 1)[1]


def test_a_graduate_signing_in_through_cas_is_refused_and_their_role_flagged(
    live_server, idp, use_cas
):
    use_cas("apereo")
    cast = roster()
    http, _, landed = cas_sign_in(live_server.url, "2022110101", "cas-pass-2")
    assert landed.status_code == 403
    assert "不能再登录本系统" in landed.text and "毕业" in landed.text
    cast["zhao"].refresh_from_db()
    assert cast["zhao"].status == PersonStatus.GRADUATED
    flagged = Notification.objects.get(recipient=cast["admin"])
    assert "运营者" in flagged.text
    assert http.get(f"{live_server.url}/", timeout=30).url.startswith(f"{live_server.url}/login/")


def test_logging_out_of_beian_ends_the_cas_session_too(live_server, idp, use_cas):
    use_cas("jinzhi")
    roster()
    http, _, landed = cas_sign_in(live_server.url, "20150001", "cas-pass-1")
    assert landed.url.endswith("/identity/no-role/")
    token = http.cookies.get("csrftoken")
    out = http.post(
        f"{live_server.url}/logout/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": live_server.url + "/"},
        timeout=30,
    )
    # A page that moves on to the CAS server's logout (CSP form-action forbids a redirect).
    leave = re.search(r'content="0;url=([^"]+)"', out.text).group(1).replace("&amp;", "&")
    assert leave.startswith(f"{idp.url}/authserver/logout?url=")  # CAS 2 names it url
    back = http.get(leave, timeout=30)
    assert back.url == f"{live_server.url}/login/"
    # The CAS server asks for the password again: its session is gone as well.
    again = http.get(f"{live_server.url}/identity/cas/login/", timeout=30)
    assert again.url.startswith(f"{idp.url}/authserver/login") and 'name="password"' in again.text


def test_logging_out_at_the_cas_server_ends_the_beian_session(live_server, idp, use_cas):
    use_cas("apereo")
    roster()
    http, _, landed = cas_sign_in(live_server.url, "20150001", "cas-pass-1")
    assert landed.url.endswith("/identity/no-role/")
    http.get(f"{idp.url}/cas/logout", timeout=30)  # the server POSTs a logoutRequest to Beian
    after = http.get(f"{live_server.url}/identity/no-role/", timeout=30)
    assert after.url.startswith(f"{live_server.url}/login/")


def test_a_cas_server_answering_something_unreadable_gives_a_clear_page(
    live_server, idp, use_cas, settings
):
    """SAML 1.1 validation against a server that answers HTML (mama-cas wants HTTPS for
    /samlValidate): a refusal page naming the server, not an error page."""
    use_cas("apereo")
    settings.CAS_VERSION = "CAS_2_SAML_1_0"
    roster()
    _, _, landed = cas_sign_in(live_server.url, "20150001", "cas-pass-1")
    assert landed.status_code == 403
    assert "没有给出可识别的应答" in landed.text and f"{idp.url}/cas/" in landed.text
