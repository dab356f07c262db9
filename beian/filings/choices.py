from django.db import models
from django.utils.translation import gettext_lazy as _


class FilingKind(models.TextChoices):
    """What a request asks for. Every kind passes the same approval workflow."""

    NEW = "new", _("新开设备案")
    LATE = "late", _("补办备案")
    GROUP = "group", _("群聊备案")
    CHANGE = "change", _("变更报备")
    CLOSING = "closing", _("注销/解散申请")


#: Kinds that put an account (or group) on the register and so need the pledge and a form.
REGISTERING_KINDS = frozenset({FilingKind.NEW, FilingKind.LATE, FilingKind.GROUP})
#: Kinds whose approval gives a registration number (备案编号).
NUMBERED_KINDS = frozenset({FilingKind.NEW, FilingKind.LATE})


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("审批中")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


#: States a request can no longer leave.
FINAL_STATUSES = frozenset({FilingStatus.APPROVED, FilingStatus.REJECTED, FilingStatus.WITHDRAWN})
#: States the applicant may still edit.
EDITABLE_STATUSES = frozenset({FilingStatus.DRAFT, FilingStatus.RETURNED})


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("待前序审批")
    CURRENT = "current", _("待审批")
    APPROVED = "approved", _("同意")
    REJECTED = "rejected", _("不同意")
    RETURNED = "returned", _("退回修改")
    CANCELLED = "cancelled", _("已取消")


class EventAction(models.TextChoices):
    """Timeline entries of a request (one per transition, plus uploads and notices)."""

    CREATED = "created", _("创建申请")
    UPDATED = "updated", _("修改申请")
    SUBMITTED = "submitted", _("提交审批")
    RESUBMITTED = "resubmitted", _("修改后重新提交")
    RECORDED = "recorded", _("已报备（无需审批）")
    APPROVED = "approved", _("同意")
    FINAL_APPROVED = "final_approved", _("审批通过")
    REJECTED = "rejected", _("不同意")
    RETURNED = "returned", _("退回修改")
    WITHDRAWN = "withdrawn", _("撤回申请")
    INFORMED = "informed", _("报备宣传部")
    REGISTERED = "registered", _("登记备案编号")
    APPLIED = "applied", _("变更已生效")
    CLOSED = "closed", _("已注销/解散")
    ATTACHED = "attached", _("上传附件")
    TAKEN_OVER = "taken_over", _("接办审批步骤")


class Decision(models.TextChoices):
    """What an approver decides on the current step."""

    APPROVE = "approve", _("同意")
    REJECT = "reject", _("不同意")
    RETURN = "return", _("退回修改")


class AttachmentKind(models.TextChoices):
    APPLICATION = "application", _("申请材料（签字盖章扫描件）")
    STAMPED_FORM = "stamped_form", _("盖章备案表扫描件")
    OTHER = "other", _("其他材料")


class DocxLayout(models.TextChoices):
    """Layouts of the printed 备案表 (seed 000 附件1 and seed 002 附件1)."""

    HNWU = "hnwu", _("校园新媒体备案申请表（含三级审批意见）")
    PDSU = "pdsu", _("媒体平台备案表（单位与宣传部意见）")
