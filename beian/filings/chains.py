"""Chains that cannot deadlock: who can move each step of a request, checked when the
request is submitted and whenever a step becomes the open one.

An *eligible approver* of an office is an active user other than the applicant who holds
that office for the request (`workflow.office_holders`). A step is decided by its own
office when that office has an eligible approver; otherwise by the first office of the
policy's ``[filing] fallback`` that has one. A chain with a step that no office can take
is refused at submission, with a message naming the step and what to configure, so a
submitted request always has someone who can move it.

Roles change while requests wait: a step whose office lost its last approver is
*orphaned*. Its page says so; a school admin (or a holder of a fallback office) takes it
over (`services.filing_step_take_over`), and the daily reminder run hands it to the
fallback offices by itself (`services.filing_steps_reroute_orphans`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.policy import Policy
from beian.users.choices import Role
from beian.users.models import User

from .choices import FilingStatus, StepStatus
from .workflow import TransitionError, current_office, eligible_approvers, step_label


class StaleDecision(TransitionError):
    """A decision that answers a step or round no longer open (double click, two tabs)."""


@dataclass(frozen=True)
class StepPlan:
    """Who decides one step: `office` is the step's own office or the one that takes it
    over; `approvers` are its eligible approvers (never the applicant)."""

    position: int
    step: str
    office: str
    approvers: tuple[User, ...]

    @property
    def fallback(self) -> bool:
        return self.office != self.step


def offices_for(step: str, policy: Policy) -> tuple[str, ...]:
    """The offices that may decide `step`, in the order they are tried."""
    return (step, *(office for office in policy.filing.fallback if office != step))


def resolve_office(step: str, filing, policy: Policy) -> tuple[str, list[User]] | None:
    """The office that decides `step` and its eligible approvers; None when no office
    (its own, nor any fallback) has anyone but the applicant."""
    for office in offices_for(step, policy):
        approvers = eligible_approvers(office, filing)
        if approvers:
            return office, approvers
    return None


def plan_chain(filing, chain, policy: Policy) -> list[StepPlan]:
    """Who decides each step of `chain`; raise ValidationError naming every step that
    nobody but the applicant could decide, and what to configure for it."""
    plans: list[StepPlan] = []
    problems: list[str] = []
    for position, step in enumerate(chain):
        found = resolve_office(step, filing, policy)
        if found is None:
            problems.append(deadlock_message(step, filing, policy))
            continue
        office, approvers = found
        plans.append(StepPlan(position, step, office, tuple(approvers)))
    if problems:
        raise ValidationError(problems, code="no_approver")
    return plans


def deadlock_message(step: str, filing, policy: Policy) -> str:
    """Why a step cannot be decided and what the school must configure, in Chinese."""
    words = {"office": step_label(step), "fix": _what_to_configure(step, filing)}
    fallback = [o for o in policy.filing.fallback if o != step]
    if fallback:
        words["fallback"] = "、".join(step_label(o) for o in fallback)
        return (
            _(
                "审批步骤“%(office)s”除申请人本人外没有可审批的人，策略 [filing] fallback "
                "指定的代审部门（%(fallback)s）也没有：%(fix)s"
            )
            % words
        )
    return (
        _(
            "审批步骤“%(office)s”除申请人本人外没有可审批的人：%(fix)s，"
            "或在策略文件 [filing] fallback 中指定代为审批的部门"
        )
        % words
    )


def _what_to_configure(step: str, filing) -> str:
    if step == "school_admin" or (step == "unit_head" and filing.second_unit_id is None):
        return _("请再为一名用户分配“%(role)s”角色") % {"role": Role.SCHOOL_ADMIN.label}
    if step == "leader":
        return _("请为主管校领导的登录账号分配“%(role)s”角色") % {"role": Role.LEADER.label}
    if step == "league_approver":
        return _("请为校团委的审批人分配管辖“%(unit)s”的“%(role)s”角色") % {
            "unit": filing.owner_unit.name,
            "role": Role.LEAGUE_APPROVER.label,
        }
    return _("请为“%(unit)s”指定“%(role)s”，或在组织机构中设置其负责人并为负责人关联登录账号") % {
        "unit": filing.second_unit.name,
        "role": Role.UNIT_ADMIN.label,
    }


# --- the open step ---------------------------------------------------------------------


def current_approvers(filing) -> list[User]:
    """Who can decide the open step now (empty when the request waits for nobody)."""
    if filing.status != FilingStatus.PENDING or not filing.current_step:
        return []
    return eligible_approvers(current_office(filing), filing)


def is_orphaned(filing) -> bool:
    """The open step's office has lost every approver other than the applicant."""
    return filing.status == FilingStatus.PENDING and not current_approvers(filing)


def take_over_office(user, filing, policy: Policy) -> str | None:
    """The office in which `user` may take over the orphaned open step: the school admin
    always may (it answers for the registry), and so may a holder of a fallback office.
    None when the step is not orphaned or the user holds none of these offices."""
    if not user.is_authenticated or user.pk == filing.applicant_id or not is_orphaned(filing):
        return None
    for office in ("school_admin", *policy.filing.fallback):
        if office == current_office(filing):
            continue
        if any(u.pk == user.pk for u in eligible_approvers(office, filing)):
            return office
    return None


def stale_decision_message(filing, *, round_no: int, position: int) -> str | None:
    """None when (`round_no`, `position`) is the open step of the request; otherwise
    what became of that step, to tell the approver whose click came too late."""
    if (
        filing.status == FilingStatus.PENDING
        and filing.round == round_no
        and filing.current_position == position
    ):
        return None
    step = filing.steps.select_related("decided_by").filter(round=round_no, position=position)
    step = step.first()
    if step is not None and step.decided_by_id:
        return _(
            "第 %(round)d 轮“%(office)s”一步已由 %(who)s 于 %(at)s 处理（%(decision)s），"
            "本次提交未执行：可能是重复点击，或已在另一个窗口中处理"
        ) % {
            "round": round_no,
            "office": step.office,
            "who": step.decided_by,
            "at": timezone.localtime(step.decided_at).strftime("%Y-%m-%d %H:%M"),
            "decision": step.get_status_display(),
        }
    if step is not None and step.status == StepStatus.CANCELLED:
        return _(
            "第 %(round)d 轮“%(office)s”一步已取消（申请当前状态：%(status)s），本次提交未执行"
        ) % {"round": round_no, "office": step.office, "status": filing.get_status_display()}
    return _("该申请的审批步骤已变化（当前状态：%(status)s），本次提交未执行，请查看最新进度") % {
        "status": filing.get_status_display()
    }
