from django.db import models
from django.utils.translation import gettext_lazy as _


class PlatformCategory(models.TextChoices):
    SOCIAL = "social", _("社交媒体")
    VIDEO = "video", _("视频")
    LIVE = "live", _("直播")
    FORUM = "forum", _("论坛")
    WEBSITE = "website", _("网站")
    PRINT = "print", _("纸媒")
    APP = "app", _("应用")
    CHAT = "chat", _("即时群聊")
    OTHER = "other", _("其他")


class Tier(models.IntegerChoices):
    ONE = 1, _("一级")
    TWO = 2, _("二级")
    THREE = 3, _("三级")


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("运营中")
    SUSPENDED = "suspended", _("暂停更新")
    CLOSED = "closed", _("已注销")


class FilingState(models.TextChoices):
    UNFILED = "unfiled", _("未备案")
    PENDING = "pending", _("审批中")
    FILED = "filed", _("已备案")


class GroupStatus(models.TextChoices):
    ACTIVE = "active", _("在用")
    DISSOLVED = "dissolved", _("已解散")


class GroupPurpose(models.TextChoices):
    WORK = "work", _("工作")
    TEACHING = "teaching", _("教学")
    RESEARCH = "research", _("科研")
    STUDENT_AFFAIRS = "student_affairs", _("学生管理")
    TEMPORARY = "temporary", _("临时")
    OTHER = "other", _("其他")


class TeamRole(models.TextChoices):
    SUPERVISOR = "supervisor", _("主管领导")
    FIRST_RESPONSIBLE = "first_responsible", _("第一责任人")
    RESPONSIBLE = "responsible", _("负责人")
    REVIEWER = "reviewer", _("内容审核人")
    ADMIN = "admin", _("管理员")
    OPERATOR = "operator", _("运营者")
    ADVISOR = "advisor", _("指导教师")
    STUDENT_LEAD = "student_lead", _("负责学生")


class ActivitySource(models.TextChoices):
    OPERATOR = "operator", _("运营者填报")
    INSPECTION = "inspection", _("年检")
    FEED = "feed", _("订阅源抓取")
    IMPORT = "import", _("表格导入")


class ActivityWorth(models.IntegerChoices):
    """How much a last-post date is worth: who stands behind it (docs/compliance.md,
    "Activity evidence")."""

    DECLARED = 1, _("表格填写")  # a cell of an imported sheet: nobody vouches for it
    REPORTED = 2, _("本人填报")  # a named person's statement, audited
    CHECKED = 3, _("已核实")  # observed on the platform (feed) or checked (graded inspection)


class AuthorityKind(models.TextChoices):
    """On whose authority a registry record was written (see `registry.authority`)."""

    DIRECT = "direct", _("直接办理")
    IMPORT = "import", _("表格导入")
    FILING = "filing", _("备案审批")
    INSPECTION = "inspection", _("年检")
    DEMO = "demo", _("演示数据")
