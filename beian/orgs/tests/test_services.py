import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from beian.core.choices import AuditEventType
from beian.core.models import AuditEvent
from beian.orgs.choices import PersonKind, PersonStatus, UnitKind
from beian.orgs.models import Person, Unit
from beian.orgs.services import person_create, person_update, unit_create, unit_update
from beian.testing import make_person


def _last_event(obj):
    return AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).first()


@pytest.mark.django_db
class TestUnitCreate:
    def test_school_admin_adds_a_unit_anywhere_and_it_is_audited(self, cast):
        unit = unit_create(
            actor=cast.school_admin,
            name=" 水利学院 ",
            kind=UnitKind.COLLEGE,
            parent=cast.school,
            head=cast.lit_teacher,
        )
        assert unit.name == "水利学院"
        assert unit.name_initials == "slxy"
        event = _last_event(unit)
        assert event.event == AuditEventType.CREATE
        assert event.actor == cast.school_admin
        assert event.detail["changes"]["name"] == [None, "水利学院"]
        assert event.detail["changes"]["head"] == [None, "李老师"]
        assert unit.history.first().history_user == cast.school_admin

    def test_unit_admin_adds_below_their_subtree_only(self, cast):
        unit = unit_create(
            actor=cast.cs_unit_admin, name="网络工程系", kind=UnitKind.DIVISION, parent=cast.se
        )
        assert unit.parent == cast.se
        with pytest.raises(PermissionDenied):
            unit_create(
                actor=cast.cs_unit_admin, name="中文系", kind=UnitKind.DIVISION, parent=cast.lit
            )
        with pytest.raises(PermissionDenied):
            unit_create(actor=cast.cs_unit_admin, name="新学校", kind=UnitKind.SCHOOL)

    def test_unit_admin_cannot_create_second_level_kinds(self, cast):
        with pytest.raises(PermissionDenied):
            unit_create(
                actor=cast.cs_unit_admin, name="人工智能学院", kind=UnitKind.COLLEGE, parent=cast.cs
            )

    def test_unit_admin_picks_the_head_among_people_they_see(self, cast):
        with pytest.raises(PermissionDenied):
            unit_create(
                actor=cast.cs_unit_admin,
                name="网络工程系",
                kind=UnitKind.DIVISION,
                parent=cast.cs,
                head=cast.lit_teacher,
            )
        unit = unit_create(
            actor=cast.cs_unit_admin,
            name="网络工程系",
            kind=UnitKind.DIVISION,
            parent=cast.cs,
            head=cast.cs_head,
        )
        assert unit.head == cast.cs_head

    @pytest.mark.parametrize(
        "who", ["leader", "auditor", "lit_operator", "nobody", "league_approver"]
    )
    def test_other_roles_cannot_create(self, cast, who):
        with pytest.raises(PermissionDenied):
            unit_create(
                actor=getattr(cast, who), name="某系", kind=UnitKind.DIVISION, parent=cast.cs
            )
        assert not Unit.objects.filter(name="某系").exists()

    def test_invalid_rows_are_refused_with_readable_messages(self, cast):
        with pytest.raises(ValidationError) as exc:
            unit_create(actor=cast.school_admin, name="软件工程系", kind="division", parent=cast.cs)
        assert "同一上级单位下已有同名单位" in str(exc.value)
        with pytest.raises(ValidationError) as exc:
            unit_create(actor=cast.school_admin, name="孤儿单位", kind=UnitKind.COLLEGE)
        assert "请选择上级单位" in str(exc.value)
        assert not AuditEvent.objects.filter(event=AuditEventType.CREATE).exists()


@pytest.mark.django_db
class TestUnitUpdate:
    def test_changes_are_saved_and_audited_with_before_and_after(self, cast):
        unit_update(
            actor=cast.school_admin,
            unit=cast.lit,
            data={"short_name": "文院", "head": cast.lit_teacher},
        )
        cast.lit.refresh_from_db()
        assert cast.lit.short_name == "文院"
        event = _last_event(cast.lit)
        assert event.event == AuditEventType.UPDATE
        assert event.detail["changes"] == {"short_name": ["", "文院"], "head": [None, "李老师"]}

    def test_no_change_writes_nothing(self, cast):
        unit_update(actor=cast.school_admin, unit=cast.lit, data={"name": "文学院"})
        assert _last_event(cast.lit) is None

    def test_unit_admin_edits_inside_subtree_and_keeps_parent(self, cast):
        unit_update(actor=cast.cs_unit_admin, unit=cast.cs, data={"short_name": "计算机"})
        unit_update(actor=cast.cs_unit_admin, unit=cast.se, data={"name": "软件工程系（新）"})
        with pytest.raises(PermissionDenied):
            unit_update(actor=cast.cs_unit_admin, unit=cast.lit, data={"short_name": "x"})
        with pytest.raises(PermissionDenied):
            unit_update(actor=cast.cs_unit_admin, unit=cast.se, data={"parent": cast.lit})
        with pytest.raises(PermissionDenied):
            unit_update(actor=cast.cs_unit_admin, unit=cast.se, data={"kind": UnitKind.COLLEGE})

    def test_a_unit_cannot_be_moved_below_itself(self, cast):
        with pytest.raises(ValidationError):
            unit_update(actor=cast.school_admin, unit=cast.cs, data={"parent": cast.se})

    def test_unknown_fields_are_a_programming_error(self, cast):
        with pytest.raises(TypeError):
            unit_update(actor=cast.school_admin, unit=cast.cs, data={"name_pinyin": "x"})


@pytest.mark.django_db
class TestPersonCreate:
    def test_mobile_is_normalised_and_personal_data_is_masked_in_the_log(self, cast):
        person = person_create(
            actor=cast.cs_unit_admin,
            name="赵老师",
            unit=cast.se,
            number="T900001",
            mobile="+86 139-0000-2222",
            email="zhao@ncwu.edu.cn",
            qq="987654321",
        )
        assert person.mobile == "13900002222"
        changes = _last_event(person).detail["changes"]
        assert changes["mobile"] == ["", "139****2222"]
        assert changes["qq"] == ["", "98****21"]
        assert changes["email"] == ["", "z****@ncwu.edu.cn"]
        assert changes["unit"] == [None, "软件工程系"]

    def test_invalid_mobile_and_duplicate_number_are_refused(self, cast):
        with pytest.raises(ValidationError) as exc:
            person_create(actor=cast.school_admin, name="甲", unit=cast.cs, mobile="12345")
        assert "不是有效的手机号码" in str(exc.value)
        with pytest.raises(ValidationError) as exc:
            person_create(
                actor=cast.school_admin, name="乙", unit=cast.cs, number=cast.cs_head.number
            )
        assert "工号/学号已存在" in str(exc.value)

    def test_unit_admin_only_in_their_subtree(self, cast):
        with pytest.raises(PermissionDenied):
            person_create(actor=cast.cs_unit_admin, name="丙", unit=cast.lit)
        for who in ("leader", "auditor", "lit_operator", "nobody"):
            with pytest.raises(PermissionDenied):
                person_create(actor=getattr(cast, who), name="丁", unit=cast.lit)
        assert not Person.objects.filter(name__in=["丙", "丁"]).exists()


@pytest.mark.django_db
class TestPersonUpdate:
    def test_update_and_audit(self, cast):
        person_update(
            actor=cast.lit_unit_admin,
            person=cast.lit_student,
            data={"status": PersonStatus.GRADUATED, "kind": PersonKind.STUDENT, "post": "班长"},
        )
        cast.lit_student.refresh_from_db()
        assert cast.lit_student.status == PersonStatus.GRADUATED
        assert _last_event(cast.lit_student).detail["changes"] == {
            "post": ["", "班长"],
            "status": ["in_post", "graduated"],
        }

    def test_moving_out_of_the_subtree_is_refused(self, cast):
        with pytest.raises(PermissionDenied):
            person_update(
                actor=cast.lit_unit_admin, person=cast.lit_student, data={"unit": cast.cs}
            )
        with pytest.raises(PermissionDenied):
            person_update(actor=cast.cs_unit_admin, person=cast.lit_student, data={"post": "x"})
        person_update(actor=cast.school_admin, person=cast.lit_student, data={"unit": cast.cs})
        cast.lit_student.refresh_from_db()
        assert cast.lit_student.unit == cast.cs

    def test_clearing_a_mobile_is_allowed(self, cast):
        person = make_person("钱老师", unit=cast.cs, mobile="13812345678")
        person_update(actor=cast.school_admin, person=person, data={"mobile": ""})
        person.refresh_from_db()
        assert person.mobile == ""
