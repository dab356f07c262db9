"""The inspection rules (年检, issue 11; seeds 000, 001, 004: "inspection missed or
failed"): an account that missed its latest inspection (未参检), an account graded 不合格
and still running, a rectification (整改) past its deadline; and a graduation hand-over
(毕业交接) left open past its due date, for accounts and for groups.

Each reads the account's *latest* inspection form (the newest year), so a finding resolves
when a later round grades the account, when the account is closed, or when the
rectification is answered. The models of `beian.inspections` (a layer below compliance)
are imported at module level: importing the rules imports the inspections app.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from beian.inspections.choices import FormState, Grade, HandoverRole, HandoverState
from beian.inspections.models import HandoverCase, InspectionForm
from beian.registry.choices import GroupStatus
from beian.registry.models import ChatGroup

from ..choices import Severity, TargetKind
from .base import Breach, Rule, evidence, register
from .common import live_accounts

SOURCE = "seed 000 §二（每年12月按时年审）、001 §二.2（年检不合格的责令注销）、004 第十一条"


def _latest_forms(ctx, chunk) -> dict[int, tuple]:
    """{account id: (unit id, year, grade, state, rectify deadline, name)} of the latest
    form of every live account of the chunk that has one (one query, shared by the three
    inspection rules)."""

    def compute():
        latest = InspectionForm.objects.filter(account_id=OuterRef("pk")).order_by(
            "-inspection__year", "-pk"
        )
        rows = (
            live_accounts()
            .filter(chunk.q())
            .annotate(
                f_year=Subquery(latest.values("inspection__year")[:1]),
                f_grade=Subquery(latest.values("grade")[:1]),
                f_state=Subquery(latest.values("state")[:1]),
                f_deadline=Subquery(latest.values("rectify_deadline")[:1]),
            )
            .filter(f_year__isnull=False)
            .values_list("pk", "owner_unit_id", "f_year", "f_grade", "f_state", "f_deadline")
        )
        return {pk: rest for pk, *rest in rows}

    return ctx.for_chunk("inspection.latest", chunk, compute)


class _InspectionRule(Rule):
    target = TargetKind.ACCOUNT
    source = SOURCE

    def enabled(self, policy) -> bool:
        return policy.inspection.enabled

    def parameters(self, policy):
        return {"inspection.month": policy.inspection.month}


@register
class InspectionMissed(_InspectionRule):
    code = "inspection_missed"
    title = _("未参加年检")
    explanation = _(
        "该账号在最近一次年检中逾期未提交年检表（未参检）。请说明情况，"
        "并在下次年检中按时填报；不再运营的账号请办理注销。"
    )
    severity = Severity.WARNING

    def evaluate(self, ctx, chunk):
        found = {}
        for pk, (unit_id, year, grade, _state, _deadline) in _latest_forms(ctx, chunk).items():
            if grade == Grade.MISSED:
                message = gettext("%(year)s 年度年检未参检") % {"year": year}
                found[pk] = Breach(unit_id, message, evidence(year, grade))
        return found


@register
class InspectionFailedRunning(_InspectionRule):
    code = "inspection_failed_running"
    title = _("年检不合格仍在运营")
    explanation = _(
        "该账号最近一次年检评定为不合格，但尚未注销。请尽快办理注销（已开启的注销申请请推进审批）。"
    )
    severity = Severity.SERIOUS

    def evaluate(self, ctx, chunk):
        found = {}
        for pk, (unit_id, year, grade, _state, _deadline) in _latest_forms(ctx, chunk).items():
            if grade == Grade.FAIL:
                message = gettext("%(year)s 年度年检不合格，账号尚未注销") % {"year": year}
                found[pk] = Breach(unit_id, message, evidence(year, grade))
        return found


@register
class RectificationOverdue(_InspectionRule):
    code = "inspection_rectification_overdue"
    title = _("年检整改逾期")
    explanation = _(
        "该账号年检评定为整改，已过整改期限仍未答复整改情况。请完成整改并在年检表中答复。"
    )
    severity = Severity.WARNING

    def evaluate(self, ctx, chunk):
        found = {}
        for pk, (unit_id, year, _grade, state, deadline) in _latest_forms(ctx, chunk).items():
            if state == FormState.RECTIFYING and deadline and deadline < ctx.today:
                message = gettext("%(year)s 年度年检整改期限 %(deadline)s 已过，尚未答复") % {
                    "year": year,
                    "deadline": deadline.isoformat(),
                }
                found[pk] = Breach(unit_id, message, evidence(year, deadline.isoformat()))
        return found


def _overdue_cases(ctx, chunk, field: str) -> dict[int, Breach]:
    rows = (
        HandoverCase.objects.filter(
            chunk.q(f"{field}_id"), state=HandoverState.OPEN, due_on__lt=ctx.today
        )
        .order_by(f"{field}_id", "due_on", "pk")
        .values_list(f"{field}_id", "unit_id", "person__name", "roles", "due_on", "pk")
    )
    if field == "group":
        live = set(
            ChatGroup.objects.filter(chunk.q(), status=GroupStatus.ACTIVE).values_list(
                "pk", flat=True
            )
        )
    else:
        live = set(live_accounts().filter(chunk.q()).values_list("pk", flat=True))
    parts: dict[int, list] = {}
    for record_id, unit_id, name, roles, due_on, case_id in rows:
        if record_id in live:
            parts.setdefault(record_id, []).append((unit_id, name, roles, due_on, case_id))
    found = {}
    for record_id, cases in parts.items():
        clauses = [
            gettext("%(name)s（%(roles)s）已毕业/离职，应于 %(due)s 前交接")
            % {
                "name": name,
                "roles": "、".join(str(HandoverRole(r).label) for r in roles if r in HandoverRole),
                "due": due_on.isoformat(),
            }
            for _unit, name, roles, due_on, _pk in cases
        ]
        found[record_id] = Breach(
            cases[0][0], "；".join(clauses), evidence(*sorted(c[4] for c in cases))
        )
    return found


class _HandoverRule(Rule):
    source = "issue 11（毕业交接）"
    severity = Severity.WARNING
    explanation = _(
        "负责人、管理员、运营者或创建人已毕业或离职，超过交接期限仍未交接。"
        "请在“毕业交接”中交接给在岗人员（提交变更报备），或注销/解散。"
    )

    def parameters(self, policy):
        return {"handover.within": str(policy.handover.within)}


@register
class HandoverOverdueAccount(_HandoverRule):
    code = "handover_overdue"
    title = _("毕业交接逾期（账号）")
    target = TargetKind.ACCOUNT

    def evaluate(self, ctx, chunk):
        return _overdue_cases(ctx, chunk, "account")


@register
class HandoverOverdueGroup(_HandoverRule):
    code = "handover_overdue_group"
    title = _("毕业交接逾期（群聊）")
    target = TargetKind.GROUP

    def evaluate(self, ctx, chunk):
        return _overdue_cases(ctx, chunk, "group")
