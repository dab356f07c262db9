"""What changed since the previous round of the same kind, unit by unit: records added,
closed (or dissolved) and corrected, from the snapshots each task keeps at its submission
(`CampaignTask.snapshot`, written by `task_submit`). As a page and an Excel sheet.

The previous round is the one this campaign was copied from when it is of the same kind,
else the latest earlier opened round of the same kind run by the same unit. A unit that
has not submitted in this round has no snapshot yet: it is listed as such, without
changes. A unit new to the round has no previous task: all its records count as added.

- added: in this round's snapshot and not in the previous one (and not closed);
- closed: in the previous snapshot and, in this one, absent, closed / dissolved or marked
  for closing;
- corrected: in both, with a different name, platform, number, unit, tier or status (or
  marked "已修改" in this round: a team or other change the snapshot does not hold).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from beian.core.sheets import write_xlsx
from beian.orgs.models import Unit

from .choices import CampaignStatus, ItemAction
from .models import Campaign, CampaignTask

ENDED = {"closed", "dissolved"}
FIELDS = {
    "accounts": (
        ("name", "名称"),
        ("platform", "平台"),
        ("external_id", "账号"),
        ("unit", "责任单位"),
        ("tier", "分级"),
        ("status", "状态"),
    ),
    "groups": (
        ("name", "名称"),
        ("platform", "平台"),
        ("group_number", "群号"),
        ("unit", "责任单位"),
        ("status", "状态"),
    ),
}
RECORD_LABELS = {"accounts": "账号", "groups": "群聊"}
ADDED, CLOSED, CORRECTED = "added", "closed", "corrected"
CHANGE_LABELS = {ADDED: "新增", CLOSED: "注销/解散", CORRECTED: "修改"}


@dataclass
class Change:
    kind: str
    record_kind: str
    name: str
    platform: str
    identifier: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return CHANGE_LABELS[self.kind]

    @property
    def record_label(self) -> str:
        return RECORD_LABELS[self.record_kind]

    @property
    def detail(self) -> str:
        return "；".join(
            f"{label}：{before or '—'} → {after or '—'}" for label, before, after in self.fields
        )


@dataclass
class UnitDiff:
    unit: str
    task: CampaignTask
    previous: CampaignTask | None
    submitted: bool
    changes: list[Change] = field(default_factory=list)

    def _n(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def previous_submitted(self) -> bool:
        """Whether the unit's task of the previous round kept a snapshot to compare with."""
        return self.previous is not None and bool(self.previous.snapshot)

    @property
    def added(self) -> int:
        return self._n(ADDED)

    @property
    def closed(self) -> int:
        return self._n(CLOSED)

    @property
    def corrected(self) -> int:
        return self._n(CORRECTED)


@dataclass
class RoundDiff:
    campaign: Campaign
    previous: Campaign | None
    units: list[UnitDiff]

    @property
    def totals(self) -> dict[str, int]:
        return {
            ADDED: sum(u.added for u in self.units),
            CLOSED: sum(u.closed for u in self.units),
            CORRECTED: sum(u.corrected for u in self.units),
        }


def previous_round(campaign: Campaign) -> Campaign | None:
    """The round this one is compared with (see the module's docstring)."""
    source = campaign.copied_from
    if source is not None and source.kind == campaign.kind and not source.is_draft:
        return source
    return (
        Campaign.objects.filter(kind=campaign.kind, owner_unit_id=campaign.owner_unit_id)
        .exclude(pk=campaign.pk)
        .exclude(status=CampaignStatus.DRAFT)
        .filter(deadline__lt=campaign.deadline)
        .order_by("-deadline", "-pk")
        .first()
    )


def _unit_names(snapshots: list[dict]) -> dict[int, str]:
    ids = set()
    for snap in snapshots:
        for kind in ("accounts", "groups"):
            ids.update(r.get("unit") for r in snap.get(kind, {}).values())
    ids.discard(None)
    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))


def _show(key: str, value, units: dict[int, str]) -> str:
    if value is None:
        return ""
    if key == "unit":
        return units.get(value, str(value))
    return str(value)


def _change(kind: str, record_kind: str, record: dict, fields=()) -> Change:
    ident = "external_id" if record_kind == "accounts" else "group_number"
    return Change(
        kind,
        record_kind,
        record.get("name", ""),
        record.get("platform", ""),
        record.get(ident, "") or "",
        list(fields),
    )


def compare(current: dict, previous: dict, units: dict[int, str]) -> list[Change]:
    """The changes between two snapshots of one unit's records."""
    changes: list[Change] = []
    for kind in ("accounts", "groups"):
        now = current.get(kind, {})
        before = previous.get(kind, {})
        for pk, record in now.items():
            ended = record.get("status") in ENDED or record.get("action") == ItemAction.CLOSING
            old = before.get(pk)
            if old is None or old.get("status") in ENDED:
                if not ended:
                    changes.append(_change(ADDED, kind, record))
                continue
            if ended:
                changes.append(_change(CLOSED, kind, record))
                continue
            fields = [
                (label, _show(key, old.get(key), units), _show(key, record.get(key), units))
                for key, label in FIELDS[kind]
                if old.get(key) != record.get(key)
            ]
            if fields or record.get("action") == ItemAction.CORRECTED:
                changes.append(_change(CORRECTED, kind, record, fields))
        for pk, old in before.items():
            if pk not in now and old.get("status") not in ENDED:
                changes.append(_change(CLOSED, kind, old))
    order = {ADDED: 0, CORRECTED: 1, CLOSED: 2}
    changes.sort(key=lambda c: (order[c.kind], c.record_kind, c.platform, c.name))
    return changes


def round_diff(campaign: Campaign, *, user) -> RoundDiff:
    """Every unit's changes since the previous round (tasks the user may see)."""
    previous = previous_round(campaign)
    tasks = list(
        CampaignTask.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("unit")
        .order_by("unit__name", "pk")
    )
    before = {}
    if previous is not None:
        before = {
            t.unit_id: t
            for t in CampaignTask.objects.filter(
                campaign=previous, unit_id__in=[t.unit_id for t in tasks]
            )
        }
    units = _unit_names([t.snapshot for t in tasks] + [t.snapshot for t in before.values()])
    out = []
    for task in tasks:
        old = before.get(task.unit_id)
        submitted = bool(task.snapshot)
        changes = []
        if submitted:
            changes = compare(task.snapshot, (old.snapshot if old else {}) or {}, units)
        out.append(UnitDiff(task.unit.name, task, old, submitted, changes))
    return RoundDiff(campaign=campaign, previous=previous, units=out)


HEADER = ("序号", "单位", "变化", "类型", "平台", "名称", "账号或群号", "修改内容")
WIDTHS = (6, 22, 10, 6, 12, 28, 22, 50)


def diff_rows(diff: RoundDiff):
    number = 0
    for unit in diff.units:
        for change in unit.changes:
            number += 1
            yield [
                number,
                unit.unit,
                change.kind_label,
                change.record_label,
                change.platform,
                change.name,
                change.identifier,
                change.detail,
            ]


def diff_xlsx(diff: RoundDiff) -> bytes:
    title = f"{diff.campaign.title}与上一轮相比的变化"
    sub = (
        f"上一轮：{diff.previous.title}" if diff.previous else "没有同类的上一轮，全部记录按新增计"
    )
    totals = diff.totals
    sub += f"；新增 {totals[ADDED]}，注销/解散 {totals[CLOSED]}，修改 {totals[CORRECTED]}"
    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        [title, sub],
        HEADER,
        diff_rows(diff),
        (),
        WIDTHS,
        sheet_name="变化",
        submitter_line=None,
    )
    return buffer.getvalue()
