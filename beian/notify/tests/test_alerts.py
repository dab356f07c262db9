"""Security alerts (issue 9, finding 11): bursts of refused requests and lockouts reach the
school admins in-app at once and the school's robot channel on the next delivery run, at
most once per address per quiet time."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from beian.notify import providers
from beian.notify.alerts import ALERT_KIND
from beian.notify.delivery import send_due
from beian.notify.models import Channel, Message, Notification, Reminder
from beian.testing import make_user
from beian.users.choices import Role


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    monkeypatch.setattr(providers, "_providers", {})
    cache.clear()
    yield
    cache.clear()


def alerts_for(user):
    return Notification.objects.filter(recipient=user, kind=ALERT_KIND)


@pytest.mark.django_db
def test_twenty_404s_from_one_address_alert_each_school_admin_once(client, cast):
    second_admin = make_user("second_admin", role=Role.SCHOOL_ADMIN)
    for n in range(19):
        assert client.get(f"/no-such-page-{n}/").status_code == 404
    assert not alerts_for(cast.school_admin).exists()
    client.get("/no-such-page-19/")
    for admin in (cast.school_admin, second_admin):
        alert = alerts_for(admin).get()
        assert "127.0.0.1" in alert.text and "403/404" in alert.text
        assert alert.link == reverse("core:audit_list")
    assert not alerts_for(cast.leader).exists()
    for n in range(40):  # still the same scan: no second alert within 30 minutes
        client.get(f"/still-probing-{n}/")
    assert alerts_for(cast.school_admin).count() == 1


@pytest.mark.django_db
def test_a_signed_in_user_probing_other_units_records_alerts_by_user(client, cast):
    client.force_login(cast.lit_operator)
    url = reverse("registry:account_detail", args=[cast.cs_account.pk])
    for _n in range(20):
        assert client.get(url).status_code == 404
    texts = list(alerts_for(cast.school_admin).values_list("text", flat=True))
    assert any("lit_operator" in t for t in texts)


@pytest.mark.django_db
def test_the_alert_goes_to_the_school_root_units_robot_on_the_next_run(client, cast):
    robot = Channel.objects.create(
        unit=cast.school, kind="wecom", name="宣传部群", webhook_url="http://127.0.0.1:9/x"
    )
    for n in range(20):
        client.get(f"/probe-{n}/")
    reminder = Reminder.objects.get(kind=ALERT_KIND)
    assert reminder.unit_id == cast.school.pk
    send_due(run_providers=False)
    message = Message.objects.get(channel=robot)
    assert "403/404" in message.lines[0]["text"]


@pytest.mark.django_db
@override_settings(BEIAN_DENIED_BURST=3)
def test_normal_pages_count_nothing(client, cast):
    client.force_login(cast.school_admin)
    for _n in range(10):
        assert client.get(reverse("home")).status_code == 200
    assert not alerts_for(cast.school_admin).exists()


@pytest.mark.django_db
def test_a_lockout_alerts_once_per_address(client, cast):
    for _n in range(5):
        client.post(reverse("login"), {"username": "leader", "password": "wrong-password-1A"})
    alert = alerts_for(cast.school_admin).get()
    assert "leader" in alert.text and "锁定" in alert.text
    for _n in range(5):
        client.post(reverse("login"), {"username": "auditor", "password": "wrong-password-1A"})
    assert alerts_for(cast.school_admin).count() == 1  # same address within 30 minutes
