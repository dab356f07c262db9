import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError

from beian.core.choices import AuditEventType
from beian.core.models import AuditEvent
from beian.testing import make_user
from beian.users.choices import Role
from beian.users.models import RoleAssignment, User
from beian.users.services import role_grant, role_revoke, user_create

GOOD_PASSWORD = "Xuanchuan-2026"


@pytest.mark.django_db
class TestUserCreate:
    def test_school_admin_creates_a_user_linked_to_a_person(self, cast):
        user = user_create(
            actor=cast.school_admin,
            username="zhang",
            password=GOOD_PASSWORD,
            display_name="张书记",
            person=cast.cs_head,
        )
        assert user.person == cast.cs_head
        assert user.check_password(GOOD_PASSWORD)
        assert not user.roles.exists()
        event = AuditEvent.objects.get(event=AuditEventType.CREATE, object_type="users.User")
        assert event.actor == cast.school_admin
        assert event.detail["username"] == "zhang"
        assert GOOD_PASSWORD not in str(event.detail)

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("Ab1!", "10"),
            ("abcdefghijkl", "至少三类"),
            ("wang-Xiaoming1", "不能包含用户名"),
        ],
    )
    def test_weak_passwords_are_refused_in_chinese(self, cast, password, message):
        with pytest.raises(ValidationError) as exc:
            user_create(actor=cast.school_admin, username="wang", password=password)
        assert any(message in m for m in exc.value.messages), exc.value.messages
        assert not User.objects.filter(username="wang").exists()

    def test_too_short_password_message_is_chinese(self, cast):
        with pytest.raises(ValidationError) as exc:
            user_create(actor=cast.school_admin, username="wang", password="Ab1!")
        assert "密码" in exc.value.messages[0]

    def test_duplicate_username(self, cast):
        with pytest.raises(ValidationError):
            user_create(actor=cast.school_admin, username="leader", password=GOOD_PASSWORD)

    @pytest.mark.parametrize("who", ["leader", "cs_unit_admin", "auditor", "nobody"])
    def test_only_school_admins(self, cast, who):
        with pytest.raises(PermissionDenied):
            user_create(actor=getattr(cast, who), username="x1", password=GOOD_PASSWORD)


@pytest.mark.django_db
class TestRoleGrant:
    def test_grant_a_unit_role_widens_the_scope_and_is_audited(self, cast):
        assignment = role_grant(
            actor=cast.school_admin, user=cast.nobody, role=Role.UNIT_ADMIN, unit=cast.cs
        )
        assert assignment.granted_by == cast.school_admin
        fresh = User.objects.get(pk=cast.nobody.pk)
        assert fresh.scoped_unit_ids == {cast.cs.pk, cast.se.pk}
        event = AuditEvent.objects.get(event=AuditEventType.ROLE_GRANTED)
        assert (event.actor, event.object_id) == (cast.school_admin, str(cast.nobody.pk))
        assert event.detail["role"] == "unit_admin"
        assert event.detail["unit"] == "计算机学院"

    def test_unit_roles_need_a_unit_and_global_roles_must_not_have_one(self, cast):
        for role in (Role.UNIT_ADMIN, Role.LEAGUE_APPROVER):
            with pytest.raises(ValidationError) as exc:
                role_grant(actor=cast.school_admin, user=cast.nobody, role=role)
            assert "须指定管辖单位" in str(exc.value)
        for role in (Role.SCHOOL_ADMIN, Role.LEADER, Role.AUDITOR, Role.OPERATOR):
            with pytest.raises(ValidationError) as exc:
                role_grant(actor=cast.school_admin, user=cast.nobody, role=role, unit=cast.cs)
            assert "不限定单位" in str(exc.value)
        assert not cast.nobody.roles.exists()
        assert not AuditEvent.objects.filter(event=AuditEventType.ROLE_GRANTED).exists()

    def test_the_same_role_twice_is_refused(self, cast):
        with pytest.raises(ValidationError) as exc:
            role_grant(actor=cast.school_admin, user=cast.leader, role=Role.LEADER)
        assert "已有此角色" in str(exc.value)
        with pytest.raises(ValidationError):
            role_grant(
                actor=cast.school_admin, user=cast.cs_unit_admin, role=Role.UNIT_ADMIN, unit=cast.cs
            )
        role_grant(
            actor=cast.school_admin, user=cast.cs_unit_admin, role=Role.UNIT_ADMIN, unit=cast.lit
        )

    def test_unknown_role(self, cast):
        with pytest.raises(ValidationError):
            role_grant(actor=cast.school_admin, user=cast.nobody, role="dean")

    @pytest.mark.parametrize("who", ["leader", "cs_unit_admin", "auditor", "lit_operator"])
    def test_only_school_admins_grant(self, cast, who):
        with pytest.raises(PermissionDenied):
            role_grant(actor=getattr(cast, who), user=cast.nobody, role=Role.SCHOOL_ADMIN)
        assert not cast.nobody.roles.exists()


@pytest.mark.django_db
class TestRoleRevoke:
    def test_revoke_is_audited_and_takes_effect(self, cast):
        assignment = cast.cs_unit_admin.roles.get()
        role_revoke(actor=cast.school_admin, assignment=assignment)
        assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
        event = AuditEvent.objects.get(event=AuditEventType.ROLE_REVOKED)
        assert event.object_id == str(cast.cs_unit_admin.pk)
        assert event.detail == {
            "role": "unit_admin",
            "role_label": "二级单位管理员",
            "unit_id": cast.cs.pk,
            "unit": "计算机学院",
        }
        assert User.objects.get(pk=cast.cs_unit_admin.pk).scoped_unit_ids == frozenset()

    def test_the_last_school_admin_cannot_revoke_their_own_role(self, cast):
        assignment = cast.school_admin.roles.get(role=Role.SCHOOL_ADMIN)
        with pytest.raises(ValidationError) as exc:
            role_revoke(actor=cast.school_admin, assignment=assignment)
        assert "最后一位学校管理员" in exc.value.messages[0]
        assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
        assert not AuditEvent.objects.filter(event=AuditEventType.ROLE_REVOKED).exists()

    def test_with_a_second_school_admin_one_may_step_down(self, cast):
        second = make_user("second_admin", role=Role.SCHOOL_ADMIN)
        role_revoke(actor=cast.school_admin, assignment=cast.school_admin.roles.get())
        assert not cast.school_admin.roles.exists()
        # the remaining one is now the last
        with pytest.raises(ValidationError):
            role_revoke(actor=second, assignment=second.roles.get())

    def test_an_inactive_school_admin_does_not_count(self, cast):
        make_user("retired_admin", role=Role.SCHOOL_ADMIN, is_active=False)
        with pytest.raises(ValidationError):
            role_revoke(actor=cast.school_admin, assignment=cast.school_admin.roles.get())

    def test_only_school_admins_revoke(self, cast):
        with pytest.raises(PermissionDenied):
            role_revoke(actor=cast.leader, assignment=cast.lit_operator.roles.get())


@pytest.mark.django_db
def test_created_user_can_log_in(cast, rf):
    user_create(actor=cast.school_admin, username="newbie", password=GOOD_PASSWORD)
    request = rf.post("/login/")
    assert authenticate(request, username="newbie", password=GOOD_PASSWORD) is not None
