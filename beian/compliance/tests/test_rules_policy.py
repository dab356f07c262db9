"""The policy switches that act through the rules: `team.first_responsible_must_be_cadre`
(第一责任人须为处级党政干部, seed 004) and `filing.groups_require_filing` (工作群须先备案,
seeds 000 and 004), each on and off, and kept current when people and groups change."""

from dataclasses import replace
from datetime import date

import pytest

from beian.compliance.models import Finding
from beian.compliance.rules import RULES, Chunk, ScanContext
from beian.core.policy import Policy
from beian.orgs.choices import CadreLevel
from beian.orgs.services import person_update
from beian.registry.choices import AccountStatus
from beian.testing import make_account, make_group, make_person

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)
CADRE_ON = replace(Policy(), team=replace(Policy().team, first_responsible_must_be_cadre=True))
FILING_ON = replace(Policy(), filing=replace(Policy().filing, groups_require_filing=True))


def breaches(code, *records, policy):
    ctx = ScanContext(policy=policy, today=TODAY)
    found = RULES[code].evaluate(ctx, Chunk(ids=tuple(r.pk for r in records)))
    return {r: found[r.pk].message for r in records if r.pk in found}


def enabled(code, policy) -> bool:
    return RULES[code].enabled(policy)


# --- the cadre rule -------------------------------------------------------------------------


def test_cadre_rule_is_off_by_default_and_on_when_the_policy_says_so():
    assert not enabled("first_responsible_not_cadre", Policy())
    assert enabled("first_responsible_not_cadre", CADRE_ON)


def test_first_responsible_must_be_a_division_level_cadre(cast):
    division = make_person("处级书记", unit=cast.cs, cadre_level=CadreLevel.DIVISION)
    section = make_person("科级主任", unit=cast.cs, cadre_level=CadreLevel.SECTION)
    plain = make_person("普通老师", unit=cast.cs, cadre_level=CadreLevel.NONE)
    good = make_account(unit=cast.cs, team=[("first_responsible", division)])
    low = make_account(unit=cast.cs, team=[("first_responsible", section)])
    none = make_account(unit=cast.se, team=[("first_responsible", plain)])
    unknown = cast.cs_account  # 张书记: no level recorded
    personal = make_account(unit=cast.cs, is_personal=True, team=[("first_responsible", plain)])
    closed = make_account(
        unit=cast.cs,
        status=AccountStatus.CLOSED,
        closed_on=date(2025, 1, 1),
        closed_reason="停用",
        team=[("first_responsible", plain)],
    )
    operator_only = make_account(unit=cast.cs, team=[("operator", plain)])

    found = breaches(
        "first_responsible_not_cadre",
        good,
        low,
        none,
        unknown,
        personal,
        closed,
        operator_only,
        policy=CADRE_ON,
    )

    assert set(found) == {low, none, unknown}
    assert found[low] == "第一责任人 科级主任 为科级，须为处级党政干部"
    assert found[none] == "第一责任人 普通老师 为无，须为处级党政干部"
    assert found[unknown] == "第一责任人 张书记 未登记干部级别，须为处级党政干部"


def test_recording_the_level_resolves_the_finding_without_a_scan(
    cast, policy_file, django_capture_on_commit_callbacks
):
    policy_file("[team]\nfirst_responsible_must_be_cadre = true\n")
    with django_capture_on_commit_callbacks(execute=True):
        person_update(actor=cast.school_admin, person=cast.cs_head, data={"cadre_level": "section"})
    finding = Finding.objects.get(account=cast.cs_account, rule="first_responsible_not_cadre")
    assert finding.state == "open"
    assert "为科级" in finding.message

    with django_capture_on_commit_callbacks(execute=True):
        person_update(
            actor=cast.school_admin, person=cast.cs_head, data={"cadre_level": "division"}
        )
    finding.refresh_from_db()
    assert finding.state == "resolved"


def test_with_the_switch_off_no_cadre_finding_is_made(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person_update(actor=cast.school_admin, person=cast.cs_head, data={"cadre_level": "none"})
    assert not Finding.objects.filter(rule="first_responsible_not_cadre").exists()


# --- groups_require_filing ------------------------------------------------------------------


def _group_filing(group, status, applicant):
    from beian.filings.choices import FilingKind
    from beian.filings.models import Filing

    return Filing.objects.create(
        kind=FilingKind.GROUP,
        status=status,
        applicant=applicant,
        group=group,
        owner_unit=group.owner_unit,
        platform=group.platform,
        tier=3,
        account_name=group.name,
        chain=["unit_head"],
        current_step="unit_head" if status == "pending" else "",
        current_position=0 if status == "pending" else None,
    )


def test_groups_rule_follows_the_switch():
    assert enabled("group_unregistered", Policy())
    assert not enabled("group_not_filed", Policy())
    assert enabled("group_not_filed", FILING_ON)
    assert not enabled("group_unregistered", FILING_ON)  # group_not_filed takes its place


def test_with_filing_required_a_group_needs_an_approved_group_filing(cast):
    approved = make_group(unit=cast.cs, registered=True)
    _group_filing(approved, "approved", cast.cs_unit_admin)
    waiting = make_group(unit=cast.cs)
    _group_filing(waiting, "pending", cast.cs_unit_admin)
    by_hand = make_group(unit=cast.cs, registered=True, member_count=30)
    rejected = make_group(unit=cast.cs)
    _group_filing(rejected, "rejected", cast.cs_unit_admin)
    small = make_group(unit=cast.cs, member_count=5)  # below register_min_members (10)

    found = breaches(
        "group_not_filed", approved, waiting, by_hand, rejected, small, policy=FILING_ON
    )

    assert set(found) == {waiting, by_hand, rejected}
    assert found[waiting] == "群聊备案尚未审批通过（群成员 20 人）"
    assert found[by_hand] == (
        "标记为已报备，但没有审批通过的群聊备案（群成员 30 人）；请取消“已报备”后提交群聊备案"
    )
    assert found[rejected] == "群成员 20 人，须提交群聊备案并经审批，尚未备案"

    every_group = replace(FILING_ON, groups=replace(FILING_ON.groups, register_min_members=1))
    assert small in breaches("group_not_filed", small, policy=every_group)


def test_without_filing_a_group_is_registered_directly(cast):
    by_hand = make_group(unit=cast.cs, registered=True)
    unregistered = make_group(unit=cast.cs)
    found = breaches("group_unregistered", by_hand, unregistered, policy=Policy())
    assert set(found) == {unregistered}


def test_a_scan_under_the_policy_file_uses_the_filing_rule(
    cast, policy_file, django_capture_on_commit_callbacks
):
    from beian.compliance.engine import scan_all

    policy_file("[filing]\ngroups_require_filing = true\n")
    scan_all()
    rules = set(Finding.objects.filter(group=cast.lit_group).values_list("rule", flat=True))
    assert "group_not_filed" in rules
    assert "group_unregistered" not in rules

    policy_file("[filing]\ngroups_require_filing = false\n")
    scan_all()
    current = Finding.objects.filter(group=cast.lit_group, state="open")
    assert set(current.values_list("rule", flat=True)) >= {"group_unregistered"}
    assert not current.filter(rule="group_not_filed").exists()
