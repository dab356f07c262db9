"""Chains that cannot deadlock (issue 8, point 4): the three deadlocks found running the
seeds' rounds, each now impossible; stale and duplicate decisions; orphaned steps taken
over; the 补办 button wherever a finding asks for it; the scoped 责任单位 of the form."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from beian.compliance.models import Finding
from beian.filings import selectors, services
from beian.filings.chains import StaleDecision, current_approvers, is_orphaned
from beian.filings.choices import EventAction, FilingKind, FilingStatus
from beian.filings.models import Filing
from beian.orgs.choices import PersonKind
from beian.registry.choices import FilingState
from beian.testing import make_account, make_person, make_user
from beian.users.choices import Role
from beian.users.models import RoleAssignment
from beian.users.services import role_revoke

from .factories import apply_new, new_fields, team

pytestmark = pytest.mark.django_db

#: Every test here runs on a fixed day; none depends on the wall clock.
NOW = "2026-12-07 10:00:00+08:00"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _decide(client, filing, decision="approve", comment="同意", **answers):
    data = {
        "decision": decision,
        "comment": comment,
        "round_no": answers.get("round_no", filing.round),
        "position": answers.get("position", filing.current_position),
    }
    return client.post(reverse("filings:decide", args=[filing.pk]), data, follow=True)


def _page(response) -> str:
    return response.content.decode()


# --- deadlock 1: the sole school admin files for 校学生会 -----------------------------------


def test_sole_school_admin_filing_for_the_student_union_is_decided_by_the_leader(cast, client):
    filing = apply_new(cast.school_admin, cast.union, "校学生会")
    assert filing.chain == ["league_approver", "school_admin"]
    filing = services.filing_approve(filing=filing, actor=cast.league_approver)
    assert filing.current_step == "school_admin" and filing.current_office == "leader"
    assert current_approvers(filing) == [cast.leader]

    client.force_login(cast.leader)
    page = _page(client.get(reverse("filings:detail", args=[filing.pk])))
    assert reverse("filings:decide", args=[filing.pk]) in page
    assert "由主管校领导代为审批" in page
    _decide(client, filing)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.APPROVED and filing.registration_number
    assert filing.steps.get(position=1).decided_by == cast.leader


def test_without_a_fallback_the_sole_school_admin_is_told_what_to_configure(cast, policy_file):
    policy_file("[filing]\nfallback = []\n")
    with pytest.raises(ValidationError) as caught:
        apply_new(cast.school_admin, cast.union, "校学生会")
    message = " ".join(caught.value.messages)
    assert "“党委宣传部”除申请人本人外没有可审批的人" in message
    assert "学校管理员" in message and "[filing] fallback" in message
    # the draft stays a draft; nothing waits on nobody
    assert not Filing.objects.filter(status=FilingStatus.PENDING).exists()

    make_user("school_admin2", role=Role.SCHOOL_ADMIN)
    filing = apply_new(cast.school_admin, cast.union, "校学生会")
    assert filing.status == FilingStatus.PENDING


def test_a_step_nobody_but_the_applicant_holds_with_no_fallback_names_the_unit(cast, policy_file):
    policy_file("[filing]\nfallback = []\n")
    with pytest.raises(ValidationError) as caught:
        apply_new(cast.lit_unit_admin, cast.lit)
    message = " ".join(caught.value.messages)
    assert "“二级单位负责人”" in message and "“文学院”" in message
    assert "二级单位管理员" in message and "负责人" in message


def test_refused_submission_keeps_what_was_typed(cast, client, policy_file):
    policy_file("[filing]\nfallback = []\n")
    client.force_login(cast.school_admin)
    response = client.post(reverse("filings:create"), _form_data(cast.union, "校学生会之声"))
    assert response.status_code == 200
    page = _page(response)
    assert "“党委宣传部”除申请人本人外没有可审批的人" in page
    assert 'value="校学生会之声"' in page
    assert not Filing.objects.exists()


# --- deadlock 2: a unit head linked to the roster, holding no role --------------------------


def test_unit_head_without_a_role_opens_and_decides_what_waits_for_them(cast, client):
    head = make_person("文学院书记", unit=cast.lit, post="党委书记")
    cast.lit.head = head
    cast.lit.save()
    head_user = make_user("lit_head", person=head, name="文学院书记")
    filing = apply_new(cast.lit_operator, cast.lit)

    client.force_login(head_user)
    waiting = _page(client.get(reverse("filings:waiting")))
    assert reverse("filings:detail", args=[filing.pk]) in waiting
    detail = client.get(reverse("filings:detail", args=[filing.pk]))
    assert detail.status_code == 200
    assert reverse("filings:decide", args=[filing.pk]) in _page(detail)
    _decide(client, filing)
    filing.refresh_from_db()
    assert filing.current_step == "school_admin"
    assert filing.steps.get(round=1, position=0).decided_by == head_user
    # what they decided stays readable to them; what they never touched does not
    assert client.get(reverse("filings:detail", args=[filing.pk])).status_code == 200
    other = apply_new(cast.cs_unit_admin, cast.cs, "计院新号")
    assert client.get(reverse("filings:detail", args=[other.pk])).status_code == 404


def test_everything_in_the_waiting_list_opens_for_every_role(cast, client):
    """The visibility of a filing includes the approvers of its open step, whoever they
    are: what 待我审批 lists, the detail page shows with its decision buttons."""
    head = make_person("计院书记", unit=cast.cs)
    cast.cs.head = head
    cast.cs.save()
    users = [*cast.users.values(), make_user("cs_head", person=head)]
    apply_new(cast.lit_operator, cast.lit)
    apply_new(cast.cs_unit_admin, cast.cs, "计院新号")
    apply_new(cast.school_admin, cast.union, "校学生会")
    for user in users:
        client.force_login(user)
        for filing in selectors.filings_waiting_for(user):
            response = client.get(reverse("filings:detail", args=[filing.pk]))
            assert response.status_code == 200, (user.username, filing)
            assert reverse("filings:decide", args=[filing.pk]) in _page(response)


# --- deadlock 3: accounts 审批中 without a filing ------------------------------------------


def test_account_pending_without_a_filing_has_the_late_filing_button(cast, client):
    account = make_account(
        "文学院演示号", unit=cast.lit, external_id="lit_demo", filing_state=FilingState.PENDING
    )
    finding = Finding.objects.create(
        rule="live_before_approval",
        severity="warning",
        account=account,
        owner_unit=cast.lit,
        message="账号正在运营，备案状态为“审批中”",
        first_seen=timezone.now(),
        last_seen=timezone.now(),
    )
    late = reverse("filings:create_late", args=[account.pk])
    client.force_login(cast.lit_unit_admin)
    assert late in _page(client.get(reverse("registry:account_detail", args=[account.pk])))
    assert late in _page(client.get(reverse("compliance:finding_detail", args=[finding.pk])))

    filing = services.filing_create(
        actor=cast.lit_unit_admin,
        kind=FilingKind.LATE,
        account=account,
        fields={"account_name": account.name, "responsible_name": "刘书记"},
        team=team(),
        pledge_accepted=True,
    )
    assert filing.status == FilingStatus.PENDING
    # with a request under way, both pages lead to it instead of offering a second one
    account_page = _page(client.get(reverse("registry:account_detail", args=[account.pk])))
    assert late not in account_page
    finding_page = _page(client.get(reverse("compliance:finding_detail", args=[finding.pk])))
    assert late not in finding_page
    assert reverse("filings:detail", args=[filing.pk]) in finding_page


def test_late_filing_button_is_for_those_who_may_file(cast, client):
    account = make_account("文学院旧号", unit=cast.lit, filing_state=FilingState.UNFILED)
    late = reverse("filings:create_late", args=[account.pk])
    client.force_login(cast.leader)  # reads everything, files nothing
    assert late not in _page(client.get(reverse("registry:account_detail", args=[account.pk])))
    client.force_login(cast.school_admin)
    assert late in _page(client.get(reverse("registry:account_detail", args=[account.pk])))


# --- stale and duplicate decisions -------------------------------------------------------


def test_double_click_approves_once_and_says_so(cast, client):
    filing = apply_new(cast.lit_operator, cast.lit)
    client.force_login(cast.lit_unit_admin)
    _decide(client, filing)
    second = _decide(client, filing, round_no=1, position=0)
    assert second.status_code == 200
    assert "已由 文院管理员" in _page(second) and "重复点击" in _page(second)
    filing.refresh_from_db()
    assert filing.current_step == "school_admin"
    assert filing.events.filter(action=EventAction.APPROVED).count() == 1


def test_two_tabs_of_two_school_admins_decide_the_step_once(cast, client):
    second_admin = make_user("school_admin2", role=Role.SCHOOL_ADMIN, name="宣传部二")
    filing = apply_new(cast.lit_operator, cast.lit)
    filing = services.filing_approve(filing=filing, actor=cast.lit_unit_admin)
    answers = {"round_no": filing.round, "position": filing.current_position}
    client.force_login(cast.school_admin)
    _decide(client, filing, "return", "请补充栏目", **answers)
    client.force_login(second_admin)
    late = _decide(client, filing, "approve", **answers)
    assert "已由 宣传部管理员" in _page(late) and "退回修改" in _page(late)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.RETURNED


def test_a_decision_for_an_earlier_round_is_refused_by_the_service(cast):
    filing = apply_new(cast.lit_operator, cast.lit)
    filing = services.filing_return(filing=filing, actor=cast.lit_unit_admin, comment="补充")
    filing = services.filing_submit(filing=filing, actor=cast.lit_operator)
    assert filing.round == 2 and filing.current_position == 0
    with pytest.raises(StaleDecision) as caught:
        services.filing_approve(filing=filing, actor=cast.lit_unit_admin, round_no=1, position=0)
    assert "第 1 轮" in caught.value.messages[0]
    filing.refresh_from_db()
    assert (filing.round, filing.current_position) == (2, 0)
    filing = services.filing_approve(
        filing=filing, actor=cast.lit_unit_admin, round_no=2, position=0
    )
    assert filing.current_step == "school_admin"


def test_a_decision_without_its_step_is_refused_with_a_message(cast, client):
    filing = apply_new(cast.lit_operator, cast.lit)
    client.force_login(cast.lit_unit_admin)
    response = client.post(
        reverse("filings:decide", args=[filing.pk]), {"decision": "approve"}, follow=True
    )
    assert "页面已过期" in _page(response)
    filing.refresh_from_db()
    assert filing.current_step == "unit_head"


# --- approvers who lose their role while a filing waits ----------------------------------


def test_orphaned_step_shows_nobody_and_the_school_admin_takes_it_over(cast, client):
    filing = apply_new(cast.lit_operator, cast.lit)
    detail = reverse("filings:detail", args=[filing.pk])
    client.force_login(cast.school_admin)
    assert "文院管理员" in _page(client.get(detail))  # who can act
    assert reverse("filings:take_over", args=[filing.pk]) not in _page(client.get(detail))

    assignment = RoleAssignment.objects.get(user=cast.lit_unit_admin, role=Role.UNIT_ADMIN)
    role_revoke(actor=cast.school_admin, assignment=assignment)
    filing.refresh_from_db()
    assert is_orphaned(filing)
    page = _page(client.get(detail))
    assert "该步骤目前没有可审批的人" in page
    assert reverse("filings:take_over", args=[filing.pk]) in page

    response = client.post(
        reverse("filings:take_over", args=[filing.pk]),
        {"round_no": 1, "position": 0, "reason": "文学院管理员调离"},
        follow=True,
    )
    assert "已接办" in _page(response)
    filing.refresh_from_db()
    assert filing.current_step == "unit_head" and filing.current_office == "school_admin"
    assert filing.events.filter(action=EventAction.TAKEN_OVER).exists()
    _decide(client, filing)
    filing.refresh_from_db()
    assert filing.current_step == "school_admin"
    assert filing.steps.get(round=1, position=0).decided_by == cast.school_admin


def test_take_over_is_refused_while_the_step_has_an_approver(cast):
    filing = apply_new(cast.lit_operator, cast.lit)
    with pytest.raises(PermissionDenied):
        services.filing_step_take_over(
            filing=filing, actor=cast.school_admin, round_no=1, position=0
        )


def test_daily_run_hands_orphaned_steps_to_the_fallback(cast):
    filing = apply_new(cast.lit_operator, cast.lit)
    RoleAssignment.objects.filter(user=cast.lit_unit_admin).delete()
    assert services.reminders_send(today=timezone.localdate() + timedelta(days=7)) >= 1
    filing.refresh_from_db()
    assert filing.current_office == "school_admin" and not is_orphaned(filing)
    assert list(selectors.filings_waiting_for(cast.school_admin)) == [filing]


def test_a_step_reached_after_its_office_emptied_goes_to_the_fallback(cast):
    filing = apply_new(cast.lit_operator, cast.lit)
    RoleAssignment.objects.filter(user=cast.leader).delete()
    filing = services.filing_approve(filing=filing, actor=cast.lit_unit_admin)
    filing = services.filing_approve(filing=filing, actor=cast.school_admin)
    assert filing.current_step == "leader" and filing.current_office == "school_admin"
    assert filing.steps.get(position=2).fallback


# --- the form's 责任单位 ---------------------------------------------------------------


def _form_data(unit, name="计院视频号") -> dict:
    fields = new_fields(unit, name)
    data = {
        "owner_unit": unit.pk,
        "platform": fields["platform"].pk,
        "account_name": name,
        "responsible_name": fields["responsible_name"],
        "responsible_post": fields["responsible_post"],
        "responsible_phone": fields["responsible_phone"],
        "goes_live_on": fields["goes_live_on"].isoformat(),
        "columns": fields["columns"],
        "update_frequency": fields["update_frequency"],
        "introduction": fields["introduction"],
        "pledge": "on",
        "submit": "1",
        "team-TOTAL_FORMS": "1",
        "team-INITIAL_FORMS": "0",
        "team-MIN_NUM_FORMS": "0",
        "team-MAX_NUM_FORMS": "30",
        "team-0-role": "admin",
        "team-0-name": "赵运营",
        "team-0-identity": PersonKind.STAFF,
    }
    return data


def _unit_options(page: str) -> set[str]:
    select = re.search(r'<select name="owner_unit".*?</select>', page, re.S).group(0)
    return set(re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select))


def test_unit_choices_are_the_units_the_user_may_file_for(cast, client):
    """What the page lists (not only what the form object holds) is scoped."""
    client.force_login(cast.cs_unit_admin)
    assert _unit_options(_page(client.get(reverse("filings:create")))) == {
        "计算机学院",
        "软件工程系",
    }
    client.force_login(cast.lit_operator)
    assert _unit_options(_page(client.get(reverse("filings:create")))) == {"文学院"}
    client.force_login(cast.school_admin)
    assert {"计算机学院", "文学院", "校学生会"} <= _unit_options(
        _page(client.get(reverse("filings:create")))
    )


def test_another_units_choice_is_refused_in_chinese_and_keeps_the_form(cast, client):
    client.force_login(cast.cs_unit_admin)
    response = client.post(reverse("filings:create"), _form_data(cast.lit, "越权新号"))
    assert response.status_code == 200
    page = _page(response)
    assert "您不能为“文学院”申请备案" in page
    assert 'value="越权新号"' in page and 'value="赵运营"' in page
    assert not Filing.objects.exists()


def test_a_refusal_by_the_service_re_renders_the_form(cast, client, monkeypatch):
    """The service checks the unit again (a role revoked between GET and POST): its
    refusal comes back on the form, in Chinese, not as a bare 403."""
    client.force_login(cast.cs_unit_admin)
    monkeypatch.setattr(selectors, "can_apply_in_unit", lambda user, unit: False)
    response = client.post(reverse("filings:create"), _form_data(cast.cs, "计院新号"))
    assert response.status_code == 200
    assert "您不能为该单位申请备案" in _page(response)
    assert 'value="计院新号"' in _page(response)
