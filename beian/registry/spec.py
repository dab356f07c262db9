"""What an account and a chat group are made of, said once: the fields that exist, their
labels, who may set each one, which a sheet may carry — and the tier rule.

Forms (`registry.forms`), the services, the importers and exporters (`beian.transfer`) and
the filings read these tuples instead of keeping their own lists, so a field added here is
known everywhere it should be."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from beian.orgs.choices import DEFAULT_TIER, TIER_BY_UNIT_KIND

from .choices import Tier

# --- the tier rule -------------------------------------------------------------------


def derive_tier(*, unit_kind: str, is_personal: bool = False) -> int:
    """The tier (分级) an account takes from its owning unit (docs/requirements.md#tiers):
    the school's own accounts 一级; colleges, departments, directly affiliated units and
    school-level student organisations 二级; everything below them, and accounts opened in a
    personal capacity, 三级. An admin may override it with a reason (stored on the account)."""
    if is_personal:
        return Tier.THREE
    return TIER_BY_UNIT_KIND.get(unit_kind, DEFAULT_TIER)


# --- who may set a field -------------------------------------------------------------

#: Anyone who may edit the record (an operator on its team included).
EDITOR = "editor"
#: The owning unit's admin or the school admin: where the record belongs, how it is classed.
MANAGER = "manager"
#: The school admin by hand; otherwise only the filing workflow (an approval's authority).
SCHOOL = "school"
#: Derived or set by a dedicated service only (tier, closing), never through `data`.
SERVICE = "service"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    who: str = EDITOR
    #: Whether the seed summary sheets carry it (imports diff it, exports write it).
    in_sheets: bool = False

    def label(self, model: type[models.Model]) -> str:
        return str(model._meta.get_field(self.name).verbose_name)


ACCOUNT_SPEC: tuple[FieldSpec, ...] = (
    FieldSpec("platform", in_sheets=True),
    FieldSpec("name", in_sheets=True),
    FieldSpec("external_id", in_sheets=True),
    FieldSpec("url"),
    FieldSpec("qr_code"),
    FieldSpec("owner_unit", MANAGER, in_sheets=True),
    FieldSpec("guiding_unit"),
    FieldSpec("is_personal", MANAGER),
    FieldSpec("is_official", MANAGER),
    FieldSpec("created_month", in_sheets=True),
    FieldSpec("verified", in_sheets=True),
    FieldSpec("verified_month", in_sheets=True),
    FieldSpec("audience", in_sheets=True),
    FieldSpec("update_frequency", in_sheets=True),
    FieldSpec("columns"),
    FieldSpec("introduction"),
    FieldSpec("status", in_sheets=True),
    FieldSpec("filing_state", SCHOOL),
    FieldSpec("registration_number", SCHOOL),
    FieldSpec("last_post_date"),
    FieldSpec("last_post_source"),
    FieldSpec("feed_url"),
    FieldSpec("tier", SERVICE, in_sheets=True),
    FieldSpec("tier_override_reason", SERVICE),
    FieldSpec("closed_on", SERVICE),
    FieldSpec("closed_reason", SERVICE),
)

GROUP_SPEC: tuple[FieldSpec, ...] = (
    FieldSpec("platform", in_sheets=True),
    FieldSpec("name", in_sheets=True),
    FieldSpec("group_number", in_sheets=True),
    FieldSpec("purpose", in_sheets=True),
    FieldSpec("owner_unit", MANAGER, in_sheets=True),
    FieldSpec("creator", in_sheets=True),
    FieldSpec("member_count", in_sheets=True),
    FieldSpec("has_outside_members", in_sheets=True),
    FieldSpec("outside_member_count", in_sheets=True),
    FieldSpec("created_month", in_sheets=True),
    FieldSpec("is_temporary"),
    FieldSpec("temporary_until"),
    FieldSpec("status", in_sheets=True),
    FieldSpec("registered", MANAGER),
    FieldSpec("dissolved_on", SERVICE),
    FieldSpec("dissolved_reason", SERVICE),
)


def _names(spec: Iterable[FieldSpec], *whos: str) -> tuple[str, ...]:
    return tuple(f.name for f in spec if f.who in whos)


#: Fields a form, an importer or a filing may set through a service's `data`.
ACCOUNT_FIELDS = _names(ACCOUNT_SPEC, EDITOR, MANAGER, SCHOOL)
ACCOUNT_MANAGER_FIELDS = frozenset(_names(ACCOUNT_SPEC, MANAGER))
ACCOUNT_SCHOOL_FIELDS = frozenset(_names(ACCOUNT_SPEC, SCHOOL))
#: Every field an audit row compares (what services derive included).
ACCOUNT_AUDITED = tuple(f.name for f in ACCOUNT_SPEC)

GROUP_FIELDS = _names(GROUP_SPEC, EDITOR, MANAGER, SCHOOL)
GROUP_MANAGER_FIELDS = frozenset(_names(GROUP_SPEC, MANAGER))
GROUP_AUDITED = tuple(f.name for f in GROUP_SPEC)


def labels(model: type[models.Model], spec: Iterable[FieldSpec]) -> dict[str, str]:
    """{field: Chinese label} of the fields the seed sheets carry, for import diffs and
    messages; `owner_unit_id`-style keys (what bulk rows use) map to the same label."""
    found = {f.name: f.label(model) for f in spec if f.in_sheets}
    for f in spec:
        if f.in_sheets and model._meta.get_field(f.name).is_relation:
            found[f"{f.name}_id"] = found[f.name]
    return found
