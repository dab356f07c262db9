"""Deciding a request, step by step: the approver approves, rejects or returns the open
step (`filing_decide` dispatches the page's choice); after the last approval the request is
approved and takes effect (`records.take_effect`). Chains cannot deadlock
(docs/workflows/filing.md): an orphaned step is taken over by a school admin
(`filing_step_take_over`) or handed to a fallback office by the daily run
(`filing_steps_reroute_orphans`).

Each decision locks the request, checks that it answers the open step, the transition
(`workflow.TRANSITIONS`) and that the actor holds the deciding office, saves with
`update_fields` and writes the timeline entry and the audit row in the same transaction;
mail and inbox rows go out after commit (`notifications.notify`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.choices import AuditEventType
from beian.core.policy import get_policy
from beian.registry.choices import FilingState
from beian.users.models import User

from .. import chains
from ..choices import Decision, EventAction, FilingKind, FilingStatus, StepStatus
from ..models import Filing, FilingStep
from ..notifications import notify
from ..workflow import (
    TransitionError,
    check_transition,
    office_holders,
    step_label,
    step_recipients,
    waiting_q,
)
from .common import link, lock, record, words
from .records import set_account_filing_state, take_effect

#: The request's fields that name its open step.
CURRENT_FIELDS = ("current_step", "current_position", "current_office", "current_fallback")


@transaction.atomic
def filing_approve(
    *,
    filing: Filing,
    actor: User,
    comment: str = "",
    round_no: int | None = None,
    position: int | None = None,
) -> Filing:
    """The current approver agrees: the request moves to the next step, or, after the
    last, is approved and takes effect (registration number, change applied, closed).
    `round_no` / `position` name the step the approver answers (the page sends them): a
    decision for a step no longer open is refused (`chains.StaleDecision`)."""
    filing, step = _lock_for_decision(filing, actor, "approve", round_no, position)
    _close_step(step, actor, StepStatus.APPROVED, comment)
    record(
        filing, actor, EventAction.APPROVED, AuditEventType.APPROVE, step=step.step,
        comment=comment, detail={"decision": Decision.APPROVE, "position": step.position},
    )  # fmt: skip
    if step.position + 1 < len(filing.chain):
        check_transition(filing.status, "approve", FilingStatus.PENDING)
        activate(filing, step.position + 1)
        return filing
    check_transition(filing.status, "approve", FilingStatus.APPROVED)
    return finish(filing, actor)


@transaction.atomic
def filing_reject(
    *,
    filing: Filing,
    actor: User,
    reason: str,
    round_no: int | None = None,
    position: int | None = None,
) -> Filing:
    """The current approver refuses, with a reason; the request ends (未通过)."""
    reason = (reason or "").strip()
    filing, step = _lock_for_decision(filing, actor, "reject", round_no, position)
    if not reason:
        raise ValidationError({"comment": _("不同意时请填写理由")})
    _close_step(step, actor, StepStatus.REJECTED, reason)
    stop_round(filing, FilingStatus.REJECTED)
    if filing.kind == FilingKind.LATE:
        set_account_filing_state(filing.account, FilingState.UNFILED, actor)
    _answer_applicant(
        filing, actor, step, EventAction.REJECTED, Decision.REJECT, reason,
        _("您的%(kind)s《%(name)s》未获通过（%(office)s）：%(reason)s"),
    )  # fmt: skip
    return filing


@transaction.atomic
def filing_return(
    *,
    filing: Filing,
    actor: User,
    comment: str,
    round_no: int | None = None,
    position: int | None = None,
) -> Filing:
    """The current approver sends the request back for changes, saying what to change;
    the applicant edits and resubmits it (a new round from the first step)."""
    comment = (comment or "").strip()
    filing, step = _lock_for_decision(filing, actor, "return", round_no, position)
    if not comment:
        raise ValidationError({"comment": _("退回修改时请说明需要修改的内容")})
    _close_step(step, actor, StepStatus.RETURNED, comment)
    stop_round(filing, FilingStatus.RETURNED, decided=False)
    _answer_applicant(
        filing, actor, step, EventAction.RETURNED, Decision.RETURN, comment,
        _("您的%(kind)s《%(name)s》被退回修改（%(office)s）：%(reason)s"),
    )  # fmt: skip
    return filing


def filing_decide(
    *,
    filing: Filing,
    actor: User,
    decision: str,
    comment: str = "",
    round_no: int | None = None,
    position: int | None = None,
) -> Filing:
    """Approve, reject or return, as the approver chose on the page, for the step
    (`round_no`, `position`) the page showed."""
    answers = {"round_no": round_no, "position": position}
    if decision == Decision.APPROVE:
        return filing_approve(filing=filing, actor=actor, comment=comment, **answers)
    if decision == Decision.REJECT:
        return filing_reject(filing=filing, actor=actor, reason=comment, **answers)
    if decision == Decision.RETURN:
        return filing_return(filing=filing, actor=actor, comment=comment, **answers)
    raise ValidationError(_("未知的审批操作"))


@transaction.atomic
def filing_step_take_over(
    *, filing: Filing, actor: User, round_no: int, position: int, reason: str = ""
) -> Filing:
    """A school admin (or a holder of a [filing] fallback office) takes over the open
    step when its office has lost every approver other than the applicant (e.g. the unit
    admin's role was revoked while the request waited). The step stays; who decides it
    changes, is recorded and asked."""
    filing = lock(filing)
    stale = chains.stale_decision_message(filing, round_no=round_no, position=position)
    if stale:
        raise chains.StaleDecision(stale, code="stale")
    office = chains.take_over_office(actor, filing, get_policy())
    if office is None:
        if not chains.is_orphaned(filing):
            raise PermissionDenied(_("该步骤仍有审批人，无需接办"))
        raise PermissionDenied(_("您不能接办该审批步骤"))
    _reroute(filing, office, actor, comment=(reason or "").strip())
    return filing


def filing_steps_reroute_orphans() -> int:
    """Hand every orphaned open step to the first [filing] fallback office that has an
    eligible approver (run daily before the reminders). Returns how many were handed."""
    policy = get_policy()
    moved = 0
    pending = Filing.objects.filter(status=FilingStatus.PENDING).select_related(
        "owner_unit", "second_unit", "applicant"
    )
    for filing in pending:
        if not chains.is_orphaned(filing):
            continue
        with transaction.atomic():
            locked = lock(filing)
            if not chains.is_orphaned(locked):
                continue
            found = chains.resolve_office(locked.current_step, locked, policy)
            if found is None or found[0] == chains.current_office(locked):
                continue
            _reroute(locked, found[0], None)
            moved += 1
    return moved


# --- moving along the chain ------------------------------------------------------------


def _lock_for_decision(
    filing: Filing,
    actor: User,
    action: str,
    round_no: int | None = None,
    position: int | None = None,
) -> tuple[Filing, FilingStep]:
    """The locked request and its current step, after checking that the decision answers
    the open step (when the caller names it), the transition, that the actor is not the
    applicant and that the actor holds the office that decides the current step."""
    filing = lock(filing)
    if round_no is not None or position is not None:
        stale = chains.stale_decision_message(
            filing,
            round_no=filing.round if round_no is None else round_no,
            position=filing.current_position if position is None else position,
        )
        if stale:
            raise chains.StaleDecision(stale, code="stale")
    check_transition(filing.status, action)
    if filing.applicant_id == actor.pk:
        raise PermissionDenied(_("不能审批自己提交的申请"))
    if not Filing.objects.filter(waiting_q(actor), pk=filing.pk).exists():
        raise PermissionDenied(_("您不是该申请当前步骤的审批人"))
    step = FilingStep.objects.select_for_update().get(
        filing=filing, round=filing.round, status=StepStatus.CURRENT
    )
    if step.position != filing.current_position or step.step != filing.current_step:
        raise TransitionError(_("审批步骤已变化，请刷新页面"))
    return filing, step


def activate(filing: Filing, position: int, extra_fields: Iterable[str] = ()) -> None:
    """Make the step at `position` of the current round the one waiting for a decision,
    and ask its approvers."""
    step = FilingStep.objects.get(filing=filing, round=filing.round, position=position)
    if step.status != StepStatus.WAITING:
        raise TransitionError(_("审批步骤状态异常"))
    # Roles may have changed since submission: decide again who takes the step. When no
    # office has anyone the step keeps its own office and shows as orphaned (taken over
    # by the school admin, or rerouted by the daily run, once someone holds an office).
    found = chains.resolve_office(step.step, filing, get_policy())
    office = found[0] if found else step.step
    step.status, step.activated_at = StepStatus.CURRENT, timezone.now()
    step.acting_office, step.fallback = office, office != step.step
    step.save(update_fields=["status", "fallback", "acting_office", "activated_at"])
    filing.current_step, filing.current_position = step.step, position
    filing.current_office, filing.current_fallback = office, office != step.step
    filing.save(update_fields=list({*CURRENT_FIELDS, "updated_at", *extra_fields}))
    notify(
        step_recipients(filing),
        _("【待审批】%(applicant)s 提交的%(kind)s《%(name)s》等待您审批（%(office)s）")
        % words(filing, office=step.office, applicant=str(filing.applicant)),
        link=link(filing),
        filing=filing,
    )


def _close_step(step: FilingStep, actor: User, status: str, comment: str) -> None:
    step.status, step.decided_by, step.decided_at = status, actor, timezone.now()
    step.comment = (comment or "").strip()
    step.save(update_fields=["status", "decided_by", "decided_at", "comment"])


def _cancel_open_steps(filing: Filing) -> None:
    FilingStep.objects.filter(
        filing=filing, status__in=[StepStatus.WAITING, StepStatus.CURRENT]
    ).update(status=StepStatus.CANCELLED)


def _answer_applicant(
    filing: Filing,
    actor: User,
    step: FilingStep,
    action: str,
    decision: str,
    comment: str,
    message: str,
) -> None:
    """Record a decision that sends the request back to its applicant (rejected or
    returned) on the timeline and in the audit log, and tell the applicant why."""
    record(
        filing, actor, action, AuditEventType.APPROVE, step=step.step, comment=comment,
        detail={"decision": decision},
    )  # fmt: skip
    notify(
        [filing.applicant],
        message % words(filing, office=step.office, reason=comment),
        link=link(filing),
        filing=filing,
    )


def stop_round(filing: Filing, status: str, *, decided: bool = True) -> None:
    """End the current round: cancel the steps still open, set `status` (with the time of
    the decision unless the request goes back to its applicant) and clear the open step."""
    _cancel_open_steps(filing)
    filing.status = status
    fields = [*CURRENT_FIELDS, "status", "updated_at"]
    if decided:
        filing.decided_at = timezone.now()
        fields.append("decided_at")
    _clear_current(filing)
    filing.save(update_fields=fields)


def _clear_current(filing: Filing) -> None:
    filing.current_step, filing.current_position, filing.current_fallback = "", None, False
    filing.current_office = ""


def _reroute(filing: Filing, office: str, actor: User | None, comment: str = "") -> None:
    """Let `office` decide the open step (a take-over, or the daily reroute of an
    orphaned step); recorded on the timeline and in the audit log, and its approvers
    asked."""
    step = FilingStep.objects.select_for_update().get(
        filing=filing, round=filing.round, status=StepStatus.CURRENT
    )
    before = step.acting_office or step.step
    step.acting_office, step.fallback = office, office != step.step
    step.save(update_fields=["acting_office", "fallback"])
    filing.current_office, filing.current_fallback = office, office != step.step
    filing.save(update_fields=["current_office", "current_fallback", "updated_at"])
    record(
        filing, actor, EventAction.TAKEN_OVER, AuditEventType.UPDATE, step=step.step,
        comment=comment, detail={"position": step.position, "office": [before, office]},
    )  # fmt: skip
    notify(
        [u for u in step_recipients(filing) if actor is None or u.pk != actor.pk],
        _("【待审批】%(kind)s《%(name)s》的“%(step)s”一步原审批人已无权限，改由%(office)s审批")
        % words(filing, step=step.office, office=step_label(office)),
        link=link(filing),
        filing=filing,
    )


def finish(filing: Filing, actor: User, *, recorded: bool = False) -> Filing:
    """The request is approved (or, needing no approval, recorded): make it take effect."""
    today = timezone.localdate()
    filing.status = FilingStatus.APPROVED
    filing.decided_at = timezone.now()
    filing.approved_on = today
    _clear_current(filing)
    if filing.kind == FilingKind.LATE:
        filing.live_before_approval = True
    elif filing.kind == FilingKind.NEW and filing.goes_live_on:
        filing.live_before_approval = filing.goes_live_on < today
    filing.save(
        update_fields=[
            *CURRENT_FIELDS,
            "status",
            "decided_at",
            "approved_on",
            "live_before_approval",
            "updated_at",
        ]
    )
    record(
        filing,
        actor,
        EventAction.RECORDED if recorded else EventAction.FINAL_APPROVED,
        AuditEventType.APPROVE,
        detail={"decision": "final"},
    )
    take_effect(filing, actor)

    said = words(filing)
    if filing.registration_number:
        said["name"] = f"{filing.account_name}（{filing.registration_number}）"
    text = (
        _("您的%(kind)s《%(name)s》已报备") if recorded else _("您的%(kind)s《%(name)s》已审批通过")
    ) % said
    notify([filing.applicant], text, link=link(filing), filing=filing)
    if filing.inform_school or recorded:
        holders = [u for u in office_holders("school_admin", filing) if u.pk != actor.pk]
        record(filing, actor, EventAction.INFORMED, AuditEventType.OTHER)
        notify(
            holders,
            _("【报备】%(unit)s 的%(kind)s《%(name)s》已办结，报宣传部备案") % said,
            link=link(filing),
            filing=filing,
        )
    return filing
