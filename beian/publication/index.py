"""An in-memory search index of the registered accounts, so the public directory and the
"is this official?" check answer in a few milliseconds over 200,000 accounts (issue 12).

`LIKE '%text%'` cannot use a B-tree index: on SQLite every search walked the whole
accounts table (250 ms at 200,000 accounts). Instead each process keeps, per institution
(unit tree) and published tiers, the searchable keys of every *registered* account (filed,
or closed with a registration number) in the registry's order (unit, name, id): name,
account id, link, registration number, pinyin keys, platform, unit and the flags that
decide whether it is published. A search finds row numbers here (`str.find` over one
joined string per key) and the page then reads only the cards of those ids.

Freshness: the index is rebuilt when any account, group, person or unit changes
(`core.hooks.records_changed` bumps a version token kept in Django's cache — shared
between workers with Redis/Memcached), when the cache is cleared, and at the latest after
`MAX_AGE` seconds (the public page cache already allows that much staleness). A build is
one query over the registered accounts (about a second at 200,000).
"""

from __future__ import annotations

import time
import uuid
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from beian.registry.choices import AccountStatus, FilingState
from beian.registry.models import MediaAccount

#: Seconds an index is used at most before it is rebuilt.
MAX_AGE = 60
VERSION_KEY = "pub-index-version"

_indexes: dict[tuple, Index] = {}


class _Column:
    """One key of every row, lower-cased, joined as "\\n" + v0 + "\\n" + v1 … + "\\n"."""

    def __init__(self, values: list[str]):
        self.starts = array("l")
        parts, offset = [], 1
        for value in values:
            value = (value or "").replace("\n", " ").lower()
            self.starts.append(offset)
            parts.append(value)
            offset += len(value) + 1
        self.blob = "\n" + "\n".join(parts) + "\n"

    def _row(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def contains(self, text: str) -> set[int]:
        """Rows whose value contains `text`."""
        return set(self.iter_contains(text))

    def iter_contains(self, text: str) -> Iterator[int]:
        """Rows whose value contains `text`, in increasing order, found as they are asked
        for: a page of a common word ("学") stops after its first rows."""
        text = text.lower()
        if not text or "\n" in text:
            return
        starts, find, pos = self.starts, self.blob.find, 0
        last = len(starts) - 1
        while True:
            pos = find(text, pos)
            if pos < 0:
                return
            row = self._row(pos)
            yield row
            if row >= last:
                return
            pos = starts[row + 1]

    def startswith(self, text: str) -> set[int]:
        return set(self.iter_startswith(text))

    def iter_startswith(self, text: str) -> Iterator[int]:
        """Rows whose value starts with `text`, in increasing order."""
        return (self._row(p + 1) for p in self._finds("\n" + text.lower()))

    def equals(self, text: str) -> set[int]:
        return {self._row(p + 1) for p in self._finds("\n" + text.lower() + "\n")}

    def _finds(self, needle: str):
        find, pos = self.blob.find, 0
        while True:
            pos = find(needle, pos)
            if pos < 0:
                return
            yield pos
            pos += 1


@dataclass
class Index:
    version: str
    built: float
    pks: array
    published: bytearray  # 1 where the row is published (active, filed, not personal, tier)
    platform: array
    unit: array
    name: _Column
    external_id: _Column
    url: _Column
    number: _Column
    initials: _Column
    pinyin: _Column
    by_platform: dict[int, list[int]]
    by_unit: dict[int, list[int]]
    published_rows: list[int]

    def __len__(self) -> int:
        return len(self.pks)


def _version() -> str:
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        token = cache.get(VERSION_KEY) or ""
    return token


def bump(**_changed) -> None:
    """Mark every index stale (a records_changed listener: after the write commits)."""

    def _bump():
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
        _indexes.clear()

    transaction.on_commit(_bump)


def registered_q() -> Q:
    """Accounts that are or were registered: filed, or closed with a registration number."""
    return Q(filing_state=FilingState.FILED) | (
        Q(status=AccountStatus.CLOSED) & ~Q(registration_number="")
    )


def get_index(tree_ids: list[int] | None, tiers: tuple[int, ...]) -> Index:
    """The index of the registered accounts owned in `tree_ids` (None: every unit), with
    the rows of `tiers` marked published; built when missing or stale."""
    key = (tuple(tree_ids) if tree_ids is not None else None, tuple(tiers))
    version = _version()
    found = _indexes.get(key)
    if found is not None and found.version == version and time.monotonic() - found.built < MAX_AGE:
        return found
    found = _build(tree_ids, tiers, version)
    _indexes.clear()  # one institution per process in practice: keep only the newest
    _indexes[key] = found
    return found


def _build(tree_ids, tiers, version) -> Index:
    qs = MediaAccount.objects.filter(registered_q())
    if tree_ids is not None:
        qs = qs.filter(owner_unit_id__in=tree_ids)
    rows = list(
        qs.order_by("owner_unit_id", "name", "pk").values_list(
            "pk",
            "name",
            "external_id",
            "url",
            "registration_number",
            "name_initials",
            "name_pinyin",
            "platform_id",
            "owner_unit_id",
            "status",
            "filing_state",
            "is_personal",
            "tier",
        )  # fmt: skip
    )
    tiers = set(tiers)
    published = bytearray(
        1
        if status == AccountStatus.ACTIVE
        and state == FilingState.FILED
        and not personal
        and tier in tiers
        else 0
        for *_k, status, state, personal, tier in rows
    )
    by_platform: dict[int, list[int]] = {}
    by_unit: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        by_platform.setdefault(row[7], []).append(i)
        by_unit.setdefault(row[8], []).append(i)
    columns = list(zip(*rows, strict=True)) if rows else [()] * 13
    return Index(
        version=version,
        built=time.monotonic(),
        pks=array("l", columns[0]),
        published=published,
        platform=array("l", columns[7]),
        unit=array("l", columns[8]),
        name=_Column(list(columns[1])),
        external_id=_Column(list(columns[2])),
        url=_Column(list(columns[3])),
        number=_Column(list(columns[4])),
        initials=_Column(list(columns[5])),
        pinyin=_Column(list(columns[6])),
        by_platform=by_platform,
        by_unit=by_unit,
        published_rows=[i for i, flag in enumerate(published) if flag],
    )
