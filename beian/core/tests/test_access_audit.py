"""Refusals and sensitive reads are recorded, rate-limited (issue 9, finding 3); the audit
IP cannot be forged (finding 2); personal data in every audit row is masked (finding 4)."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from beian.core import accessaudit
from beian.core.audit import audit, client_ip
from beian.core.models import AuditEvent
from beian.filings import services as filing_services
from beian.filings.tests.factories import apply_new
from beian.testing import make_person


def _rows(event):
    return list(AuditEvent.objects.filter(event=event).order_by("id"))


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_404_probe_by_a_signed_in_user_is_recorded_once_a_minute(client, cast):
    client.force_login(cast.lit_operator)
    hidden = make_person("外单位人员", unit=cast.cs, mobile="13600001111")
    url = reverse("orgs:person_detail", args=[hidden.pk])
    assert client.get(url).status_code == 404
    assert client.get(url).status_code == 404
    [row] = _rows("denied")
    assert row.actor_id == cast.lit_operator.pk and row.success is False
    assert row.detail["path"] == url and row.detail["reason"] == "404"


@pytest.mark.django_db
def test_a_scan_cannot_flood_the_log(client, cast):
    client.force_login(cast.lit_operator)
    for pk in range(900000, 900000 + accessaudit.MAX_PER_MINUTE + 15):
        client.get(f"/orgs/people/{pk}/")
    assert len(_rows("denied")) == accessaudit.MAX_PER_MINUTE


@pytest.mark.django_db
def test_a_403_is_recorded(client, cast):
    client.force_login(cast.nobody)
    assert client.get(reverse("core:audit_list")).status_code == 403
    [row] = _rows("denied")
    assert row.detail["reason"] == "403" and row.actor_name == "nobody"


@pytest.mark.django_db
def test_a_forged_role_grant_is_refused_and_recorded(client, cast):
    """A unit admin posts a grant of the school admin role (the form never offers it)."""
    client.force_login(cast.lit_unit_admin)
    url = reverse("users:role_grant", args=[cast.nobody.pk])
    response = client.post(url, {"role": "school_admin"})
    assert response.status_code in (403, 404)
    assert not cast.nobody.roles.filter(role="school_admin").exists()
    [row] = _rows("denied")
    assert row.detail["path"] == url and row.detail["method"] == "POST"


@pytest.mark.django_db
def test_anonymous_probes_of_pages_behind_the_login_are_recorded(cast):
    anonymous = Client(REMOTE_ADDR="198.51.100.9")
    assert anonymous.get(reverse("orgs:person_list")).status_code == 302
    anonymous.get("/")  # the home page sends everyone to the login: no probe
    anonymous.get(reverse("login"))
    [row] = _rows("denied")
    assert row.actor_id is None and row.ip == "198.51.100.9"
    assert row.detail["reason"] == "login_required"


@pytest.mark.django_db
def test_a_csrf_failure_is_recorded(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.school_admin)
    response = browser.post(reverse("orgs:person_create"), {"name": "x"})
    assert response.status_code == 403
    [row] = _rows("csrf_failed")
    assert row.actor_id == cast.school_admin.pk and row.success is False


# --- reads ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_single_record_views_of_personal_data_are_recorded(client, cast):
    client.force_login(cast.school_admin)
    url = reverse("orgs:person_detail", args=[cast.cs_head.pk])
    assert client.get(url).status_code == 200
    client.get(url)
    [row] = _rows("view_record")
    assert (row.object_type, row.object_id) == ("orgs.Person", str(cast.cs_head.pk))
    assert row.object_repr == str(cast.cs_head)
    client.get(reverse("registry:account_detail", args=[cast.cs_account.pk]))
    assert len(_rows("view_record")) == 2


@pytest.mark.django_db
def test_downloads_of_filing_forms_are_recorded(client, cast):
    filing = apply_new(cast.lit_operator, cast.lit)
    client.force_login(cast.school_admin)
    response = client.get(reverse("filings:docx", args=[filing.pk]))
    assert response.status_code == 200
    [row] = _rows("download")
    assert (row.object_type, row.object_id) == ("filings.Filing", str(filing.pk))
    client.get(reverse("transfer:account_form_docx", args=[cast.cs_account.pk]))
    assert _rows("download")[-1].object_type == "registry.MediaAccount"


@pytest.mark.django_db
def test_reads_of_the_audit_log_are_recorded(client, cast):
    client.force_login(cast.auditor)
    client.get(reverse("core:audit_list"))
    client.get(reverse("core:audit_list"), {"event": "login"})
    rows = _rows("audit_read")
    assert len(rows) == 2 and rows[1].detail["filters"] == "event=login"
    assert all(r.actor_id == cast.auditor.pk for r in rows)


def test_every_audited_read_names_a_route():
    from django.urls import NoReverseMatch, get_resolver

    names = set()
    resolver = get_resolver()
    for ns, (_prefix, sub) in resolver.namespace_dict.items():
        names |= {f"{ns}:{n}" for n in sub.reverse_dict if isinstance(n, str)}
    missing = [n for n in accessaudit.AUDITED_READS if n not in names]
    assert not missing, missing
    assert NoReverseMatch  # imported for clarity of the failure above


# --- client IP (finding 2) -----------------------------------------------------------------


class _Req:
    def __init__(self, remote, forwarded=None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@override_settings(BEIAN_TRUSTED_PROXIES=[])
def test_forged_forwarded_for_is_ignored_without_a_trusted_proxy():
    for forged in ("1.2.3.4", "10.0.0.1, 8.8.8.8", "::1"):
        assert client_ip(_Req("203.0.113.5", forged)) == "203.0.113.5"


@override_settings(BEIAN_TRUSTED_PROXIES=["10.0.0.0/8", "fd00::/8"])
def test_behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_taken():
    # The client wrote "1.2.3.4" itself; our proxy appended the address it saw.
    assert client_ip(_Req("10.0.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    # Two of our proxies in a row.
    assert client_ip(_Req("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.3")) == "198.51.100.7"
    assert client_ip(_Req("fd00::2", "2001:db8::9")) == "2001:db8::9"
    # Not from our proxy: its header is not believed.
    assert client_ip(_Req("198.51.100.50", "1.2.3.4")) == "198.51.100.50"
    # Garbage in the proxy's place: keep the proxy's own address.
    assert client_ip(_Req("10.0.0.2", "1.2.3.4, not-an-ip")) == "10.0.0.2"
    assert client_ip(_Req("10.0.0.2")) == "10.0.0.2"


@pytest.mark.django_db
@override_settings(BEIAN_TRUSTED_PROXIES=[])
def test_stored_audit_ip_is_the_peer_not_the_forged_header(cast):
    browser = Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="6.6.6.6")
    browser.force_login(cast.nobody)
    browser.get(reverse("core:audit_list"))
    [row] = _rows("denied")
    assert row.ip == "203.0.113.5"


# --- redaction (finding 4) ------------------------------------------------------------------


@pytest.mark.django_db
def test_filing_edit_diffs_are_masked(cast):
    filing = apply_new(cast.lit_operator, cast.lit, submit=False)
    filing_services.filing_update(
        filing=filing, actor=cast.lit_operator, fields={"responsible_phone": "13533334444"}
    )
    row = AuditEvent.objects.filter(object_type="filings.Filing", event="update").latest("id")
    assert row.detail["changes"]["responsible_phone"] == ["138****2222", "135****4444"]
    text = str(AuditEvent.objects.values_list("detail", "object_repr")[::1])
    for secret in ("13533334444", "13811112222", "13900002222"):
        assert secret not in text


@pytest.mark.django_db
def test_one_redaction_masks_every_audit_row(cast):
    row = audit(
        event="other",
        actor=cast.school_admin,
        detail={
            "changes": {"qq": ["12345678", "87654321"], "email": ["a@x.edu.cn", "bob@x.cn"]},
            "note": "请联系 13712345678 或 carol@example.com，QQ：98765432",
            "rows": [{"mobile": "13800001111"}],
            "password": "hunter2-Secret",
            "group_number": "123456789",
            "webhook": "https://oapi.dingtalk.com/robot/send?access_token=abcdef123&x=1",
        },
    )
    d = row.detail
    assert d["changes"]["qq"] == ["12****78", "87****21"]
    assert d["changes"]["email"] == ["a****@x.edu.cn", "b****@x.cn"]
    assert "13712345678" not in d["note"] and "carol@" not in d["note"]
    assert "98765432" not in d["note"]
    assert d["rows"][0]["mobile"] == "138****1111"
    assert d["password"] == "****"
    assert d["group_number"] == "123456789"  # a group's number is not personal data
    assert d["webhook"] == "https://oapi.dingtalk.com/robot/send?access_token=****&x=1"
