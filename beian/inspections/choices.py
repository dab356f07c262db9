from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class PartState(models.TextChoices):
    """A unit's part of a round: its forms are filled, then submitted together."""

    OPEN = "open", _("填报中")
    SUBMITTED = "submitted", _("已提交")


class FormState(models.TextChoices):
    PENDING = "pending", _("待填写")
    FILLED = "filled", _("已填写")
    SUBMITTED = "submitted", _("待评定")
    RECTIFYING = "rectifying", _("整改中")
    ANSWERED = "answered", _("整改待复查")
    GRADED = "graded", _("已评定")


#: States in which the operator may still change the form.
FILLABLE_STATES = frozenset({FormState.PENDING, FormState.FILLED})
#: States in which the school grades (or re-grades) a form.
GRADABLE_STATES = frozenset({FormState.SUBMITTED, FormState.ANSWERED})


class Grade(models.TextChoices):
    PASS = "pass", _("合格")
    RECTIFY = "rectify", _("整改")
    FAIL = "fail", _("不合格")
    MISSED = "missed", _("未参检")


GRADE_COLOUR = {
    Grade.PASS: "bg-green-lt",
    Grade.RECTIFY: "bg-yellow-lt",
    Grade.FAIL: "bg-red-lt",
    Grade.MISSED: "bg-secondary-lt",
}
STATE_COLOUR = {
    FormState.PENDING: "bg-secondary-lt",
    FormState.FILLED: "bg-blue-lt",
    FormState.SUBMITTED: "bg-azure-lt",
    FormState.RECTIFYING: "bg-yellow-lt",
    FormState.ANSWERED: "bg-orange-lt",
    FormState.GRADED: "bg-green-lt",
}


class HandoverRole(models.TextChoices):
    """Why a record is on the hand-over list: the leaving person's place on it."""

    SUPERVISOR = "supervisor", _("主管领导")
    FIRST_RESPONSIBLE = "first_responsible", _("第一责任人")
    RESPONSIBLE = "responsible", _("负责人")
    ADMIN = "admin", _("管理员")
    OPERATOR = "operator", _("运营者")
    REVIEWER = "reviewer", _("内容审核人")
    STUDENT_LEAD = "student_lead", _("负责学生")
    CREATOR = "creator", _("群创建人")


class HandoverState(models.TextChoices):
    OPEN = "open", _("待交接")
    HANDED_OVER = "handed_over", _("已交接")
    CLOSING = "closing", _("注销/解散")
    SETTLED = "settled", _("已不在岗位")
