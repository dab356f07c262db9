from django import template

from beian.filings.choices import FilingStatus, StepStatus
from beian.filings.workflow import step_label

register = template.Library()

_STATUS_CLASS = {
    FilingStatus.DRAFT: "bg-secondary-lt",
    FilingStatus.PENDING: "bg-yellow-lt",
    FilingStatus.RETURNED: "bg-orange-lt",
    FilingStatus.APPROVED: "bg-green-lt",
    FilingStatus.REJECTED: "bg-red-lt",
    FilingStatus.WITHDRAWN: "bg-secondary-lt",
}
_STEP_CLASS = {
    StepStatus.WAITING: "bg-secondary-lt",
    StepStatus.CURRENT: "bg-yellow-lt",
    StepStatus.APPROVED: "bg-green-lt",
    StepStatus.REJECTED: "bg-red-lt",
    StepStatus.RETURNED: "bg-orange-lt",
    StepStatus.CANCELLED: "bg-secondary-lt",
}


@register.filter
def status_class(status: str) -> str:
    return _STATUS_CLASS.get(status, "bg-secondary-lt")


@register.filter
def step_class(status: str) -> str:
    return _STEP_CLASS.get(status, "bg-secondary-lt")


@register.filter
def office(step: str) -> str:
    return step_label(step) if step else ""


@register.filter
def chain_text(chain) -> str:
    return " → ".join(step_label(s) for s in chain or ())


@register.filter
def change_kind(code: str) -> str:
    from beian.core.policy import CHANGE_KINDS

    return CHANGE_KINDS.get(code, code)


@register.filter
def field_label(name: str) -> str:
    from django.core.exceptions import FieldDoesNotExist

    from beian.filings.models import Filing

    if name == "team":
        return "管理队伍"
    try:
        return str(Filing._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name
