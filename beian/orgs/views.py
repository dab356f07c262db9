"""Pages of the unit tree and the people roster: thin adapters around selectors and
services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.history import history_entries
from beian.core.masking import MASKERS
from beian.core.permissions import get_visible_or_404
from beian.core.views import ScopedListView, require

from . import selectors, services
from .filters import PersonFilterSet, UnitFilterSet
from .forms import PersonForm, UnitForm
from .models import Person, Unit
from .tables import PERSONAL_COLUMNS, PersonTable, UnitTable


class UnitListView(ScopedListView):
    model = Unit
    filterset_class = UnitFilterSet
    table_class = UnitTable
    title = gettext_lazy("单位")
    nav = "units"
    create_url = "orgs:unit_create"
    export_url = "transfer:export_units"
    export_layouts = (
        (gettext_lazy("Excel 汇总表（.xlsx）"), "format=xlsx"),
        (gettext_lazy("CSV（.csv）"), "format=csv"),
    )
    import_kind = "units"

    def scoped_queryset(self):
        return selectors.unit_list(self.request.user)

    def can_create(self) -> bool:
        return selectors.can_create_units(self.request.user)


@login_required
def unit_detail(request, pk: int):
    unit = get_visible_or_404(Unit.objects.select_related("parent", "head"), request.user, pk=pk)
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "overview": selectors.unit_overview(unit, request.user),
            "can_edit": request.user.can_edit_in_unit(unit.pk),
            "can_add_child": selectors.can_create_units(request.user)
            and request.user.can_edit_in_unit(unit.pk),
            "history": history_entries(unit),
            "nav": "units",
        },
    )


def _save_form(request, form, write):
    """Runs the service `write()` for a valid form; puts its validation errors on the form."""
    if not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@login_required
def unit_create(request):
    user = request.user
    require(selectors.can_create_units(user))
    initial = {}
    parent_pk = request.GET.get("parent", "")
    if parent_pk.isdigit() and user.can_edit_in_unit(int(parent_pk)):
        initial["parent"] = int(parent_pk)
    form = UnitForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST":
        unit = _save_form(request, form, lambda data: services.unit_create(actor=user, **data))
        if unit is not None:
            messages.success(request, _("已新增单位“%(name)s”") % {"name": unit.name})
            return redirect("orgs:unit_detail", pk=unit.pk)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "title": _("新增单位"), "nav": "units", "cancel_url": "orgs:unit_list"},
    )


@login_required
def unit_update(request, pk: int):
    user = request.user
    unit = get_visible_or_404(Unit, user, pk=pk)
    require(user.can_edit_in_unit(unit.pk))
    form = UnitForm(request.POST or None, user=user, instance=unit)
    if request.method == "POST":
        saved = _save_form(
            request,
            form,
            lambda data: services.unit_update(actor=user, unit=unit, data=data),
        )
        if saved is not None:
            messages.success(request, _("已保存"))
            return redirect("orgs:unit_detail", pk=saved.pk)
    return render(
        request,
        "orgs/form.html",
        {
            "form": form,
            "title": _("修改单位：%(name)s") % {"name": unit.name},
            "nav": "units",
            "object": unit,
            "cancel_url": "orgs:unit_detail",
        },
    )


class PersonListView(ScopedListView):
    """The roster. Users who may see personal data get the mobile / e-mail / QQ columns,
    and each such page view is written to the audit log as a bulk personal-data view."""

    model = Person
    filterset_class = PersonFilterSet
    table_class = PersonTable
    title = gettext_lazy("人员")
    nav = "people"
    create_url = "orgs:person_create"
    export_url = "transfer:export_people"
    export_layouts = (
        (gettext_lazy("Excel 汇总表（.xlsx）"), "format=xlsx"),
        (gettext_lazy("CSV（.csv）"), "format=csv"),
    )
    import_kind = "people"
    template_name = "orgs/person_list.html"

    def scoped_queryset(self):
        return selectors.person_list(self.request.user)

    def can_create(self) -> bool:
        return selectors.can_create_units(self.request.user)

    def shows_personal_data(self) -> bool:
        return self.request.user.can_see_personal_data()

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if not self.shows_personal_data():
            kwargs["exclude"] = PERSONAL_COLUMNS
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["shows_personal_data"] = self.shows_personal_data()
        table = context["table"]
        page = getattr(table, "page", None)
        rows = page.end_index() - page.start_index() + 1 if page and page.paginator.count else 0
        if self.shows_personal_data() and rows:
            audit(
                event=AuditEventType.VIEW_PERSONAL_DATA,
                actor=self.request.user,
                request=self.request,
                detail={"filter": self.request.GET.urlencode(), "rows": rows},
            )
        return context


def _masked_history(entries, user, obj):
    """History rows with personal data masked for users who may not see it in full."""
    if user.can_see_personal_data(obj):
        return entries
    for entry in entries:
        for change in entry.changes:
            if change.field in MASKERS:
                mask = MASKERS[change.field]
                change.old = change.old if change.old == "—" else mask(change.old)
                change.new = change.new if change.new == "—" else mask(change.new)
    return entries


@login_required
def person_detail(request, pk: int):
    person = get_visible_or_404(Person.objects.select_related("unit"), request.user, pk=pk)
    return render(
        request,
        "orgs/person_detail.html",
        {
            "person": person,
            "headed_units": list(
                Unit.objects.visible_to(request.user).filter(head=person).order_by("name_pinyin")
            ),
            "can_edit": request.user.can_edit_in_unit(person.unit_id),
            "can_see_personal": request.user.can_see_personal_data(person),
            "history": _masked_history(history_entries(person), request.user, person),
            "nav": "people",
        },
    )


@login_required
def person_create(request):
    user = request.user
    require(selectors.can_create_units(user))
    initial = {}
    unit_pk = request.GET.get("unit", "")
    if unit_pk.isdigit() and user.can_edit_in_unit(int(unit_pk)):
        initial["unit"] = int(unit_pk)
    form = PersonForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST":
        person = _save_form(request, form, lambda data: services.person_create(actor=user, **data))
        if person is not None:
            messages.success(request, _("已新增人员“%(name)s”") % {"name": person.name})
            return redirect("orgs:person_detail", pk=person.pk)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "title": _("新增人员"), "nav": "people", "cancel_url": "orgs:person_list"},
    )


@login_required
def person_update(request, pk: int):
    user = request.user
    person = get_visible_or_404(Person, user, pk=pk)
    require(user.can_edit_in_unit(person.unit_id))
    form = PersonForm(request.POST or None, user=user, instance=person)
    if request.method == "POST":
        saved = _save_form(
            request,
            form,
            lambda data: services.person_update(actor=user, person=person, data=data),
        )
        if saved is not None:
            messages.success(request, _("已保存"))
            return redirect("orgs:person_detail", pk=saved.pk)
    return render(
        request,
        "orgs/form.html",
        {
            "form": form,
            "title": _("修改人员：%(name)s") % {"name": person.name},
            "nav": "people",
            "object": person,
            "cancel_url": "orgs:person_detail",
        },
    )


@login_required
def person_suggest(request):
    """The person autocomplete of team forms (htmx): people the user may see matching `q`,
    with unit and identity, as a list of choices. No contact details."""
    text = request.GET.get("q", "")[:64]
    people = selectors.person_suggestions(request.user, text) if text.strip() else []
    return render(
        request,
        "orgs/_person_suggestions.html",
        {"people": people, "query": text.strip(), "limit": selectors.SUGGEST_LIMIT},
    )
