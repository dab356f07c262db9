"""`manage.py load_demo`: a whole, realistic school, loaded once, the same on every run,
wrong only where docs/demo.md says it is."""

import io
import re
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.test import RequestFactory

from beian.campaigns.bulletin import build_bulletin
from beian.campaigns.choices import CampaignStatus, ItemAction, TaskState
from beian.campaigns.diff import round_diff
from beian.campaigns.models import Campaign, TaskItem
from beian.compliance.engine import scan_all
from beian.compliance.models import Finding
from beian.core.models import AuditEvent
from beian.core.policy import reset_policy_cache
from beian.core.validators import validate_mobile
from beian.demo.loader import demo_plan
from beian.demo.school import LOGINS, PASSWORD, VERIFIABLE
from beian.notify.choices import ChannelKind
from beian.notify.models import Channel
from beian.orgs.choices import (
    SECOND_LEVEL_KINDS,
    CadreLevel,
    PersonKind,
    PersonStatus,
    UnitKind,
)
from beian.orgs.models import Institution, Person, Unit
from beian.registry.choices import (
    AccountStatus,
    FilingState,
    GroupStatus,
    TeamRole,
)
from beian.registry.models import AccountMember, ChatGroup, GroupMember, MediaAccount
from beian.testing import make_institution
from beian.users.models import User

TODAY = date(2026, 11, 21)
STUDENT_KINDS = {
    UnitKind.SCHOOL_STUDENT_ORG,
    UnitKind.STUDENT_ORG,
    UnitKind.CLASS,
    UnitKind.LEAGUE_BRANCH,
}


def load(*extra) -> str:
    out = io.StringIO()
    call_command("load_demo", "--today", TODAY.isoformat(), *extra, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows in every table the demo writes to, history and audit log included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"orgs", "registry", "users", "core"}
    }


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def second_level(unit: Unit) -> Unit:
    """The 二级单位 `unit` belongs to: itself or its nearest ancestor of a second-level kind
    (the school for the school)."""
    while unit.kind not in SECOND_LEVEL_KINDS and unit.parent_id is not None:
        unit = unit.parent
    return unit


def accounts_with_member(role, **person_filter):
    members = AccountMember.objects.filter(role=role, **person_filter)
    return names(MediaAccount.objects.filter(pk__in=members.values("record")))


@pytest.fixture
def policy_file(tmp_path, settings):
    def use(text: str):
        path = tmp_path / "policy.toml"
        path.write_text(text, encoding="utf-8")
        settings.BEIAN_POLICY_FILE = str(path)
        reset_policy_cache()

    yield use
    reset_policy_cache()


@pytest.mark.django_db
def test_load_demo_builds_the_school_once_and_only_breaks_what_it_lists(policy_file):
    output = load()
    assert "已导入演示数据" in output

    check_school()
    check_people()
    check_accounts()
    check_groups()
    check_logins()
    check_broken_records()
    check_matches_the_plan()
    check_cadre_rule(policy_file)

    before = row_counts()
    assert load() == "演示数据已存在，未重复导入\n"
    assert row_counts() == before


def check_school():
    institution = Institution.objects.get()
    assert institution.full_name == "华北水利水电大学"
    assert institution.registration_prefix == "HS"
    assert Unit.objects.count() >= 30
    depths = Unit.objects.with_tree_fields().values_list("tree_depth", flat=True)
    assert set(depths) == {0, 1, 2}
    root = Unit.objects.get(parent=None)
    assert root.kind == UnitKind.SCHOOL
    kinds = set(Unit.objects.values_list("kind", flat=True))
    assert kinds >= {
        UnitKind.COLLEGE,
        UnitKind.DEPARTMENT,
        UnitKind.DIRECT,
        UnitKind.SCHOOL_STUDENT_ORG,
        UnitKind.DIVISION,
        UnitKind.TEACHING_OFFICE,
        UnitKind.STUDENT_ORG,
        UnitKind.CLASS,
        UnitKind.LEAGUE_BRANCH,
    }
    assert not Unit.objects.filter(head=None).exists()
    assert Unit.objects.get(name="校学生会").parent.name == "校团委"
    assert Unit.objects.get(name="信息工程学院").head.post == "党委书记"
    assert not Unit.objects.filter(name_pinyin="").exists()
    assert Unit.history.count() == Unit.objects.count()


def check_people():
    people = list(Person.objects.all())
    assert len(people) >= 300
    assert {p.kind for p in people} == set(PersonKind.values)
    assert {p.status for p in people} == set(PersonStatus.values)
    for person in people:
        if person.kind == PersonKind.STAFF:
            assert re.fullmatch(r"T(19|20)\d{6}", person.number), person.number
        elif person.kind == PersonKind.STUDENT:
            assert re.fullmatch(r"20\d{8}", person.number), person.number
        if person.kind != PersonKind.EXTERNAL:
            assert person.email.endswith("@ncwu.edu.cn")
        validate_mobile(person.mobile)
        person.full_clean()
    assert Person.objects.filter(mobile="").count() == 1
    assert Person.history.filter(history_type="+").count() == len(people)
    # Cadre levels come through the orgs service, as the school admin records them: one
    # change (history row and audit row) per person with a level.
    levelled = [p for p in people if p.cadre_level]
    # (three students are then marked 毕业 for the hand-over lists: beian/demo/inspections.py)
    graduates = 3
    assert Person.history.filter(history_type="~").count() == len(levelled) + graduates
    assert {p.cadre_level for p in levelled} == {CadreLevel.DIVISION, CadreLevel.SECTION}
    assert (
        AuditEvent.objects.filter(object_type="orgs.Person", actor__username="xcb_admin").count()
        == len(levelled) + graduates
    )
    top = Unit.objects.filter(Q(parent=None) | Q(kind__in=SECOND_LEVEL_KINDS))
    assert set(top.values_list("head__cadre_level", flat=True)) == {CadreLevel.DIVISION}


def check_accounts():
    accounts = list(MediaAccount.objects.select_related("platform", "owner_unit"))
    assert len(accounts) >= 400
    assert len({a.platform_id for a in accounts}) >= 12
    assert {a.tier for a in accounts} == {1, 2, 3}
    official = MediaAccount.objects.get(platform__code="wechat_official", external_id="ncwu1951")
    assert (official.name, official.tier, official.is_official) == ("华北水利水电大学", 1, True)
    numbers = [a.registration_number for a in accounts if a.registration_number]
    assert len(numbers) == len(set(numbers))
    for account in accounts:
        assert account.platform.address_matches(account.external_id), account.external_id
        assert account.created_month.day == 1
        assert date(2013, 1, 1) <= account.created_month <= date(2025, 12, 1)
        if account.verified_month:
            assert account.verified and account.verified_month >= account.created_month
        if account.filing_state == FilingState.FILED:
            assert re.fullmatch(r"HS-20\d\d-\d{4}", account.registration_number)
        else:
            assert account.registration_number == ""
        if account.tier != account.derived_tier:
            assert account.tier_override_reason
        if account.name != "华水天文协会":  # the planted "unknown" (缺少发布记录)
            assert account.last_post_date and account.last_post_source
        assert account.name_pinyin
    states = {a.filing_state for a in accounts}
    assert states == set(FilingState.values)
    closed = [a for a in accounts if a.status == AccountStatus.CLOSED]
    assert len(closed) >= 3
    assert all(a.closed_on and a.closed_reason for a in closed)
    assert MediaAccount.history.filter(history_type="+").count() == len(accounts)
    assert AccountMember.objects.count() > 5 * len(accounts)


def check_groups():
    groups = list(ChatGroup.objects.select_related("platform"))
    assert len(groups) >= 3000
    assert {g.platform.code for g in groups} == {
        "wechat_group",
        "qq_group",
        "dingtalk_group",
        "wecom_group",
        "feishu_group",
    }
    assert all(5 <= g.member_count <= 500 for g in groups)
    assert all(g.outside_member_count <= g.member_count for g in groups)
    assert sum(g.has_outside_members for g in groups) >= 100
    assert any(g.is_temporary and g.temporary_until > TODAY for g in groups)
    dissolved = [g for g in groups if g.status == GroupStatus.DISSOLVED]
    assert dissolved and all(g.dissolved_on <= TODAY and g.dissolved_reason for g in dissolved)
    assert all(g.creator_id for g in groups)
    numbered = [g for g in groups if g.platform.code == "qq_group"]
    assert all(g.platform.address_matches(g.group_number) for g in numbered)
    assert not ChatGroup.objects.filter(name_initials="").exists()
    assert ChatGroup.history.filter(history_type="+").count() == len(groups)
    assert GroupMember.objects.filter(role=TeamRole.ADMIN).count() >= len(groups)


def check_logins():
    request = RequestFactory().post("/login/")
    for username, role, unit, _tag in LOGINS:
        user = authenticate(request, username=username, password=PASSWORD)
        assert user is not None, username
        assert user.display_name and not user.display_name.isascii()
        assignment = user.roles.get()
        assert assignment.role == role
        assert (assignment.unit.name if assignment.unit else None) == unit
    operator = User.objects.get(username="operator")
    assert operator.person.unit.name == "软件工程系"
    visible = MediaAccount.objects.visible_to(operator)
    assert visible.count() >= 3
    assert {a.owner_unit.name for a in visible} <= set(
        Unit.objects.filter(
            pk__in=Unit.objects.subtree_ids([Unit.objects.get(name="信息工程学院").pk])
        ).values_list("name", flat=True)
    )
    assert ChatGroup.objects.visible_to(operator).count() >= 3
    unit_info = User.objects.get(username="unit_info")
    assert MediaAccount.objects.visible_to(unit_info).count() > visible.count()


def check_broken_records():
    """Each deliberately broken record is there, and nothing else breaks the same rule."""
    active = MediaAccount.objects.filter(status=AccountStatus.ACTIVE)

    zombies = active.filter(last_post_date__lt=TODAY - timedelta(days=200))
    assert names(zombies) == {"华水外语角", "华水机械创新实验室"}
    assert not active.exclude(pk__in=zombies).filter(last_post_date__lt=TODAY - timedelta(days=60))
    assert names(active.filter(last_post_date__isnull=True)) == {"华水天文协会"}

    assert accounts_with_member(TeamRole.FIRST_RESPONSIBLE, person__kind=PersonKind.STUDENT) == {
        "华水数学青年"
    }
    # The first responsible is the head of the owning unit's second-level unit (or of the
    # school), a 处级 cadre; the two exceptions are planted.
    not_head = sorted(
        m.record.name
        for m in AccountMember.objects.filter(role=TeamRole.FIRST_RESPONSIBLE).select_related(
            "record__owner_unit", "person"
        )
        if m.person_id != second_level(m.record.owner_unit).head_id
    )
    assert not_head == ["华水数学青年", "水利学院水利水电工程系"]
    not_division = AccountMember.objects.filter(role=TeamRole.FIRST_RESPONSIBLE).exclude(
        person__cadre_level=CadreLevel.DIVISION
    )
    assert names(MediaAccount.objects.filter(pk__in=not_division.values("record"))) == {
        "华水数学青年",
        "水利学院水利水电工程系",
    }
    planted = AccountMember.objects.get(
        record__name="水利学院水利水电工程系", role=TeamRole.FIRST_RESPONSIBLE
    )
    assert (planted.person.post, planted.person.cadre_level) == ("系主任", CadreLevel.SECTION)

    duplicates = (
        MediaAccount.objects.filter(is_official=True)
        .values("owner_unit__name", "platform__code")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert [(d["owner_unit__name"], d["platform__code"]) for d in duplicates] == [
        ("电力学院", "wechat_official")
    ]

    assert accounts_with_member(TeamRole.RESPONSIBLE, person__status=PersonStatus.LEFT) == {
        "华水档案馆"
    }
    assert accounts_with_member(TeamRole.RESPONSIBLE, person__mobile="") == {"华水科技"}
    assert not AccountMember.objects.exclude(person__status=PersonStatus.IN_POST).exclude(
        record__name="华水档案馆"
    )
    assert not AccountMember.objects.filter(
        role=TeamRole.REVIEWER, person__kind__in=[PersonKind.STUDENT, PersonKind.EXTERNAL]
    )
    assert accounts_with_member(TeamRole.OPERATOR, person__kind=PersonKind.EXTERNAL) == {
        "华北水利水电大学"
    }

    tier3_weibo = MediaAccount.objects.filter(
        tier=3, platform__code="weibo", audience__gt=50_000
    ).exclude(filing_state=FilingState.FILED)
    assert names(tier3_weibo) == {"华水信息工程学院学生会"}
    assert not MediaAccount.objects.filter(
        tier=3, platform__code="wechat_official", audience__gt=10_000
    )

    personal_unfiled = MediaAccount.objects.filter(is_personal=True).exclude(
        filing_state=FilingState.FILED
    )
    assert names(personal_unfiled) == {"华水二手交易", "滑水大学表白墙"}

    student_accounts = MediaAccount.objects.filter(
        owner_unit__kind__in=STUDENT_KINDS, is_personal=False
    )
    advised = AccountMember.objects.filter(role=TeamRole.ADVISOR).values("record")
    assert names(student_accounts.exclude(pk__in=advised)) == {"华水青协信息分队"}

    few_reviewers = MediaAccount.objects.annotate(
        reviewers=Count("members", filter=Q(members__role=TeamRole.REVIEWER))
    ).filter(reviewers__lt=3)
    assert names(few_reviewers) == {"华水会计人", "华水二手交易", "滑水大学表白墙"}

    unverified = MediaAccount.objects.filter(
        is_official=True, verified=False, platform__code__in=VERIFIABLE
    )
    assert [(a.name, a.platform.code) for a in unverified] == [("华水马克思主义学院", "douyin")]

    groups = ChatGroup.objects.filter(status=GroupStatus.ACTIVE)
    large = groups.filter(registered=False, member_count__gte=10)
    assert names(large) == {"水利学院2026级新生家长交流群"}
    assert large.get().member_count == 120
    expired = groups.filter(is_temporary=True, temporary_until__lt=TODAY)
    assert names(expired) == {"校运动会志愿者临时群"}


def check_cadre_rule(policy_file):
    """With seed 004's 处级 first responsible switched on, the rule finds the two planted
    accounts and nothing else."""
    policy_file("[team]\nfirst_responsible_must_be_cadre = true\n")
    scan_all(rules=["first_responsible_not_cadre"])
    found = Finding.objects.filter(rule="first_responsible_not_cadre", state="open")
    assert {f.account.name for f in found} == {"华水数学青年", "水利学院水利水电工程系"}


def check_matches_the_plan():
    plan = demo_plan(today=TODAY)
    assert sorted(MediaAccount.objects.values_list("name", flat=True)) == sorted(
        a.name for a in plan.accounts
    )
    assert ChatGroup.objects.count() == len(plan.groups)
    for broken in plan.broken:
        model = MediaAccount if broken.model == "account" else ChatGroup
        assert model.objects.filter(platform__code=broken.platform, name=broken.name), broken


def test_the_plan_is_the_same_on_every_run():
    first, second = demo_plan(today=TODAY), demo_plan(today=TODAY)
    assert first == second
    assert first.fingerprint() == second.fingerprint()
    # Only dates move with the reference date; every name stays the same.
    later = demo_plan(today=TODAY + timedelta(days=400))
    assert later.fingerprint() == first.fingerprint()
    assert later.accounts[0].last_post_date > first.accounts[0].last_post_date


@pytest.mark.django_db
def test_load_demo_refuses_a_database_holding_another_school():
    make_institution(full_name="东北石油大学", short_names=["东油"])
    with pytest.raises(CommandError, match="东北石油大学"):
        load()
    assert not Unit.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_demo_rounds_show_every_task_state_and_a_bulletin_naming_late_and_missing_units():
    """Last year's round is finished with its 通报; this year's is open and its board shows
    every state, late units among them; the two unit admins each find their own state."""
    with time_machine.travel(datetime(2026, 11, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        load()
        admin = User.objects.get(username="xcb_admin")
        last, this = Campaign.objects.order_by("deadline")
        assert last.status == CampaignStatus.CLOSED
        assert last.deadline < TODAY - timedelta(days=300)
        assert this.status == CampaignStatus.OPEN
        assert this.opens_on == TODAY - timedelta(days=21)

        tasks = {t.unit.name: t for t in this.tasks.select_related("unit", "campaign")}
        assert {t.state for t in tasks.values()} == set(TaskState.values)
        assert tasks["信息工程学院"].state == TaskState.IN_PROGRESS
        assert tasks["水利学院"].state == TaskState.RETURNED
        assert "签字" in tasks["水利学院"].return_comment
        late = {name for name, task in tasks.items() if task.is_late}
        assert "外国语学院" in late  # submitted after the deadline
        assert "电力学院" not in late  # submitted on time
        assert {n for n, t in tasks.items() if t.state == TaskState.NOT_STARTED} <= late
        submitted = [t for t in tasks.values() if t.first_submitted_at]
        assert all(t.scan and t.sheets.exists() and t.snapshot for t in submitted)

        bulletin = build_bulletin(last, user=admin)
        assert [line.unit for line in bulletin.missing] == ["保卫处"]
        assert {line.unit for line in bulletin.late} == {"后勤管理处", "校医院"}
        last_states = Counter(last.tasks.values_list("state", flat=True))
        assert last_states[TaskState.CONFIRMED] >= 20
        actions = set(TaskItem.objects.filter(task__campaign=last).values_list("action", flat=True))
        assert actions >= {ItemAction.CORRECTED, ItemAction.CLOSING, ItemAction.ADDED}

        diff = round_diff(this, user=admin)
        assert diff.previous == last
        assert sum(diff.totals.values()) > 0

        channel = Channel.objects.get()
        assert channel.kind == ChannelKind.DINGTALK
        assert not channel.enabled
