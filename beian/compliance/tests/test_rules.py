"""Each rule with a record that breaks it and one that does not (and the policy switches
that turn it off)."""

from dataclasses import replace
from datetime import date

import pytest
import time_machine
from django.utils import timezone

from beian.compliance.rules import RULES, Chunk, ScanContext, last_month_ended_by
from beian.core.policy import Policy
from beian.orgs.choices import PersonKind, PersonStatus, UnitKind
from beian.registry.choices import AccountStatus, FilingState
from beian.testing import make_account, make_group, make_person, make_unit

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)


def breaches(code, *records, policy=None, today=TODAY):
    """{record: message} of the records that break the rule."""
    rule = RULES[code]
    ctx = ScanContext(policy=policy or Policy(), today=today)
    found = rule.evaluate(ctx, Chunk(ids=tuple(r.pk for r in records)))
    return {r: found[r.pk].message for r in records if r.pk in found}


def with_team(**kw) -> Policy:
    return replace(Policy(), team=replace(Policy().team, **kw))


def test_last_month_ended_by():
    assert last_month_ended_by(date(2025, 3, 31)) == date(2025, 3, 1)
    assert last_month_ended_by(date(2025, 3, 30)) == date(2025, 2, 1)
    assert last_month_ended_by(date(2025, 1, 15)) == date(2024, 12, 1)


# --- activity ---------------------------------------------------------------------------


def test_zombie_rules_judge_real_evidence_only(cast):
    unit = cast.cs
    recent = make_account(unit=unit, last_post_date=date(2025, 5, 20), last_post_source="feed")
    idle = make_account(unit=unit, last_post_date=date(2025, 4, 20), last_post_source="operator")
    dead = make_account(unit=unit, last_post_date=date(2025, 1, 1), last_post_source="import")
    unsourced = make_account(unit=unit, last_post_date=date(2024, 6, 1))
    never_old = make_account(unit=unit, created_month=date(2018, 4, 1))  # no evidence
    unknown = make_account(unit=unit, created_month=None)
    paused = make_account(
        unit=unit, last_post_date=date(2024, 1, 1), status=AccountStatus.SUSPENDED
    )
    records = (recent, idle, dead, unsourced, never_old, unknown, paused)

    warn = breaches("zombie_warn", *records)
    close = breaches("zombie_close", *records)

    assert set(warn) == {idle}
    assert set(close) == {dead, unsourced}  # never_old: years old, but no evidence
    assert warn[idle] == "最近发布于 2025-04-20（来源：运营者填报），已 71 天未更新（阈值 60 天）"
    assert close[dead] == "最近发布于 2025-01-01（来源：表格导入），已 180 天未更新（阈值 90 天）"
    assert close[unsourced].startswith("最近发布于 2024-06-01（来源：来源未登记）")


def test_no_evidence_is_its_own_low_finding_never_a_zombie(cast):
    from beian.compliance.models import FeedState

    unit = cast.cs
    plain = make_account(unit=unit, created_month=date(2018, 4, 1))
    waiting = make_account(unit=unit, feed_url="https://news.example.com/rss")
    failing = make_account(unit=unit, feed_url="https://blocked.example.com/rss")
    FeedState.objects.create(
        account=failing, failures=3, last_error="服务器返回 HTTP 403", last_checked=timezone.now()
    )
    empty = make_account(unit=unit, feed_url="https://empty.example.com/rss")
    FeedState.objects.create(account=empty, last_checked=timezone.now(), last_status=200)
    dated = make_account(unit=unit, last_post_date=date(2025, 6, 1), last_post_source="feed")
    closed = make_account(
        unit=unit, status=AccountStatus.CLOSED, closed_on=date(2025, 1, 1), closed_reason="停用"
    )
    records = (plain, waiting, failing, empty, dated, closed)

    found = breaches("activity_unknown", *records)

    assert set(found) == {plain, waiting, failing, empty}
    assert found[plain] == "尚无任何来源的最近发布日期；未配置订阅源"
    assert found[waiting] == "尚无任何来源的最近发布日期；订阅源尚未抓取"
    assert found[failing] == (
        "尚无任何来源的最近发布日期；订阅源抓取失败（连续 3 次：服务器返回 HTTP 403）"
    )
    assert found[empty] == "尚无任何来源的最近发布日期；订阅源中没有带日期的条目"
    assert RULES["activity_unknown"].severity == "info"
    for code in ("zombie_warn", "zombie_close"):
        assert breaches(code, *records) == {}


def test_zombie_thresholds_come_from_the_policy(cast):
    account = make_account(unit=cast.cs, last_post_date=date(2025, 1, 1))  # 180 days
    policy = replace(
        Policy(), zombie=replace(Policy().zombie, warn_after_days=90, close_after_days=181)
    )
    assert set(breaches("zombie_warn", account, policy=policy)) == {account}
    assert breaches("zombie_close", account, policy=policy) == {}


# --- team -------------------------------------------------------------------------------


def test_first_responsible_not_unit_head(cast):
    deputy = make_person("赵副院长", unit=cast.cs)
    wrong = make_account(unit=cast.cs, team=[("first_responsible", deputy)])
    # a tier-2 account of a division answers to its 二级单位 (计算机学院)
    division = make_account(unit=cast.se, tier=2, team=[("first_responsible", deputy)])
    tier3 = make_account(unit=cast.se, team=[("first_responsible", deputy)])
    headless = make_account(unit=cast.lit, team=[("first_responsible", cast.lit_teacher)])

    found = breaches(
        "first_responsible_not_unit_head", cast.cs_account, wrong, division, tier3, headless
    )

    assert set(found) == {wrong, division}
    assert found[wrong] == "第一责任人为 赵副院长，不是计算机学院的负责人 张书记"
    assert not RULES["first_responsible_not_unit_head"].enabled(
        with_team(first_responsible_must_be_unit_head=False)
    )


def test_responsible_not_staff(cast):
    bad = make_account(unit=cast.lit, team=[("responsible", cast.lit_student)])
    good = make_account(unit=cast.lit, team=[("responsible", cast.lit_teacher)])
    found = breaches("responsible_not_staff", bad, good)
    assert found == {bad: "负责人 王同学 为学生，须为教职工"}


def test_responsible_not_in_post(cast):
    gone = make_person("钱老师", unit=cast.lit, status=PersonStatus.LEFT)
    bad = make_account(unit=cast.lit, team=[("first_responsible", gone)])
    good = make_account(unit=cast.lit, team=[("first_responsible", cast.lit_teacher)])
    assert breaches("responsible_not_in_post", bad, good) == {bad: "第一责任人 钱老师 已离职"}


def test_reviewers_not_staff(cast):
    college = make_account(unit=cast.lit, team=[("operator", cast.lit_student)])
    student_org = make_unit("文学院学生会", kind=UnitKind.STUDENT_ORG, parent=cast.lit)
    student_run = make_account(unit=student_org, team=[("operator", cast.lit_student)])
    reviewed = make_account(unit=cast.lit, team=[("reviewer", cast.lit_student)])
    staffed = make_account(unit=cast.lit, team=[("operator", cast.lit_teacher)])

    found = breaches("reviewers_not_staff", college, student_run, reviewed, staffed)
    assert found == {college: "运营者 王同学 为学生，须为教职工"}

    strict = with_team(reviewers_must_be_staff=True)
    found = breaches("reviewers_not_staff", college, student_run, reviewed, policy=strict)
    assert set(found) == {college, reviewed}


def test_team_member_left(cast):
    graduated = make_person("孙同学", unit=cast.lit, kind=PersonKind.STUDENT, status="graduated")
    bad = make_account(unit=cast.lit, team=[("admin", graduated)])
    # a responsible person who left is responsible_not_in_post's, not this rule's
    other = make_account(unit=cast.lit, team=[("responsible", graduated)])
    assert breaches("team_member_left", bad, other) == {bad: "管理员 孙同学 已毕业"}


def test_student_account_without_advisor(cast):
    union = make_account(unit=cast.union)
    advised = make_account(unit=cast.union, team=[("advisor", cast.lit_teacher)])
    found = breaches("student_account_without_advisor", union, advised, cast.cs_account)
    assert found == {union: "校学生会的学生账号未配备指导教师"}
    assert not RULES["student_account_without_advisor"].enabled(
        with_team(student_accounts_need_advisor=False)
    )


def test_too_few_reviewers(cast):
    policy = replace(Policy(), review=replace(Policy().review, min_content_reviewers=3))
    people = [make_person(unit=cast.lit) for _ in range(3)]
    gone = make_person(unit=cast.lit, status=PersonStatus.LEFT)
    short = make_account(
        unit=cast.lit, team=[("reviewer", people[0]), ("reviewer", people[1]), ("reviewer", gone)]
    )
    full = make_account(unit=cast.lit, team=[("reviewer", p) for p in people])
    personal = make_account(unit=cast.lit, is_personal=True)
    found = breaches("too_few_reviewers", short, full, personal, policy=policy)
    assert found == {short: "在职内容审核人 2 人，少于要求的 3 人"}
    no_review = replace(Policy(), review=replace(Policy().review, min_content_reviewers=0))
    assert not RULES["too_few_reviewers"].enabled(no_review)


# --- registry ---------------------------------------------------------------------------


def test_duplicate_official(cast):
    second = make_account("计算机学院", unit=cast.cs, is_official=True)
    other_platform = make_account(unit=cast.cs, is_official=True, platform_code="weibo")
    other_unit = make_account(unit=cast.lit, is_official=True)
    found = breaches("duplicate_official", cast.cs_account, second, other_platform, other_unit)
    assert set(found) == {cast.cs_account, second}
    assert found[second] == "本单位在微信公众号有 2 个官方账号：计算机学院团委、计算机学院"


def test_duplicate_official_expands_a_record_scan_to_its_peers(cast):
    second = make_account(unit=cast.cs, is_official=True)
    assert RULES["duplicate_official"].expand([second.pk]) == sorted(
        [cast.cs_account.pk, second.pk]
    )


def test_tier3_above_threshold_not_filed(cast):
    big = make_account(unit=cast.se, platform_code="weibo", audience=60000)
    small = make_account(unit=cast.se, platform_code="weibo", audience=40000)
    filed = make_account(
        unit=cast.se, platform_code="weibo", audience=60000, filing_state=FilingState.FILED
    )
    no_threshold = make_account(unit=cast.se, platform_code="douyin", audience=900000)
    tier2 = make_account(unit=cast.cs, platform_code="weibo", audience=60000)
    found = breaches("tier3_above_threshold_not_filed", big, small, filed, no_threshold, tier2)
    assert found == {big: "三级账号粉丝 6万，超过新浪微博的备案门槛 5万，当前未备案"}


def test_account_not_verified(cast):
    unverified = make_account(unit=cast.cs, platform_code="weibo")
    verified = make_account(unit=cast.cs, platform_code="weibo", verified=True)
    tier3 = make_account(unit=cast.se, platform_code="weibo")
    website = make_account(unit=cast.cs, platform_code="website_campus")
    found = breaches("account_not_verified", unverified, verified, tier3, website)
    assert found == {unverified: "未取得新浪微博平台认证"}


def test_live_before_approval(cast):
    pending = make_account(unit=cast.cs, filing_state=FilingState.PENDING)
    filed = make_account(unit=cast.cs, filing_state=FilingState.FILED)
    paused = make_account(unit=cast.cs, status=AccountStatus.SUSPENDED)
    found = breaches("live_before_approval", pending, filed, paused)
    assert found == {pending: "账号正在运营，备案状态为“审批中”"}


def test_missing_required_data(cast):
    no_phone = make_person("周老师", unit=cast.lit, mobile="")
    empty = make_account(unit=cast.lit, external_id="", url="")
    phoneless = make_account(
        unit=cast.lit, external_id="ncwu_lit2", team=[("responsible", no_phone)]
    )
    complete = make_account(
        unit=cast.lit, external_id="ncwu_lit3", team=[("responsible", cast.lit_teacher)]
    )
    found = breaches("missing_required_data", empty, phoneless, complete)
    assert found == {
        empty: "未登记第一责任人或负责人；未填写账号或网址",
        phoneless: "负责人 周老师 未登记手机号",
    }


# --- names ------------------------------------------------------------------------------


def test_personal_uses_school_name(cast):
    unfiled = make_account("华水考研互助", unit=cast.lit, is_personal=True)
    filed = make_account(
        "华水摄影", unit=cast.lit, is_personal=True, filing_state=FilingState.FILED
    )
    unrelated = make_account("小王的日常", unit=cast.lit, is_personal=True)
    unit_account = make_account("华水文学院", unit=cast.lit)
    traditional = make_account("華水攝影", unit=cast.lit, is_personal=True)
    initials = make_account("NCWU Photography", unit=cast.lit, is_personal=True)
    found = breaches(
        "personal_uses_school_name", unfiled, filed, unrelated, unit_account, traditional, initials
    )
    assert found == {
        unfiled: "个人账号名称使用学校名称，当前未备案：含学校简称“华水”",
        traditional: "个人账号名称使用学校名称，当前未备案："
        "含学校简称“华水”，写作“華水”（繁体）：華→华（繁体）",
        initials: "个人账号名称使用学校名称，当前未备案：含学校首字母缩写“NCWU”",
    }

    forbid = replace(Policy(), registry=replace(Policy().registry, personal_name_use="forbid"))
    found = breaches("personal_uses_school_name", unfiled, filed, unrelated, policy=forbid)
    assert set(found) == {unfiled, filed}
    assert "个人不得以学校名义开设账号" in found[filed]


def test_name_imitates_school(cast):
    twisted = make_account("滑水大学表白墙", unit=cast.lit, is_personal=True)
    traditional = make_account("華北水利水電大學", unit=cast.lit)
    plain = make_account("文学院读书会", unit=cast.lit)
    found = breaches("name_imitates_school", twisted, traditional, plain)
    assert set(found) == {twisted}  # Traditional writing uses the name, it does not imitate it
    assert found[twisted] == (
        "名称“滑水大学表白墙”疑似仿冒“华水”：“滑水”与学校简称“华水”谐音：滑→华（同音 huá）"
    )


def test_name_rules_without_an_institution_find_nothing(cast):
    cast.institution.delete()
    account = make_account("華北水利水電大學", unit=cast.lit, is_personal=True)
    assert breaches("name_imitates_school", account) == {}
    assert breaches("personal_uses_school_name", account) == {}


# --- groups -----------------------------------------------------------------------------


def test_group_unregistered(cast):
    big = make_group(unit=cast.cs, member_count=35)
    registered = make_group(unit=cast.cs, member_count=35, registered=True)
    small = make_group(unit=cast.cs, member_count=9)
    found = breaches("group_unregistered", big, registered, small)
    assert found == {big: "群成员 35 人，达到 10 人须报备，尚未报备"}


def test_temporary_group_expired(cast):
    expired = make_group(unit=cast.cs, is_temporary=True, temporary_until=date(2025, 6, 1))
    running = make_group(unit=cast.cs, is_temporary=True, temporary_until=date(2025, 7, 1))
    found = breaches("temporary_group_expired", expired, running)
    assert found == {expired: "临时群截止日期 2025-06-01 已过 29 天，仍在使用"}

    old = make_group(
        unit=cast.cs,
        is_temporary=True,
        temporary_until=date(2026, 1, 1),
        created_month=date(2024, 11, 1),
    )
    policy = replace(Policy(), groups=replace(Policy().groups, temporary_max_days=180))
    found = breaches("temporary_group_expired", old, running, policy=policy)
    assert found == {old: "临时群创建于 2024-11，超过临时群最长存续 180 天"}


def test_group_outside_members(cast):
    mixed = make_group(unit=cast.cs, has_outside_members=True, outside_member_count=12)
    inside = make_group(unit=cast.cs)
    found = breaches("group_outside_members", mixed, inside)
    assert found == {mixed: "群内有校外人员 12 人（共 20 人）"}
    assert RULES["group_outside_members"].severity == "attention"


def test_group_admin_left(cast):
    gone = make_person("吴老师", unit=cast.cs, status=PersonStatus.LEFT)
    by_creator = make_group(unit=cast.cs, creator=gone)
    by_admin = make_group(unit=cast.cs, creator=cast.cs_head, admins=[gone])
    fine = make_group(unit=cast.cs, creator=cast.cs_head)
    found = breaches("group_admin_left", by_creator, by_admin, fine)
    assert found == {by_creator: "创建人 吴老师 已离职", by_admin: "管理员 吴老师 已离职"}


def test_group_missing_data(cast):
    nobody = make_group(unit=cast.cs)
    admin_only = make_group(unit=cast.cs, admins=[cast.lit_teacher])
    phoneless = make_group(unit=cast.cs, creator=make_person("郑老师", unit=cast.cs))
    complete = make_group(unit=cast.cs, creator=cast.cs_head)
    found = breaches("group_missing_data", nobody, admin_only, phoneless, complete)
    assert found == {nobody: "未登记创建人或群管理员", phoneless: "创建人 郑老师 未登记手机号"}


# --- the catalogue of rules -------------------------------------------------------------


def test_every_rule_is_described_and_every_severity_is_used():
    severities = set()
    for code, rule in RULES.items():
        assert rule.code == code and code.isascii() and code == code.lower()
        assert rule.title and rule.explanation and rule.source
        severities.add(rule.severity)
    assert severities == {"info", "attention", "warning", "serious"}


@time_machine.travel("2025-06-30 10:00 +0800", tick=False)
def test_scan_context_today_follows_the_clock(cast):
    from beian.compliance.engine import scan_all
    from beian.compliance.models import Finding

    make_account(unit=cast.cs, last_post_date=date(2025, 4, 20))
    scan_all()
    assert Finding.objects.filter(rule="zombie_warn", message__contains="71 天").exists()
