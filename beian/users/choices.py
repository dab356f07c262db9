from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SCHOOL_ADMIN = "school_admin", _("学校管理员（宣传部）")
    LEADER = "leader", _("主管校领导")
    LEAGUE_APPROVER = "league_approver", _("校团委审批人")
    UNIT_ADMIN = "unit_admin", _("二级单位管理员")
    OPERATOR = "operator", _("运营者")
    AUDITOR = "auditor", _("审计员")


#: Roles that see the whole registry (read); only the school admin writes everywhere.
GLOBAL_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.LEADER, Role.AUDITOR})
#: Roles that are scoped to a unit subtree and therefore need a unit.
UNIT_ROLES = frozenset({Role.UNIT_ADMIN, Role.LEAGUE_APPROVER})
