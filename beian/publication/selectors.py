"""Reads of the public pages: what an institution publishes, the directory, and the answer
to "is this account official?".

Business rules (issue 12):

* An account is *published* when it is active, filed (已备案), not opened in a person's
  name, of a tier the institution publishes, and owned inside its unit tree — and only
  when the institution has switched the directory on.
* A visitor never learns of an unpublished account: it answers "not registered", unless
  the visitor names it exactly (its full name, id or link) and the settings allow
  confirming such a name. The check runs the same database queries whether or not an
  unpublished record matches (a test counts them), so response time does not tell either.
* Nothing personal is read: the queries below take the account's own fields, its
  platform's name and its owning unit's name, never its team or people.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.core.cache import cache
from django.db.models import Q

from beian.compliance.nameguard import NameClass, NameVerdict, SchoolNames, check_name
from beian.core.policy import get_policy
from beian.core.text import normalize_text
from beian.filings.models import Filing
from beian.inspections.choices import InspectionStatus
from beian.inspections.models import Inspection
from beian.inspections.selectors import published_round
from beian.orgs.models import Institution, Unit
from beian.registry.choices import AccountStatus, FilingState
from beian.registry.links import LinkKey, account_keys, link_matches, parse_link
from beian.registry.models import MediaAccount, Platform
from beian.registry.platforms import platforms_spelled

from . import index as search_index
from .models import PublicationSettings

#: The fields of an account a public page may show (and the only ones it reads).
CARD_FIELDS = (
    "pk",
    "name",
    "external_id",
    "url",
    "qr_code",
    "tier",
    "verified",
    "status",
    "filing_state",
    "registration_number",
    "closed_on",
    "is_personal",
    "owner_unit_id",
    "platform__code",
    "platform__name",
    "owner_unit__name",
)
#: Most candidates a check or a validity question looks at.
CANDIDATE_LIMIT = 200
#: Ids no row will ever have (the top of the 64-bit range), padding the check's id list.
NO_SUCH_ID = 2**63 - 1


@dataclass(frozen=True)
class Published:
    """The publication settings in force for one institution (a saved row, or else the
    policy file's `[publication]` section)."""

    root_id: int | None
    only_root: bool
    directory: bool
    tiers: tuple[int, ...]
    confirm_exact_unpublished: bool
    validity: str
    accounts_list: bool
    bulletins: bool
    campaign_ids: frozenset[int]
    inspection_results: bool
    round_ids: frozenset[int]
    report_hint: str
    saved: bool = False

    def bulletin_public(self, campaign_id: int) -> bool:
        return self.bulletins or campaign_id in self.campaign_ids

    def round_public(self, round_id: int) -> bool:
        return self.inspection_results or round_id in self.round_ids


def school_root() -> Unit | None:
    """The root of the (first) unit tree: the institution whose pages these are."""
    return Unit.objects.filter(parent__isnull=True).order_by("pk").first()


def publication_settings(root: Unit | None = None) -> Published:
    """What the institution publishes now (two small queries, three with a saved row)."""
    roots = list(
        Unit.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True)[:2]
    )
    root_id = root.pk if root is not None else (roots[0] if roots else None)
    only_root = len(roots) <= 1
    row = (
        PublicationSettings.objects.filter(root_id=root_id).first() if root_id is not None else None
    )
    if row is None:
        policy = get_policy()
        return Published(
            root_id=root_id,
            only_root=only_root,
            directory=policy.publication.directory,
            tiers=tuple(policy.publication.tiers),
            confirm_exact_unpublished=policy.publication.confirm_exact_unpublished,
            validity=policy.publication.validity,
            accounts_list=policy.publication.accounts_list,
            bulletins=policy.publication.bulletins,
            campaign_ids=frozenset(),
            inspection_results=policy.publication.inspection_results,
            round_ids=frozenset(),
            report_hint=policy.publication.report_hint,
        )
    return Published(
        root_id=root_id,
        only_root=only_root,
        directory=row.directory,
        tiers=tuple(sorted(int(t) for t in row.tiers)),
        confirm_exact_unpublished=row.confirm_exact_unpublished,
        validity=row.validity,
        accounts_list=row.accounts_list,
        bulletins=row.bulletins,
        campaign_ids=frozenset(row.published_campaigns.values_list("pk", flat=True)),
        inspection_results=row.inspection_results,
        round_ids=frozenset(int(pk) for pk in row.published_rounds),
        report_hint=row.report_hint,
        saved=True,
    )


def _tree_ids(settings: Published) -> list[int] | None:
    """The units of the institution whose accounts are public; None: every unit."""
    if settings.only_root or settings.root_id is None:
        return None
    return Unit.objects.subtree_ids([settings.root_id])


def _in_tree(qs, settings: Published):
    tree = _tree_ids(settings)
    return qs if tree is None else qs.filter(owner_unit_id__in=tree)


def _published_q(settings: Published) -> Q:
    return Q(
        status=AccountStatus.ACTIVE,
        filing_state=FilingState.FILED,
        is_personal=False,
        tier__in=settings.tiers,
    )


def published_accounts(settings: Published):
    """The accounts the public may see (none while the directory is off)."""
    if not settings.directory and not settings.accounts_list:
        return MediaAccount.objects.none()
    return _in_tree(MediaAccount.objects.filter(_published_q(settings)), settings)


def cards(qs) -> list[dict]:
    """Card values of accounts: only the public fields (one query)."""
    return [_card(row) for row in qs.values(*CARD_FIELDS)]


def _card(row: dict) -> dict:
    row = dict(row)
    row["platform_code"] = row.pop("platform__code")
    row["platform_name"] = row.pop("platform__name")
    row["unit_name"] = row.pop("owner_unit__name")
    row["tier_label"] = {1: "一级", 2: "二级", 3: "三级"}.get(row["tier"], "")
    row["link"] = row["url"] or (
        row["external_id"] if row["external_id"].startswith(("http://", "https://")) else ""
    )
    return row


@dataclass
class DirectoryPage:
    cards: list[dict]
    has_more: bool
    page: int


def directory_search(
    settings: Published,
    *,
    text: str = "",
    platform: str = "",
    unit: int | None = None,
    page: int = 1,
    per_page: int = 30,
) -> DirectoryPage:
    """Published accounts by name (Chinese substring, Traditional input, pinyin initials or
    full pinyin, the account id), platform code and unit (with its subtree), in the
    registry's order; one page without counting the rest (a phone needs no total)."""
    if not settings.directory:
        return DirectoryPage([], False, 1)
    idx = _index(settings)
    # rows in the registry's order, streamed and cut at the page: a common word ("学")
    # matches most accounts, and only the first rows of the page are needed
    text = normalize_text(text)
    within: list[set[int]] = []
    if platform:
        within.append(_platform_rows(idx, platform))
    if unit:
        unit_rows: set[int] = set()
        for pk in Unit.objects.subtree_ids([unit]):
            unit_rows.update(idx.by_unit.get(pk, ()))
        within.append(unit_rows)
    if text:
        candidates = _search_stream(idx, text)
    elif within:
        candidates = iter(sorted(min(within, key=len)))
    else:
        candidates = iter(idx.published_rows)
    published = idx.published
    page = max(1, page)
    start = (page - 1) * per_page
    shown = (r for r in candidates if published[r] and all(r in rows for rows in within))
    ordered = list(islice(shown, start, start + per_page + 1))
    pks = [idx.pks[r] for r in ordered]
    found = _fresh_cards(settings, pks, lambda card: _is_published(card, settings))
    return DirectoryPage(found[:per_page], len(ordered) > per_page, page)


def _fresh_cards(settings: Published, pks: list[int], keep) -> list[dict]:
    """The cards of `pks`, in that order, read fresh of the accounts `keep(card)` accepts
    and still in the institution's tree (the index may lag a write). Read by primary key
    and checked here: with the conditions in the query, SQLite walked the status index
    over every active account (20 ms at 200,000)."""
    tree = _tree_ids(settings)
    tree = None if tree is None else set(tree)
    by_pk = {c["pk"]: c for c in cards(MediaAccount.objects.filter(pk__in=pks).order_by())}
    return [
        card
        for card in (by_pk[pk] for pk in pks if pk in by_pk)
        if keep(card) and (tree is None or card["owner_unit_id"] in tree)
    ]


def _index(settings: Published) -> search_index.Index:
    return search_index.get_index(_tree_ids(settings), settings.tiers)


def _platform_rows(idx: search_index.Index, code: str) -> set[int]:
    found: set[int] = set()
    for pk in Platform.objects.filter(code=code).values_list("pk", flat=True):
        found.update(idx.by_platform.get(pk, ()))
    return found


def _unique(rows: Iterable[int]) -> Iterator[int]:
    """An increasing stream with its repeats dropped."""
    last = -1
    for row in rows:
        if row != last:
            yield row
            last = row


def _text_stream(idx: search_index.Index, text: str) -> Iterator[int]:
    """Name contains the text, or the account id does, or the pinyin keys start with it
    (the registry's `_text_q`, over the index), in increasing row order."""
    streams = [idx.name.iter_contains(text), idx.external_id.iter_contains(text)]
    ascii_text = text.lower().replace(" ", "")
    if ascii_text.isascii() and ascii_text.isalnum():
        streams += [
            idx.initials.iter_startswith(ascii_text),
            idx.pinyin.iter_startswith(ascii_text),
        ]
    return _unique(heapq.merge(*streams))


def _search_stream(idx: search_index.Index, text: str) -> Iterator[int]:
    """The registry's `search` over the index, in increasing row order: the text, a
    platform by any of its spellings ("B站"), or a platform's spelling followed by a text
    ("B站 校团委")."""
    streams: list[Iterable[int]] = [_text_stream(idx, text)]
    for pk in platforms_spelled(text, for_groups=False):
        streams.append(idx.by_platform.get(pk, ()))  # rows appended in increasing order
    head, _space, rest = text.partition(" ")
    if rest.strip():
        in_platforms: set[int] = set()
        for pk in platforms_spelled(head, for_groups=False):
            in_platforms.update(idx.by_platform.get(pk, ()))
        if in_platforms:
            streams.append(r for r in _text_stream(idx, rest.strip()) if r in in_platforms)
    return _unique(heapq.merge(*streams))


def published_card(settings: Published, pk: int) -> dict | None:
    """One published account's card, or None (absent and unpublished look the same)."""
    if not settings.directory:
        return None
    found = cards(published_accounts(settings).filter(pk=pk))
    return found[0] if found else None


def directory_filters(settings: Published) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
    """(platforms, units) that have published accounts, for the directory's two selects;
    kept 5 minutes in the cache (two scans of the published accounts otherwise)."""
    tiers = "-".join(map(str, settings.tiers))
    key = f"pub-filters:{settings.root_id}:{tiers}:{int(settings.directory)}"
    found = cache.get(key)
    if found is None:
        found = _directory_filters(settings)
        cache.set(key, found, 300)
    return found


def _directory_filters(settings: Published):
    qs = published_accounts(settings)
    platform_ids = set(qs.values_list("platform_id", flat=True).distinct().order_by())
    unit_ids = set(qs.values_list("owner_unit_id", flat=True).distinct().order_by())
    platforms = list(
        Platform.objects.filter(pk__in=platform_ids)
        .values_list("code", "name")
        .order_by("sort_order", "name")
    )
    units = list(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name").order_by("name"))
    return platforms, units


# --- "Is this official?" ---------------------------------------------------------------------

OFFICIAL = "official"
CLOSED = "closed"
CONFIRMED = "confirmed"  # registered, not published, named exactly, policy allows saying so
NOT_REGISTERED = "not_registered"
SHORT_LINK = "short_link"
EMPTY = "empty"


@dataclass
class Answer:
    """One clear answer to "is this official?" with what it rests on."""

    query: str
    kind: str
    official: list[dict] = field(default_factory=list)
    closed: list[dict] = field(default_factory=list)
    confirmed: dict | None = None
    link: LinkKey | None = None
    verdict: NameVerdict | None = None
    report_hint: str = ""

    @property
    def imitation(self) -> bool:
        return self.verdict is not None and self.verdict.name_class in (
            NameClass.USES_NAME,
            NameClass.IMITATES,
        )


def _registered_q() -> Q:
    """Accounts that are or were registered: filed, or closed with a registration number."""
    return search_index.registered_q()


def _candidates(settings: Published, text: str, link: LinkKey | None) -> list[dict]:
    """Every registered account the input might name, published or not, published first:
    the check takes its answer from these in Python, and the database query is the same
    whatever the answer (a fixed list of CANDIDATE_LIMIT ids, padded with ids no row has)."""
    idx = _index(settings)
    if link is not None:
        rows = idx.external_id.contains(link.needle) | idx.url.contains(link.needle)
        if link.platform:
            rows &= _platform_rows(idx, link.platform)
    else:
        rows = idx.name.contains(text) | idx.external_id.equals(text) | idx.number.equals(text)
        ascii_text = text.lower().replace(" ", "")
        if ascii_text.isascii() and ascii_text.isalnum():
            rows |= idx.initials.startswith(ascii_text) | idx.pinyin.startswith(ascii_text)
    published = idx.published
    ordered = sorted(rows, key=lambda r: (not published[r], r))[:CANDIDATE_LIMIT]
    pks = [idx.pks[r] for r in ordered]
    padded = pks + [NO_SUCH_ID - n for n in range(CANDIDATE_LIMIT - len(pks))]
    qs = _in_tree(MediaAccount.objects.filter(_registered_q(), pk__in=padded), settings)
    by_pk = {c["pk"]: c for c in cards(qs.order_by())}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def _is_published(card: dict, settings: Published) -> bool:
    return (
        settings.directory
        and card["status"] == AccountStatus.ACTIVE
        and card["filing_state"] == FilingState.FILED
        and not card["is_personal"]
        and card["tier"] in settings.tiers
    )


def _was_published(card: dict, settings: Published) -> bool:
    return (
        settings.directory
        and card["status"] == AccountStatus.CLOSED
        and not card["is_personal"]
        and card["tier"] in settings.tiers
    )


def _names_exactly(card: dict, text: str, link: LinkKey | None) -> bool:
    if link is not None:
        return link_matches(link, card["platform_code"], card["external_id"], card["url"])
    key = text.lower()
    return (
        normalize_text(card["name"]).lower() == key
        or card["external_id"].strip().lower() == key
        or card["registration_number"].lower() == key
    )


def school_title() -> str:
    """The institution's full name, as public pages and lists are headed."""
    institution = Institution.objects.order_by("pk").only("full_name").first()
    return institution.full_name if institution else ""


def school_names() -> SchoolNames | None:
    institution = Institution.objects.order_by("pk").first()
    if institution is None:
        return None
    try:
        return SchoolNames.from_institution(institution)
    except ValueError:
        return None


def check_account(settings: Published, raw: str) -> Answer:
    """The answer to a visitor's name, id or link (see the module's rules)."""
    text = normalize_text(raw)[:200]
    if not text:
        return Answer(query="", kind=EMPTY)
    link = parse_link(text)
    names = school_names()  # always read: the same queries for every answer
    if link is not None and link.short:
        return Answer(query=text, kind=SHORT_LINK, link=link, report_hint=settings.report_hint)
    found = _candidates(settings, text, link)
    if link is not None:
        found = [c for c in found if _names_exactly(c, text, link)]
    official = [c for c in found if _is_published(c, settings)]
    closed = [c for c in found if _was_published(c, settings)]
    if link is None:
        # by name: a closed account is named by its whole name (or id), not a part of it
        closed = [c for c in closed if _names_exactly(c, text, None)]
    confirmed = None
    if settings.confirm_exact_unpublished and settings.directory:
        confirmed = next(
            (
                c
                for c in found
                if c["filing_state"] == FilingState.FILED
                and c["status"] == AccountStatus.ACTIVE
                and not _is_published(c, settings)
                and _names_exactly(c, text, link)
            ),
            None,
        )
    if not settings.directory:
        official, closed, confirmed = [], [], None
    verdict = None
    if (
        link is None
        and names is not None
        and not any(_names_exactly(c, text, None) for c in official)
    ):
        verdict = check_name(text, names, is_registered=False)
    if official:
        kind = OFFICIAL
    elif closed:
        kind = CLOSED
    elif confirmed:
        kind = CONFIRMED
    else:
        kind = NOT_REGISTERED
    if kind != NOT_REGISTERED:
        verdict = None  # a registered (or once registered) account is not an imitation
    return Answer(
        query=text,
        kind=kind,
        official=official,
        closed=closed,
        confirmed=confirmed,
        link=link,
        verdict=verdict,
        report_hint=settings.report_hint,
    )


# --- the validity endpoint ------------------------------------------------------------------


def validity(settings: Published, *, platform: str = "", ident: str = "", url: str = "",
             trusted: bool = False) -> dict:  # fmt: skip
    """Whether an account's filing is valid, for campus systems: by platform code + id, or
    by link. A trusted caller (token) learns of every registered account; the public
    only of published ones (anything else answers "not registered"). A NUL character is
    in no stored value and PostgreSQL refuses it in a query: such a question is malformed."""
    if "\x00" in platform + ident + url:
        return _validity(None, status="bad_request")
    link = parse_link(url or ident) if (url or ident) else None
    if link is not None and link.short:
        return _validity(None, status="unresolvable_short_link")
    text = normalize_text(ident)
    idx = _index(settings)
    if link is not None:
        rows = idx.external_id.contains(link.needle) | idx.url.contains(link.needle)
        if link.platform or platform:
            rows &= _platform_rows(idx, link.platform or platform)
        found = [
            c
            for c in _registered_cards(idx, settings, rows)
            if link_matches(link, c["platform_code"], c["external_id"], c["url"])
        ]
    elif platform and text:
        rows = idx.external_id.equals(text) | idx.url.contains(text)
        rows &= _platform_rows(idx, platform)
        key = f"id/{text.lower()}"
        found = [
            c
            for c in _registered_cards(idx, settings, rows)
            if key in account_keys(c["platform_code"], c["external_id"], c["url"])
            or c["url"].strip().lower() == text.lower()
        ]
    else:
        return _validity(None, status="bad_request")
    if not trusted:
        found = [c for c in found if _is_published(c, settings) or _was_published(c, settings)]
    found.sort(key=lambda c: c["status"] != AccountStatus.ACTIVE)
    return _validity(found[0] if found else None)


def _registered_cards(idx: search_index.Index, settings: Published, rows: set[int]) -> list:
    """The cards of the first CANDIDATE_LIMIT index `rows` (registry order), read fresh,
    of the accounts still registered: filed, or closed with a registration number."""
    pks = [idx.pks[r] for r in sorted(rows)[:CANDIDATE_LIMIT]]
    return _fresh_cards(settings, pks, _is_registered)


def _is_registered(card: dict) -> bool:
    """`registered_q()` of one card."""
    return card["filing_state"] == FilingState.FILED or bool(
        card["status"] == AccountStatus.CLOSED and card["registration_number"]
    )


def _validity(card: dict | None, status: str = "not_registered") -> dict:
    if card is None:
        return {
            "valid": False,
            "status": status,
            "registration_number": "",
            "unit": "",
            "valid_since": None,
            "closed_on": None,
        }
    approved = (
        Filing.objects.filter(registration_number=card["registration_number"])
        .exclude(registration_number="")
        .values_list("decided_at", flat=True)
        .first()
    )
    active = card["status"] == AccountStatus.ACTIVE and card["filing_state"] == FilingState.FILED
    return {
        "valid": active,
        "status": "registered" if active else ("closed" if card["closed_on"] else card["status"]),
        "registration_number": card["registration_number"],
        "unit": card["unit_name"],
        "valid_since": approved.date().isoformat() if approved else None,
        "closed_on": card["closed_on"].isoformat() if card["closed_on"] else None,
    }


# --- published inspection results -----------------------------------------------------------


def public_rounds(settings: Published) -> list:
    """The inspection rounds whose results the public may see, newest first: a round the
    school published from its results page, a round chosen on the settings page, or —
    with "公布全部年检结果" on — every finished round of the school."""
    qs = Inspection.objects.filter(owner_unit__parent__isnull=True)
    if not settings.only_root and settings.root_id is not None:
        qs = qs.filter(owner_unit_id=settings.root_id)
    shown = Q(published=True) | Q(pk__in=sorted(settings.round_ids))
    if settings.inspection_results:
        shown |= Q(status=InspectionStatus.CLOSED)
    return list(qs.filter(shown).order_by("-year", "-pk"))


def public_round(settings: Published, pk: int) -> dict | None:
    """One published round's results (names, platforms, units, grades and the counts), or
    None: an unpublished round and an unknown id look the same."""
    found = next((r for r in public_rounds(settings) if r.pk == pk), None)
    return published_round(found) if found is not None else None
