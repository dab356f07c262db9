"""Channel pages and the webhook address check."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from beian.notify.channels import check_webhook_url
from beian.notify.models import Channel
from beian.notify.services import channel_create


def test_a_unit_admin_adds_a_signed_dingtalk_robot_whose_secret_is_never_shown(cast, client):
    client.force_login(cast.cs_unit_admin)
    response = client.post(
        reverse("notify:channel_create"),
        {
            "unit": cast.cs.pk,
            "kind": "dingtalk",
            "name": "计院钉钉群",
            "webhook_url": "http://127.0.0.1:9/robot/send?access_token=abcdef123456",
            "secret": "SECabcdefghijkl1234",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    channel = Channel.objects.get(name="计院钉钉群")
    assert channel.secret == "SECabcdefghijkl1234"
    page = client.get(reverse("notify:channel_list")).content.decode()
    assert "计院钉钉群" in page and "SECabcdefghijkl1234" not in page and "••••1234" in page
    assert "abcdef123456" not in page  # the access token is masked too
    edit = client.get(reverse("notify:channel_edit", args=[channel.pk])).content.decode()
    assert "SECabcdefghijkl1234" not in edit
    client.post(
        reverse("notify:channel_edit", args=[channel.pk]),
        {
            "unit": cast.cs.pk,
            "kind": "dingtalk",
            "name": "计院钉钉群",
            "webhook_url": channel.webhook_url,
            "secret": "",
            "enabled": "on",
        },
    )
    channel.refresh_from_db()
    assert channel.secret == "SECabcdefghijkl1234"  # empty keeps it


def test_a_unit_admin_cannot_add_a_channel_to_another_unit(cast, client):
    client.force_login(cast.cs_unit_admin)
    response = client.post(
        reverse("notify:channel_create"),
        {"unit": cast.lit.pk, "kind": "email", "name": "越权", "enabled": "on"},
    )
    assert response.status_code == 200
    assert not Channel.objects.exists()


def test_bad_input_gets_a_chinese_message_naming_the_value(cast, client):
    client.force_login(cast.school_admin)
    response = client.post(
        reverse("notify:channel_create"),
        {"unit": cast.school.pk, "kind": "wecom", "name": "企微", "webhook_url": "ftp://x/y"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "http:// 或 https://" in page
    response = client.post(
        reverse("notify:channel_create"),
        {"unit": cast.school.pk, "kind": "email", "name": "邮件", "recipients": "a@b.cn, 坏地址"},
    )
    assert "收件人地址无效：坏地址" in response.content.decode()
    assert not Channel.objects.exists()


@override_settings(BEIAN_NOTIFY_ALLOW_PRIVATE=False)
@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/hook", "http://10.1.2.3/hook", "https://192.168.1.5/x", "http://[::1]/"],
)
def test_webhooks_may_not_point_at_the_campus_network(url):
    with pytest.raises(ValidationError, match="内网"):
        check_webhook_url(url)


def test_the_test_button_reports_success_and_failure(cast, client):
    channel = channel_create(
        actor=cast.school_admin,
        unit=cast.school,
        kind="wecom",
        name="坏机器人",
        webhook_url="http://127.0.0.1:9/cgi-bin/webhook/send?key=x",  # nothing listens on 9
    )
    client.force_login(cast.school_admin)
    response = client.post(reverse("notify:channel_test", args=[channel.pk]), follow=True)
    assert "测试消息发送失败" in response.content.decode()
    channel.refresh_from_db()
    assert channel.last_error and channel.last_error_at


def test_disabling_a_channel_is_audited(cast, client):
    from beian.core.models import AuditEvent

    channel = channel_create(
        actor=cast.school_admin, unit=cast.school, kind="email", name="邮件", recipients=""
    )
    client.force_login(cast.school_admin)
    client.post(reverse("notify:channel_toggle", args=[channel.pk]))
    channel.refresh_from_db()
    assert not channel.enabled
    assert AuditEvent.objects.filter(object_type="notify.Channel", event="update").exists()
