"""Imports and exports as services: who may run them, the all-or-nothing commit, and the one
audit row each writes.

    import_preview(actor=…, kind="groups", file_name=…, data=…)  → ImportPlan (writes nothing)
    import_commit(actor=…, kind=…, file_name=…, data=…, drop=…, expected=…) → ImportOutcome
    export_file(actor=…, kind=…, …)                              → ExportFile (audited)

The commit reads the file again, and inside one transaction (tables locked against other
writers) plans it again, compares every row with what the preview showed (`expected`:
row → fingerprint), refuses if an error row remains that the user did not drop, writes,
and appends the audit row. Either all of it is written or none of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.sheets import stream_upload
from beian.orgs.models import Unit

from .bulk import lock_tables
from .importers import IMPORTERS
from .plan import ImportPlan

KINDS = tuple(IMPORTERS)


class ImportBlocked(Exception):
    """Error rows remain that the user did not choose to drop."""

    def __init__(self, plan: ImportPlan):
        super().__init__(_("仍有错误行，未导入任何数据"))
        self.plan = plan


class PlanChanged(Exception):
    """The rows would now be written differently from what the preview showed (the
    registry changed meanwhile, or dropping rows changed other rows): preview again."""

    def __init__(self, plan: ImportPlan, rows: list[int]):
        super().__init__(_("预览之后数据有变化，请重新确认"))
        self.plan = plan
        self.rows = rows


@dataclass
class ImportOutcome:
    plan: ImportPlan
    written: dict[str, int]
    event_id: int | None
    detail: dict[str, Any] = field(default_factory=dict)


def can_import(user) -> bool:
    """School admins import anything; unit admins into their subtrees."""
    return bool(user.is_authenticated and (user.is_school_admin or user.admin_unit_ids))


def max_upload_bytes() -> int:
    return int(getattr(settings, "BEIAN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


def _check(actor, kind: str, unit: Unit | None) -> None:
    if kind not in IMPORTERS:
        raise ValueError(f"unknown kind: {kind}")
    if not can_import(actor):
        raise PermissionDenied(_("您没有导入的权限"))
    if unit is not None and not actor.can_edit_in_unit(unit.pk):
        raise PermissionDenied(_("您不能向该单位导入"))


def _read(file_name: str, data: bytes):
    """Start reading: the parser process checks and converts the workbook while the plan
    works on the rows that have arrived (`stream_upload`). Returns (format, sheets,
    sha256, close); `close()` stops the parser once the plan is made."""
    fmt, sheets, close = stream_upload(file_name, data, max_bytes=max_upload_bytes())
    return fmt, sheets, hashlib.sha256(data).hexdigest(), close


def _plan(actor, kind, file_name, unit, drop, fmt, sheets, sha256):
    importer = IMPORTERS[kind](actor=actor, unit=unit)
    plan = importer.plan(sheets, file_name=file_name, sha256=sha256, file_format=fmt, drop=drop)
    return importer, plan


def import_preview(
    *,
    actor,
    kind: str,
    file_name: str,
    data: bytes,
    unit: Unit | None = None,
    drop: Iterable[int] = (),
) -> ImportPlan:
    """What importing the file would do, row by row. Writes nothing. Raises SheetError
    (with a Chinese message) for a file that cannot be used at all."""
    _check(actor, kind, unit)
    fmt, sheets, sha256, close = _read(file_name, data)
    try:
        return _plan(actor, kind, file_name, unit, drop, fmt, sheets, sha256)[1]
    finally:
        close()


def import_commit(
    *,
    actor,
    kind: str,
    file_name: str,
    data: bytes,
    unit: Unit | None = None,
    drop: Iterable[int] = (),
    expected: dict[int, str] | None = None,
) -> ImportOutcome:
    """Write the file's rows, all or nothing, and audit it. `drop` lists error rows the
    user chose to leave out; `expected` the preview's row fingerprints (the UI passes
    them; the command line, which plans and writes in one go, does not)."""
    _check(actor, kind, unit)
    drop = frozenset(drop)
    # The parser starts outside the lock (loading a workbook takes time); the plan reads
    # its rows inside, as they arrive.
    fmt, sheets, sha256, close = _read(file_name, data)
    try:
        with transaction.atomic():
            importer_class = IMPORTERS[kind]
            lock_tables(*importer_class.locked)
            importer, plan = _plan(actor, kind, file_name, unit, drop, fmt, sheets, sha256)
            close()  # the plan has every row it needs: stop the parser
            sheets = None  # the raw cells are not needed any more: free them before writing
            if expected is not None:
                digests = plan.digests()
                differing = sorted(
                    number for number, digest in digests.items() if expected.get(number) != digest
                )
                if differing:
                    raise PlanChanged(plan, differing)
            if plan.has_errors:
                raise ImportBlocked(plan)
            written = importer.apply(plan)
            counts = plan.counts
            detail = {
                "kind": kind,
                "layout": plan.layout,
                "file": file_name[:200],
                "sha256": sha256,
                "format": str(fmt),
                "sheet": plan.sheet,
                "unit": unit.name if unit else "",
                "counts": {
                    key: counts[key]
                    for key in ("total", "new", "update", "unchanged", "dropped", "warning")
                },
                "written": written,
                "dropped_rows": sorted(drop)[:500],
            }
            event = audit(event=AuditEventType.IMPORT, actor=actor, detail=detail)
    finally:
        close()  # also when planning failed half-way: stop the parser
    return ImportOutcome(plan=plan, written=written, event_id=event.pk, detail=detail)


# --- exports -------------------------------------------------------------------------------


@dataclass
class ExportFile:
    name: str
    content_type: str
    data: bytes
    rows: int
    sha256: str


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def export_file(
    *,
    actor,
    kind: str,
    queryset,
    layout: str = "",
    fmt: str = "xlsx",
    filters: dict[str, Any] | None = None,
    unit_name: str = "",
) -> ExportFile:
    """Write `queryset` (already scoped and filtered) in the layout, and audit the export
    with its filters, row count and the file's SHA-256."""
    from django.utils import timezone

    from .exporters import ROWS, Counter, export_spec, school_name, write_sheet

    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown format: {fmt}")
    spec = export_spec(kind, layout)
    school = school_name()
    counter = Counter()
    data = write_sheet(
        spec,
        counter.wrap(ROWS[kind](queryset, actor, spec)),
        fmt=fmt,
        school=school,
        unit_name=unit_name,
    )
    digest = hashlib.sha256(data).hexdigest()
    audit(
        event=AuditEventType.EXPORT,
        actor=actor,
        detail={
            "kind": kind,
            "layout": spec.key,
            "format": fmt,
            "filters": {k: v for k, v in (filters or {}).items() if v not in ("", None)},
            "rows": counter.count,
            "sha256": digest,
            "personal_data": "full" if actor.is_school_admin else "masked outside own scope",
        },
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return ExportFile(
        name=f"{spec.title_for(school)}-{stamp}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
        data=data,
        rows=counter.count,
        sha256=digest,
    )
