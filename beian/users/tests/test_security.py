"""Signing in safely (issue 9, finding 11): a forced change of a password an admin set,
self-service password change, the TOTP second factor with recovery codes (required for the
policy's roles, lockout on wrong codes, SSO exemption), and the school admin's resets."""

from __future__ import annotations

from binascii import unhexlify

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from beian.core.choices import AuditEventType
from beian.core.models import AuditEvent
from beian.notify.models import Notification
from beian.testing import PASSWORD
from beian.users import services, twofactor
from beian.users.models import User
from beian.users.security_views import CODES_KEY, ENROL_KEY

NEW_PASSWORD = "Qingxi-Lake-2027"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # axes-free counters and alert quiet times of earlier tests
    yield
    cache.clear()


def code_for(key: str) -> str:
    return f"{totp(unhexlify(key)):06d}"


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("login"), {"username": user.username, "password": password})


def enrol(user) -> tuple[str, list[str]]:
    """Enrol `user` through the service, as the setup page does; returns key and codes."""
    key = "3132333435363738393031323334353637383930"
    codes = services.user_second_factor_enrol(user=user, key=key, token=code_for(key))
    TOTPDevice.objects.filter(user=user).update(last_t=-1)  # the same code may sign in next
    return key, codes


def actions(user) -> list[str]:
    return [
        e.detail.get("action")
        for e in AuditEvent.objects.filter(object_type="users.User", object_id=str(user.pk))
    ]


# --- passwords ----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestForcedPasswordChange:
    def test_a_user_created_by_the_admin_changes_the_password_before_anything_else(
        self, client, cast
    ):
        user = services.user_create(
            actor=cast.school_admin, username="newbie", password="Chushi-Mima-2026"
        )
        assert user.must_change_password
        response = sign_in(client, user, "Chushi-Mima-2026")
        assert response.status_code == 302
        for url in (reverse("home"), reverse("registry:account_list"), reverse("me:security")):
            response = client.get(url)
            assert response.status_code == 302
            assert response.url.startswith(reverse("me:password_change"))
        assert client.get("/api/v1/").status_code in (403, 404)
        page = client.get(reverse("me:password_change"))
        assert page.status_code == 200
        assert "请先设置一个只有您自己知道的新密码" in page.content.decode()
        response = client.post(
            reverse("me:password_change"),
            {
                "old_password": "Chushi-Mima-2026",
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302
        user.refresh_from_db()
        assert not user.must_change_password
        assert user.check_password(NEW_PASSWORD)
        assert client.get(reverse("home")).status_code == 200  # still signed in
        assert "password_changed" in actions(user)
        assert NEW_PASSWORD not in str(AuditEvent.objects.values_list("detail", flat=True))

    def test_logout_stays_reachable(self, client, cast):
        services.user_password_reset(
            actor=cast.school_admin, user=cast.leader, new_password="Chongzhi-Mima-2026"
        )
        sign_in(client, cast.leader, "Chongzhi-Mima-2026")
        assert client.post(reverse("logout")).status_code == 302
        assert client.get(reverse("home")).url.startswith(reverse("login"))

    def test_the_admin_resets_a_password_and_the_user_must_change_it(self, client, cast):
        client.force_login(cast.school_admin)
        url = reverse("users:password_reset", args=[cast.leader.pk])
        weak = client.post(url, {"password1": " " * 10 + "A1", "password2": " " * 10 + "A1"})
        assert weak.status_code == 400
        assert "至少三类" in weak.content.decode()
        response = client.post(
            url, {"password1": "Chongzhi-Mima-2026", "password2": "Chongzhi-Mima-2026"}
        )
        assert response.status_code == 302
        cast.leader.refresh_from_db()
        assert cast.leader.must_change_password and cast.leader.check_password("Chongzhi-Mima-2026")
        event = AuditEvent.objects.filter(detail__action="password_reset").get()
        assert event.actor == cast.school_admin

    def test_only_a_school_admin_resets_passwords(self, client, cast):
        client.force_login(cast.cs_unit_admin)
        url = reverse("users:password_reset", args=[cast.leader.pk])
        response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert response.status_code == 403
        cast.leader.refresh_from_db()
        assert cast.leader.check_password(PASSWORD)


@pytest.mark.django_db
class TestOwnPasswordChange:
    def test_wrong_current_password_or_weak_new_one_is_refused_in_chinese(self, client, cast):
        client.force_login(cast.lit_operator)
        url = reverse("me:password_change")
        response = client.post(
            url,
            {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert response.status_code == 400
        assert "old_password" in response.context["form"].errors
        response = client.post(
            url,
            {
                "old_password": PASSWORD,
                "new_password1": " " * 10 + "A1",
                "new_password2": " " * 10 + "A1",
            },
        )
        assert response.status_code == 400
        errors = " ".join(response.context["form"].errors["new_password2"])
        assert "至少三类" in errors
        cast.lit_operator.refresh_from_db()
        assert cast.lit_operator.check_password(PASSWORD)

    def test_the_new_password_works_at_the_next_sign_in(self, client, cast):
        client.force_login(cast.lit_operator)
        client.post(
            reverse("me:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        client.post(reverse("logout"))
        assert sign_in(client, cast.lit_operator, NEW_PASSWORD).status_code == 302
        assert client.get(reverse("home")).status_code == 200


# --- the second factor ----------------------------------------------------------------------------


@pytest.mark.django_db
class TestEnrolment:
    def test_enrol_with_the_qr_code_then_see_ten_recovery_codes_once(self, client, cast):
        client.force_login(cast.lit_operator)
        page = client.get(reverse("me:otp_setup"))
        assert page.status_code == 200
        html = page.content.decode()
        assert "<svg" in html and "otp-secret" in html
        key = client.session[ENROL_KEY]
        wrong = client.post(reverse("me:otp_setup"), {"token": "000000"})
        assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
        response = client.post(reverse("me:otp_setup"), {"token": code_for(key)})
        assert response.url == reverse("me:recovery_codes")
        codes_page = client.get(reverse("me:recovery_codes"))
        codes = client.session.get(CODES_KEY)
        assert codes is None  # shown once
        html = codes_page.content.decode()
        stored = StaticDevice.objects.get(user=cast.lit_operator).token_set.all()
        assert len(stored) == 10 and all(t.token in html for t in stored)
        assert client.get(reverse("me:recovery_codes")).status_code == 302
        assert cast.lit_operator.has_second_factor
        assert "second_factor_enrolled" in actions(cast.lit_operator)
        assert client.get(reverse("home")).status_code == 200  # this session is verified

    def test_turning_it_off_is_refused_to_a_required_role(self, client, cast, settings):
        settings.BEIAN_ENFORCE_2FA = True
        enrol(cast.auditor)
        client.force_login(cast.auditor)
        client.session  # noqa: B018
        session = client.session
        session[twofactor.STEP_KEY] = ""
        session.save()
        assert client.post(reverse("me:otp_disable")).status_code == 403
        assert cast.auditor.has_second_factor
        enrol(cast.leader)
        client.force_login(cast.leader)
        session = client.session
        session[twofactor.STEP_KEY] = ""
        session.save()
        assert client.post(reverse("me:otp_disable")).status_code == 302
        assert not cast.leader.has_second_factor


@pytest.mark.django_db
class TestSignInWithCode:
    def test_an_enrolled_user_types_the_code_after_the_password(self, client, cast):
        key, _codes = enrol(cast.lit_operator)
        response = sign_in(client, cast.lit_operator)
        assert response.status_code == 302
        home = client.get(reverse("registry:account_list"))
        assert home.url.startswith(reverse("login_verify"))
        assert client.get(reverse("login_verify")).status_code == 200
        response = client.post(
            reverse("login_verify") + "?next=/registry/accounts/",
            {"token": code_for(key), "next": "/registry/accounts/"},
        )
        assert response.status_code == 302 and response.url == "/registry/accounts/"
        assert client.get(reverse("home")).status_code == 200
        assert AuditEvent.objects.filter(
            event=AuditEventType.LOGIN, actor=cast.lit_operator, detail__second_factor="totp"
        ).exists()

    def test_a_recovery_code_works_once(self, client, cast):
        _key, codes = enrol(cast.lit_operator)
        sign_in(client, cast.lit_operator)
        response = client.post(reverse("login_verify"), {"token": codes[0]})
        assert response.status_code == 302
        assert twofactor.recovery_codes_left(cast.lit_operator) == 9
        client.post(reverse("logout"))
        sign_in(client, cast.lit_operator)
        again = client.post(reverse("login_verify"), {"token": codes[0]})
        assert again.status_code == 400
        assert client.get(reverse("home")).url.startswith(reverse("login_verify"))

    def test_five_wrong_codes_lock_the_username_and_alert_the_school_admins(self, client, cast):
        key, _codes = enrol(cast.lit_operator)
        sign_in(client, cast.lit_operator)
        for _attempt in range(4):
            response = client.post(reverse("login_verify"), {"token": "000000"})
            assert response.status_code == 400
            assert "连续失败 5 次将锁定" in response.content.decode()
        locked = client.post(reverse("login_verify"), {"token": "000000"})
        assert locked.status_code == 429
        assert "_auth_user_id" not in client.session  # signed out
        # the right password and code no longer help for 30 minutes
        sign_in(client, cast.lit_operator)
        assert "_auth_user_id" not in client.session
        failed = AuditEvent.objects.filter(event=AuditEventType.LOGIN_FAILED)
        assert failed.filter(actor_name="lit_operator").count() >= 5
        alert = Notification.objects.get(recipient=cast.school_admin, kind="security_alert")
        assert "lit_operator" in alert.text and "锁定" in alert.text

    def test_required_roles_enrol_before_anything_else(self, client, cast, settings):
        settings.BEIAN_ENFORCE_2FA = True
        sign_in(client, cast.school_admin)
        response = client.get(reverse("users:user_list"))
        assert response.url.startswith(reverse("me:otp_setup"))
        assert client.get(reverse("me:otp_setup")).status_code == 200
        api = client.get("/api/v1/accounts/")
        assert api.status_code == 403 and api.json()["code"] == "sign_in_enrol"
        client.post(reverse("logout"))
        sign_in(client, cast.lit_operator)  # not a required role
        assert client.get(reverse("home")).status_code == 200

    def test_the_policy_names_the_required_roles(self, client, cast, settings, policy_file):
        settings.BEIAN_ENFORCE_2FA = True
        policy_file("[auth]\nrequire_2fa_roles = []\n")
        sign_in(client, cast.school_admin)
        assert client.get(reverse("home")).status_code == 200
        policy_file('[auth]\nrequire_2fa_roles = ["operator"]\n')
        client.post(reverse("logout"))
        sign_in(client, cast.lit_operator)
        assert client.get(reverse("home")).url.startswith(reverse("me:otp_setup"))

    @pytest.mark.parametrize(("counts", "asked"), [("true", False), ("false", True)])
    def test_single_sign_on_counts_as_a_second_factor_when_the_policy_says_so(
        self, client, cast, policy_file, counts, asked
    ):
        policy_file(f"[auth]\nsso_counts_as_second_factor = {counts}\n")
        enrol(cast.lit_operator)
        client.force_login(cast.lit_operator)
        session = client.session
        session[twofactor.SSO_SESSION_KEY] = "sso"
        session.save()
        response = client.get(reverse("home"))
        assert (response.status_code == 302) is asked


@pytest.mark.django_db
class TestAdminReset:
    def test_a_school_admin_resets_a_lost_second_factor(self, client, cast):
        enrol(cast.auditor)
        client.force_login(cast.school_admin)
        url = reverse("users:otp_reset", args=[cast.auditor.pk])
        page = client.get(url)
        assert page.status_code == 200 and "手机丢失" in page.content.decode()
        assert client.post(url).status_code == 302
        assert not TOTPDevice.objects.filter(user=cast.auditor).exists()
        assert not StaticDevice.objects.filter(user=cast.auditor).exists()
        event = AuditEvent.objects.get(detail__action="second_factor_reset")
        assert event.actor == cast.school_admin and event.detail["by_admin"] is True
        detail = client.get(reverse("users:user_detail", args=[cast.auditor.pk]))
        assert "未启用" in detail.content.decode()

    def test_nobody_else_resets_it(self, client, cast):
        enrol(cast.auditor)
        client.force_login(cast.cs_unit_admin)
        assert client.post(reverse("users:otp_reset", args=[cast.auditor.pk])).status_code == 403
        assert User.objects.get(pk=cast.auditor.pk).has_second_factor
