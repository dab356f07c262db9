"""The security checks of 等保 level 2 that Beian promises: audited logins, lockout after
repeated failures, one message for unknown users and wrong passwords, password rules,
idle and absolute session limits, security headers and a clean deployment check."""

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from beian.core.choices import AuditEventType
from beian.core.middleware import LOGIN_AT_KEY
from beian.core.models import AuditEvent
from beian.testing import PASSWORD
from beian.users.models import User

ROOT = Path(settings.BASE_DIR)
WRONG_OR_UNKNOWN = "用户名或密码错误"
LOCKED = "登录失败次数过多"


def _login(client, username, password, ip="10.0.0.5"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


# --- logins are audited ----------------------------------------------------------------


@pytest.mark.django_db
def test_successful_login_is_audited_with_time_actor_and_ip(client, cast):
    before = timezone.now()
    response = _login(client, "lit_unit_admin", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    event = AuditEvent.objects.get(event=AuditEventType.LOGIN)
    assert event.actor == cast.lit_unit_admin
    assert event.actor_name == "lit_unit_admin"
    assert event.success is True
    assert event.ip == "10.0.0.5"
    assert before <= event.at <= timezone.now()


@pytest.mark.django_db
def test_failed_login_is_audited_with_the_username_typed(client, cast):
    response = _login(client, "lit_unit_admin", "wrong-password", ip="10.0.0.6")
    assert response.status_code == 200
    assert WRONG_OR_UNKNOWN in response.content.decode()
    event = AuditEvent.objects.get(event=AuditEventType.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_name == "lit_unit_admin"
    assert event.success is False
    assert event.ip == "10.0.0.6"
    assert event.at is not None


@pytest.mark.django_db
def test_unknown_username_gets_the_same_message_as_a_wrong_password(client, cast):
    wrong = _login(client, "lit_unit_admin", "wrong-password")
    unknown = _login(client, "no_such_user", "wrong-password")
    assert wrong.status_code == unknown.status_code == 200
    wrong_errors = wrong.context["form"].non_field_errors()
    unknown_errors = unknown.context["form"].non_field_errors()
    assert list(wrong_errors) == list(unknown_errors)
    assert WRONG_OR_UNKNOWN in wrong_errors[0]
    failed = AuditEvent.objects.filter(event=AuditEventType.LOGIN_FAILED)
    assert sorted(failed.values_list("actor_name", flat=True)) == ["lit_unit_admin", "no_such_user"]


@pytest.mark.django_db
def test_inactive_user_gets_the_same_message(client, cast):
    User.objects.filter(pk=cast.nobody.pk).update(is_active=False)
    response = _login(client, "nobody", PASSWORD)
    assert response.status_code == 200
    assert WRONG_OR_UNKNOWN in response.context["form"].non_field_errors()[0]


@pytest.mark.django_db
def test_logout_is_audited(client, cast):
    _login(client, "auditor", PASSWORD)
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.5")
    event = AuditEvent.objects.get(event=AuditEventType.LOGOUT)
    assert event.actor == cast.auditor


# --- lockout -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_five_failures_lock_the_username_even_for_the_right_password(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "cs_unit_admin", "wrong-password")
        assert WRONG_OR_UNKNOWN in response.content.decode()
    fifth = _login(client, "cs_unit_admin", "wrong-password")
    assert LOCKED in fifth.content.decode()
    sixth = _login(client, "cs_unit_admin", PASSWORD)
    assert sixth.status_code != 302
    assert LOCKED in sixth.content.decode()
    assert "_auth_user_id" not in client.session
    lockouts = AuditEvent.objects.filter(event=AuditEventType.LOCKOUT)
    assert lockouts.exists()
    event = lockouts.first()
    assert (event.actor_name, event.success, event.ip) == ("cs_unit_admin", False, "10.0.0.5")
    assert not AuditEvent.objects.filter(event=AuditEventType.LOGIN).exists()


@pytest.mark.django_db
def test_lockout_is_per_username_not_per_address(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "cs_unit_admin", "wrong-password")
    # a colleague behind the same campus NAT address still gets in
    assert _login(client, "lit_unit_admin", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lockout_ends_30_minutes_after_the_fifth_failure(client, cast):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _login(client, "cs_unit_admin", "wrong-password")
        traveller.shift(timedelta(minutes=29))
        # still locked, even with the right password; trying does not extend the lockout
        assert LOCKED in _login(client, "cs_unit_admin", PASSWORD).content.decode()
        traveller.shift(timedelta(minutes=2))
        assert _login(client, "cs_unit_admin", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_success_resets_the_failure_count(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "cs_unit_admin", "wrong-password")
    assert _login(client, "cs_unit_admin", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "cs_unit_admin", "wrong-password")
    assert _login(client, "cs_unit_admin", PASSWORD).status_code == 302


# --- password rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abcdefghijkl", "密码须包含大写字母、小写字母、数字、符号中的至少三类"),
        ("ABCDEFGH1234", "密码须包含大写字母、小写字母、数字、符号中的至少三类"),
        ("Wangwei-2026", "密码不能包含用户名"),
        ("Password1234", "这个密码太常见了"),
    ],
)
def test_password_rules_reject_with_chinese_messages(password, message):
    user = User(username="wangwei")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    assert any(message in m for m in exc.value.messages), exc.value.messages


def test_short_passwords_are_rejected():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_password("Ab1!xyz", User(username="wangwei"))
    assert any("10" in m for m in exc.value.messages)


def test_short_password_message_is_chinese():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_password("Ab1!xyz", User(username="wangwei"))
    assert "密码" in exc.value.messages[0]


def test_a_good_password_passes():
    validate_password("Xuanchuan-Bu-2026", User(username="wangwei"))


# --- sessions ------------------------------------------------------------------------------


def test_session_settings():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


@pytest.mark.django_db
def test_idle_session_expires_after_30_minutes_and_each_request_renews_it(client, cast):
    home = reverse("home")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert _login(client, "auditor", PASSWORD).status_code == 302
        assert client.get(home).status_code == 200
        traveller.shift(timedelta(minutes=25))
        assert client.get(home).status_code == 200  # renews the session
        traveller.shift(timedelta(minutes=25))
        assert client.get(home).status_code == 200  # 50 minutes after login, 25 idle
        traveller.shift(timedelta(minutes=31))
        response = client.get(home)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@override_settings(SESSION_ABSOLUTE_MAX_SECONDS=2 * 3600)
def test_absolute_cap_ends_an_active_session(client, cast):
    home = reverse("home")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert _login(client, "auditor", PASSWORD).status_code == 302
        for _ in range(5):  # busy for 1 h 40 min: never idle, still in
            traveller.shift(timedelta(minutes=20))
            assert client.get(home).status_code == 200
        traveller.shift(timedelta(minutes=25))  # 2 h 5 min after login
        response = client.get(home, REMOTE_ADDR="10.0.0.8")
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert client.get(home).status_code == 302  # logged out for good
    event = AuditEvent.objects.get(event=AuditEventType.SESSION_EXPIRED)
    assert (event.actor, event.ip) == (cast.auditor, "10.0.0.8")


@pytest.mark.django_db
def test_absolute_cap_by_editing_the_login_time(client, cast):
    _login(client, "auditor", PASSWORD)
    session = client.session
    session[LOGIN_AT_KEY] -= settings.SESSION_ABSOLUTE_MAX_SECONDS + 60
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- headers and deployment ------------------------------------------------------------------


@pytest.mark.django_db
def test_security_headers(client, cast):
    for url in (reverse("login"), reverse("home")):
        if url == reverse("home"):
            client.force_login(cast.auditor)
        response = client.get(url)
        assert response.status_code == 200
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert (
            "script-src 'self'" in csp
            and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        )
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_have_no_inline_scripts(client, cast):
    client.force_login(cast.school_admin)
    for name in (
        "home",
        "orgs:unit_list",
        "orgs:person_list",
        "users:user_list",
        "core:audit_list",
    ):
        html = client.get(reverse(name)).content.decode()
        for chunk in html.split("<script")[1:]:
            assert chunk.split(">", 1)[0].strip().startswith("src="), name


@pytest.mark.django_db
def test_session_cookie_is_http_only(client, cast):
    response = _login(client, "auditor", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 30 * 60


@pytest.fixture(scope="module")
def deploy_check(tmp_path_factory):
    """`manage.py check --deploy` with production settings, a long random secret key and a
    real host name, as an operator would run it. The subprocess reads the real clock, so its
    policy lists a holiday in every year: the holiday-calendar warning (beian.W001), which
    depends on the date, is tested with a frozen date in test_policy.py."""
    folder = tmp_path_factory.mktemp("deploy")
    policy = folder / "policy.toml"
    years = ", ".join(f'"{year}-10-01"' for year in range(2000, 2101))
    policy.write_text(f"[calendar]\nholidays = [{years}]\n", encoding="utf-8")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "example.edu.cn",
        "BEIAN_DATA_DIR": str(folder),
        "BEIAN_POLICY_FILE": str(policy),
        "BEIAN_AUDIT_KEY": secrets.token_urlsafe(32),  # else beian.W101 (auditchain.py)
        "BEIAN_AUDIT_WITNESS": str(folder / "audit-witness.log"),  # else beian.W102
    }
    for leaked in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # set by other test helpers
        env.pop(leaked, None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _issue_ids(result) -> set[str]:
    return set(re.findall(r"\((\w+\.[A-Z]\d+)\)", result.stdout + result.stderr))


def test_deploy_check_finds_nothing_but_the_hsts_preload_choice(deploy_check):
    assert _issue_ids(deploy_check) <= {"security.W021"}, deploy_check.stdout + deploy_check.stderr


def test_deploy_check_reports_no_issues(deploy_check):
    assert deploy_check.returncode == 0, deploy_check.stdout + deploy_check.stderr
    assert "System check identified no issues" in deploy_check.stdout
