"""Every setting of the policy file is read by the code it documents.

A key that the policy file accepts but nothing reads is a switch that does nothing (issue 8:
`team.first_responsible_must_be_cadre` and `filing.groups_require_filing` were such keys).
This test lists every key the loader knows — the fields of the `Policy` dataclass tree,
with `[calendar]` as the fields of `WorkCalendar` — and looks for a read of each in the
application code outside `beian/core/policy.py` (tests and migrations excluded), by
walking the Python syntax trees and scanning the templates:

- an attribute path that names the key: `policy.filing.groups_require_filing`,
  `ctx.policy.team.first_responsible_must_be_cadre`, `policy.filing.chain.group`;
- a call of a method of the key's section that reads the key:
  `policy.filing.informs_school(...)` reads `filing.tier3_inform_school`, because
  `FilingPolicy.informs_school` reads `self.tier3_inform_school` (methods calling other
  methods of the same object are followed; `getattr(self.chain, f"tier{n}")` reads every
  `chain.tier*` key; a method that takes its whole section object, as `Policy.deadline`
  takes `self.calendar`, reads every key of it);
- the same through a method of `Policy` itself (`policy.deadline(...)`,
  `policy.exceeds_audience_threshold(...)`) when the receiver is a policy
  (a name containing "policy", or `get_policy()`);
- in a template, `policy.<section>.<key>` or `<section>.<key>`.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import textwrap
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from beian.core import holidays
from beian.core.policy import Policy

ROOT = Path(__file__).resolve().parents[1]  # the beian package
POLICY_MODULE = ROOT / "core" / "policy.py"


# --- the keys -------------------------------------------------------------------------------


def _section_classes(policy_cls: type = Policy) -> dict[str, type | None]:
    """Section name → the class holding its keys (None for a table of free keys such as
    [audience_thresholds])."""
    sections = {}
    for f in dataclasses.fields(policy_cls):
        if f.name == "source":
            continue
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        sections[f.name] = type(default) if dataclasses.is_dataclass(default) else None
    return sections


def _is_table(value) -> bool:
    """A nested table of keys ([filing.chain] → ChainPolicy), not a value object such as
    the Duration of `report_within`."""
    return dataclasses.is_dataclass(value) and type(value).__name__.endswith("Policy")


def policy_keys(policy_cls: type = Policy) -> list[tuple[str, ...]]:
    """Every key of the policy file as a path: ("filing", "lead_days"),
    ("filing", "chain", "tier2"), ("audience_thresholds",), ("calendar", "holidays")."""
    keys = []
    for section, cls in _section_classes(policy_cls).items():
        if cls is None:
            keys.append((section,))
            continue
        for f in dataclasses.fields(cls):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            if _is_table(default):
                keys += [(section, f.name, sub.name) for sub in dataclasses.fields(default)]
            else:
                keys.append((section, f.name))
    return keys


# --- reading syntax trees ---------------------------------------------------------------------


def _attr_path(node: ast.AST) -> list[str]:
    """`a.b.c` → ["a", "b", "c"]; a call in the chain is written "name()"."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        elif isinstance(node, ast.Call):
            inner = _attr_path(node.func)
            parts.append((inner[-1] if inner else "") + "()")
            break
        else:
            break
    return parts[::-1]


def _outer_attributes(tree: ast.AST, skip: set[int] = frozenset()) -> Iterator[list[str]]:
    """The paths of the attribute chains of a tree, whole (`a.b.c`, not also `a.b`)."""
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner and id(node) not in skip:
            yield _attr_path(node)


def _is_policy(name: str) -> bool:
    """A receiver that holds the policy: `policy`, `ctx.policy`, `get_policy()`."""
    return "policy" in name.lower()


# --- what the section classes' methods read ---------------------------------------------------


@cache
def _method_reads(cls: type) -> dict[str, set[tuple[str, ...]]]:
    """Method name → the paths below `self` it reads (("lead_days",), ("chain", "tier1"),
    ("chain", "tier*") for a getattr with an f-string, ("calendar",) for the whole object),
    following calls of other methods of `self`."""
    fields = {f.name for f in dataclasses.fields(cls)}
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    direct: dict[str, set[tuple[str, ...]]] = {}
    calls: dict[str, set[str]] = {}
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        reads: set[tuple[str, ...]] = set()
        called: set[str] = set()
        getattr_targets: set[int] = set()
        for node in ast.walk(fn):
            if not isinstance(node, ast.Call):
                continue
            path = _attr_path(node.func)
            if len(path) == 2 and path[0] == "self":
                called.add(path[1])
            if path == ["getattr"] and len(node.args) >= 2:
                target, name = node.args[0], node.args[1]
                target_path = _attr_path(target)
                if target_path[:1] == ["self"] and isinstance(name, ast.JoinedStr):
                    head = name.values[0] if name.values else None
                    prefix = head.value if isinstance(head, ast.Constant) else ""
                    reads.add((*target_path[1:], f"{prefix}*"))
                    getattr_targets.add(id(target))
        for path in _outer_attributes(fn, getattr_targets):
            if path[:1] == ["self"] and len(path) >= 2 and path[1] in fields:
                reads.add(tuple(path[1:3]))
        direct[fn.name] = reads
        calls[fn.name] = called
    result = {}
    for name in direct:
        seen, stack, reads = {name}, [name], set()
        while stack:
            current = stack.pop()
            reads |= direct.get(current, set())
            for callee in calls.get(current, ()):
                if callee in direct and callee not in seen:
                    seen.add(callee)
                    stack.append(callee)
        result[name] = reads
    return result


def _expand(section: str, read: tuple[str, ...], policy_cls: type = Policy) -> set[tuple[str, ...]]:
    """The keys of `section` a read below it covers: the key itself; every key of a nested
    object read whole; the keys starting with prefix for a "prefix*" name. A section of
    free keys ([audience_thresholds]) is covered by any read."""
    keys = [k for k in policy_keys(policy_cls) if k[0] == section]
    if keys == [(section,)]:
        return {(section,)}
    covered = set()
    for key in keys:
        rest = key[1:]
        if len(read) <= len(rest) and all(
            r == k or (r.endswith("*") and k.startswith(r[:-1]))
            for r, k in zip(read, rest, strict=False)
        ):
            covered.add(key)
    return covered


# --- the application code ---------------------------------------------------------------------


def _sources() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if path == POLICY_MODULE or "tests" in parts or "migrations" in parts:
            continue
        yield path


def reads_in_code(policy_cls: type = Policy) -> dict[tuple[str, ...], set[str]]:
    """Key → the files (relative to beian/) that read it."""
    sections = _section_classes(policy_cls)
    keys = set(policy_keys(policy_cls))
    policy_methods = _method_reads(Policy)
    found: dict[tuple[str, ...], set[str]] = {}

    def note(covered, where):
        for key in covered:
            found.setdefault(key, set()).add(where)

    for path in _sources():
        where = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # `policy.<section>.<key>[.<sub key>]`, read where it is written
        for chain in _outer_attributes(tree):
            for i in range(1, len(chain)):
                section = chain[i]
                if section not in sections or not _is_policy(chain[i - 1]):
                    continue
                if sections[section] is None:
                    note({(section,)}, where)
                    continue
                rest = tuple(chain[i + 1 : i + 3])
                note({k for k in ((section, *rest[:1]), (section, *rest)) if k in keys}, where)
        # `policy.<section>.<method>(…)` and `policy.<method>(…)`: what the method reads
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            chain = _attr_path(node.func)
            if len(chain) >= 3 and chain[-2] in sections and _is_policy(chain[-3]):
                cls = sections[chain[-2]]
                for read in _method_reads(cls).get(chain[-1], ()) if cls else ():
                    note(_expand(chain[-2], read, policy_cls), where)
            if len(chain) >= 2 and _is_policy(chain[-2]) and chain[-1] in policy_methods:
                for read in policy_methods[chain[-1]]:
                    note(_expand(read[0], read[1:], policy_cls), where)
    template = re.compile(r"\bpolicy\.(" + "|".join(sections) + r")\.(\w+)")
    for path in sorted(ROOT.rglob("*.html")):
        for section, name in template.findall(path.read_text(encoding="utf-8")):
            note(_expand(section, (name,), policy_cls), str(path.relative_to(ROOT)))
    return found


# --- the tests --------------------------------------------------------------------------------


def test_the_key_list_is_the_policy_files():
    keys = policy_keys()
    assert ("filing", "groups_require_filing") in keys
    assert ("team", "first_responsible_must_be_cadre") in keys
    assert ("filing", "chain", "tier2") in keys
    assert ("audience_thresholds",) in keys
    assert ("calendar", "makeup_workdays") in keys
    assert ("inspection", "month") in keys
    # every key is one the repository's beian.toml spells out
    toml = (ROOT.parent / "beian.toml").read_text(encoding="utf-8")
    for key in keys:
        assert re.search(rf"^\s*{re.escape(key[-1])}\s*=", toml, re.M) or (f"[{key[0]}]" in toml), (
            key
        )


def test_every_policy_key_is_read_outside_the_loader():
    found = reads_in_code()
    unread = [".".join(key) for key in policy_keys() if not found.get(key)]
    assert unread == [], (
        "policy keys defined in beian/core/policy.py that no application code reads — wire "
        f"them where docs/policy.md says they act, or remove them: {unread}"
    )


def test_the_search_finds_reads_of_each_kind():
    found = reads_in_code()
    # a plain attribute path in a rule
    assert "compliance/rules/team.py" in found[("team", "first_responsible_must_be_cadre")]
    assert "compliance/rules/groups.py" in found[("filing", "groups_require_filing")]
    # a method of the section that reads the key
    assert "filings/services/submission.py" in found[("filing", "tier3_inform_school")]
    # a getattr over the chain
    assert found[("filing", "chain", "tier1")]
    # a Policy method whose section object is read whole
    assert found[("calendar", "holidays")]
    # the home page reads the zombie threshold and the inspection month
    assert "dashboard/selectors.py" in found[("zombie", "close_after_days")]
    assert "dashboard/selectors.py" in found[("inspection", "month")]


@dataclasses.dataclass(frozen=True)
class _Extra:
    never_read_anywhere: bool = False
    month: int = 12  # a name other sections use: read only as extra.month, which nobody does


@dataclasses.dataclass(frozen=True)
class _PolicyWithAnUnreadSection(Policy):
    extra: _Extra = dataclasses.field(default_factory=_Extra)


def test_a_key_nobody_reads_is_reported():
    """The search is not vacuous: a section whose keys nothing reads is reported, even
    when another section has a key of the same name that is read."""
    found = reads_in_code(_PolicyWithAnUnreadSection)
    unread = [key for key in policy_keys(_PolicyWithAnUnreadSection) if not found.get(key)]
    assert unread == [("extra", "never_read_anywhere"), ("extra", "month")]


def test_holidays_module_is_the_calendar_section():
    assert _section_classes()["calendar"] is holidays.WorkCalendar
