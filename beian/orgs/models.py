"""The institution, its unit tree and its people."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from tree_queries.models import TreeNode
from tree_queries.query import TreeQuerySet

from beian.core.models import TimeStampedModel
from beian.core.text import pinyin_keys
from beian.core.validators import validate_mobile, validate_qq

from .choices import (
    CADRE_RANK,
    DEFAULT_TIER,
    TIER_BY_UNIT_KIND,
    CadreLevel,
    PersonKind,
    PersonStatus,
    UnitKind,
)


class Institution(TimeStampedModel):
    """The school: its names feed the name guard; its prefix starts registration numbers."""

    full_name = models.CharField(_("全称"), max_length=128)
    short_names = models.JSONField(_("简称"), default=list, blank=True)
    english_name = models.CharField(_("英文名称"), max_length=200, blank=True)
    initials = models.JSONField(_("首字母缩写"), default=list, blank=True)
    domains = models.JSONField(_("网站域名"), default=list, blank=True)
    logo = models.ImageField(_("校徽"), upload_to="institution/", blank=True)
    registration_prefix = models.CharField(_("备案编号前缀"), max_length=32, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")

    def __str__(self):
        return self.full_name


class UnitQuerySet(TreeQuerySet):
    def visible_to(self, user):
        """Units a user may see: all for global roles; the scoped subtrees otherwise, plus
        the operator's own unit."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        ids = set(user.scoped_unit_ids)
        if user.person_id and user.person is not None:
            ids.add(user.person.unit_id)
        return self.filter(pk__in=sorted(ids))

    def subtree_ids(self, roots) -> list[int]:
        """Ids of the given units and of every unit below them (one query over the tree)."""
        found = set(roots)
        if not found:
            return []
        children: dict[int, list[int]] = {}
        for pk, parent_id in self.model.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        stack = list(found)
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return sorted(found)


class Unit(TreeNode, TimeStampedModel):
    """A node of the school's organisation tree (学院, 职能部门, 系, 班级 …)."""

    name = models.CharField(_("名称"), max_length=128)
    short_name = models.CharField(_("简称"), max_length=64, blank=True)
    kind = models.CharField(_("类型"), max_length=32, choices=UnitKind.choices)
    code = models.CharField(_("单位代码"), max_length=32, blank=True)
    head = models.ForeignKey(
        "Person",
        verbose_name=_("第一责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_units",
        help_text=_("学院为党委书记，职能部门为主要负责人"),
    )
    is_active = models.BooleanField(_("在用"), default=True)
    name_pinyin = models.CharField(max_length=255, blank=True, editable=False)
    name_initials = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    history = HistoricalRecords()

    objects = UnitQuerySet.as_manager(with_tree_fields=False)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="orgs_unit_unique_name_in_parent",
                violation_error_message=_("同一上级单位下已有同名单位"),
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="orgs_unit_unique_code",
                violation_error_message=_("单位代码已被使用"),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.kind == UnitKind.SCHOOL and self.parent_id:
            raise ValidationError({"parent": _("学校是单位树的根，不能有上级单位")})
        if self.kind != UnitKind.SCHOOL and not self.parent_id:
            raise ValidationError({"parent": _("请选择上级单位")})

    @property
    def default_tier(self) -> int:
        return TIER_BY_UNIT_KIND.get(self.kind, DEFAULT_TIER)


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """People a user may see: all for global roles; people of the scoped subtrees;
        an operator sees themself."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        q = Q(unit_id__in=sorted(user.scoped_unit_ids))
        if user.person_id:
            q |= Q(pk=user.person_id)
        return self.filter(q)


class Person(TimeStampedModel):
    """Someone on the rosters (HR, student affairs) or an outsider on a team."""

    name = models.CharField(_("姓名"), max_length=64)
    number = models.CharField(_("工号/学号"), max_length=32, blank=True)
    kind = models.CharField(_("身份"), max_length=16, choices=PersonKind.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="people"
    )
    post = models.CharField(_("职务"), max_length=64, blank=True)
    cadre_level = models.CharField(
        _("干部级别"),
        max_length=16,
        choices=CadreLevel.choices,
        blank=True,
        help_text=_("处级含正处、副处；科级含正科、副科；不是干部选“无”"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=PersonStatus.choices, default=PersonStatus.IN_POST
    )
    mobile = models.CharField(_("手机"), max_length=20, blank=True, validators=[validate_mobile])
    email = models.EmailField(_("邮箱"), blank=True)
    qq = models.CharField(_("QQ"), max_length=16, blank=True, validators=[validate_qq])
    name_pinyin = models.CharField(max_length=255, blank=True, editable=False)
    name_initials = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                condition=~Q(number=""),
                name="orgs_person_unique_number",
                violation_error_message=_("工号/学号已存在"),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        super().save(*args, **kwargs)

    @property
    def is_staff_in_post(self) -> bool:
        return self.kind == PersonKind.STAFF and self.status == PersonStatus.IN_POST

    def is_cadre_of(self, level: str) -> bool:
        """Whether the person is a cadre of `level` or above (an unrecorded level is not)."""
        return bool(self.cadre_level) and CADRE_RANK[self.cadre_level] >= CADRE_RANK[level]
