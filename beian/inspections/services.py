"""Every write of the annual inspection (年检). Each service runs in one transaction, keeps
history (simple-history on rounds, parts and forms), writes its audit row in the same
transaction, and records what others must hear (activity evidence through the registry,
closing requests through the filings services, reminders after the commit).

The round, in services:

    inspection_open(actor=admin, owner_unit=school)        # one form per registered account
    inspection_open_scheduled(today=...)                   # the same, by the daily task
    form_fill(actor=operator, form=form, data={...})       # the 年检表
    part_submit(actor=unit_admin, part=part, opinion=...)  # the unit's forms, all or nothing
    part_return(actor=admin, part=part, comment=...)       # 退回: 填报中 again, resubmit
    form_grade(actor=admin, form=form, grade=Grade.RECTIFY, rectify_items=..., ...)
    form_rectify_answer(actor=operator, form=form, answer=...)
    form_grade(actor=admin, form=form, grade=Grade.PASS)   # re-grade after rectification
    form_grade_bulk(actor=admin, forms=[...])              # 合格 for the clean ones
    inspection_mark_missed(inspection=...)                 # 未参检 after the deadline
    inspection_publish(actor=admin, inspection=..., published=True)
    inspection_close(actor=admin, inspection=...)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.hooks import records_changed
from beian.core.policy import get_policy
from beian.orgs.choices import UnitKind
from beian.orgs.models import Unit
from beian.registry.activity import (
    ActivityClaim,
    account_activity_record,
    account_activity_record_many,
    last_post_date_error,
)
from beian.registry.authority import Authority
from beian.registry.choices import AccountStatus, ActivitySource, ActivityWorth, FilingState
from beian.registry.models import AccountMember, MediaAccount
from beian.registry.services import account_update

from .choices import (
    FILLABLE_STATES,
    GRADABLE_STATES,
    FormState,
    Grade,
    InspectionStatus,
    PartState,
)
from .models import Inspection, InspectionForm, InspectionPart

BATCH = 1_000
#: Form fields the operator answers (`form_fill`).
ANSWER_FIELDS = (
    "posts_this_year",
    "audience",
    "update_frequency",
    "last_post_date",
    "team_changes",
    "had_violations",
    "was_punished",
    "had_complaints",
    "incident_details",
    "content_review",
    "self_assessment",
    "extra_answers",
)
#: Answers that must be given (None / "" refused), with the label named in the message.
REQUIRED = {
    "posts_this_year": gettext_lazy("本年度发布条数"),
    "audience": gettext_lazy("当前关注人数"),
    "update_frequency": gettext_lazy("更新频率"),
    "had_violations": gettext_lazy("是否有违规"),
    "was_punished": gettext_lazy("是否被平台处罚"),
    "had_complaints": gettext_lazy("是否被投诉"),
    "content_review": gettext_lazy("是否落实三审三校"),
    "self_assessment": gettext_lazy("自评"),
}
SYSTEM = "system:inspection"


# --- opening ---------------------------------------------------------------------------------


def registered_accounts(unit_ids: Iterable[int]):
    """The accounts a round inspects: registered (已备案) and not closed."""
    return MediaAccount.objects.filter(
        owner_unit_id__in=sorted(set(unit_ids)), filing_state=FilingState.FILED
    ).exclude(status=AccountStatus.CLOSED)


def part_roots(owner_unit: Unit) -> dict[int, int]:
    """{unit id: the unit whose part holds its accounts}: each active 二级单位 (the owner's
    direct children) for its whole subtree, the owner itself for its own accounts. One
    query over the tree."""
    children: dict[int | None, list[int]] = {}
    active: dict[int, bool] = {}
    for pk, parent_id, is_active in Unit.objects.values_list("pk", "parent_id", "is_active"):
        children.setdefault(parent_id, []).append(pk)
        active[pk] = is_active
    owner: dict[int, int] = {owner_unit.pk: owner_unit.pk}
    for root in children.get(owner_unit.pk, ()):
        part = root if active.get(root, True) else owner_unit.pk
        stack = [root]
        while stack:
            pk = stack.pop()
            if pk in owner:
                continue
            owner[pk] = part
            stack.extend(children.get(pk, ()))
    return owner


@transaction.atomic
def inspection_open(
    *,
    actor,
    owner_unit: Unit,
    year: int | None = None,
    deadline: dt.date | None = None,
    title: str = "",
    notice: str = "",
    extra_items: Iterable[str] = (),
) -> Inspection:
    """Open this year's inspection of the registered accounts below `owner_unit` (the
    school): one form per account, pre-filled from the registry and its activity
    evidence, one part per unit. Once a year per owner unit. `deadline` defaults to today
    plus `[inspection] answer_days`."""
    if actor is None or not actor.is_school_admin:
        raise PermissionDenied(_("只有宣传部可以发起年检"))
    return _open(
        actor=actor,
        owner_unit=owner_unit,
        year=year,
        deadline=deadline,
        title=title,
        notice=notice,
        extra_items=extra_items,
    )


def inspection_open_scheduled(*, today: dt.date | None = None) -> list[Inspection]:
    """The daily task: in the policy's month (`[inspection] month`, when `enabled`), open
    the year's inspection of every school that has none yet. Safe to run any number of
    times and from several workers: the (owner unit, year) constraint keeps it once."""
    policy = get_policy()
    today = today or timezone.localdate()
    if not policy.inspection.enabled or today.month != policy.inspection.month:
        return []
    opened = []
    for school in Unit.objects.filter(parent__isnull=True, kind=UnitKind.SCHOOL, is_active=True):
        if Inspection.objects.filter(owner_unit=school, year=today.year).exists():
            continue
        try:
            with transaction.atomic():
                opened.append(_open(actor=None, owner_unit=school, year=today.year, today=today))
        except IntegrityError:
            continue  # another worker opened it first
        except ValidationError:
            continue  # nothing to inspect yet
    return opened


def _open(
    *,
    actor,
    owner_unit: Unit,
    year: int | None = None,
    deadline: dt.date | None = None,
    title: str = "",
    notice: str = "",
    extra_items: Iterable[str] = (),
    today: dt.date | None = None,
) -> Inspection:
    policy = get_policy()
    today = today or timezone.localdate()
    year = year or today.year
    deadline = deadline or today + dt.timedelta(days=policy.inspection.answer_days)
    if deadline < today:
        raise ValidationError({"deadline": _("截止日期不能早于今天")})
    if Inspection.objects.filter(owner_unit=owner_unit, year=year).exists():
        raise ValidationError(
            _("%(unit)s %(year)s 年度已发起过年检") % {"unit": owner_unit.name, "year": year}
        )
    items = [text.strip() for text in extra_items if text and text.strip()]
    inspection = Inspection(
        owner_unit=owner_unit,
        year=year,
        title=(title or "").strip() or _("%(year)s 年度新媒体账号年检") % {"year": year},
        notice=notice or "",
        opens_on=today,
        deadline=deadline,
        extra_items=items,
        opened_by=actor,
    )
    inspection._change_reason = _("发起年检")
    inspection.save()

    roots = part_roots(owner_unit)
    accounts = list(
        registered_accounts(roots)
        .order_by()
        .values(
            "pk",
            "name",
            "owner_unit_id",
            "platform__name",
            "audience",
            "update_frequency",
            "last_post_date",
            "last_post_source",
            "registration_number",
        )
    )
    if not accounts:
        raise ValidationError(_("范围内没有已备案的账号，无需年检"))
    teams: dict[int, list[str]] = {}
    roles = dict(AccountMember._meta.get_field("role").choices)
    members = (
        AccountMember.objects.filter(record_id__in=[a["pk"] for a in accounts])
        .order_by("record_id", "role", "pk")
        .values_list("record_id", "role", "person__name")
    )
    for record_id, role, name in members.iterator(chunk_size=5_000):
        teams.setdefault(record_id, []).append(f"{roles.get(role, role)}：{name}")
    last_year = dict(
        InspectionForm.objects.filter(
            inspection__owner_unit=owner_unit, inspection__year=year - 1
        ).values_list("account_id", "grade")
    )

    now = timezone.now()
    part_units = sorted({roots[a["owner_unit_id"]] for a in accounts})
    parts = [
        InspectionPart(inspection=inspection, unit_id=unit_id, created_at=now, updated_at=now)
        for unit_id in part_units
    ]
    bulk_create_with_history(
        parts, InspectionPart, default_user=actor, default_change_reason=_("发起年检")
    )
    part_of = dict(
        InspectionPart.objects.filter(inspection=inspection).values_list("unit_id", "pk")
    )
    forms = []
    for a in accounts:
        last_post = a["last_post_date"]
        forms.append(
            InspectionForm(
                inspection=inspection,
                part_id=part_of[roots[a["owner_unit_id"]]],
                account_id=a["pk"],
                audience=a["audience"],
                update_frequency=a["update_frequency"] or "",
                last_post_date=last_post,
                prefill={
                    "name": a["name"],
                    "platform": a["platform__name"],
                    "registration_number": a["registration_number"],
                    "audience": a["audience"],
                    "update_frequency": a["update_frequency"] or "",
                    "last_post_date": last_post.isoformat() if last_post else "",
                    "last_post_source": a["last_post_source"] or "",
                    "team": "；".join(teams.get(a["pk"], [])),
                    "last_year_grade": last_year.get(a["pk"], ""),
                },
                created_at=now,
                updated_at=now,
            )
        )
    bulk_create_with_history(
        forms,
        InspectionForm,
        batch_size=BATCH,
        default_user=actor,
        default_change_reason=_("发起年检"),
    )
    audit(
        event=AuditEventType.CREATE,
        actor=actor,
        actor_name="" if actor else SYSTEM,
        obj=inspection,
        detail={
            "action": "open",
            "year": year,
            "deadline": deadline.isoformat(),
            "parts": len(parts),
            "forms": len(forms),
            "scheduled": actor is None,
        },
    )
    _after_commit("opened", inspection_id=inspection.pk)
    return inspection


# --- the unit's side -------------------------------------------------------------------------


@transaction.atomic
def form_fill(*, actor, form: InspectionForm, data: Mapping[str, Any]) -> InspectionForm:
    """The operator (or the unit admin) answers the 年检表, whole: every required answer
    given, the incidents explained, every item the school added answered. The last post
    date is recorded as the account's activity evidence (source 年检)."""
    form = _lock_form(form)
    if not InspectionForm.objects.fillable_by(actor).filter(pk=form.pk).exists():
        raise PermissionDenied(_("您不能填写该账号的年检表"))
    _check_round_open(form.inspection)
    if form.part.state != PartState.OPEN or form.state not in FILLABLE_STATES:
        raise ValidationError(_("本单位已提交年检表，不能再修改"))
    unknown = set(data) - set(ANSWER_FIELDS)
    if unknown:
        raise TypeError(f"unknown inspection fields: {', '.join(sorted(unknown))}")
    for name in ANSWER_FIELDS:
        if name in data:
            value = data[name]
            if isinstance(value, str):
                value = value.strip()
            setattr(form, name, value if value is not None else _empty(name))
    errors = form_errors(form)
    if errors:
        raise ValidationError(errors)
    form.state = FormState.FILLED
    form.filled_at, form.filled_by = timezone.now(), actor
    form._change_reason = _("填写年检表")
    form.save()
    if form.last_post_date:
        account_activity_record(
            actor=actor,
            account=form.account,
            on=form.last_post_date,
            source=ActivitySource.INSPECTION,
            worth=ActivityWorth.REPORTED,
            reference=_("%(year)s 年度年检") % {"year": form.inspection.year},
        )
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=form,
        detail={"action": "fill", "account": form.account_id, "answers": _answers(form)},
    )
    return form


def _empty(name: str):
    return {} if name == "extra_answers" else ("" if name in _TEXT_FIELDS else None)


_TEXT_FIELDS = {"update_frequency", "team_changes", "incident_details", "self_assessment"}


def form_errors(form: InspectionForm) -> dict[str, str]:
    """What is missing or wrong in a form, as {field: message}; {} when it is complete."""
    errors: dict[str, str] = {}
    for name, label in REQUIRED.items():
        if getattr(form, name) in (None, ""):
            errors[name] = _("请填写“%(label)s”") % {"label": label}
    if form.last_post_date is None and form.posts_this_year != 0:
        # an account that never posted states 0 posts and no date; any other gives its date
        errors.setdefault(
            "last_post_date", _("请填写最近发布日期（从未发布过内容的账号，本年度发布条数填 0）")
        )
    if form.has_incidents and not form.incident_details:
        errors["incident_details"] = _("有违规、处罚或投诉时请说明情况")
    if form.last_post_date and "last_post_date" not in errors:
        message = last_post_date_error(
            form.last_post_date,
            created_month=form.account.created_month,
            source=ActivitySource.INSPECTION,
        )
        if message:
            errors["last_post_date"] = message
    answers = form.extra_answers or {}
    missing = [
        str(i + 1)
        for i, _text in enumerate(form.inspection.extra_items)
        if not str(answers.get(str(i), "")).strip()
    ]
    if missing:
        errors["extra_answers"] = _("请回答学校增加的第 %(items)s 项") % {
            "items": "、".join(missing)
        }
    return errors


@transaction.atomic
def part_submit(*, actor, part: InspectionPart, opinion: str) -> InspectionPart:
    """The unit admin gives the unit's opinion (单位意见) and submits every form of the
    unit together: refused, with the accounts named, while any form is not filled."""
    part = InspectionPart.objects.select_for_update().select_related("inspection").get(pk=part.pk)
    if not InspectionPart.objects.submittable_by(actor).filter(pk=part.pk).exists():
        raise PermissionDenied(_("只有本单位管理员可以提交年检"))
    _check_round_open(part.inspection)
    if part.state != PartState.OPEN:
        raise ValidationError(_("本单位已提交年检"))
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"opinion": _("请填写单位意见")})
    forms = list(
        InspectionForm.objects.select_for_update(of=("self",))
        .filter(part=part)
        .select_related("account")
    )
    # forms already graded (a returned part: the school graded some before returning the
    # rest) stay as they are; every other form must be filled
    unfilled = [f.account.name for f in forms if f.state == FormState.PENDING]
    forms = [f for f in forms if f.state == FormState.FILLED]
    if unfilled:
        shown = "、".join(f"“{name}”" for name in unfilled[:10])
        more = _("等 %(n)d 个账号") % {"n": len(unfilled)} if len(unfilled) > 10 else ""
        raise ValidationError(
            _("以下账号的年检表尚未填写完整，不能提交：%(names)s%(more)s")
            % {"names": shown, "more": more}
        )
    now = timezone.now()
    for form in forms:
        form.state = FormState.SUBMITTED
        form.updated_at = now
    bulk_update_with_history(
        forms,
        InspectionForm,
        ["state", "updated_at"],
        batch_size=BATCH,
        default_user=actor,
        default_change_reason=_("单位提交年检"),
    )
    part.state, part.opinion = PartState.SUBMITTED, opinion
    part.submitted_at, part.submitted_by = now, actor
    part._change_reason = _("单位提交年检")
    part.save()
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=part,
        detail={"action": "submit", "forms": len(forms), "opinion": opinion},
    )
    _after_commit("part_submitted", part_id=part.pk)
    return part


@transaction.atomic
def form_rectify_answer(*, actor, form: InspectionForm, answer: str) -> InspectionForm:
    """The operator (or unit admin) says what was done about a 整改 grade; the school then
    re-grades the form."""
    form = _lock_form(form)
    if not InspectionForm.objects.fillable_by(actor).filter(pk=form.pk).exists():
        raise PermissionDenied(_("您不能答复该账号的整改"))
    if form.state != FormState.RECTIFYING:
        raise ValidationError(_("该年检表不在整改中"))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写整改情况")})
    form.rectify_answer, form.rectify_answered_at = answer, timezone.now()
    form.state = FormState.ANSWERED
    form._change_reason = _("答复整改")
    form.save()
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=form,
        detail={"action": "rectify_answer", "answer": answer},
    )
    records_changed(accounts=[form.account_id])
    return form


# --- the school's side -----------------------------------------------------------------------


@transaction.atomic
def part_return(*, actor, part: InspectionPart, comment: str) -> InspectionPart:
    """The school returns a unit's submitted forms (退回) with its comment: the part is
    填报中 again, its forms not yet graded go back to 已填写 so the operators can correct
    them, and the unit admin submits again. Forms already graded keep their grade. Refused
    after the deadline (extend the round first: a returned form left unsubmitted at the
    deadline would become 未参检)."""
    _check_school(actor)
    part = InspectionPart.objects.select_for_update().select_related("inspection").get(pk=part.pk)
    if part.state != PartState.SUBMITTED:
        raise ValidationError(_("只有已提交的单位年检可以退回"))
    _check_round_open(part.inspection)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("请填写退回意见，说明需要补正的内容")})
    forms = list(
        InspectionForm.objects.select_for_update(of=("self",)).filter(
            part=part, state=FormState.SUBMITTED
        )
    )
    if not forms:
        raise ValidationError(_("该单位的年检表均已评定，无可退回的年检表"))
    now = timezone.now()
    for form in forms:
        form.state, form.updated_at = FormState.FILLED, now
    bulk_update_with_history(
        forms,
        InspectionForm,
        ["state", "updated_at"],
        batch_size=BATCH,
        default_user=actor,
        default_change_reason=_("宣传部退回：%(comment)s") % {"comment": comment[:80]},
    )
    part.state = PartState.OPEN
    part.return_comment, part.returned_at, part.returned_by = comment, now, actor
    part._change_reason = _("宣传部退回")
    part.save()
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=part,
        detail={"action": "return", "comment": comment, "forms": [f.pk for f in forms]},
    )
    _after_commit("part_returned", part_id=part.pk)
    return part


@transaction.atomic
def form_grade(
    *,
    actor,
    form: InspectionForm,
    grade: str,
    comment: str = "",
    rectify_items: str = "",
    rectify_deadline: dt.date | None = None,
) -> InspectionForm:
    """The school grades a submitted form (or re-grades an answered rectification):

    - 合格: done; the last post date given counts as checked evidence;
    - 整改: what to fix and by when (default today + `[inspection] rectify_days`); the
      operator answers, then the school grades again;
    - 不合格: the reason; a closing request (注销) is opened for the account through the
      filings services, or, where that cannot be opened now, the account is marked for
      the unit to close."""
    _check_school(actor)
    form = _lock_form(form)
    if form.state not in GRADABLE_STATES:
        raise ValidationError(_("只能评定单位已提交或已答复整改的年检表"))
    try:
        grade = Grade(grade)
    except ValueError:
        raise ValidationError({"grade": _("请选择年检结果")}) from None
    if grade == Grade.MISSED:
        raise ValidationError({"grade": _("“未参检”由系统在截止日期后标记")})
    comment = (comment or "").strip()
    today = timezone.localdate()
    previous = form.state
    detail: dict[str, Any] = {"action": "grade", "grade": grade, "comment": comment}
    if grade == Grade.RECTIFY:
        rectify_items = (rectify_items or "").strip()
        if not rectify_items:
            raise ValidationError({"rectify_items": _("请写明整改要求")})
        rectify_deadline = rectify_deadline or today + dt.timedelta(
            days=get_policy().inspection.rectify_days
        )
        if rectify_deadline <= today:
            raise ValidationError({"rectify_deadline": _("整改期限应晚于今天")})
        form.rectify_items, form.rectify_deadline = rectify_items, rectify_deadline
        form.rectify_answer, form.rectify_answered_at = "", None
        form.state = FormState.RECTIFYING
        detail.update(rectify_items=rectify_items, deadline=rectify_deadline.isoformat())
    elif grade == Grade.FAIL:
        if not comment:
            raise ValidationError({"comment": _("评定为不合格时请写明理由")})
        form.state = FormState.GRADED
    else:
        form.state = FormState.GRADED
    if previous == FormState.ANSWERED:
        form.was_rectified = True
    form.grade, form.grade_comment = grade, comment
    form.graded_at, form.graded_by = timezone.now(), actor
    if grade == Grade.FAIL:
        _open_closing(actor, form, comment, today)
        detail.update(
            closing_filing=form.closing_filing_id, marked_for_closing=form.marked_for_closing
        )
    form._change_reason = _("年检评定：%(grade)s") % {"grade": grade.label}
    form.save()
    if grade == Grade.PASS and form.last_post_date:
        account_activity_record(
            actor=actor,
            account=form.account,
            on=form.last_post_date,
            source=ActivitySource.INSPECTION,
            worth=ActivityWorth.CHECKED,
            reference=_("%(year)s 年度年检（已评定）") % {"year": form.inspection.year},
        )
    if grade in (Grade.PASS, Grade.RECTIFY):
        _audience_to_registry(actor, form)
    audit(event=AuditEventType.UPDATE, actor=actor, obj=form, detail=detail)
    records_changed(accounts=[form.account_id])  # the inspection rules look again
    return form


def _audience_to_registry(actor, form: InspectionForm) -> None:
    """The audience the operator stated on the form becomes the account's 关注人数 once
    the school has looked at the form (graded 合格 or 整改): through the registry's
    `account_update` on the inspection's authority, so the account's history and audit
    say where the figure came from. Nothing is written when it did not change, when the
    form gave none, or when the account is closed."""
    account = form.account
    if form.audience is None or account.is_closed or account.audience == form.audience:
        return
    account_update(
        actor=actor,
        account=account,
        data={"audience": form.audience},
        authority=Authority.inspection(_("%(year)s 年度年检表") % {"year": form.inspection.year}),
    )


def _open_closing(actor, form: InspectionForm, comment: str, today: dt.date) -> None:
    from beian.filings.services import closing_request_create

    account = form.account
    if account.status == AccountStatus.CLOSED:
        return
    reason = _("%(year)s 年度年检不合格：%(comment)s") % {
        "year": form.inspection.year,
        "comment": comment,
    }
    try:
        with transaction.atomic():
            form.closing_filing = closing_request_create(
                actor=actor, account=account, reason=reason[:255], closing_on=today
            )
            form.marked_for_closing = False
    except (ValidationError, PermissionDenied):
        # e.g. a request of the account is already in progress, or no one could approve
        form.closing_filing = None
        form.marked_for_closing = True


@transaction.atomic
def form_grade_bulk(*, actor, forms: Iterable[InspectionForm]) -> int:
    """合格 for many submitted forms at once, the clean ones only (no incident, content
    review in place); others are left for one-by-one grading. Each form gets its history
    row and its own audit row. Returns how many were graded."""
    _check_school(actor)
    ids = sorted({f.pk for f in forms})
    now = timezone.now()
    graded = 0
    for start in range(0, len(ids), BATCH):
        batch = list(
            InspectionForm.objects.select_for_update(of=("self",))
            .select_related("inspection", "account")
            .filter(pk__in=ids[start : start + BATCH], state=FormState.SUBMITTED)
        )
        clean = [f for f in batch if f.is_clean]
        for form in clean:
            form.grade, form.state = Grade.PASS, FormState.GRADED
            form.graded_at, form.graded_by, form.updated_at = now, actor, now
        bulk_update_with_history(
            clean,
            InspectionForm,
            ["grade", "state", "graded_at", "graded_by", "updated_at"],
            default_user=actor,
            default_change_reason=_("批量评定合格"),
        )
        claims = [
            ActivityClaim(f.account_id, f.last_post_date, f"{f.inspection.year} 年度年检")
            for f in clean
            if f.last_post_date and f.account.status != AccountStatus.CLOSED
        ]
        if claims:
            account_activity_record_many(
                actor=actor,
                source=ActivitySource.INSPECTION,
                claims=claims,
                worth=ActivityWorth.CHECKED,
            )
        for form in clean:
            _audience_to_registry(actor, form)
            audit(
                event=AuditEventType.UPDATE,
                actor=actor,
                obj=form,
                detail={"action": "grade", "grade": Grade.PASS, "bulk": True},
            )
        graded += len(clean)
        records_changed(accounts=[f.account_id for f in clean])
    return graded


@transaction.atomic
def inspection_mark_missed(
    *, inspection: Inspection, today: dt.date | None = None, actor=None
) -> int:
    """After the deadline, every form its unit did not submit is 未参检 (missed). Run by
    the daily task, when the school closes the round, and when its pages are read."""
    today = today or timezone.localdate()
    if today <= inspection.deadline:
        return 0
    forms = list(
        InspectionForm.objects.select_for_update(of=("self",)).filter(
            inspection=inspection, state__in=sorted(FILLABLE_STATES)
        )
    )
    if not forms:
        return 0
    now = timezone.now()
    for form in forms:
        form.grade, form.state, form.graded_at, form.updated_at = (
            Grade.MISSED,
            FormState.GRADED,
            now,
            now,
        )
    bulk_update_with_history(
        forms,
        InspectionForm,
        ["grade", "state", "graded_at", "updated_at"],
        batch_size=BATCH,
        default_user=actor,
        default_change_reason=_("逾期未提交：未参检"),
    )
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        actor_name="" if actor else SYSTEM,
        obj=inspection,
        detail={"action": "missed", "forms": len(forms), "ids": [f.pk for f in forms][:500]},
    )
    records_changed(accounts=[f.account_id for f in forms])
    return len(forms)


@transaction.atomic
def inspection_update(
    *, actor, inspection: Inspection, deadline: dt.date, title: str = "", notice: str = ""
) -> Inspection:
    """Change an open round's deadline (e.g. extend it), title or notice."""
    _check_school(actor)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if not inspection.is_open:
        raise ValidationError(_("年检已结束，不能修改"))
    if deadline < inspection.opens_on:
        raise ValidationError({"deadline": _("截止日期不能早于开始日期")})
    before = {"deadline": inspection.deadline.isoformat(), "title": inspection.title}
    inspection.deadline = deadline
    if title.strip():
        inspection.title = title.strip()
    inspection.notice = notice
    inspection._change_reason = _("修改年检")
    inspection.save()
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=inspection,
        detail={"before": before, "deadline": deadline.isoformat(), "title": inspection.title},
    )
    return inspection


@transaction.atomic
def inspection_publish(*, actor, inspection: Inspection, published: bool) -> Inspection:
    """Show (or withdraw) the round's results on the public directory: names, platforms,
    units and grades, never personal data."""
    _check_school(actor)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.published == published:
        return inspection
    inspection.published = published
    inspection.published_at = timezone.now() if published else None
    inspection._change_reason = _("公布年检结果") if published else _("撤回公布")
    inspection.save()
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=inspection,
        detail={"action": "publish" if published else "unpublish"},
    )
    return inspection


@transaction.atomic
def inspection_close(*, actor, inspection: Inspection) -> Inspection:
    """End a round: the forms not submitted become 未参检; nothing more can be filled."""
    _check_school(actor)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if not inspection.is_open:
        raise ValidationError(_("年检已结束"))
    today = timezone.localdate()
    missed = inspection_mark_missed(
        inspection=inspection, today=max(today, inspection.deadline + dt.timedelta(days=1))
    )
    inspection.status, inspection.closed_at = InspectionStatus.CLOSED, timezone.now()
    inspection._change_reason = _("结束年检")
    inspection.save()
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=inspection,
        detail={"action": "close", "missed": missed},
    )
    return inspection


# --- helpers ---------------------------------------------------------------------------------


def _check_school(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_school_admin:
        raise PermissionDenied(_("只有宣传部可以评定年检"))


def _check_round_open(inspection: Inspection) -> None:
    if not inspection.is_open:
        raise ValidationError(_("年检已结束"))
    if timezone.localdate() > inspection.deadline:
        raise ValidationError(
            _("年检已于 %(date)s 截止") % {"date": inspection.deadline.isoformat()}
        )


def _lock_form(form: InspectionForm) -> InspectionForm:
    return (
        InspectionForm.objects.select_for_update(of=("self",))
        .select_related("inspection", "part", "account")
        .get(pk=form.pk)
    )


def _answers(form: InspectionForm) -> dict[str, Any]:
    values = {}
    for name in ANSWER_FIELDS:
        value = getattr(form, name)
        values[name] = value.isoformat() if isinstance(value, dt.date) else value
    return values


def _after_commit(event: str, **ids: int) -> None:
    def run():
        from .reminders import announce

        announce(event, **ids)

    transaction.on_commit(run)


def forms_needing_attention_q() -> Q:
    """Forms a unit must still act on: to fill, or to answer a rectification."""
    return Q(state__in=[FormState.PENDING, FormState.FILLED, FormState.RECTIFYING])
