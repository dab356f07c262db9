"""Login, and the user and role management pages (school admins only)."""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beian.core.models import AuditEvent
from beian.core.views import ScopedListView, require

from . import services
from .choices import Role
from .forms import LoginForm, RoleGrantForm, UserCreateForm
from .leavers import ENDED_SESSION_KEY
from .models import RoleAssignment, User
from .tables import UserTable


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # why the last session was ended (its person left the school), shown once
        context["session_ended"] = self.request.session.pop(ENDED_SESSION_KEY, "")
        return context


def _require_school_admin(user) -> None:
    require(user.is_school_admin)


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("搜索"), method="filter_search")
    role = django_filters.ChoiceFilter(
        label=gettext_lazy("角色"),
        choices=Role.choices,
        field_name="roles__role",
        distinct=True,
        empty_label=gettext_lazy("全部"),
    )
    is_active = django_filters.BooleanFilter(
        label=gettext_lazy("启用"),
        widget=forms.Select(
            choices=[
                ("", gettext_lazy("全部")),
                ("true", gettext_lazy("是")),
                ("false", gettext_lazy("否")),
            ]
        ),
    )

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = gettext_lazy("用户名、姓名")
        for field in self.form.fields.values():
            css = "form-select" if field.widget.input_type == "select" else "form-control"
            field.widget.attrs["class"] = css

    def filter_search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value)
            | Q(display_name__icontains=value)
            | Q(person__name__icontains=value)
        )


class UserListView(ScopedListView):
    model = User
    filterset_class = UserFilterSet
    table_class = UserTable
    title = gettext_lazy("用户与角色")
    nav = "users"
    create_url = "users:user_create"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require_school_admin(request.user)
        return super().dispatch(request, *args, **kwargs)

    def scoped_queryset(self):
        return (
            User.objects.select_related("person__unit")
            .prefetch_related(
                Prefetch("roles", queryset=RoleAssignment.objects.select_related("unit"))
            )
            .order_by("username")
        )

    def can_create(self) -> bool:
        return True


@login_required
def user_detail(request, pk: int):
    _require_school_admin(request.user)
    subject = get_object_or_404(User.objects.select_related("person__unit"), pk=pk)
    return _render_detail(request, subject, RoleGrantForm())


def _render_detail(request, subject, grant_form, status=200):
    assignments = list(
        subject.roles.select_related("unit", "granted_by").order_by("role", "unit__name_pinyin")
    )
    events = list(
        AuditEvent.objects.filter(
            Q(actor=subject) | Q(object_type="users.User", object_id=str(subject.pk))
        ).order_by("-at", "-id")[:20]
    )
    return render(
        request,
        "users/user_detail.html",
        {
            "subject": subject,
            "assignments": assignments,
            "grant_form": grant_form,
            "events": events,
            "nav": "users",
        },
        status=status,
    )


@login_required
def user_create(request):
    _require_school_admin(request.user)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password1"],
                display_name=data["display_name"],
                person=data["person"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form.add_error(None, exc)
            else:
                form.add_error("password1", exc)
        else:
            messages.success(request, _("已创建用户“%(name)s”，请为其授予角色") % {"name": user})
            return redirect("users:user_detail", pk=user.pk)
    return render(
        request,
        "users/user_form.html",
        {"form": form, "title": _("新增用户"), "nav": "users"},
    )


@login_required
def role_grant(request, pk: int):
    _require_school_admin(request.user)
    subject = get_object_or_404(User, pk=pk)
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.role_grant(
                actor=request.user,
                user=subject,
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("已为 %(user)s 授予角色：%(role)s") % {"user": subject, "role": assignment},
            )
            return redirect("users:user_detail", pk=subject.pk)
    return render(
        request,
        "users/role_grant.html",
        {"form": form, "subject": subject, "nav": "users"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def role_revoke(request, pk: int, assignment_pk: int):
    _require_school_admin(request.user)
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("user", "unit"), pk=assignment_pk, user_id=pk
    )
    if request.method == "POST":
        subject = assignment.user
        label = str(assignment)
        try:
            services.role_revoke(actor=request.user, assignment=assignment)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("已撤销 %(user)s 的角色：%(role)s") % {"user": subject, "role": label}
            )
        return redirect("users:user_detail", pk=subject.pk)
    return render(
        request,
        "users/role_revoke.html",
        {"assignment": assignment, "subject": assignment.user, "nav": "users"},
    )
