"""API tokens: made and shown once, stored as a hash, acting exactly as their owner,
refused once revoked or expired, audited on creation, revocation and (once an hour) use;
service accounts made by the school admin with a scope; the token pages."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from beian.api import services
from beian.api.models import ApiToken, ServiceAccount
from beian.core.models import AuditEvent
from beian.users.choices import Role

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT="application/json")


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


def test_a_token_is_shown_once_and_stored_as_a_hash(cast):
    token, secret = services.token_create(actor=cast.cs_unit_admin, name="脚本")
    assert secret.startswith("bn_") and len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.key_hash, stored.prefix, stored.name)
    assert stored.key_hash == services.hash_secret(secret)
    assert stored.expires_at - stored.created_at == timedelta(days=90)
    event = AuditEvent.objects.filter(detail__action="api_token_created").get()
    assert event.actor == cast.cs_unit_admin and secret not in str(event.detail)


def test_a_token_sees_exactly_what_its_owner_sees(cast, api):
    for user in (cast.cs_unit_admin, cast.lit_operator, cast.school_admin, cast.nobody):
        _, secret = services.token_create(actor=user, name="同步")
        for route in ("api:account-list", "api:group-list", "api:unit-list", "api:person-list"):
            by_token = bearer(secret).get(reverse(route))
            by_session = api(user).get(reverse(route))
            assert by_token.status_code == by_session.status_code == 200
            assert names(by_token) == names(by_session), (user, route)
    _, secret = services.token_create(actor=cast.cs_unit_admin, name="越权")
    lit = bearer(secret).get(reverse("api:account-detail", args=[cast.lit_account.pk]))
    assert lit.status_code == 404


def test_token_keyword_and_no_csrf_needed(cast):
    _, secret = services.token_create(actor=cast.cs_unit_admin, name="脚本")
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}", enforce_csrf_checks=True)
    assert client.get(reverse("api:unit-list")).status_code == 200
    response = client.post(
        reverse("api:account-activity", args=[cast.cs_account.pk]),
        {"on": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()


def test_revoked_expired_and_unknown_tokens_are_refused_with_401(cast):
    token, secret = services.token_create(actor=cast.cs_unit_admin, name="脚本", days=1)
    url = reverse("api:unit-list")
    assert bearer(secret).get(url).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        expired = bearer(secret).get(url)
    assert expired.status_code == 401
    assert expired.json() == {"detail": "令牌无效、已撤销或已过期", "code": "authentication_failed"}
    assert expired["WWW-Authenticate"].startswith("Bearer")
    services.token_revoke(actor=cast.cs_unit_admin, token=token)
    assert bearer(secret).get(url).status_code == 401
    assert bearer("bn_" + "x" * 43).get(url).status_code == 401
    assert AuditEvent.objects.filter(detail__action="api_token_revoked").count() == 1
    # without any header it is the browser's answer: 403, no challenge
    assert Client().get(url).status_code == 403


def test_a_disabled_owner_disables_the_token(cast):
    _, secret = services.token_create(actor=cast.cs_unit_admin, name="脚本")
    cast.cs_unit_admin.is_active = False
    cast.cs_unit_admin.save()
    assert bearer(secret).get(reverse("api:unit-list")).status_code == 401


def test_use_is_audited_once_an_hour_and_last_used_is_kept(cast):
    token, secret = services.token_create(actor=cast.auditor, name="核验")
    for _ in range(5):
        assert bearer(secret).get(reverse("api:unit-list")).status_code == 200
    used = AuditEvent.objects.filter(detail__action="api_token_used")
    assert used.count() == 1 and used.get().actor == cast.auditor
    token.refresh_from_db()
    assert token.last_used_at is not None
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        bearer(secret).get(reverse("api:unit-list"))
    assert used.count() == 2


def test_only_the_owner_or_school_admin_revokes(cast):
    token, _ = services.token_create(actor=cast.cs_unit_admin, name="脚本")
    with pytest.raises(PermissionDenied):
        services.token_revoke(actor=cast.lit_unit_admin, token=token)
    services.token_revoke(actor=cast.school_admin, token=token)
    assert ApiToken.objects.get(pk=token.pk).is_revoked


def test_token_input_is_checked(cast):
    with pytest.raises(ValidationError) as bad:
        services.token_create(actor=cast.leader, name=" ", days=90)
    assert "name" in bad.value.message_dict
    with pytest.raises(ValidationError) as bad:
        services.token_create(actor=cast.leader, name="x", days=400)
    assert "days" in bad.value.message_dict
    with pytest.raises(PermissionDenied):
        services.token_create(actor=cast.leader, name="x", user=cast.auditor)


def test_a_service_account_has_its_scope_and_no_password_login(cast, client):
    account = services.service_account_create(
        actor=cast.school_admin,
        username="svc-netcenter",
        purpose="网络中心：有效性核验",
        role=Role.UNIT_ADMIN,
        unit=cast.cs,
    )
    _, secret = services.token_create(actor=cast.school_admin, user=account.user, name="核验")
    got = names(bearer(secret).get(reverse("api:account-list")))
    assert "计算机学院团委" in got and "文学院微言" not in got
    assert not account.user.has_usable_password() or not account.user.check_password("")
    with pytest.raises(ValidationError):
        services.service_account_create(
            actor=cast.school_admin, username="svc-x", purpose="x", role=Role.SCHOOL_ADMIN
        )
    with pytest.raises(PermissionDenied):
        services.service_account_create(
            actor=cast.cs_unit_admin, username="svc-y", purpose="x", role=Role.AUDITOR
        )
    # a service account does not make tokens for itself, nor do others for it
    with pytest.raises(PermissionDenied):
        services.token_create(actor=cast.cs_unit_admin, user=account.user, name="x")


def test_throttled_per_token(cast, settings):
    settings.BEIAN_API_TOKEN_RATE = "3/m"
    from django.core.cache import cache

    cache.clear()
    _, secret = services.token_create(actor=cast.auditor, name="核验")
    codes = [bearer(secret).get(reverse("api:platform-list")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    cache.clear()


def test_my_tokens_page_shows_the_secret_once(cast, client):
    client.force_login(cast.cs_unit_admin)
    page = client.get(reverse("api:token_list"))
    assert page.status_code == 200 and "我的 API 令牌" in page.content.decode()
    made = client.post(reverse("api:token_list"), {"name": "每晚同步", "days": "30"})
    text = made.content.decode()
    token = ApiToken.objects.get(user=cast.cs_unit_admin)
    assert "请现在复制保存" in text and token.prefix in text
    assert "no-store" in made["Cache-Control"] or "max-age=0" in made["Cache-Control"]
    again = client.get(reverse("api:token_list")).content.decode()
    assert "请现在复制保存" not in again and token.prefix in again
    other = Client()
    other.force_login(cast.lit_unit_admin)
    assert other.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).is_revoked


def test_service_account_pages(cast, client):
    client.force_login(cast.school_admin)
    made = client.post(
        reverse("api:service_account_list"),
        {
            "username": "svc-hr",
            "purpose": "人事处：人员名单推送",
            "role": Role.UNIT_ADMIN,
            "unit": "",
            "token_name": "初始令牌",
            "days": "90",
        },
    )
    assert "须指定管辖单位" in made.content.decode()
    made = client.post(
        reverse("api:service_account_list"),
        {
            "username": "svc-hr",
            "purpose": "人事处：人员名单推送",
            "role": Role.AUDITOR,
            "unit": "",
            "token_name": "初始令牌",
            "days": "90",
        },
    )
    assert "请现在复制保存" in made.content.decode()
    account = ServiceAccount.objects.get(user__username="svc-hr")
    detail = client.get(reverse("api:service_account_detail", args=[account.pk]))
    assert detail.status_code == 200 and "人事处" in detail.content.decode()
    client.force_login(cast.cs_unit_admin)
    assert client.get(reverse("api:service_account_list")).status_code == 403
