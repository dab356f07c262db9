"""Signing in through the school's identity, without a server: attribute mapping, the
roster sync through the orgs services (audited), leavers refused and flagged, the no-role
page, derived roles, and the environment settings of both CAS families."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from beian.core.models import AuditEvent
from beian.core.policy import get_policy, policy_from_toml
from beian.identity.attributes import read_identity
from beian.identity.services import sign_in
from beian.identity.sso_settings import cas_settings, sso_settings
from beian.notify.models import Notification
from beian.orgs.choices import PersonKind, PersonStatus, UnitKind
from beian.orgs.models import Person
from beian.testing import make_person, make_unit, make_user
from beian.users.choices import Role
from beian.users.models import User

pytestmark = pytest.mark.django_db

ATTRS = {"cn": ["林晓"], "deptCode": "0301", "ryfldm": "教职工", "ryzxztdm": "在职"}


@pytest.fixture
def school():
    root = make_unit("示例大学", kind=UnitKind.SCHOOL)
    return {
        "root": root,
        "water": make_unit("水利学院", parent=root, code="0301"),
        "info": make_unit("信息学院", parent=root, code="0302"),
    }


def test_attributes_are_read_by_the_policy_names():
    policy = policy_from_toml(
        """
[identity]
number_attribute = "gh"
unit_attribute = "dwdm"
kind_attribute = "rylb"
status_attribute = "zt"
kind_values = { "1" = "staff", "2" = "student" }
status_values = { "01" = "in_post", "05" = "graduated" }
"""
    )
    identity = read_identity(
        protocol="cas",
        username="linx",
        attributes={"gh": ["20150001"], "CN": "林晓", "dwdm": "0301", "rylb": "2", "zt": "05"},
        policy=policy,
    )
    assert (identity.number, identity.name, identity.unit_code) == ("20150001", "林晓", "0301")
    assert (identity.kind, identity.status) == ("student", "graduated")
    unknown = read_identity(protocol="cas", username="x", attributes={"zt": "99"}, policy=policy)
    assert unknown.status == "" and unknown.raw_status == "99"


def test_first_sign_in_links_the_roster_person_and_moves_them_to_the_unit_of_the_identity(
    school,
):
    person = make_person("林晓", unit=school["info"], number="20150001")
    user = sign_in(protocol="cas", username="20150001", attributes=ATTRS)
    person.refresh_from_db()
    assert user.person == person and user.display_name == "林晓"
    assert not user.has_usable_password() and not user.role_set
    assert person.unit == school["water"]
    moved = AuditEvent.objects.get(object_type="orgs.Person", object_id=str(person.pk))
    assert moved.actor == user and moved.detail["source"] == "cas"
    assert moved.detail["changes"]["unit"] == ["信息学院", "水利学院"]
    created = AuditEvent.objects.get(object_type="users.User", event="create")
    assert created.detail["source"] == "cas"


def test_a_second_sign_in_with_nothing_new_writes_nothing(school):
    make_person("林晓", unit=school["water"], number="20150001")
    sign_in(protocol="cas", username="20150001", attributes=ATTRS)
    count = AuditEvent.objects.count()
    sign_in(protocol="cas", username="20150001", attributes=ATTRS)
    assert AuditEvent.objects.count() == count


def test_someone_not_on_the_roster_is_added_to_the_unit_of_the_identity(school):
    user = sign_in(protocol="oidc", username="20150009", attributes={**ATTRS, "cn": "新老师"})
    person = Person.objects.get(number="20150009")
    assert user.person == person
    assert (person.name, person.unit, person.kind) == ("新老师", school["water"], "staff")


def test_a_graduate_is_refused_with_a_clear_message_and_their_roles_are_flagged(
    school, django_capture_on_commit_callbacks
):
    admin = make_user("xcb", role=Role.SCHOOL_ADMIN)
    person = make_person("赵一鸣", unit=school["water"], number="2022110101", kind="student")
    student = make_user("2022110101", person=person, role=Role.OPERATOR)
    request = RequestFactory().get("/identity/cas/login/")
    attrs = {"cn": "赵一鸣", "deptCode": "0301", "ryfldm": "学生", "ryzxztdm": "毕业"}
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PermissionDenied) as refused,
    ):
        sign_in(protocol="cas", username="2022110101", attributes=attrs, request=request)
    assert "毕业" in refused.value.message and "不能再登录" in refused.value.message
    person.refresh_from_db()
    assert person.status == PersonStatus.GRADUATED
    assert request.beian_identity_refusal["flagged"] is True
    note = Notification.objects.get(recipient=admin)
    assert "赵一鸣" in note.text and "运营者" in note.text
    assert note.link == f"/users/{student.pk}/"
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        sign_in(protocol="cas", username="2022110101", attributes=attrs)
    assert Notification.objects.filter(recipient=admin).count() == 1


def test_someone_the_roster_already_marks_as_left_is_refused_without_a_status_attribute(school):
    make_person("钱老师", unit=school["water"], number="19990001", status=PersonStatus.LEFT)
    with pytest.raises(PermissionDenied):
        sign_in(protocol="ldap", username="19990001", attributes={"cn": "钱老师"})
    assert not Notification.objects.exists()  # no roles to flag


def test_roles_derived_from_an_attribute_are_granted_once_and_audited(school, policy_file):
    policy_file(
        """
[identity]
role_attribute = "memberOf"
role_values = { "xcb" = "school_admin", "dwgly" = "unit_admin" }
"""
    )
    make_person("林晓", unit=school["water"], number="20150001")
    attrs = {**ATTRS, "memberOf": ["dwgly", "other"]}
    user = sign_in(protocol="cas", username="20150001", attributes=attrs)
    user = User.objects.get(pk=user.pk)
    assert [(a.role, a.unit) for a in user.role_assignments] == [(Role.UNIT_ADMIN, school["water"])]
    granted = AuditEvent.objects.get(event="role_granted")
    assert granted.detail["source"] == "cas"
    sign_in(protocol="cas", username="20150001", attributes=attrs)
    assert user.roles.count() == 1


def test_the_no_role_page_names_the_unit_admins_and_the_school_admins(client, school):
    make_user("xcb", role=Role.SCHOOL_ADMIN, name="宣传部王老师")
    make_user("water_admin", role=Role.UNIT_ADMIN, unit=school["water"], name="水院刘老师")
    make_user("info_admin", role=Role.UNIT_ADMIN, unit=school["info"], name="信院陈老师")
    make_person("林晓", unit=school["water"], number="20150001")
    user = sign_in(protocol="cas", username="20150001", attributes=ATTRS)
    client.force_login(user)
    page = client.get("/identity/no-role/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "宣传部王老师" in text and "水院刘老师" in text and "信院陈老师" not in text


def test_the_login_page_shows_the_sign_on_button_first_when_cas_is_configured(client, settings):
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "beian.identity.backends.CASBackend",
    ]
    settings.BEIAN_SSO_PROTOCOL = "cas"
    settings.BEIAN_SSO_LABEL = ""
    text = client.get("/login/").content.decode()
    assert get_policy().identity.button_label == "统一身份认证登录"
    assert text.index("统一身份认证登录") < text.index('name="password"')
    assert 'href="/identity/cas/login/"' in text


def test_without_sign_on_the_login_page_is_the_password_form_only(client):
    text = client.get("/login/").content.decode()
    assert "统一身份认证登录" not in text
    assert client.get("/identity/cas/login/").status_code == 404
    assert client.get("/oidc/authenticate/").status_code == 404


@pytest.mark.parametrize(
    ("env", "server_url", "version"),
    [
        ({"BEIAN_CAS_SERVER_URL": "https://authserver.x.edu.cn/authserver"},
         "https://authserver.x.edu.cn/authserver/", "2"),
        ({"BEIAN_CAS_SERVER_URL": "https://ids.x.edu.cn", "BEIAN_CAS_FAMILY": "jinzhi"},
         "https://ids.x.edu.cn/authserver/", "2"),
        ({"BEIAN_CAS_SERVER_URL": "https://cas.x.edu.cn/cas/"}, "https://cas.x.edu.cn/cas/", "3"),
        ({"BEIAN_CAS_SERVER_URL": "https://cas.x.edu.cn/cas", "BEIAN_CAS_VERSION": "CAS_2_SAML_1_0"},
         "https://cas.x.edu.cn/cas/", "CAS_2_SAML_1_0"),
    ],
)  # fmt: skip
def test_both_cas_families_are_configured_from_the_environment(env, server_url, version):
    values = cas_settings(env)
    assert (values["CAS_SERVER_URL"], values["CAS_VERSION"]) == (server_url, version)


def test_sso_settings_name_the_backends_and_the_button_protocol():
    values = sso_settings(
        {
            "BEIAN_CAS_SERVER_URL": "https://cas.x.edu.cn/cas/",
            "BEIAN_CAS_ROOT_URL": "https://beian.x.edu.cn/",
        }
    )
    assert values["BEIAN_SSO_BACKENDS"] == ["beian.identity.backends.CASBackend"]
    assert values["BEIAN_SSO_PROTOCOL"] == "cas"
    assert values["CAS_ROOT_PROXIED_AS"] == "https://beian.x.edu.cn"
    assert sso_settings({})["BEIAN_SSO_BACKENDS"] == []


def test_person_kind_values_match_the_roster_choices():
    assert set(get_policy().identity.kind_values.values()) <= set(PersonKind.values)
    assert set(get_policy().identity.status_values.values()) <= set(PersonStatus.values)


def test_a_person_with_a_local_login_signs_in_to_that_login(school):
    person = make_person("林晓", unit=school["water"], number="20150001")
    local = make_user("linxiao", person=person, role=Role.OPERATOR)
    user = sign_in(protocol="cas", username="20150001", attributes=ATTRS)
    assert user == local
    assert not User.objects.filter(username="20150001").exists()


def test_a_login_of_another_person_is_not_relinked(school):
    person = make_person("林晓", unit=school["water"], number="20150001")
    make_user("linxiao", person=person)
    make_user("20150001")  # an older login with the same name, not linked
    user = sign_in(protocol="cas", username="20150001", attributes=ATTRS)
    assert user.username == "20150001" and user.person is None
    assert User.objects.get(username="linxiao").person == person


def test_attributes_that_cannot_be_stored_refuse_with_the_field_named(school):
    request = RequestFactory().get("/identity/cas/login/")
    with pytest.raises(PermissionDenied) as refused:
        sign_in(
            protocol="cas",
            username="20150009",
            attributes={**ATTRS, "email": "not-an-address"},
            request=request,
        )
    assert "email" in refused.value.message and "无法写入" in refused.value.message
    assert request.beian_identity_refusal["message"] == refused.value.message
    assert not User.objects.filter(username="20150009").exists()


def test_session_tickets_of_ended_sessions_are_forgotten(client, school):
    from django_cas_ng.models import SessionTicket

    from beian.identity.tasks import clean_cas_session_tickets

    user = make_user("someone")
    client.force_login(user)
    live = SessionTicket.objects.create(session_key=client.session.session_key, ticket="ST-1")
    SessionTicket.objects.create(session_key="gone-long-ago", ticket="ST-2")
    clean_cas_session_tickets()
    assert list(SessionTicket.objects.all()) == [live]
