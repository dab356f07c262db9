"""What an import would do, row by row: the preview shown before anything is written, the
structure `import_sheet --json` prints, and what the commit compares against.

Every data row of the sheet gets one `RowResult`: its status (new / update / unchanged /
error, or dropped when the user chose to leave an error row out), the field changes for
an update, and its messages — errors and warnings, each placed at its cell (sheet, row,
column letter, header, value) with the reason in Chinese.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from beian.core.sheets.errors import cell_location, show_value


class Status(StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"
    DROPPED = "dropped"


STATUS_LABELS = {
    Status.NEW: "新增",
    Status.UPDATE: "更新",
    Status.UNCHANGED: "无变化",
    Status.ERROR: "错误",
    Status.DROPPED: "已跳过",
}
ERROR, WARNING = "error", "warning"


@dataclass(slots=True)
class Message:
    """An error or a warning, at a cell when it concerns one."""

    level: str
    text: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    header: str = ""
    value: str = ""

    @property
    def location(self) -> str:
        return cell_location(self.sheet or None, self.row, self.column or None, self.header or None)

    @property
    def message(self) -> str:
        location = self.location
        return f"{location}：{self.text}" if location else self.text

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "message": self.message,
            "text": self.text,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "value": self.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(
            level=data["level"],
            text=data["text"],
            sheet=data.get("sheet", ""),
            row=data.get("row"),
            column=data.get("column", ""),
            header=data.get("header", ""),
            value=data.get("value", ""),
        )


@dataclass(slots=True)
class Change:
    """One field of a record: as stored → as the sheet has it ("" when empty)."""

    field: str
    label: str
    old: str
    new: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "label": self.label, "old": self.old, "new": self.new}


class RowResult:
    """One data row of the sheet and what the import does with it. `changes` of a new
    record are described only when asked for (`describe`), so that a 100,000-row import
    does not keep 600,000 change objects it will never show; its lists of messages and new
    people are made when the first one is added (most rows have none)."""

    __slots__ = (
        "number", "status", "_label", "unit", "_changes", "describe", "_messages",
        "_new_people", "record_id", "action",
    )  # fmt: skip

    def __init__(
        self,
        number: int,
        status: Status = Status.UNCHANGED,
        label: str = "",
        unit: str = "",
        changes: list[Change] | None = None,
        messages: list[Message] | None = None,
        new_people: list[str] | None = None,
        record_id: int | None = None,
    ):
        self.number = number
        self.status = status
        self._label: str | tuple[str, ...] = label
        self.unit = unit
        self._changes = changes
        # For new records: a callable that makes the changes from the row (`describe(row)`),
        # one shared by all rows, so the plan keeps no change objects nor a closure per row.
        self.describe = None
        self._messages = messages or None
        self._new_people = new_people or None
        self.record_id = record_id
        self.action: Any = None  # what the commit writes; not serialised

    @property
    def label(self) -> str:
        """What the row is about ("微信群 · 2021级1班"); an importer may set the parts
        as a tuple, joined when first read."""
        if self._label.__class__ is tuple:
            self._label = " · ".join(self._label)
        return self._label

    @label.setter
    def label(self, value: str | tuple[str, ...]) -> None:
        self._label = value

    @property
    def messages(self) -> list[Message]:
        if self._messages is None:
            self._messages = []
        return self._messages

    @messages.setter
    def messages(self, value: list[Message]) -> None:
        self._messages = value

    @property
    def new_people(self) -> list[str]:
        if self._new_people.__class__ is not list:
            self._new_people = list(self._new_people or ())
        return self._new_people

    def add_new_person(self, name: str, alone: tuple[str] | None = None) -> None:
        """Note a person this row creates. `alone` is `(name,)` shared by every row that
        names the same new person: a row that creates only them keeps that tuple."""
        if self._new_people is None and alone is not None:
            self._new_people = alone
        else:
            self.new_people.append(name)

    @new_people.setter
    def new_people(self, value: list[str]) -> None:
        self._new_people = value

    @property
    def changes(self) -> list[Change]:
        if self._changes is None:
            self._changes = self.describe(self) if self.describe is not None else []
        return self._changes

    @property
    def has_changes(self) -> bool:
        return bool(self._changes) or self.describe is not None

    @property
    def errors(self) -> list[Message]:
        return [m for m in self._messages or () if m.level == ERROR]

    @property
    def warnings(self) -> list[Message]:
        return [m for m in self._messages or () if m.level == WARNING]

    @property
    def has_errors(self) -> bool:
        if not self._messages:
            return False
        return any(m.level == ERROR for m in self._messages)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def digest(self) -> str:
        """A fingerprint of what this row does: the commit refuses to write when a row's
        fingerprint differs from the one the user saw in the preview."""
        parts = [str(self.number), self.status.value, str(self.record_id or "")]
        parts += [f"{c.field}\x1f{c.old}\x1f{c.new}" for c in self.changes]
        parts += [f"{m.level}\x1f{m.message}" for m in self._messages or ()]
        parts += self._new_people or ()
        return hashlib.blake2b("\x1e".join(parts).encode(), digest_size=8).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.number,
            "status": self.status.value,
            "status_label": self.status_label,
            "label": self.label,
            "unit": self.unit,
            "record_id": self.record_id,
            "changes": [c.as_dict() for c in self.changes],
            "errors": [m.as_dict() for m in self.errors],
            "warnings": [m.as_dict() for m in self.warnings],
            "new_people": list(self._new_people or ()),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RowResult:
        return cls(
            number=data["row"],
            status=Status(data["status"]),
            label=data.get("label", ""),
            unit=data.get("unit", ""),
            changes=[Change(**c) for c in data.get("changes", [])],
            messages=[
                Message.from_dict(m) for m in data.get("errors", []) + data.get("warnings", [])
            ],
            new_people=list(data.get("new_people", [])),
            record_id=data.get("record_id"),
        )


@dataclass
class ImportPlan:
    kind: str
    kind_label: str
    layout: str
    layout_label: str
    file_name: str
    sha256: str
    file_format: str
    sheet: str
    header_rows: tuple[int, ...]
    columns: list[dict[str, str]]  # {key, letter, header, sheet_header} in sheet order
    rows: list[RowResult]
    messages: list[Message] = field(default_factory=list)  # about the sheet as a whole
    unit: str = ""
    dropped: tuple[int, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in Status}
        warned = 0
        for row in self.rows:
            counts[row.status.value] += 1
            if row.status is not Status.DROPPED and row.warnings:
                warned += 1
        counts["warning"] = warned
        counts["total"] = len(self.rows)
        counts["new_people"] = len(
            {
                name
                for row in self.rows
                if row.status is not Status.ERROR
                for name in row._new_people or ()
            }
        )
        return counts

    @property
    def has_errors(self) -> bool:
        return any(row.status is Status.ERROR for row in self.rows)

    @property
    def changes_anything(self) -> bool:
        return any(row.status in (Status.NEW, Status.UPDATE) for row in self.rows)

    def error_rows(self) -> list[int]:
        return [row.number for row in self.rows if row.status is Status.ERROR]

    def digests(self) -> dict[int, str]:
        return {row.number: row.digest() for row in self.rows if row.status is not Status.DROPPED}

    def as_dict(self, *, include_unchanged: bool = True) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "layout": self.layout,
            "layout_label": self.layout_label,
            "file": self.file_name,
            "sha256": self.sha256,
            "format": self.file_format,
            "sheet": self.sheet,
            "header_rows": list(self.header_rows),
            "columns": self.columns,
            "unit": self.unit,
            "dropped": list(self.dropped),
            "counts": self.counts,
            "messages": [m.as_dict() for m in self.messages],
            "rows": [
                row.as_dict()
                for row in self.rows
                if include_unchanged or row.status is not Status.UNCHANGED or row.messages
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportPlan:
        return cls(
            kind=data["kind"],
            kind_label=data.get("kind_label", ""),
            layout=data.get("layout", ""),
            layout_label=data.get("layout_label", ""),
            file_name=data.get("file", ""),
            sha256=data.get("sha256", ""),
            file_format=data.get("format", ""),
            sheet=data.get("sheet", ""),
            header_rows=tuple(data.get("header_rows", ())),
            columns=data.get("columns", []),
            rows=[RowResult.from_dict(r) for r in data.get("rows", [])],
            messages=[Message.from_dict(m) for m in data.get("messages", [])],
            unit=data.get("unit", ""),
            dropped=tuple(data.get("dropped", ())),
        )


def shown(value: Any) -> str:
    """A value as the preview shows it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return show_value(value, limit=80)
