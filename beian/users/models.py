"""Users and their roles. A role is either global (school admin, leader, auditor) or scoped
to a unit subtree (unit admin, league approver); an operator sees the accounts and groups
whose team they are on."""

from functools import cached_property

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import GLOBAL_ROLES, UNIT_ROLES, Role


class User(AbstractUser):
    """A login. Linked to a Person of the roster when the user is also on teams."""

    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    person = models.OneToOneField(
        "orgs.Person",
        verbose_name=_("对应人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    must_change_password = models.BooleanField(
        _("须修改密码"),
        default=False,
        db_default=False,  # rows written by older code (and old migration states) get False
        help_text=_("管理员设置或重置的密码：用户下次登录后须先修改密码"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.display_name or self.username

    # --- roles ------------------------------------------------------------------------
    @cached_property
    def role_assignments(self) -> list["RoleAssignment"]:
        if not self.pk:
            return []
        return list(self.roles.select_related("unit"))

    @property
    def has_second_factor(self) -> bool:
        """An authenticator app is enrolled (two-step sign-in, beian/users/twofactor.py)."""
        if not self.pk:
            return False
        TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
        return TOTPDevice.objects.filter(user=self, confirmed=True).exists()

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(a.role for a in self.role_assignments)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_school_admin(self) -> bool:
        return self.is_superuser or self.has_role(Role.SCHOOL_ADMIN)

    @property
    def sees_everything(self) -> bool:
        """Reads the whole registry (school admin, leader, auditor)."""
        return self.is_superuser or self.has_role(*GLOBAL_ROLES)

    @property
    def is_auditor(self) -> bool:
        return self.has_role(Role.AUDITOR)

    @property
    def can_read_audit_log(self) -> bool:
        return self.is_school_admin or self.is_auditor

    @cached_property
    def scoped_unit_ids(self) -> frozenset[int]:
        """Units reached through unit-scoped roles: each assigned unit and its subtree."""
        roots = [a.unit_id for a in self.role_assignments if a.role in UNIT_ROLES and a.unit_id]
        if not roots:
            return frozenset()
        Unit = apps.get_model("orgs", "Unit")
        return frozenset(Unit.objects.subtree_ids(roots))

    @cached_property
    def admin_unit_ids(self) -> frozenset[int]:
        """Units this user may write in as a unit admin (assigned units and their subtrees)."""
        roots = [a.unit_id for a in self.role_assignments if a.role == Role.UNIT_ADMIN]
        if not roots:
            return frozenset()
        Unit = apps.get_model("orgs", "Unit")
        return frozenset(Unit.objects.subtree_ids(roots))

    def unit_scope_q(self, field: str) -> Q:
        """Q restricting `field` (a Unit FK path) to the units this user sees."""
        if self.sees_everything:
            return Q()
        return Q(**{f"{field}__in": sorted(self.scoped_unit_ids)})

    def can_edit_in_unit(self, unit_id: int | None) -> bool:
        if self.is_school_admin:
            return True
        return unit_id is not None and unit_id in self.admin_unit_ids

    def can_see_personal_data(self, obj=None) -> bool:
        """Full mobile / e-mail / QQ: the school admin; a unit admin inside their subtree;
        an operator on their own accounts and groups. Everyone else sees them masked."""
        if self.is_school_admin:
            return True
        if obj is None:
            return bool(self.admin_unit_ids)
        unit_id = _owning_unit_id(obj)
        if unit_id is not None and unit_id in self.admin_unit_ids:
            return True
        if self.has_role(Role.OPERATOR) and self.person_id and hasattr(obj, "has_member"):
            return obj.has_member(self.person_id)
        return False


def _owning_unit_id(obj):
    for attr in ("owner_unit_id", "unit_id"):
        if hasattr(obj, attr):
            return getattr(obj, attr)
    if obj.__class__.__name__ == "Unit":
        return obj.pk
    return None


class RoleAssignment(models.Model):
    """A role given to a user by a school admin; unit-scoped roles carry their unit."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("管辖单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                name="users_roleassignment_unique_user_role_unit",
                violation_error_message=_("该用户已有此角色"),
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(unit__isnull=True),
                name="users_roleassignment_unique_user_global_role",
                violation_error_message=_("该用户已有此角色"),
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in UNIT_ROLES)) | Q(unit__isnull=False),
                name="users_roleassignment_unit_role_has_unit",
                violation_error_message=_("二级单位管理员和校团委审批人须指定管辖单位"),
            ),
        ]

    def __str__(self):
        if self.unit_id:
            return f"{self.get_role_display()}（{self.unit}）"
        return str(self.get_role_display())
