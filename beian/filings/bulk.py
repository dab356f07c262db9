"""Approving several requests at once from 待我审批 (the late filings a round brings in,
say): one comment for all, each request still approved by `filing_approve` — its step
closed, its event and audit rows written, a registration number given when its last step
is passed, the applicant told.

All or nothing: the selection runs in one transaction, and one refusal (no longer the
user's step, decided meanwhile in another tab, the applicant's own request) rolls back
every approval of the selection and names the request refused."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Filing
from .services import filing_approve

#: At most this many requests in one bulk decision (a page of 待我审批 holds fewer).
MAX_BULK = 200


def parse_choices(values: Iterable[str]) -> list[tuple[int, int, int]]:
    """(filing id, round, position) from the page's "id:round:position" checkbox values;
    anything else is dropped."""
    out = []
    for value in values:
        parts = str(value).split(":")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            out.append((int(parts[0]), int(parts[1]), int(parts[2])))
    return out


@transaction.atomic
def filings_approve(*, actor, choices: Iterable[tuple[int, int, int]], comment: str = "") -> int:
    """Approve every chosen request at the step the page showed (`(id, round, position)`),
    with one comment. Returns how many were approved; refuses the whole selection when one
    request cannot be approved."""
    chosen = sorted(set(choices))
    if not chosen:
        raise ValidationError(_("请至少选择一项申请"))
    if len(chosen) > MAX_BULK:
        raise ValidationError(_("一次最多批量审批 %(n)d 项") % {"n": MAX_BULK})
    filings = {f.pk: f for f in Filing.objects.filter(pk__in=[c[0] for c in chosen])}
    comment = (comment or "").strip()
    for pk, round_no, position in chosen:
        filing = filings.get(pk)
        if filing is None:
            raise ValidationError(_("所选申请不存在或已删除，请刷新页面"))
        try:
            filing_approve(
                filing=filing, actor=actor, comment=comment, round_no=round_no, position=position
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = getattr(exc, "messages", None) or [str(exc) or _("无权审批")]
            raise ValidationError(
                [
                    _("《%(name)s》：%(message)s（本次所选均未审批）")
                    % {"name": filing.account_name, "message": m}
                    for m in messages
                ]
            ) from exc
    return len(chosen)
