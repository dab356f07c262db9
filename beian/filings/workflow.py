"""The approval workflow: the one table of allowed transitions, the chain a request follows
(from the policy), and who holds each office of a chain.

Offices (the policy's step codes) map to users like this:

- ``school_admin`` — users with the school-admin role (党委宣传部);
- ``leader`` — users with the leader role (主管校领导);
- ``league_approver`` — users with the league-approver role whose unit subtree contains
  the request's responsible unit (校团委);
- ``unit_head`` — for the responsible unit's *二级单位* (the highest unit under the school
  root on its path, of a kind in ``SECOND_LEVEL_KINDS``): a user with the unit-admin role
  on that 二级单位 or on a unit above it, or the user linked to that 二级单位's head
  (``Unit.head``, 第一责任人). A request owned by the school itself has no 二级单位; its
  ``unit_head`` step is taken by the school admin.

Nobody decides their own request. Which office actually decides the open step is
``Filing.current_office``: the step's own office, or, when that office has nobody but the
applicant, the first office of the policy's ``[filing] fallback`` that has someone
(``current_fallback``). `beian.filings.chains` plans this at submission and refuses a
chain a step of which nobody could decide.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from beian.core.policy import APPROVER_STEPS, Policy
from beian.orgs.choices import SECOND_LEVEL_KINDS, UnitKind
from beian.orgs.models import Unit
from beian.registry.authority import closing_chain
from beian.users.choices import Role
from beian.users.models import User

from .choices import FilingKind, FilingStatus

S = FilingStatus

#: The one table of allowed transitions: action → (states it may start from, states it
#: may lead to). ``submit`` leads to APPROVED only when the chain is empty (a change that
#: needs no approval is recorded at once); ``approve`` stays PENDING until the last step.
TRANSITIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "submit": (frozenset({S.DRAFT, S.RETURNED}), frozenset({S.PENDING, S.APPROVED})),
    "update": (frozenset({S.DRAFT, S.RETURNED}), frozenset({S.DRAFT, S.RETURNED})),
    "approve": (frozenset({S.PENDING}), frozenset({S.PENDING, S.APPROVED})),
    "reject": (frozenset({S.PENDING}), frozenset({S.REJECTED})),
    "return": (frozenset({S.PENDING}), frozenset({S.RETURNED})),
    "withdraw": (frozenset({S.DRAFT, S.PENDING, S.RETURNED}), frozenset({S.WITHDRAWN})),
}


class TransitionError(ValidationError):
    """An action the request's state does not allow."""


def allowed_actions(status: str) -> set[str]:
    return {action for action, (sources, _targets) in TRANSITIONS.items() if status in sources}


def check_transition(status: str, action: str, target: str | None = None) -> None:
    """Raise TransitionError unless `action` may start from `status` (and reach `target`)."""
    sources, targets = TRANSITIONS[action]
    if status not in sources or (target is not None and target not in targets):
        label = FilingStatus(status).label
        raise TransitionError(
            _("当前状态（%(status)s）下不能执行此操作") % {"status": label}, code="transition"
        )


# --- units -------------------------------------------------------------------------------


def unit_path(unit: Unit) -> list[Unit]:
    """The unit and its ancestors, root first."""
    path = [unit]
    seen = {unit.pk}
    while path[0].parent_id and path[0].parent_id not in seen:
        parent = Unit.objects.get(pk=path[0].parent_id)
        seen.add(parent.pk)
        path.insert(0, parent)
    return path


def second_level_unit(unit: Unit) -> Unit | None:
    """The 二级单位 a unit belongs to: the highest unit under the school root on its path
    whose kind is a second-level kind; None for the school itself."""
    for node in unit_path(unit):
        if node.kind == UnitKind.SCHOOL:
            continue
        if node.kind in SECOND_LEVEL_KINDS:
            return node
    return None


# --- chains ------------------------------------------------------------------------------


def chain_for(
    policy: Policy,
    *,
    kind: str,
    tier: int,
    owner_kind: str,
    personal: bool,
    change_kinds: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """The ordered steps a request passes, from the policy ([filing] chain.*, [changes])."""
    if kind == FilingKind.GROUP:
        return policy.filing.chain.group
    base = policy.filing.chain_for(tier=tier, owner_kind=owner_kind, personal=personal)
    if kind == FilingKind.CHANGE:
        if any(policy.changes.needs_approval(k) for k in change_kinds):
            return base
        return ()
    if kind == FilingKind.CLOSING:
        return closing_chain(base)
    return base


def chain_for_filing(policy: Policy, filing) -> tuple[str, ...]:
    if filing.kind == FilingKind.CLOSING and filing.group_id:
        return closing_chain(policy.filing.chain.group)
    return chain_for(
        policy,
        kind=filing.kind,
        tier=filing.tier,
        owner_kind=filing.owner_unit.kind,
        personal=filing.is_personal,
        change_kinds=tuple(filing.change_kinds or ()),
    )


def step_label(step: str) -> str:
    return APPROVER_STEPS.get(step, step)


# --- offices -----------------------------------------------------------------------------


def league_unit_ids(user: User) -> frozenset[int]:
    roots = [a.unit_id for a in user.role_assignments if a.role == Role.LEAGUE_APPROVER]
    if not roots:
        return frozenset()
    return frozenset(Unit.objects.subtree_ids(roots))


def office_holders(step: str, filing) -> list[User]:
    """Users who hold the office of `step` for this request (the applicant included)."""
    users = User.objects.filter(is_active=True)
    if step == "school_admin" or (step == "unit_head" and filing.second_unit_id is None):
        q = Q(is_superuser=True) | Q(roles__role=Role.SCHOOL_ADMIN)
    elif step == "leader":
        q = Q(roles__role=Role.LEADER)
    elif step == "league_approver":
        ancestors = [u.pk for u in unit_path(filing.owner_unit)]
        q = Q(roles__role=Role.LEAGUE_APPROVER, roles__unit_id__in=ancestors)
    elif step == "unit_head":
        second = filing.second_unit
        ancestors = [u.pk for u in unit_path(second)]
        q = Q(roles__role=Role.UNIT_ADMIN, roles__unit_id__in=ancestors)
        if second.head_id:
            q |= Q(person_id=second.head_id)
    else:  # pragma: no cover - the policy loader accepts only known steps
        raise ValueError(step)
    return list(users.filter(q).distinct().order_by("pk"))


def eligible_approvers(office: str, filing) -> list[User]:
    """Active holders of `office` for this request, the applicant left out."""
    return [u for u in office_holders(office, filing) if u.pk != filing.applicant_id]


def current_office(filing) -> str:
    """The office that decides the open step: its own, or the one that took it over."""
    return filing.current_office or filing.current_step


def step_recipients(filing) -> list[User]:
    """Who is asked to decide the current step (the applicant never is)."""
    if not filing.current_step:
        return []
    return eligible_approvers(current_office(filing), filing)


def waiting_q(user: User) -> Q:
    """Q over Filing: the pending requests whose current step `user` may decide. This is
    the single definition the views, the inbox counts and the services all use."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    offices = Q(pk__in=[])
    if user.is_school_admin:
        offices |= Q(current_office="school_admin")
        offices |= Q(current_office="unit_head", second_unit__isnull=True)
    if user.has_role(Role.LEADER):
        offices |= Q(current_office="leader")
    league = league_unit_ids(user)
    if league:
        offices |= Q(current_office="league_approver", owner_unit_id__in=sorted(league))
    head_q = Q(pk__in=[])
    if user.admin_unit_ids:
        head_q |= Q(second_unit_id__in=sorted(user.admin_unit_ids))
    if user.person_id:
        head_q |= Q(second_unit__head_id=user.person_id)
    offices |= Q(current_office="unit_head") & head_q
    return Q(status=FilingStatus.PENDING) & offices & ~Q(applicant_id=user.pk)
