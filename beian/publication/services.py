"""Writes of the publication app: the school admin switches what the public sees."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from beian.core.audit import audit, changed_fields
from beian.core.choices import AuditEventType
from beian.orgs.models import Unit

from .models import PublicationSettings
from .selectors import publication_settings

FIELDS = (
    "directory",
    "tiers",
    "confirm_exact_unpublished",
    "validity",
    "accounts_list",
    "bulletins",
    "inspection_results",
    "published_rounds",
    "report_hint",
)


def _values(row: PublicationSettings) -> dict:
    values = {name: getattr(row, name) for name in FIELDS}
    values["published_campaigns"] = sorted(row.published_campaigns.values_list("pk", flat=True))
    return values


@transaction.atomic
def publication_settings_update(
    *, root: Unit, actor, campaigns=None, **values
) -> PublicationSettings:
    """Save what an institution publishes (only the school admin may). The first save
    starts from the policy file's `[publication]` values; afterwards the saved row holds.
    History through django-simple-history, one audit row with the changed fields."""
    if not getattr(actor, "is_school_admin", False):
        raise PermissionDenied("只有学校管理员可以修改公开查询设置")
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    row = PublicationSettings.objects.select_for_update().filter(root=root).first()
    created = row is None
    if created:
        current = publication_settings(root)
        row = PublicationSettings(
            root=root,
            directory=current.directory,
            tiers=list(current.tiers),
            confirm_exact_unpublished=current.confirm_exact_unpublished,
            validity=current.validity,
            accounts_list=current.accounts_list,
            bulletins=current.bulletins,
            inspection_results=current.inspection_results,
            report_hint=current.report_hint,
        )
        before = {}
    else:
        before = _values(row)
    if "tiers" in values:
        values["tiers"] = sorted({int(t) for t in values["tiers"]})
    if "published_rounds" in values:
        values["published_rounds"] = sorted({int(t) for t in values["published_rounds"]})
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean(exclude=["root"])
    row.save()
    if campaigns is not None:
        row.published_campaigns.set(campaigns)
    after = _values(row)
    audit(
        event=AuditEventType.CREATE if created else AuditEventType.UPDATE,
        actor=actor,
        obj=row,
        detail={"changed": changed_fields(before, after)} if before else {"values": after},
    )
    return row
