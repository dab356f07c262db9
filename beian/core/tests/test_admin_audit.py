"""The Django admin on the one audit path (issue 9, finding 1): superusers only, and every
write there leaves an audit row with its masked before → after; django_admin_log unused."""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from beian.core.adminaudit import AuditedAdminMixin
from beian.core.models import AuditEvent
from beian.orgs.models import Person
from beian.registry.models import MediaAccount
from beian.testing import make_person, make_user
from beian.users.choices import Role
from beian.users.models import RoleAssignment, User


class _FormFields(HTMLParser):
    """The values a browser would submit from the page's main form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None
        self._selected = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if a.get("type") in ("checkbox", "radio") else ""
            self.data.setdefault(name, []).append(a.get("value", default))
        elif tag == "select" and name:
            self._select, self._selected = name, False
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def _form(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    parser = _FormFields()
    parser.feed(response.content.decode())
    return {k: v for k, v in parser.data.items() if k != "csrfmiddlewaretoken"}


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.edu.cn", "Root-Pass-2026!")


def _admin_rows():
    return AuditEvent.objects.filter(detail__via="django-admin").order_by("id")


@pytest.mark.django_db
def test_a_mobile_changed_in_the_admin_is_audited_masked(client, cast, root):
    client.force_login(root)
    person = cast.cs_head
    url = reverse("admin:orgs_person_change", args=[person.pk])
    data = _form(client, url)
    data["mobile"] = ["13912345678"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.mobile == "13912345678"
    row = _admin_rows().get(object_type="orgs.Person")
    assert row.event == "update" and row.actor_id == root.pk
    assert row.detail["changes"]["mobile"] == ["138****1234", "139****5678"]
    assert "13912345678" not in str(row.detail) and "13812341234" not in str(row.detail)
    assert LogEntry.objects.count() == 0


@pytest.mark.django_db
def test_a_role_granted_through_the_user_inline_is_audited(client, cast, root):
    client.force_login(root)
    user = cast.nobody
    url = reverse("admin:users_user_change", args=[user.pk])
    data = _form(client, url)
    prefix = (
        "roles"
        if "roles-TOTAL_FORMS" in data
        else next(k[: -len("-TOTAL_FORMS")] for k in data if k.endswith("-TOTAL_FORMS"))
    )
    total = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(total + 1)]
    data[f"{prefix}-{total}-role"] = [Role.SCHOOL_ADMIN]
    data[f"{prefix}-{total}-user"] = [str(user.pk)]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert RoleAssignment.objects.filter(user=user, role=Role.SCHOOL_ADMIN).exists()
    row = _admin_rows().get(event="role_granted")
    assert row.object_type == "users.RoleAssignment" and row.actor_name == "root"
    assert row.detail["changes"]["role"][1] == Role.SCHOOL_ADMIN
    assert row.detail["parent"] == str(user)


@pytest.mark.django_db
def test_an_account_moved_to_another_unit_in_the_admin_is_audited(client, cast, root):
    client.force_login(root)
    account = cast.cs_account
    url = reverse("admin:registry_mediaaccount_change", args=[account.pk])
    data = _form(client, url)
    data["owner_unit"] = [str(cast.lit.pk)]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert MediaAccount.objects.get(pk=account.pk).owner_unit_id == cast.lit.pk
    row = _admin_rows().get(object_type="registry.MediaAccount")
    assert row.detail["changes"]["owner_unit"] == [str(cast.cs), str(cast.lit)]


@pytest.mark.django_db
def test_a_delete_in_the_admin_is_audited(client, cast, root):
    client.force_login(root)
    person = make_person("临时人员", unit=cast.lit, mobile="13700001111")
    pk = person.pk
    url = reverse("admin:orgs_person_delete", args=[pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Person.objects.filter(pk=pk).exists()
    row = _admin_rows().get(event="delete")
    assert row.object_id == str(pk) and row.object_type == "orgs.Person"
    assert row.detail["changes"]["mobile"] == ["137****1111", None]


@pytest.mark.django_db
def test_only_superusers_enter_the_admin(client, cast):
    staff = make_user("staffer", role=Role.SCHOOL_ADMIN)
    staff.is_staff = True
    staff.save()
    for user in (staff, cast.school_admin):
        client.force_login(user)
        response = client.get(reverse("admin:orgs_person_changelist"))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_every_model_admin_is_on_the_audit_path():
    assert admin.site._registry
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedAdminMixin), model._meta.label


@pytest.mark.django_db
def test_an_admin_write_is_announced_like_a_service_write(client, cast, root, monkeypatch):
    """Compliance re-checks and the public index refresh listen to `records_changed`: an
    account changed in the admin reaches them as one changed through the pages does."""
    from beian.core import hooks

    heard = []
    monkeypatch.setattr(hooks, "_listeners", [*hooks._listeners, lambda **kw: heard.append(kw)])
    client.force_login(root)
    account = cast.cs_account
    url = reverse("admin:registry_mediaaccount_change", args=[account.pk])
    data = _form(client, url)
    data["name"] = ["计算机学院新媒体中心"]
    assert client.post(url, data).status_code == 302
    assert any(kw["accounts"] == [account.pk] for kw in heard), heard
