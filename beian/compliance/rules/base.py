"""What a rule is and what it sees: the `Rule` contract, the registry of rules (`RULES`,
filled by `@register`), the records one evaluation covers (`Chunk`), what one scan shares
(`ScanContext`: today, the policy, the unit tree, the name guard) and what a rule answers
(`Breach`). The engine (`beian.compliance.engine`) hands these to the rules and reconciles
their breaches with the stored findings; this module knows neither the engine nor the
findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from django.db.models import Q

from beian.orgs.choices import SECOND_LEVEL_KINDS, UnitKind
from beian.orgs.models import Institution, Unit
from beian.registry.choices import AccountStatus, FilingState
from beian.registry.models import MediaAccount

from ..choices import SEVERITY_COLOUR, Severity, TargetKind
from ..nameguard import NameGuard, SchoolNames


@dataclass(frozen=True)
class Breach:
    """One record breaking one rule: its owner unit, the message, and the evidence (the data
    the breach rests on; the finding's fingerprint is its hash)."""

    unit_id: int
    message: str
    evidence: str = ""


@dataclass(frozen=True)
class Chunk:
    """The records one evaluation covers: a primary-key range [lo, hi) in a full scan, or
    an explicit list of ids in a scan of saved records."""

    lo: int | None = None
    hi: int | None = None
    ids: tuple[int, ...] | None = None

    def contains(self, pk: int) -> bool:
        if self.ids is not None:
            return pk in self.id_set
        return self.lo <= pk < self.hi

    @cached_property
    def id_set(self) -> frozenset[int]:
        return frozenset(self.ids or ())

    def q(self, field: str = "pk") -> Q:
        if self.ids is not None:
            return Q(**{f"{field}__in": self.ids})
        return Q(**{f"{field}__gte": self.lo, f"{field}__lt": self.hi})


@dataclass(frozen=True)
class UnitInfo:
    pk: int
    parent_id: int | None
    kind: str
    name: str
    head_id: int | None
    head_name: str


class UnitTree:
    """The whole unit tree in memory (one query), to answer which 二级单位 a unit belongs to."""

    def __init__(self):
        rows = Unit.objects.values_list("pk", "parent_id", "kind", "name", "head_id", "head__name")
        self.units = {row[0]: UnitInfo(*row[:5], row[5] or "") for row in rows}

    def second_level(self, unit_id: int) -> UnitInfo | None:
        """The 二级单位 a unit belongs to: itself or its nearest ancestor of a second-level
        kind; the school itself for the school and units hanging right under it."""
        seen = set()
        unit = self.units.get(unit_id)
        while unit is not None and unit.pk not in seen:
            if unit.kind in SECOND_LEVEL_KINDS or unit.kind == UnitKind.SCHOOL:
                return unit
            seen.add(unit.pk)
            unit = self.units.get(unit.parent_id)
        return self.units.get(unit_id)


class ScanContext:
    """What every rule of one scan shares: today, the policy, and things computed once per
    scan (the unit tree, the name guard and its verdicts)."""

    def __init__(self, *, policy, today: date):
        self.policy = policy
        self.today = today
        self._verdicts: dict[tuple[str, bool], Any] = {}
        self._memo: dict[str, Any] = {}
        self._chunk_memo: dict[tuple[str, Chunk], Any] = {}

    @cached_property
    def units(self) -> UnitTree:
        return UnitTree()

    @cached_property
    def name_guard(self):
        """The institution's name guard, knowing the registered (filed) accounts' names;
        None when no institution is set up."""
        institution = Institution.objects.first()
        if institution is None:
            return None
        registered = (
            MediaAccount.objects.filter(filing_state=FilingState.FILED)
            .exclude(status=AccountStatus.CLOSED)
            .values_list("name", flat=True)
        )
        return NameGuard(SchoolNames.from_institution(institution), registered)

    def memo(self, key: str, compute):
        """`compute()` once per scan, for rules that must look at the whole registry."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def for_chunk(self, key: str, chunk: Chunk, compute):
        """`compute()` once per chunk, for data several rules read (cleared by
        `forget_chunk`)."""
        if (key, chunk) not in self._chunk_memo:
            self._chunk_memo[key, chunk] = compute()
        return self._chunk_memo[key, chunk]

    def forget_chunk(self) -> None:
        """Drop what was cached for the records of one chunk (keeps memory bounded)."""
        self._verdicts.clear()
        self._chunk_memo.clear()

    def verdict(self, name: str, *, registered: bool):
        """The name guard's verdict on an account's name (None without an institution),
        computed once per name and chunk (both name rules ask)."""
        key = (name, registered)
        if key not in self._verdicts:
            guard = self.name_guard
            self._verdicts[key] = guard.check(name, is_registered=registered) if guard else None
        return self._verdicts[key]


# --- Rules ------------------------------------------------------------------------------------

RULES: dict[str, Rule] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: adds one instance of the rule to RULES (codes must be unique)."""
    rule = cls()
    if rule.code in RULES:
        raise ValueError(f"duplicate compliance rule code {rule.code!r}")
    RULES[rule.code] = rule
    return cls


class Rule:
    code: str = ""
    title: str = ""
    explanation: str = ""
    severity: str = Severity.WARNING
    target: str = TargetKind.ACCOUNT
    #: Where the rule comes from in the seed notices (for docs/compliance.md and readers).
    source: str = ""

    def enabled(self, policy) -> bool:
        return True

    def parameters(self, policy) -> dict[str, Any]:
        """The policy settings the rule reads, as {setting: value}, for people to see."""
        return {}

    def settings_shown(self, policy) -> list[tuple[str, str]]:
        """`parameters` as (key, value) written the way the policy file writes them."""
        return [(key, toml_value(value)) for key, value in self.parameters(policy).items()]

    def expand(self, ids: Iterable[int]) -> list[int]:
        """Records to re-evaluate when `ids` changed (some rules compare records)."""
        return list(ids)

    def evaluate(self, ctx: ScanContext, chunk: Chunk) -> dict[int, Breach]:
        raise NotImplementedError

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label

    @property
    def severity_colour(self) -> str:
        return SEVERITY_COLOUR[self.severity]

    @property
    def target_label(self) -> str:
        return TargetKind(self.target).label

    def __repr__(self):
        return f"<Rule {self.code}>"


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


def evidence(*parts) -> str:
    return "|".join(str(p) for p in parts)
