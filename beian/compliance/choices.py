from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    """How bad a breach is, mildest first."""

    INFO = "info", _("提示")
    ATTENTION = "attention", _("关注")
    WARNING = "warning", _("警告")
    SERIOUS = "serious", _("严重")


#: Sort rank of each severity, mildest first (for ordering and "at least" filters).
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(Severity)}

#: Tabler colour of each severity's badge.
SEVERITY_COLOUR = {
    Severity.INFO: "azure",
    Severity.ATTENTION: "yellow",
    Severity.WARNING: "orange",
    Severity.SERIOUS: "red",
}


class FindingState(models.TextChoices):
    OPEN = "open", _("待整改")
    RESOLVED = "resolved", _("已解决")
    WAIVED = "waived", _("已豁免")


#: States in which a finding is the current finding of its rule and record.
CURRENT_STATES = (FindingState.OPEN, FindingState.WAIVED)


class TargetKind(models.TextChoices):
    ACCOUNT = "account", _("新媒体账号")
    GROUP = "group", _("即时群聊")
