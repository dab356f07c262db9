"""Pages of the annual inspection and the hand-over lists. Thin adapters: reads through
`selectors`, writes through `services` / `handover`, single objects through
`get_visible_or_404` (404 for "absent" and "not yours" alike), actions re-checked by the
services (a forged POST is refused there too)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.permissions import get_visible_or_404
from beian.core.views import require
from beian.orgs.models import Person, Unit

from . import handover as handover_services
from . import results_files, selectors, services
from .choices import GRADE_COLOUR, STATE_COLOUR, FormState, Grade, HandoverState, PartState
from .forms import (
    FillForm,
    GradeForm,
    HandoverCloseForm,
    HandOverForm,
    InspectionEditForm,
    InspectionOpenForm,
    OpinionForm,
    RectifyAnswerForm,
    ReturnForm,
)
from .models import HandoverCase, Inspection, InspectionForm, InspectionPart

PAGE_SIZE = 100
NAV = "inspections"


def _errors(request, exc: ValidationError, form=None) -> None:
    if form is not None and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
        return
    for message in exc.messages:
        messages.error(request, message)


def _inspection(request, pk: int) -> Inspection:
    return get_visible_or_404(Inspection.objects.select_related("owner_unit"), request.user, pk=pk)


def _part(request, pk: int) -> InspectionPart:
    qs = InspectionPart.objects.select_related("inspection", "unit")
    return get_visible_or_404(qs, request.user, pk=pk)


def _form(request, pk: int) -> InspectionForm:
    qs = InspectionForm.objects.select_related(
        "inspection", "part__unit", "account__platform", "account__owner_unit", "closing_filing"
    )
    return get_visible_or_404(qs, request.user, pk=pk)


# --- rounds ----------------------------------------------------------------------------------


@login_required
def inspection_list(request):
    inspections = list(selectors.inspection_list(request.user))
    parts = {}
    if not request.user.sees_everything:
        for part in InspectionPart.objects.visible_to(request.user).select_related("unit"):
            parts.setdefault(part.inspection_id, []).append(part)
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "inspections": inspections,
            "parts_by_inspection": parts,
            "can_open": request.user.is_school_admin,
            "todo": selectors.unit_todo_counts(request.user),
            "nav": NAV,
        },
    )


@login_required
def inspection_open(request):
    require(request.user.is_school_admin)
    owner = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    if owner is None:
        raise Http404
    today = timezone.localdate()
    form = InspectionOpenForm(request.POST or None, initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_open(
                actor=request.user,
                owner_unit=owner,
                year=form.cleaned_data["year"],
                deadline=form.cleaned_data["deadline"],
                title=form.cleaned_data["title"],
                notice=form.cleaned_data["notice"],
                extra_items=form.items(),
            )
        except ValidationError as exc:
            _errors(request, exc, form)
        else:
            messages.success(
                request,
                _("已发起年检：%(n)d 个已备案账号") % {"n": inspection.forms.count()},
            )
            return redirect("inspections:inspection_detail", inspection.pk)
    return render(
        request,
        "inspections/inspection_form.html",
        {"form": form, "title": _("发起年检"), "nav": NAV},
    )


@login_required
def inspection_edit(request, pk: int):
    inspection = _inspection(request, pk)
    require(request.user.is_school_admin and inspection.is_open)
    initial = {
        "title": inspection.title,
        "deadline": inspection.deadline,
        "notice": inspection.notice,
    }
    form = InspectionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_update(
                actor=request.user, inspection=inspection, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors(request, exc, form)
        else:
            messages.success(request, _("已保存"))
            return redirect("inspections:inspection_detail", inspection.pk)
    return render(
        request,
        "inspections/inspection_form.html",
        {"form": form, "title": _("修改年检"), "inspection": inspection, "nav": NAV},
    )


@login_required
def inspection_detail(request, pk: int):
    inspection = _inspection(request, pk)
    selectors.settle_missed(inspection)
    parts = selectors.part_progress(request.user, inspection)
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "parts": parts,
            "results": selectors.results(request.user, inspection),
            "is_school": request.user.is_school_admin,
            "grades": selectors.GRADES,
            "nav": NAV,
        },
    )


@login_required
@require_POST
def inspection_publish(request, pk: int):
    inspection = _inspection(request, pk)
    require(request.user.is_school_admin)
    published = request.POST.get("published") == "1"
    services.inspection_publish(actor=request.user, inspection=inspection, published=published)
    messages.success(request, _("已公布年检结果") if published else _("已撤回公布"))
    return redirect("inspections:inspection_results", inspection.pk)


@login_required
@require_POST
def inspection_close(request, pk: int):
    inspection = _inspection(request, pk)
    require(request.user.is_school_admin)
    try:
        services.inspection_close(actor=request.user, inspection=inspection)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("年检已结束，未提交的账号记为未参检"))
    return redirect("inspections:inspection_detail", inspection.pk)


# --- grading -----------------------------------------------------------------------------------


@login_required
def grading(request, pk: int):
    inspection = _inspection(request, pk)
    require(request.user.is_school_admin)
    selectors.settle_missed(inspection)
    state = request.GET.get("state", FormState.SUBMITTED)
    if state not in FormState.values and state != "":
        state = FormState.SUBMITTED
    unit = request.GET.get("unit") or None
    unit = int(unit) if unit and unit.isdigit() else None
    forms_qs = selectors.grading_queue(inspection, state=state, unit=unit)
    page = Paginator(forms_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(
        InspectionForm.objects.filter(inspection=inspection)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    clean = (
        InspectionForm.objects.filter(
            inspection=inspection,
            state=FormState.SUBMITTED,
            had_violations=False,
            was_punished=False,
            had_complaints=False,
            content_review=True,
        )
        .order_by()
        .count()
    )
    return render(
        request,
        "inspections/grading.html",
        {
            "inspection": inspection,
            "page": page,
            "state": state,
            "unit": unit,
            "states": [(s, s.label, counts.get(s, 0)) for s in FormState],
            "units": InspectionPart.objects.filter(inspection=inspection)
            .select_related("unit")
            .order_by("unit__name"),
            "clean": clean,
            "grade_colour": GRADE_COLOUR,
            "state_colour": STATE_COLOUR,
            "nav": NAV,
        },
    )


@login_required
@require_POST
def grade_bulk(request, pk: int):
    inspection = _inspection(request, pk)
    require(request.user.is_school_admin)
    ids = [int(x) for x in request.POST.getlist("form") if x.isdigit()]
    if request.POST.get("all_clean") == "1":
        forms_qs = InspectionForm.objects.filter(inspection=inspection, state=FormState.SUBMITTED)
    else:
        forms_qs = InspectionForm.objects.filter(inspection=inspection, pk__in=ids)
    graded = services.form_grade_bulk(actor=request.user, forms=list(forms_qs.only("pk")))
    if graded:
        messages.success(request, _("已评定 %(n)d 个账号为合格") % {"n": graded})
    else:
        messages.warning(request, _("没有可批量评定的年检表（只批量评定无违规、已落实三审三校的）"))
    return redirect("inspections:grading", inspection.pk)


# --- results -----------------------------------------------------------------------------------


@login_required
def results(request, pk: int):
    inspection = _inspection(request, pk)
    selectors.settle_missed(inspection)
    grade = request.GET.get("grade", "")
    forms_qs = selectors.graded_forms(request.user, inspection)
    if grade in Grade.values:
        forms_qs = forms_qs.filter(grade=grade)
    page = Paginator(forms_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/results.html",
        {
            "inspection": inspection,
            "results": selectors.results(request.user, inspection),
            "page": page,
            "grade": grade,
            "grades": selectors.GRADES,
            "grade_colour": GRADE_COLOUR,
            "is_school": request.user.is_school_admin,
            "nav": NAV,
        },
    )


@login_required
def results_file(request, pk: int, fmt: str):
    inspection = _inspection(request, pk)
    if fmt not in ("xlsx", "docx"):
        raise Http404
    selectors.settle_missed(inspection)
    if fmt == "xlsx":
        data = results_files.results_xlsx(request.user, inspection)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data = results_files.results_docx(request.user, inspection)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    audit(
        event=AuditEventType.EXPORT,
        actor=request.user,
        obj=inspection,
        detail={"format": fmt, "what": "inspection_results"},
    )
    response = HttpResponse(data, content_type=content_type)
    name = f"{inspection.year}年度新媒体账号年检结果.{fmt}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- a unit's part -----------------------------------------------------------------------------


@login_required
def part_detail(request, pk: int):
    part = _part(request, pk)
    selectors.settle_missed(part.inspection)
    forms_qs = (
        InspectionForm.objects.visible_to(request.user)
        .filter(part=part)
        .select_related("account", "account__platform", "account__owner_unit")
        .order_by("account__name", "pk")
    )
    forms_list = list(forms_qs)
    can_submit = (
        part.state == PartState.OPEN
        and part.inspection.is_open
        and InspectionPart.objects.submittable_by(request.user).filter(pk=part.pk).exists()
    )
    can_return = (
        request.user.is_school_admin
        and part.state == PartState.SUBMITTED
        and part.inspection.is_open
        and any(f.state == FormState.SUBMITTED for f in forms_list)
    )
    fillable = set(
        InspectionForm.objects.fillable_by(request.user)
        .filter(part=part)
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "inspections/part_detail.html",
        {
            "part": part,
            "inspection": part.inspection,
            "forms": forms_list,
            "fillable": fillable,
            "fill_states": [FormState.PENDING, FormState.FILLED],
            "part_open": part.state == PartState.OPEN and part.inspection.is_open,
            "unfilled": sum(1 for f in forms_list if f.state == FormState.PENDING),
            "can_submit": can_submit,
            "opinion_form": OpinionForm(initial={"opinion": part.opinion}) if can_submit else None,
            "can_return": can_return,
            "return_form": ReturnForm() if can_return else None,
            "returned": part.state == PartState.OPEN and bool(part.return_comment),
            "grade_colour": GRADE_COLOUR,
            "state_colour": STATE_COLOUR,
            "nav": NAV,
        },
    )


@login_required
@require_POST
def part_submit(request, pk: int):
    part = _part(request, pk)
    require(InspectionPart.objects.submittable_by(request.user).filter(pk=part.pk).exists())
    form = OpinionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写单位意见"))
        return redirect("inspections:part_detail", part.pk)
    try:
        services.part_submit(actor=request.user, part=part, opinion=form.cleaned_data["opinion"])
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已提交本单位年检"))
    return redirect("inspections:part_detail", part.pk)


@login_required
@require_POST
def part_return(request, pk: int):
    part = _part(request, pk)
    require(request.user.is_school_admin)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退回意见，说明需要补正的内容"))
        return redirect("inspections:part_detail", part.pk)
    try:
        services.part_return(actor=request.user, part=part, comment=form.cleaned_data["comment"])
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("已退回 %(unit)s 的年检，待其修改后重新提交") % {"unit": part.unit.name}
        )
    return redirect("inspections:part_detail", part.pk)


# --- one form ----------------------------------------------------------------------------------


@login_required
def form_detail(request, pk: int):
    form = _form(request, pk)
    user = request.user
    may_fill = InspectionForm.objects.fillable_by(user).filter(pk=form.pk).exists()
    can_grade = user.is_school_admin and form.state in (FormState.SUBMITTED, FormState.ANSWERED)
    return render(
        request,
        "inspections/form_detail.html",
        {
            "form_obj": form,
            "inspection": form.inspection,
            "extra": [
                (text, (form.extra_answers or {}).get(str(i), ""))
                for i, text in enumerate(form.inspection.extra_items)
            ],
            "can_fill": may_fill
            and form.state in (FormState.PENDING, FormState.FILLED)
            and form.part.state == PartState.OPEN
            and form.inspection.is_open,
            "can_answer": may_fill and form.state == FormState.RECTIFYING,
            "answer_form": RectifyAnswerForm() if may_fill else None,
            "grade_form": GradeForm() if can_grade else None,
            "grade_colour": GRADE_COLOUR,
            "state_colour": STATE_COLOUR,
            "nav": NAV,
        },
    )


@login_required
def form_fill(request, pk: int):
    form_obj = _form(request, pk)
    require(InspectionForm.objects.fillable_by(request.user).filter(pk=form_obj.pk).exists())
    extra = form_obj.inspection.extra_items
    form = FillForm(request.POST or None, initial=FillForm.initial_of(form_obj), extra_items=extra)
    if request.method == "POST" and form.is_valid():
        try:
            services.form_fill(actor=request.user, form=form_obj, data=form.answers())
        except ValidationError as exc:
            _errors(request, exc, form)
        else:
            messages.success(request, _("年检表已保存"))
            return redirect("inspections:part_detail", form_obj.part_id)
    return render(
        request,
        "inspections/form_fill.html",
        {"form": form, "form_obj": form_obj, "inspection": form_obj.inspection, "nav": NAV},
    )


@login_required
@require_POST
def form_grade(request, pk: int):
    form_obj = _form(request, pk)
    require(request.user.is_school_admin)
    form = GradeForm(request.POST)
    if form.is_valid():
        try:
            services.form_grade(actor=request.user, form=form_obj, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(
                request, _("已评定：%(grade)s") % {"grade": Grade(form.cleaned_data["grade"]).label}
            )
            nxt = request.POST.get("next", "")
            if nxt.startswith("/inspections/"):
                return redirect(nxt)
    else:
        messages.error(request, _("请选择年检结果"))
    return redirect("inspections:form_detail", form_obj.pk)


@login_required
@require_POST
def form_rectify(request, pk: int):
    form_obj = _form(request, pk)
    form = RectifyAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写整改情况"))
        return redirect("inspections:form_detail", form_obj.pk)
    try:
        services.form_rectify_answer(
            actor=request.user, form=form_obj, answer=form.cleaned_data["answer"]
        )
    except ValidationError as exc:
        _errors(request, exc)
    except PermissionDenied:
        raise
    else:
        messages.success(request, _("已提交整改情况，等待宣传部复查"))
    return redirect("inspections:form_detail", form_obj.pk)


# --- hand-over ---------------------------------------------------------------------------------


@login_required
def handover_list(request):
    state = request.GET.get("state", HandoverState.OPEN)
    if state not in HandoverState.values and state != "":
        state = HandoverState.OPEN
    cases = selectors.handover_list(request.user, state=state)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/handover_list.html",
        {
            "page": page,
            "state": state,
            "states": HandoverState.choices,
            "today": timezone.localdate(),
            "nav": NAV,
        },
    )


def _case(request, pk: int) -> HandoverCase:
    qs = HandoverCase.objects.select_related(
        "person", "account", "account__platform", "group", "group__platform", "unit", "filing"
    )
    return get_visible_or_404(qs, request.user, pk=pk)


def _people_for(case: HandoverCase, user):
    return Person.objects.visible_to(user)


@login_required
def handover_detail(request, pk: int):
    case = _case(request, pk)
    can_act = (
        case.state == HandoverState.OPEN
        and HandoverCase.objects.actable_by(request.user).filter(pk=case.pk).exists()
    )
    return render(
        request,
        "inspections/handover_detail.html",
        {
            "case": case,
            "can_act": can_act,
            "hand_form": HandOverForm(
                people=_people_for(case, request.user),
                initial={"effective_on": timezone.localdate()},
            )
            if can_act
            else None,
            "close_form": HandoverCloseForm() if can_act else None,
            "today": timezone.localdate(),
            "nav": NAV,
        },
    )


@login_required
@require_POST
def handover_hand_over(request, pk: int):
    case = _case(request, pk)
    require(HandoverCase.objects.actable_by(request.user).filter(pk=case.pk).exists())
    form = HandOverForm(request.POST, people=_people_for(case, request.user))
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("inspections:handover_detail", case.pk)
    try:
        handover_services.handover_hand_over(
            actor=request.user,
            case=case,
            successor=form.cleaned_data["successor"],
            effective_on=form.cleaned_data["effective_on"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("inspections:handover_detail", case.pk)
    messages.success(request, _("已交接，变更报备已提交"))
    return redirect("inspections:handover_list")


@login_required
@require_POST
def handover_close(request, pk: int):
    case = _case(request, pk)
    require(HandoverCase.objects.actable_by(request.user).filter(pk=case.pk).exists())
    form = HandoverCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写注销/解散原因"))
        return redirect("inspections:handover_detail", case.pk)
    try:
        handover_services.handover_close(
            actor=request.user, case=case, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("inspections:handover_detail", case.pk)
    messages.success(request, _("已办理注销/解散"))
    return redirect("inspections:handover_list")
