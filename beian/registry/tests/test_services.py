from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from beian.core.history import history_entries
from beian.core.models import AuditEvent
from beian.orgs.choices import UnitKind
from beian.registry import services
from beian.registry.choices import AccountStatus, GroupStatus, Tier
from beian.registry.models import AccountMember, ChatGroup, MediaAccount
from beian.testing import make_account, make_person, make_unit, platform

pytestmark = pytest.mark.django_db


def account_data(unit, **kw):
    data = {
        "platform": platform("wechat_official"),
        "name": "计算机学院学生会",
        "external_id": "ncwu_cs_su",
        "owner_unit": unit,
        "created_month": date(2021, 9, 1),
    }
    data.update(kw)
    return data


def group_data(unit, **kw):
    data = {
        "platform": platform("qq_group"),
        "name": "计算机学院辅导员群",
        "group_number": "87654321",
        "owner_unit": unit,
        "member_count": 30,
    }
    data.update(kw)
    return data


def audit_rows(obj, event=None):
    rows = AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))
    return rows.filter(event=event) if event else rows


# --- creating accounts ---------------------------------------------------------------


def test_create_derives_the_tier_from_the_owning_unit(cast):
    college = services.account_create(actor=cast.school_admin, data=account_data(cast.cs))
    division = services.account_create(
        actor=cast.school_admin,
        data=account_data(cast.se, name="软件工程系学生会", external_id="ncwu_se_su"),
    )
    school = services.account_create(
        actor=cast.school_admin,
        data=account_data(cast.school, name="华北水利水电大学", external_id="ncwu1951"),
    )
    assert (college.tier, division.tier, school.tier) == (Tier.TWO, Tier.THREE, Tier.ONE)
    assert college.created_by == cast.school_admin
    assert college.tier_override_reason == ""


def test_a_personal_account_is_tier_three_even_in_a_college(cast):
    account = services.account_create(
        actor=cast.cs_unit_admin, data=account_data(cast.cs, is_personal=True)
    )
    assert account.tier == Tier.THREE


def test_create_with_a_team_writes_members_and_one_audit_row_with_the_changes(cast):
    account = services.account_create(
        actor=cast.cs_unit_admin,
        data=account_data(cast.cs),
        team=[("first_responsible", cast.cs_head), ("operator", cast.cs_head)],
    )
    assert sorted(account.members.values_list("role", flat=True)) == [
        "first_responsible",
        "operator",
    ]
    (row,) = audit_rows(account)
    assert row.event == "create"
    assert row.actor == cast.cs_unit_admin
    changes = row.detail["changes"]
    assert changes["name"] == [None, "计算机学院学生会"]
    assert changes["tier"] == [None, 2]
    assert "第一责任人：张书记" in changes["team"][1]


def test_unit_admin_cannot_create_in_another_unit(cast):
    with pytest.raises(PermissionDenied):
        services.account_create(actor=cast.cs_unit_admin, data=account_data(cast.lit))
    assert not MediaAccount.objects.filter(name="计算机学院学生会").exists()


def test_unit_admin_may_create_below_their_unit(cast):
    account = services.account_create(actor=cast.cs_unit_admin, data=account_data(cast.se))
    assert account.owner_unit == cast.se


@pytest.mark.parametrize("who", ["lit_operator", "auditor", "leader", "nobody"])
def test_roles_without_a_unit_to_administer_cannot_create(cast, who):
    with pytest.raises(PermissionDenied):
        services.account_create(actor=getattr(cast, who), data=account_data(cast.lit))


def test_only_the_school_admin_sets_filing_fields(cast):
    with pytest.raises(PermissionDenied):
        services.account_create(
            actor=cast.cs_unit_admin, data=account_data(cast.cs, filing_state="filed")
        )
    account = services.account_create(
        actor=cast.school_admin,
        data=account_data(cast.cs, filing_state="filed", registration_number="HS-2024-007"),
    )
    assert account.registration_number == "HS-2024-007"


def test_school_admin_may_create_with_a_tier_override_and_a_reason(cast):
    with pytest.raises(ValidationError) as exc:
        services.account_create(actor=cast.school_admin, data=account_data(cast.cs, tier=1))
    assert "tier_override_reason" in exc.value.error_dict
    account = services.account_create(
        actor=cast.school_admin,
        data=account_data(cast.cs, tier=1, tier_override_reason="代表学校发布"),
    )
    assert (account.tier, account.tier_override_reason) == (1, "代表学校发布")


def test_create_validates_with_readable_chinese_messages(cast):
    with pytest.raises(ValidationError) as exc:
        services.account_create(
            actor=cast.school_admin, data=account_data(cast.cs, external_id="ncwu_cs")
        )
    assert "该平台下已存在相同账号" in str(exc.value)

    with pytest.raises(ValidationError) as exc:
        services.account_create(actor=cast.school_admin, data=account_data(cast.cs, verified=True))
    assert exc.value.error_dict["verified_month"][0].messages == ["已认证的账号请填写认证时间"]

    next_month = (date.today().replace(day=1) + timedelta(days=32)).replace(day=1)
    with pytest.raises(ValidationError) as exc:
        services.account_create(
            actor=cast.school_admin, data=account_data(cast.cs, created_month=next_month)
        )
    assert "created_month" in exc.value.error_dict

    with pytest.raises(ValidationError) as exc:
        services.account_create(
            actor=cast.school_admin,
            data=account_data(cast.cs, platform=platform("qq_group")),
        )
    assert "platform" in exc.value.error_dict


def test_a_person_twice_in_one_role_rolls_everything_back(cast):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="重复"):
        services.account_create(
            actor=cast.cs_unit_admin,
            data=account_data(cast.cs),
            team=[("operator", cast.cs_head), ("operator", cast.cs_head)],
        )
    assert not MediaAccount.objects.filter(name="计算机学院学生会").exists()
    assert AuditEvent.objects.count() == before


def test_people_out_of_the_actors_sight_cannot_be_put_on_a_team(cast):
    with pytest.raises(PermissionDenied):
        services.account_create(
            actor=cast.cs_unit_admin,
            data=account_data(cast.cs),
            team=[("operator", cast.lit_teacher)],
        )


def test_unknown_fields_are_a_programming_error(cast):
    with pytest.raises(TypeError):
        services.account_create(
            actor=cast.school_admin, data=account_data(cast.cs, created_by=cast.nobody)
        )


# --- updating accounts ---------------------------------------------------------------


def test_update_writes_an_audit_row_and_history_with_before_and_after(cast):
    account = services.account_update(
        actor=cast.cs_unit_admin,
        account=cast.cs_account,
        data={"name": "计算机学院青年", "audience": 12000},
    )
    (row,) = audit_rows(account, "update")
    assert row.detail["changes"] == {
        "name": ["计算机学院团委", "计算机学院青年"],
        "audience": [None, 12000],
    }
    latest = history_entries(account)[0]
    assert latest.user == str(cast.cs_unit_admin)
    by_field = {c.field: (c.old, c.new) for c in latest.changes}
    assert by_field["name"] == ("计算机学院团委", "计算机学院青年")
    assert by_field["audience"] == ("—", "12000")


def test_update_without_changes_writes_no_audit_row(cast):
    services.account_update(
        actor=cast.cs_unit_admin, account=cast.cs_account, data={"name": "计算机学院团委"}
    )
    assert not audit_rows(cast.cs_account, "update").exists()


def test_update_replaces_the_team_with_history(cast):
    helper = make_person("赵老师", unit=cast.cs)
    services.account_update(
        actor=cast.cs_unit_admin,
        account=cast.cs_account,
        data={},
        team=[("reviewer", helper)],
    )
    assert list(cast.cs_account.members.values_list("role", "person__name")) == [
        ("reviewer", "赵老师")
    ]
    kinds = sorted(
        AccountMember.history.filter(record_id=cast.cs_account.pk).values_list(
            "history_type", flat=True
        )
    )
    assert kinds == ["+", "+", "-"]  # the first responsible's arrival and departure, 赵老师's
    (row,) = audit_rows(cast.cs_account, "update")
    assert row.detail["changes"]["team"] == ["第一责任人：张书记", "内容审核人：赵老师"]


def test_operator_edits_an_account_on_whose_team_they_are(cast):
    account = services.account_update(
        actor=cast.lit_operator, account=cast.lit_account, data={"update_frequency": "2次/周"}
    )
    assert account.update_frequency == "2次/周"


def test_operator_cannot_move_the_account_or_change_what_its_tier_follows(cast):
    for data in ({"owner_unit": cast.cs}, {"is_personal": True}, {"is_official": True}):
        with pytest.raises(PermissionDenied):
            services.account_update(actor=cast.lit_operator, account=cast.lit_account, data=data)
    cast.lit_account.refresh_from_db()
    assert cast.lit_account.owner_unit == cast.lit


def test_operator_cannot_edit_other_accounts(cast):
    with pytest.raises(PermissionDenied):
        services.account_update(
            actor=cast.lit_operator, account=cast.cs_account, data={"name": "改名"}
        )


def test_unit_admin_cannot_edit_or_move_outside_their_subtree(cast):
    with pytest.raises(PermissionDenied):
        services.account_update(
            actor=cast.cs_unit_admin, account=cast.lit_account, data={"name": "改名"}
        )
    with pytest.raises(PermissionDenied):
        services.account_update(
            actor=cast.cs_unit_admin, account=cast.cs_account, data={"owner_unit": cast.lit}
        )


def test_moving_derives_the_tier_again(cast):
    account = services.account_update(
        actor=cast.cs_unit_admin, account=cast.se_account, data={"owner_unit": cast.cs}
    )
    assert account.tier == Tier.TWO
    (row,) = audit_rows(account, "update")
    assert row.detail["changes"]["tier"] == [3, 2]
    assert row.detail["changes"]["owner_unit"] == ["软件工程系", "计算机学院"]


def test_a_recorded_override_survives_a_move(cast):
    services.account_set_tier(
        actor=cast.school_admin, account=cast.se_account, tier=1, reason="校级重点账号"
    )
    account = services.account_update(
        actor=cast.school_admin, account=cast.se_account, data={"owner_unit": cast.cs}
    )
    assert (account.tier, account.tier_override_reason) == (1, "校级重点账号")


def test_closed_accounts_cannot_be_edited_or_closed_through_update(cast):
    with pytest.raises(ValidationError):
        services.account_update(
            actor=cast.cs_unit_admin, account=cast.cs_account, data={"status": "closed"}
        )
    services.account_close(
        actor=cast.cs_unit_admin, account=cast.cs_account, on=date.today(), reason="停用"
    )
    with pytest.raises(ValidationError):
        services.account_update(
            actor=cast.cs_unit_admin, account=cast.cs_account, data={"name": "改名"}
        )


# --- closing and tiers ---------------------------------------------------------------


def test_close_keeps_the_row_with_date_and_reason(cast):
    on = date.today() - timedelta(days=3)
    account = services.account_close(
        actor=cast.cs_unit_admin, account=cast.cs_account, on=on, reason="半年以上未更新"
    )
    account.refresh_from_db()
    assert account.status == AccountStatus.CLOSED
    assert (account.closed_on, account.closed_reason) == (on, "半年以上未更新")
    assert MediaAccount.objects.filter(pk=account.pk).exists()
    (row,) = audit_rows(account, "close")
    assert row.detail["changes"]["status"] == ["active", "closed"]
    assert history_entries(account)[0].reason == "注销：半年以上未更新"


@pytest.mark.parametrize(
    ("on", "reason", "field"),
    [
        (None, "停用", "closed_on"),
        (date.today(), "  ", "closed_reason"),
        (date.today() + timedelta(days=1), "停用", "closed_on"),
    ],
)
def test_close_requires_a_reason_and_a_date_not_in_the_future(cast, on, reason, field):
    with pytest.raises(ValidationError) as exc:
        services.account_close(
            actor=cast.cs_unit_admin, account=cast.cs_account, on=on, reason=reason
        )
    assert field in exc.value.error_dict
    cast.cs_account.refresh_from_db()
    assert cast.cs_account.status == AccountStatus.ACTIVE


def test_closing_twice_is_refused(cast):
    services.account_close(
        actor=cast.school_admin, account=cast.cs_account, on=date.today(), reason="停用"
    )
    with pytest.raises(ValidationError, match="已经注销"):
        services.account_close(
            actor=cast.school_admin, account=cast.cs_account, on=date.today(), reason="停用"
        )


def test_operators_and_outsiders_cannot_close(cast):
    with pytest.raises(PermissionDenied):
        services.account_close(
            actor=cast.lit_operator, account=cast.lit_account, on=date.today(), reason="停用"
        )
    with pytest.raises(PermissionDenied):
        services.account_close(
            actor=cast.cs_unit_admin, account=cast.lit_account, on=date.today(), reason="停用"
        )


def test_set_tier_needs_a_reason_when_it_differs_from_the_derived_tier(cast):
    with pytest.raises(ValidationError) as exc:
        services.account_set_tier(
            actor=cast.school_admin, account=cast.cs_account, tier=1, reason=""
        )
    assert "tier_override_reason" in exc.value.error_dict

    account = services.account_set_tier(
        actor=cast.school_admin, account=cast.cs_account, tier=1, reason="学校层面的工作账号"
    )
    assert (account.tier, account.tier_override_reason) == (1, "学校层面的工作账号")
    (row,) = audit_rows(account, "update")
    assert row.detail["changes"]["tier"] == [2, 1]

    account = services.account_set_tier(actor=cast.school_admin, account=account, tier=2, reason="")
    assert (account.tier, account.tier_override_reason) == (2, "")


@pytest.mark.parametrize("who", ["cs_unit_admin", "lit_operator", "leader", "auditor"])
def test_only_the_school_admin_sets_the_tier(cast, who):
    with pytest.raises(PermissionDenied):
        services.account_set_tier(
            actor=getattr(cast, who), account=cast.cs_account, tier=1, reason="理由"
        )


def test_a_unit_of_another_kind_gives_another_tier(cast):
    office = make_unit("团委办公室", kind=UnitKind.SECTION, parent=cast.league)
    account = make_account("团委办公室", unit=office)
    assert account.derived_tier == Tier.THREE


# --- groups --------------------------------------------------------------------------


def test_group_create_with_admins_and_audit(cast):
    group = services.group_create(
        actor=cast.cs_unit_admin,
        data=group_data(cast.cs, creator=cast.cs_head),
        team=[("admin", cast.cs_head)],
    )
    assert group.members.get().person == cast.cs_head
    (row,) = audit_rows(group, "create")
    assert row.detail["changes"]["name"] == [None, "计算机学院辅导员群"]


def test_group_rules(cast):
    with pytest.raises(ValidationError) as exc:
        services.group_create(
            actor=cast.cs_unit_admin,
            data=group_data(cast.cs, has_outside_members=True, outside_member_count=31),
        )
    assert exc.value.error_dict["outside_member_count"][0].messages == [
        "校外人员人数不能多于群人数"
    ]
    with pytest.raises(ValidationError) as exc:
        services.group_create(actor=cast.cs_unit_admin, data=group_data(cast.cs, is_temporary=True))
    assert "temporary_until" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.group_create(actor=cast.cs_unit_admin, data=group_data(cast.cs, member_count=-1))
    assert "member_count" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.group_create(
            actor=cast.cs_unit_admin, data=group_data(cast.cs, platform=platform("weibo"))
        )
    assert "platform" in exc.value.error_dict


def test_a_group_creator_must_be_someone_the_actor_can_see(cast):
    with pytest.raises(PermissionDenied):
        services.group_create(
            actor=cast.cs_unit_admin, data=group_data(cast.cs, creator=cast.lit_teacher)
        )


def test_unit_admin_cannot_create_a_group_in_another_unit(cast):
    with pytest.raises(PermissionDenied):
        services.group_create(actor=cast.cs_unit_admin, data=group_data(cast.lit))
    assert not ChatGroup.objects.filter(name="计算机学院辅导员群").exists()


def test_group_operator_may_correct_but_not_move(cast):
    group = services.group_update(
        actor=cast.lit_operator, group=cast.lit_group, data={"member_count": 45}
    )
    assert group.member_count == 45
    with pytest.raises(PermissionDenied):
        services.group_update(
            actor=cast.lit_operator, group=cast.lit_group, data={"owner_unit": cast.cs}
        )
    with pytest.raises(PermissionDenied):
        services.group_update(
            actor=cast.lit_operator, group=cast.lit_group, data={"registered": True}
        )


def test_group_dissolve_keeps_the_row(cast):
    group = services.group_dissolve(
        actor=cast.lit_unit_admin, group=cast.lit_group, on=date.today(), reason="毕业离校"
    )
    group.refresh_from_db()
    assert group.status == GroupStatus.DISSOLVED
    assert group.dissolved_reason == "毕业离校"
    assert audit_rows(group, "close").count() == 1
    with pytest.raises(ValidationError):
        services.group_update(actor=cast.lit_unit_admin, group=group, data={"name": "新名"})
    with pytest.raises(ValidationError) as exc:
        services.group_dissolve(actor=cast.cs_unit_admin, group=cast.cs_group, on=None, reason="")
    assert {"dissolved_on", "dissolved_reason"} <= set(exc.value.error_dict)


def test_groups_require_filing_refuses_ticking_registered_by_hand(cast, policy_file):
    policy_file("[filing]\ngroups_require_filing = true\n")
    with pytest.raises(ValidationError) as exc:
        services.group_create(actor=cast.cs_unit_admin, data=group_data(cast.cs, registered=True))
    assert "报备申请" in exc.value.message_dict["registered"][0]
    group = services.group_create(actor=cast.cs_unit_admin, data=group_data(cast.cs))
    with pytest.raises(ValidationError):
        services.group_update(actor=cast.cs_unit_admin, group=group, data={"registered": True})
    group.refresh_from_db()
    assert group.registered is False

    # without the switch the unit admin may record a group as 已报备 directly
    policy_file("[filing]\ngroups_require_filing = false\n")
    group = services.group_update(actor=cast.cs_unit_admin, group=group, data={"registered": True})
    assert group.registered is True
