"""Reads of the approval workflow: who may apply where, what waits for whom, the counts
the home page shows, and what a request's page offers to its viewer."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from beian.core.policy import get_policy
from beian.orgs.models import Unit
from beian.registry.choices import FilingState
from beian.registry.models import ChatGroup, MediaAccount
from beian.users.choices import Role

from . import chains
from .choices import EDITABLE_STATUSES, AttachmentKind, FilingStatus
from .models import Filing, FilingEvent, FilingStep, Notification
from .workflow import allowed_actions, league_unit_ids, second_level_unit, step_label, waiting_q

# --- who may apply --------------------------------------------------------------------


def applicable_unit_ids(user) -> frozenset[int] | None:
    """Units a user may apply for a new account in; None means every unit.

    The school admin: any unit. A unit admin or league approver: their subtrees. An
    operator: the 二级单位 their roster entry belongs to, and everything under it."""
    if not user.is_authenticated:
        return frozenset()
    if user.is_school_admin:
        return None
    ids = set(user.admin_unit_ids) | set(league_unit_ids(user))
    if user.has_role(Role.OPERATOR) and user.person_id:
        unit = user.person.unit
        root = second_level_unit(unit) or unit
        ids |= set(Unit.objects.subtree_ids([root.pk]))
    return frozenset(ids)


def applicable_units(user) -> QuerySet[Unit]:
    ids = applicable_unit_ids(user)
    units = Unit.objects.filter(is_active=True)
    if ids is not None:
        units = units.filter(pk__in=sorted(ids))
    return units.order_by("name")


def can_apply(user) -> bool:
    ids = applicable_unit_ids(user)
    return ids is None or bool(ids)


def can_apply_in_unit(user, unit: Unit) -> bool:
    ids = applicable_unit_ids(user)
    return ids is None or unit.pk in ids


def can_request_for(user, record: MediaAccount | ChatGroup) -> bool:
    """Late filings, changes and closings of a record: whoever may edit it (the school
    admin, the unit admin of its unit, an operator on its team)."""
    if not user.is_authenticated:
        return False
    return type(record).objects.editable_by(user).filter(pk=record.pk).exists()


def can_attach(user, filing: Filing, kind: str) -> bool:
    """The applicant, the school admin and the owning unit's admin may add files; the
    stamped form only once the request is approved."""
    if not user.is_authenticated:
        return False
    allowed = (
        filing.applicant_id == user.pk
        or user.is_school_admin
        or user.can_edit_in_unit(filing.owner_unit_id)
    )
    if kind == AttachmentKind.STAMPED_FORM:
        return allowed and filing.status == FilingStatus.APPROVED
    return allowed and filing.status != FilingStatus.WITHDRAWN


# --- lists ---------------------------------------------------------------------------

_LIST_RELATED = ("applicant", "owner_unit", "platform", "account", "group")


def filings_visible(user) -> QuerySet[Filing]:
    return Filing.objects.visible_to(user).select_related(*_LIST_RELATED)


def filings_of(user) -> QuerySet[Filing]:
    """A user's own applications, newest first."""
    return Filing.objects.filter(applicant_id=user.pk).select_related(*_LIST_RELATED)


def filings_waiting_for(user) -> QuerySet[Filing]:
    """Pending requests whose current step the user may decide, oldest first."""
    if not user.is_authenticated:
        return Filing.objects.none()
    return (
        Filing.objects.filter(waiting_q(user))
        .select_related(*_LIST_RELATED)
        .order_by("submitted_at", "pk")
    )


def can_decide(user, filing: Filing) -> bool:
    return (
        user.is_authenticated
        and filing.status == FilingStatus.PENDING
        and Filing.objects.filter(waiting_q(user), pk=filing.pk).exists()
    )


def pending_counts(user) -> dict[str, int]:
    """What the home page shows: requests waiting for the user's decision, the user's
    own open requests, those returned to them, and unread notifications."""
    if not user.is_authenticated:
        return {"waiting": 0, "mine_open": 0, "returned": 0, "unread": 0}
    mine = Filing.objects.filter(applicant_id=user.pk).aggregate(
        open=Count("pk", filter=Q(status__in=[FilingStatus.PENDING, *EDITABLE_STATUSES])),
        returned=Count("pk", filter=Q(status=FilingStatus.RETURNED)),
    )
    return {
        "waiting": Filing.objects.filter(waiting_q(user)).count(),
        "mine_open": mine["open"],
        "returned": mine["returned"],
        "unread": Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count(),
    }


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def inbox(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk)


# --- one request ---------------------------------------------------------------------


def filing_for_detail() -> QuerySet[Filing]:
    return Filing.objects.select_related(
        "applicant",
        "owner_unit",
        "second_unit",
        "guiding_unit",
        "platform",
        "account",
        "group",
        "pledge_accepted_by",
    )


def timeline(filing: Filing) -> list[FilingEvent]:
    return list(filing.events.select_related("actor").order_by("at", "pk"))


def steps_by_round(filing: Filing) -> list[tuple[int, list[FilingStep]]]:
    """Every round's steps, newest round first."""
    rounds: dict[int, list[FilingStep]] = {}
    for step in filing.steps.select_related("decided_by").order_by("-round", "position"):
        rounds.setdefault(step.round, []).append(step)
    return list(rounds.items())


def sees_personal_data(user, filing: Filing) -> bool:
    """The team's mobile / QQ / e-mail in full: the applicant, whoever may see the owning
    unit's personal data (school admin, its unit admin), and the approver of the current
    step, who may need to call. Everyone else (leader, auditor…) sees them masked."""
    return (
        filing.applicant_id == user.pk
        or user.can_see_personal_data(filing)
        or can_decide(user, filing)
    )


def filing_permissions(user, filing: Filing) -> dict[str, bool]:
    """What the request's page offers to this viewer."""
    mine = filing.applicant_id == user.pk
    actions = allowed_actions(filing.status)
    return {
        "sees_personal_data": sees_personal_data(user, filing),
        "can_decide": can_decide(user, filing),
        "can_edit": mine and "update" in actions,
        "can_submit": mine and "submit" in actions,
        "can_withdraw": mine and "withdraw" in actions,
        "can_attach": can_attach(user, filing, AttachmentKind.APPLICATION),
        "can_upload_stamped": can_attach(user, filing, AttachmentKind.STAMPED_FORM),
        "can_download_form": filing.kind in ("new", "late", "group"),
        "can_take_over": can_take_over(user, filing),
    }


def can_take_over(user, filing: Filing) -> bool:
    return chains.take_over_office(user, filing, get_policy()) is not None


def open_step_view(user, filing: Filing) -> dict | None:
    """What the page says about the open step: which office decides it (the step's own,
    or the one that took it over), who can act now, and whether nobody can."""
    if filing.status != FilingStatus.PENDING or not filing.current_step:
        return None
    office = chains.current_office(filing)
    approvers = chains.current_approvers(filing)
    return {
        "step": step_label(filing.current_step),
        "office": step_label(office),
        "taken_by_other": office != filing.current_step,
        "approvers": [str(u) for u in approvers],
        "orphaned": not approvers,
    }


def team_rows_of(account: MediaAccount | ChatGroup) -> list[dict]:
    """A record's current team as rows of the form's 管理队伍 table."""
    rows = []
    for member in account.members.select_related("person", "person__unit").order_by("role", "pk"):
        person = member.person
        rows.append(
            {
                "role": member.role,
                "name": person.name,
                "identity": person.kind,
                "unit_name": person.unit.name,
                "post": person.post,
                "mobile": person.mobile,
                "qq": person.qq,
                "email": person.email,
                "person": person,
            }
        )
    return rows


def responsible_of(account: MediaAccount) -> dict[str, str]:
    member = (
        account.members.filter(role="first_responsible").select_related("person").order_by("pk")
    ).first()
    if member is None:
        return {}
    return {
        "responsible_name": member.person.name,
        "responsible_post": member.person.post,
        "responsible_phone": member.person.mobile,
    }


def late_filing_url(user, account: MediaAccount) -> str | None:
    """Where to file an account that runs without a filing (补办备案): accounts 未备案, or
    审批中 with no open request (e.g. imported or demo records), that are not closed and
    that the user may request for. None when there is nothing to file or the user may
    not; the account page and the 未备案运行 finding show the button from this."""
    if account.is_closed or account.filing_state == FilingState.FILED:
        return None
    if open_filing_for(account) is not None or not can_request_for(user, account):
        return None
    return reverse("filings:create_late", args=[account.pk])


def open_filing_for(record: MediaAccount | ChatGroup) -> Filing | None:
    field = "account" if isinstance(record, MediaAccount) else "group"
    return (
        Filing.objects.filter(
            **{field: record},
            status__in=[FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.RETURNED],
        )
        .order_by("-pk")
        .first()
    )


def filings_for_record(user, record: MediaAccount | ChatGroup) -> QuerySet[Filing]:
    """The requests about an account or a group the user may see (for its detail page)."""
    field = "account" if isinstance(record, MediaAccount) else "group"
    return filings_visible(user).filter(**{field: record}).order_by("-created_at", "-pk")
