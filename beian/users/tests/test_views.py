import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from beian.core.choices import AuditEventType
from beian.core.models import AuditEvent
from beian.testing import make_user
from beian.users.choices import Role
from beian.users.models import RoleAssignment, User

OTHERS = (
    "leader",
    "league_approver",
    "cs_unit_admin",
    "lit_unit_admin",
    "lit_operator",
    "auditor",
    "nobody",
)


def _urls(cast):
    assignment = cast.lit_operator.roles.get()
    return [
        reverse("users:user_list"),
        reverse("users:user_create"),
        reverse("users:user_detail", args=[cast.lit_operator.pk]),
        reverse("users:role_grant", args=[cast.lit_operator.pk]),
        reverse("users:role_revoke", args=[cast.lit_operator.pk, assignment.pk]),
    ]


def test_login_and_logout_keep_their_global_names():
    assert reverse("login") == "/login/"
    assert reverse("logout") == "/logout/"
    assert reverse("users:user_list") == "/users/"
    with pytest.raises(NoReverseMatch):
        reverse("users:login")


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client, cast):
    for url in _urls(cast):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("who", OTHERS)
def test_only_school_admins_manage_users(client, cast, who):
    client.force_login(getattr(cast, who))
    for url in _urls(cast):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"role": "school_admin"}).status_code == 403, url
    assert not RoleAssignment.objects.filter(user=cast.lit_operator, role="school_admin").exists()
    assert cast.lit_operator.roles.exists()


@pytest.mark.django_db
def test_school_admin_sees_every_page(client, cast):
    client.force_login(cast.school_admin)
    for url in _urls(cast):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("users:user_detail", args=[99999])).status_code == 404
    assert client.get(reverse("users:role_revoke", args=[cast.nobody.pk, 99999])).status_code == 404
    # an assignment must belong to the user in the URL
    other = cast.leader.roles.get()
    assert (
        client.get(reverse("users:role_revoke", args=[cast.nobody.pk, other.pk])).status_code == 404
    )


@pytest.mark.django_db
def test_user_list_shows_roles_with_a_fixed_number_of_queries(client, cast):
    client.force_login(cast.school_admin)
    response = client.get(reverse("users:user_list"))
    content = response.content.decode()
    assert "二级单位管理员（计算机学院）" in content
    assert "未分配角色" in content
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("users:user_list"))
    for i in range(10):
        make_user(f"extra{i}", role=Role.UNIT_ADMIN, unit=cast.lit)
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("users:user_list"))
    assert len(after) == len(before)


@pytest.mark.django_db
def test_user_list_filters(client, cast):
    client.force_login(cast.school_admin)
    response = client.get(reverse("users:user_list"), {"role": "unit_admin"})
    assert {u.username for u in response.context["table"].data} == {
        "cs_unit_admin",
        "lit_unit_admin",
    }
    response = client.get(reverse("users:user_list"), {"q": "团委"})
    assert [u.username for u in response.context["table"].data] == ["league_approver"]


@pytest.mark.django_db
def test_create_a_user(client, cast):
    client.force_login(cast.school_admin)
    form = client.get(reverse("users:user_create")).context["form"]
    assert cast.lit_teacher not in form.fields["person"].queryset  # already has a login
    assert cast.cs_head in form.fields["person"].queryset
    response = client.post(
        reverse("users:user_create"),
        {
            "username": "zhangsj",
            "display_name": "张书记",
            "person": cast.cs_head.pk,
            "password1": "Jisuanji-2026",
            "password2": "Jisuanji-2026",
        },
    )
    user = User.objects.get(username="zhangsj")
    assert response.status_code == 302
    assert response.url == reverse("users:user_detail", args=[user.pk])
    assert user.person == cast.cs_head


@pytest.mark.django_db
def test_create_a_user_with_a_bad_password_shows_chinese_errors(client, cast):
    client.force_login(cast.school_admin)
    data = {"username": "zhangsj", "password1": "zhangsj-abcdef", "password2": "zhangsj-abcdef"}
    response = client.post(reverse("users:user_create"), data)
    errors = response.context["form"].errors["password1"]
    assert "密码须包含大写字母、小写字母、数字、符号中的至少三类" in errors
    assert "密码不能包含用户名" in errors
    response = client.post(
        reverse("users:user_create"),
        {"username": "zhangsj", "password1": "Jisuanji-2026", "password2": "Jisuanji-2027"},
    )
    assert "两次输入的密码不一致" in response.context["form"].errors["password2"]
    response = client.post(
        reverse("users:user_create"),
        {"username": "leader", "password1": "Jisuanji-2026", "password2": "Jisuanji-2026"},
    )
    assert "username" in response.context["form"].errors
    assert not User.objects.filter(username="zhangsj").exists()


@pytest.mark.django_db
def test_grant_and_revoke_from_the_pages(client, cast):
    client.force_login(cast.school_admin)
    response = client.post(
        reverse("users:role_grant", args=[cast.nobody.pk]),
        {"role": "unit_admin", "unit": cast.lit.pk},
    )
    assert response.status_code == 302
    assignment = cast.nobody.roles.get()
    assert (assignment.role, assignment.unit) == ("unit_admin", cast.lit)
    detail = client.get(reverse("users:user_detail", args=[cast.nobody.pk])).content.decode()
    assert "二级单位管理员" in detail and "文学院" in detail
    url = reverse("users:role_revoke", args=[cast.nobody.pk, assignment.pk])
    assert "确定撤销" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert not cast.nobody.roles.exists()
    events = list(
        AuditEvent.objects.filter(event__in=["role_granted", "role_revoked"]).values_list(
            "event", flat=True
        )
    )
    assert sorted(events) == ["role_granted", "role_revoked"]


@pytest.mark.django_db
def test_grant_form_errors(client, cast):
    client.force_login(cast.school_admin)
    url = reverse("users:role_grant", args=[cast.nobody.pk])
    response = client.post(url, {"role": "unit_admin"})
    assert response.status_code == 400
    assert "须指定管辖单位" in response.content.decode()
    response = client.post(url, {"role": "auditor", "unit": cast.cs.pk})
    assert "不限定单位" in response.content.decode()
    response = client.post(reverse("users:role_grant", args=[cast.leader.pk]), {"role": "leader"})
    assert "该用户已有此角色" in response.content.decode()
    assert not cast.nobody.roles.exists()


@pytest.mark.django_db
def test_last_school_admin_gets_a_clear_message(client, cast):
    client.force_login(cast.school_admin)
    assignment = cast.school_admin.roles.get()
    response = client.post(
        reverse("users:role_revoke", args=[cast.school_admin.pk, assignment.pk]), follow=True
    )
    assert "您是最后一位学校管理员" in response.content.decode()
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert not AuditEvent.objects.filter(event=AuditEventType.ROLE_REVOKED).exists()
