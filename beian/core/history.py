"""Field-level history from django-simple-history: who changed what, when, before/after."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import models

HISTORY_TYPE = {"+": "新建", "~": "修改", "-": "删除"}


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: datetime
    user: str
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def history_entries(obj: models.Model, limit: int = 50) -> list[HistoryEntry]:
    """The newest `limit` history records of `obj`, each with its field diffs against the
    record before it. Foreign keys and choices are shown as people read them."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    model = obj.__class__
    excluded = {"updated_at", "created_at", "name_pinyin", "name_initials"}
    pending: list[tuple[HistoryEntry, list]] = []
    fk_ids: dict[type, set] = {}
    for index, record in enumerate(records[:limit]):
        entry = HistoryEntry(
            at=record.history_date,
            user=str(record.history_user) if record.history_user else "系统",
            kind=HISTORY_TYPE.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "",
        )
        raw = []
        older = records[index + 1] if index + 1 < len(records) else None
        if older is not None:
            delta = record.diff_against(older, excluded_fields=excluded)
            for change in delta.changes:
                f = model._meta.get_field(change.field)
                raw.append((f, change.old, change.new))
                if f.is_relation:
                    fk_ids.setdefault(f.related_model, set()).update(
                        v for v in (change.old, change.new) if v is not None
                    )
        pending.append((entry, raw))
    names = {
        related: {o.pk: str(o) for o in related._default_manager.filter(pk__in=ids)}
        for related, ids in fk_ids.items()
    }
    entries = []
    for entry, raw in pending:
        for f, old, new in raw:
            entry.changes.append(
                Change(f.name, str(f.verbose_name), _show(f, old, names), _show(f, new, names))
            )
        entries.append(entry)
    return entries


def _show(f, value, names) -> str:
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return names.get(f.related_model, {}).get(value, f"#{value}")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
