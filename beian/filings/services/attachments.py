"""Files kept with a request: the signed application while it is open, the stamped 备案表
scan once it is approved. PDF, JPEG or PNG, recognised by content (`uploads.check_upload`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from beian.core.choices import AuditEventType
from beian.users.models import User

from .. import selectors
from ..choices import AttachmentKind, EventAction, FilingStatus
from ..models import Filing, FilingAttachment
from ..notifications import notify
from ..uploads import check_upload
from ..workflow import office_holders
from .common import link, lock, record, words


@transaction.atomic
def filing_attach(
    *, filing: Filing, actor: User, upload, kind: str = AttachmentKind.OTHER
) -> FilingAttachment:
    """Keep a file with the request: the signed application while it is open; the
    stamped 备案表 scan once it is approved. PDF, JPEG or PNG by content only."""
    filing = lock(filing)
    if not selectors.can_attach(actor, filing, kind):
        raise PermissionDenied(_("您不能为该申请上传附件"))
    return attach(filing, actor, upload, kind)


def attach(filing: Filing, actor: User, upload, kind: str) -> FilingAttachment:
    checked = check_upload(upload)
    name = f"{filing.pk}-{checked.sha256[:16]}.{checked.extension}"
    attachment = FilingAttachment(
        filing=filing,
        kind=AttachmentKind(kind),
        original_name=(getattr(upload, "name", "") or "")[-255:],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    record(
        filing,
        actor,
        EventAction.ATTACHED,
        AuditEventType.UPDATE,
        detail={
            "kind": attachment.kind,
            "name": attachment.original_name,
            "sha256": checked.sha256,
        },
    )
    if kind == AttachmentKind.STAMPED_FORM and filing.status == FilingStatus.APPROVED:
        holders = [u for u in office_holders("school_admin", filing) if u.pk != actor.pk]
        notify(
            holders,
            _("%(kind)s《%(name)s》已上传盖章备案表扫描件") % words(filing),
            link=link(filing),
            filing=filing,
        )
    return attachment
