"""The machinery every importer shares: choosing the layout whose header fits the sheet,
reading each row's cells through the normalisers with messages placed at their cells,
finding duplicates inside the file, and the plan → commit split.

An importer subclass says how to parse a row (`parse`), what identifies a record
(`key`), how a row meets the registry (`resolve`: new, update with its changes, unchanged
or error) and how to write what the plan says (`write`). Everything it looks up is loaded
once by `load()` (one query per table); nothing runs a query per row.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from typing import Any, ClassVar

from django.utils import timezone

from beian.core.bulk import RecordWriter
from beian.core.sheets import (
    CellError,
    SheetError,
    Table,
    clean_text,
    find_header,
    parse_year_month,
)
from beian.core.sheets.errors import show_value
from beian.core.sheets.headers import HeaderMatch, extract_table, iter_table_values
from beian.orgs.choices import PersonStatus
from beian.orgs.models import Person, Unit
from beian.registry.authority import Authority

from ..context import NewPerson, PeopleIndex, UnitIndex
from ..layouts import KIND_LABELS, SheetSpec
from ..plan import ERROR, WARNING, Change, ImportPlan, Message, RowResult, Status, shown
from ..rules import MIN_YEAR

INVALID = object()  # a cell whose value was refused (its error is on the row already)


@contextmanager
def paused_gc():
    """No cyclic garbage collection while a plan's objects pile up: each collection walks
    every live object, and a 100,000-row plan makes hundreds of them (a third of the
    time). Reference counting still frees everything that is not in a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Record:
    """The parsed values of a row, read as `values["name"]` like a dict; subclasses list
    their keys in `__slots__` (a tenth of a dict's memory, for 100,000 rows)."""

    __slots__ = ()

    def __init__(self, **values: Any):
        for key, value in values.items():
            setattr(self, key, value)

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, key, value)


class Cells:
    """The cells of one row, read through normalisers; errors and warnings land on the
    row's result at their cell (sheet, row, column letter, header, value). The values are
    the row's list in the order of the table's columns (`positions`: key → index), not a
    dict per row."""

    __slots__ = ("importer", "table", "number", "values", "positions", "result")

    def __init__(
        self,
        importer: Importer,
        table: Table,
        number: int,
        values: list[Any],
        positions: dict[str, int],
        result: RowResult,
    ):
        self.importer = importer
        self.table = table
        self.number = number
        self.values = values
        self.positions = positions
        self.result = result

    def has(self, key: str) -> bool:
        return key in self.positions

    def raw(self, key: str) -> Any:
        position = self.positions.get(key)
        return None if position is None else self.values[position]

    def as_dict(self) -> dict[str, Any]:
        return dict(zip(self.positions, self.values, strict=True))

    def get(self, key: str, parser: Callable[..., Any] | None = None) -> Any:
        """The cell's clean value: None when blank, INVALID when refused. Results are
        remembered per parser and distinct value (units, platforms, dates recur thousands
        of times); text is its own key, other values are told apart by type (1 == 1.0)."""
        position = self.positions.get(key)
        if position is None:
            return None
        value = self.values[position]
        if value is None or parser is None:
            return value
        memos = self.importer.memos
        memo = memos.get(parser)
        if memo is None:
            memo = memos[parser] = {}
        memo_key = value if value.__class__ is str else (value, value.__class__)
        try:
            result, reason, warnings = memo[memo_key]
        except KeyError:
            result, reason, warnings = memo[memo_key] = _run(parser, value)
        except TypeError:  # an unhashable value
            result, reason, warnings = _run(parser, value)
        if warnings:
            for text in warnings:
                self.warn(key, text)
        if reason is not None:
            self.error(key, reason)
            return INVALID
        return result

    def text(self, key: str) -> str | None:
        """A text cell, cleaned (`clean_text`); None when blank. A cell that needs no
        cleaning is returned as it is (one string kept, not a copy)."""
        value = self.raw(key)
        if value is None:
            return None
        cleaned = clean_text(value)
        return (value if cleaned == value else cleaned) or None

    def _message(self, level: str, key: str | None, text: str, value: Any) -> Message:
        column = self.table.columns.get(key) if key else None
        if key is not None and value is None:
            value = self.raw(key)
        header = column.header if column else ""
        if key and not column:
            spec_column = self.importer.spec.layout.by_key.get(key)
            header = spec_column.header if spec_column else ""
        return Message(
            level=level,
            text=text,
            sheet=self.table.sheet,
            row=self.number,
            column=column.letter if column else "",
            header=header,
            value=shown(value) if value is not None else "",
        )

    def error(self, key: str | None, text: str, value: Any = None) -> None:
        self.result.messages.append(self._message(ERROR, key, text, value))

    def warn(self, key: str | None, text: str, value: Any = None) -> None:
        self.result.messages.append(self._message(WARNING, key, text, value))


def _refuse(result: RowResult) -> None:
    """An error row: nothing to write. Changes described from the action (new records) are
    made now, while the row still has it: the preview shows them on error rows too."""
    if result.describe is not None and result._changes is None:
        result._changes = result.describe(result)
    result.status = Status.ERROR
    result.action = None


def _run(parser, value) -> tuple[Any, str | None, tuple[str, ...]]:
    warnings: list[str] = []
    try:
        return parser(value, warn=warnings.append), None, tuple(warnings)
    except CellError as error:
        return None, error.reason, tuple(warnings)


def text_parser(value: Any, *, warn=None) -> str:
    return clean_text(value)


#: Normalisers with the options imports use (partials keep `Cells.get` option-free).
parse_month = partial(parse_year_month, min_year=MIN_YEAR)


class Importer:
    """One kind of record. Subclasses set `kind`, `specs` and `locked` (the models the
    commit writes, locked against concurrent writers on PostgreSQL)."""

    kind: ClassVar[str]
    specs: ClassVar[tuple[SheetSpec, ...]]
    locked: ClassVar[tuple[type, ...]] = ()

    def __init__(self, *, actor, unit: Unit | None = None, today: dt.date | None = None):
        self.actor = actor
        self.restrict_unit = unit
        self.today = today or timezone.localdate()
        self.memo: dict[Any, Any] = {}
        self.memos: dict[Callable[..., Any], dict[Any, tuple[Any, str | None, tuple]]] = {}
        self.spec: SheetSpec = self.specs[0]

    # --- the sheet -----------------------------------------------------------------------

    def choose(self, sheets) -> tuple[SheetSpec, Table]:
        """The layout and sheet whose header matches best (ties: the first layout), with
        all its rows extracted."""
        spec, sheet, header = self._choose(sheets)
        return spec, extract_table(sheet, spec.layout, header)

    def _choose(self, sheets) -> tuple[SheetSpec, Any, HeaderMatch]:
        best: tuple[int, int, SheetSpec, Any, Any] | None = None
        first_error: SheetError | None = None
        for sheet in sheets:
            if not sheet.visible:
                continue
            for order, spec in enumerate(self.specs):
                try:
                    header = find_header(sheet, spec.layout)
                except SheetError as error:
                    if first_error is None or (
                        "缺少必填列" in error.message_zh
                        and "缺少必填列" not in first_error.message_zh
                    ):
                        first_error = error
                    continue
                score = (len(header.columns), -order)
                if best is None or score > (best[0], best[1]):
                    best = (score[0], score[1], spec, sheet, header)
            if best is not None:
                break  # the first sheet that has a table wins, as in find_table
        if best is None:
            raise first_error or SheetError("文件中没有可读取的工作表")
        _, _, spec, sheet, header = best
        return spec, sheet, header

    # --- planning ------------------------------------------------------------------------

    def load(self) -> None:
        """Load what rows are checked against (one query per table)."""
        self.units = UnitIndex(self.actor, self.restrict_unit)
        self.people = PeopleIndex(self.actor)

    def plan(self, *args, **kwargs) -> ImportPlan:
        with paused_gc():
            return self._plan(*args, **kwargs)

    def _plan(
        self,
        sheets,
        *,
        file_name: str,
        sha256: str,
        file_format: str,
        drop: Iterable[int] = (),
    ) -> ImportPlan:
        self.spec, sheet, header = self._choose(sheets)
        # The rows are read one at a time and each raw row is released once read: the
        # sheet is never held twice (see `iter_table_values`).
        table = Table(
            sheet=sheet.name,
            header_rows=header.rows,
            columns=dict(header.columns),
            rows=[],
            warnings=list(header.warnings),
        )
        positions = {key: index for index, key in enumerate(header.columns)}
        self.sheet_name = table.sheet
        self.load()
        drop = frozenset(drop)
        results: list[RowResult] = []
        parsed: list[tuple[RowResult, dict[str, Any], Cells]] = []
        rows = iter_table_values(sheet, self.spec.layout, header, release=True)
        streaming = self.resolves_while_parsing and type(self).finish is Importer.finish
        seen: dict[Any, tuple[RowResult, int]] = {}
        repeated: dict[Any, list[RowResult]] = {}
        for number, raw, _filled in rows:
            result = RowResult(number=number)
            results.append(result)
            if number in drop:
                result.status = Status.DROPPED
                continue
            cells = Cells(self, table, number, raw, positions, result)
            values = self.parse(cells)
            if values is None or result.has_errors:
                result.status = Status.ERROR
                if not result.label:
                    self._raw_label(result, cells.as_dict())
                continue
            if streaming:
                self._resolve_now(result, values, cells, seen, repeated)
                continue
            # The row's raw values, not its Cells (made again to resolve it): 8 MB less
            # for 100,000 rows at the plan's peak.
            parsed.append((result, values, raw))
        if streaming:  # every row met the registry already
            self._mark_repeated(repeated)
            del seen, repeated
            parsed = [(result, None, None) for result in results if result.record_id is not None]
        else:
            self._mark_duplicates(parsed)
            # Without a `finish` of its own, a row's parsed values and cells are not needed
            # once it met the registry: let them go.
            release = type(self).finish is Importer.finish
            for index, (result, values, raw) in enumerate(parsed):
                cells = Cells(self, table, result.number, raw, positions, result)
                if result.has_errors:
                    result.status = Status.ERROR
                else:
                    self.resolve(result, values, cells)
                    if result.has_errors:
                        _refuse(result)
                parsed[index] = (result, None, None) if release else (result, values, cells)
        self.finish(parsed)
        self._mark_same_record(parsed)
        for result, _values, _cells in parsed:
            if result.has_errors:
                _refuse(result)
        messages = [Message(level=WARNING, text=text) for text in table.warnings]
        return ImportPlan(
            kind=self.kind,
            kind_label=KIND_LABELS[self.kind],
            layout=self.spec.key,
            layout_label=self.spec.label,
            file_name=file_name,
            sha256=sha256,
            file_format=str(file_format),
            sheet=table.sheet,
            header_rows=table.header_rows,
            columns=[
                {
                    "key": c.key,
                    "letter": c.letter,
                    "header": c.header,
                    "sheet_header": c.sheet_header,
                }
                for c in table.columns.values()
            ],
            rows=results,
            messages=messages,
            unit=self.restrict_unit.name if self.restrict_unit else "",
            dropped=tuple(sorted(drop & {r.number for r in results})),
        )

    #: Meet the registry as each row is parsed, instead of after every row was parsed: the
    #: plan then never holds every row's parsed values at once (a 100,000-row sheet). Only
    #: for importers whose `resolve` has no effect beyond the row and `person_changes`,
    #: which `_unresolve` can take back when a later row turns out to repeat the key.
    resolves_while_parsing: ClassVar[bool] = False

    def _resolve_now(self, result, values, cells, seen, repeated) -> None:
        """One row of the single pass: resolved unless its key was seen; a repeated key
        makes both rows errors, as `_mark_duplicates` does (the first is unresolved)."""
        key = self.key(values)
        if key is not None:
            first = seen.get(key)
            if first is not None:
                earlier, messages = first
                if key not in repeated:
                    self._unresolve(earlier, messages)
                    repeated[key] = [earlier]
                repeated[key].append(result)
                return
            seen[key] = (result, len(result._messages or ()))
        self.resolve(result, values, cells)
        if result.has_errors:
            _refuse(result)

    def _unresolve(self, result: RowResult, messages: int) -> None:
        """Take back what `resolve` did to a row (a later row repeats its key)."""
        if result._messages:
            del result._messages[messages:]
        result.status = Status.ERROR
        result.action = None
        result.record_id = None
        result.describe = None
        result._changes = None
        result._new_people = None
        result.label = ""
        result.unit = ""
        changes = self.people.mobile_changes
        for ref in [ref for ref, (_m, row) in changes.items() if row == result.number]:
            del changes[ref]

    def _mark_repeated(self, repeated: dict[Any, list[RowResult]]) -> None:
        for key, results in repeated.items():
            for result in results:
                others = "、".join(str(r.number) for r in results if r is not result)
                result.status = Status.ERROR
                result.messages.append(
                    Message(
                        level=ERROR,
                        text=f"与第 {others} 行重复（{self.describe_key(key)}相同），"
                        "请删除重复的行或核对内容",
                        sheet=self.sheet_name,
                        row=result.number,
                    )
                )

    label_keys: ClassVar[tuple[str, ...]] = ("platform", "name", "account")

    def _raw_label(self, result: RowResult, values: dict[str, Any]) -> None:
        """What an error row is about, as the sheet writes it."""
        parts = [clean_text(values.get(key)) for key in self.label_keys if values.get(key)]
        result.label = " · ".join(part for part in parts if part)[:120]
        if values.get("unit") is not None:
            result.unit = clean_text(values["unit"])[:120]

    def _mark_duplicates(self, parsed) -> None:
        # The first row of each key, and a list only for the keys that recur (rare): a
        # list per row would cost 7 MB for 100,000 rows at the plan's peak.
        first: dict[Any, RowResult] = {}
        repeated: dict[Any, list[RowResult]] = {}
        for result, values, _cells in parsed:
            key = self.key(values)
            if key is None:
                continue
            earlier = first.setdefault(key, result)
            if earlier is not result:
                repeated.setdefault(key, [earlier]).append(result)
        del first
        for key, results in repeated.items():
            for result in results:
                others = "、".join(str(r.number) for r in results if r is not result)
                result.messages.append(
                    Message(
                        level=ERROR,
                        text=f"与第 {others} 行重复（{self.describe_key(key)}相同），"
                        "请删除重复的行或核对内容",
                        sheet=self.sheet_name,
                        row=result.number,
                    )
                )

    def _mark_same_record(self, parsed) -> None:
        """Two rows that meet the same record (one by its id, one by its name) would write
        it twice: both are errors."""
        by_record: dict[int, list[RowResult]] = {}
        for result, _values, _cells in parsed:
            if result.record_id is not None and not result.has_errors:
                by_record.setdefault(result.record_id, []).append(result)
        for results in by_record.values():
            if len(results) < 2:
                continue
            for result in results:
                others = "、".join(str(r.number) for r in results if r is not result)
                result.messages.append(
                    Message(
                        level=ERROR,
                        text=f"与第 {others} 行是系统中的同一条记录，请合并为一行",
                        sheet=self.sheet_name,
                        row=result.number,
                    )
                )

    # --- shared row pieces ---------------------------------------------------------------

    def not_yours(self, what: str, owner_unit_id: int) -> str:
        """The refusal for a row that matches a record the actor may not change (issue 9,
        finding 8): the owning unit is named only when the actor can see that unit; a
        record outside what the actor sees is answered without saying whose it is."""
        units = self.units
        if units.visible is None or owner_unit_id in units.visible:
            return f"该{what}属于“{units.name(owner_unit_id)}”，不在您的管理范围内，不能修改"
        return f"该{what}不在您的管理范围内，不能修改"

    def row_unit(self, cells: Cells, *, key: str = "unit", new_record: bool = True) -> Any:
        """The unit of a row (blank: the import's unit or the unit admin's only unit),
        checked against the import's unit and the actor's scope."""
        unit_id = cells.get(key, self.units.resolve)
        if unit_id is INVALID:
            return INVALID
        if unit_id is None:
            unit_id = self.units.default_unit()
            if unit_id is None:
                label = self.spec.layout.by_key[key].header
                cells.error(key, f"请填写{label}")
                return INVALID
        units = self.units
        if units.restricted is not None and unit_id not in units.restricted:
            cells.error(
                key,
                f"“{units.name(unit_id)}”不属于本次导入的单位“{units.restrict_to.name}”",
            )
            return INVALID
        if not units.can_write(unit_id):
            cells.error(key, f"“{units.name(unit_id)}”不在您的管理范围内，不能导入")
            return INVALID
        return unit_id

    def person(
        self,
        cells: Cells,
        name_key: str,
        phone_key: str | None,
        *,
        unit_id: int,
        kind: str,
    ) -> tuple[Any, str]:
        """(person ref or None or INVALID, mobile) for a name cell and its phone cell. A
        landline is accepted and noted (people keep mobiles only); a masked phone from our
        exports is taken as unchanged. Answers are remembered per (name, phone, unit):
        the same teacher recurs on many rows."""
        name_raw = cells.raw(name_key)
        phone_raw = cells.raw(phone_key) if phone_key else None
        memo_key = ("person", name_raw, phone_raw, unit_id, kind, name_key)
        try:
            ref, mobile, notes = self.memo[memo_key]
        except (KeyError, TypeError):
            ref, mobile, notes = self._person(name_raw, phone_raw, unit_id, kind)
            with suppress(TypeError):
                self.memo[memo_key] = (ref, mobile, notes)
        for level, on_phone, text in notes:
            key = phone_key if on_phone else name_key
            (cells.error if level == ERROR else cells.warn)(key, text)
        return ref, mobile

    def _person(self, name_raw, phone_raw, unit_id: int, kind: str):
        from beian.core.sheets import parse_phone

        notes: list[tuple[str, bool, str]] = []
        mobile = ""
        masked = isinstance(phone_raw, str) and "*" in phone_raw
        if phone_raw is not None and not masked:
            try:
                digits = parse_phone(phone_raw)
            except CellError as error:
                return INVALID, "", ((ERROR, True, error.reason),)
            if digits and len(digits) == 11 and digits.startswith("1"):
                mobile = digits
            elif digits:
                notes.append((WARNING, True, "不是手机号：人员信息只保存手机号，该号码未保存"))
        name = clean_text(name_raw) if name_raw is not None else ""
        if not name:
            if phone_raw is not None and not masked:
                notes.append((WARNING, True, "没有填写姓名，电话未使用"))
            return None, "", tuple(notes)
        if len(name) > 64:
            return INVALID, "", ((ERROR, False, "姓名不能超过 64 个字符"),)
        ref, error = self.people.find(name, unit_id=unit_id, kind=kind, mobile=mobile)
        if error:
            return INVALID, "", ((ERROR, False, error),)
        if masked and not self.people.masked_matches(ref, phone_raw):
            return INVALID, "", ((ERROR, True, "电话号码不完整（含 *），请填写完整的手机号"),)
        if (
            mobile
            and not isinstance(ref, NewPerson)
            and self.people.people[ref].mobile != mobile
            and not self.people.can_write(ref)
        ):
            notes.append((WARNING, True, "该人员不在您的管理范围内，电话未更新"))
            mobile = ""
        return ref, mobile, tuple(notes)

    def person_changes(
        self, result: RowResult, ref, mobile: str, label: str, phone_label: str
    ) -> None:
        """Note a new person, or a changed mobile of a known one, on the row."""
        people = self.people
        if isinstance(ref, NewPerson):
            alone = self.memo.get(("alone", id(ref)))
            if alone is None:
                alone = self.memo["alone", id(ref)] = (ref.name,)
            result.add_new_person(ref.name, alone)
            return
        if ref is None or not mobile:
            return
        current = people.people[ref].mobile
        if current == mobile:
            return
        earlier = people.mobile_changes.get(ref)
        if earlier is not None and earlier[0] != mobile:
            result.messages.append(
                Message(
                    level=WARNING,
                    text=f"{label}“{people.people[ref].name}”的电话与第 {earlier[1]} 行不同，"
                    f"以第 {earlier[1]} 行为准",
                    row=result.number,
                )
            )
            return
        if earlier is None:
            people.mobile_changes[ref] = (mobile, result.number)
        result.changes.append(Change("person_mobile", phone_label, current, mobile))

    # --- writing -------------------------------------------------------------------------

    def writer(self, model, now: dt.datetime, reason: str) -> RecordWriter:
        return RecordWriter(model, actor=self.actor, now=now, reason=reason)

    def write_people(
        self, rows: Sequence[RowResult], refs: Iterable[NewPerson], now: dt.datetime, reason: str
    ) -> dict[str, int]:
        """Create the new people the written rows name and apply the mobiles they give."""
        writer = self.writer(Person, now, reason)
        pending = list(
            {id(p): p for p in refs if isinstance(p, NewPerson) and p.pk is None}.values()
        )
        if pending:
            ids = writer.create(
                [
                    {
                        "name": p.name,
                        "unit_id": p.unit_id,
                        "kind": p.kind,
                        "mobile": p.mobile,
                        "status": PersonStatus.IN_POST,
                    }
                    for p in pending
                ]
            )
            for person, pk in zip(pending, ids, strict=True):
                person.pk = pk
        written = {row.number for row in rows}
        updates = [
            (pk, {"mobile": mobile})
            for pk, (mobile, row) in self.people.mobile_changes.items()
            if row in written
        ]
        writer.update(updates)
        return {"people_created": len(pending), "people_updated": len(updates)}

    def apply(self, plan: ImportPlan) -> dict[str, int]:
        """Write the plan's new and changed rows. Registry records go through the registry's
        bulk upsert under the import batch's authority (`self.authority`)."""
        now = timezone.now()
        reason = f"表格导入：{plan.file_name}"[:255]
        self.authority = Authority.import_batch(plan.file_name, sha256=plan.sha256)
        rows = [row for row in plan.rows if row.status in (Status.NEW, Status.UPDATE)]
        with paused_gc():
            return self.write(rows, now, reason)

    # --- to implement --------------------------------------------------------------------

    def parse(self, cells: Cells) -> dict[str, Any] | None:
        raise NotImplementedError

    def key(self, values: dict[str, Any]) -> Any:
        raise NotImplementedError

    def describe_key(self, key: Any) -> str:
        raise NotImplementedError

    def resolve(self, result: RowResult, values: dict[str, Any], cells: Cells) -> None:
        raise NotImplementedError

    def finish(self, parsed: list[tuple[RowResult, dict[str, Any], Cells]]) -> None:
        """After every row met the registry: rules across rows."""

    def write(self, rows: list[RowResult], now: dt.datetime, reason: str) -> dict[str, int]:
        raise NotImplementedError


def diff(
    result: RowResult,
    current: dict[str, Any],
    wanted: dict[str, Any],
    labels: dict[str, str],
    *,
    display: dict[str, Callable[[Any], str]] | None = None,
) -> dict[str, Any]:
    """The fields of `wanted` whose value differs from `current`, noted on the row; blank
    cells (None) leave a field as it is. Returns {field: new value}."""
    changed: dict[str, Any] = {}
    display = display or {}
    for name, value in wanted.items():
        if value is None:
            continue
        old = current.get(name)
        if old == value:
            continue
        if isinstance(old, str) and isinstance(value, str) and clean_text(old) == value:
            continue  # stored with odd white space: the sheet cannot say it otherwise
        changed[name] = value
        show = display.get(name, shown)
        result.changes.append(Change(name, labels.get(name, name), show(old), show(value)))
    return changed


def month_text(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月" if value else ""


def quote(value: Any) -> str:
    return show_value(value)
