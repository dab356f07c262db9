from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    SCHOOL = "school", _("学校")
    COLLEGE = "college", _("学院")
    DEPARTMENT = "department", _("职能部门")
    DIRECT = "direct", _("直属单位")
    SCHOOL_STUDENT_ORG = "school_student_org", _("校级学生组织")
    DIVISION = "division", _("系")
    TEACHING_OFFICE = "teaching_office", _("教研室")
    SECTION = "section", _("科室")
    STUDENT_ORG = "student_org", _("学生组织")
    CLASS = "class", _("班级")
    LEAGUE_BRANCH = "league_branch", _("团支部")
    OTHER = "other", _("其他")


#: The tier (分级) an account gets from the kind of its owning unit (seeds 000, 001, 002).
TIER_BY_UNIT_KIND = {
    UnitKind.SCHOOL: 1,
    UnitKind.COLLEGE: 2,
    UnitKind.DEPARTMENT: 2,
    UnitKind.DIRECT: 2,
    UnitKind.SCHOOL_STUDENT_ORG: 2,
}
DEFAULT_TIER = 3

#: Kinds of "二级单位": the units that answer to the school directly.
SECOND_LEVEL_KINDS = frozenset(
    {UnitKind.COLLEGE, UnitKind.DEPARTMENT, UnitKind.DIRECT, UnitKind.SCHOOL_STUDENT_ORG}
)


class PersonKind(models.TextChoices):
    STAFF = "staff", _("教职工")
    STUDENT = "student", _("学生")
    EXTERNAL = "external", _("校外")


class PersonStatus(models.TextChoices):
    IN_POST = "in_post", _("在职/在读")
    LEFT = "left", _("离职")
    GRADUATED = "graduated", _("毕业")


class CadreLevel(models.TextChoices):
    """A person's cadre level (干部级别) as the roster gives it: 处级 takes 正处 and 副处
    (and the ranks above, which a university's rosters rarely list), 科级 takes 正科 and
    副科. Seed 004 asks for a 处级党政干部 as an account's first responsible person."""

    DIVISION = "division", _("处级")
    SECTION = "section", _("科级")
    NONE = "none", _("无")


#: Cadre levels from the highest down (for "at least this level" comparisons).
CADRE_RANK = {CadreLevel.DIVISION: 2, CadreLevel.SECTION: 1, CadreLevel.NONE: 0}
