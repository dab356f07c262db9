"""The registry owns every write of accounts, groups and teams (issue 8, "One write path").

The source tree is read, not imported: any code outside `beian/registry` (migrations, tests
and the test factories aside) that saves, updates, creates, deletes or bulk-writes a
MediaAccount, ChatGroup, AccountMember or GroupMember — on the model, its manager, one of
its querysets, an instance, a related manager, or through the raw `RecordWriter` — fails
this test with the file and line. The detector is tested on snippets first, so that it
cannot pass by finding nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # beian/
MODELS = frozenset({"MediaAccount", "ChatGroup", "AccountMember", "GroupMember"})
#: Relations that lead to those models from any object (unit.accounts, filing.account …).
RELATED = frozenset(
    {"accounts", "groups", "guided_accounts", "created_groups", "account", "group", "record"}
)
#: Relations that lead to them only from a record (account.members: a filing has members too).
RECORD_RELATED = frozenset({"members"})
#: Parameters that, by the project's naming, hold one of those records or a queryset of them.
RECORD_NAMES = frozenset({"account", "group", "accounts", "groups", "record"})
WRITES = frozenset(
    {
        "save",
        "update",
        "delete",
        "create",
        "get_or_create",
        "update_or_create",
        "bulk_create",
        "bulk_update",
        "bulk_create_with_history",
        "bulk_update_with_history",
    }
)
#: The registry itself, its migrations, tests, and the test factories (which build rows as
#: fixtures, not as business writes).
EXEMPT = ("registry/", "/migrations/", "/tests/", "testing.py", "conftest.py")


def _mentions(node: ast.AST, tainted: set[str]) -> bool:
    """Whether an expression reaches one of the models: names the model, a variable that
    holds one, or a relation that leads to one."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and (sub.id in MODELS or sub.id in tainted):
            return True
        if isinstance(sub, ast.Attribute):
            if sub.attr in RELATED:
                return True
            if sub.attr in RECORD_RELATED and _mentions(sub.value, tainted):
                return True
    return False


def _is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict)


def _own_nodes(scope: ast.AST):
    """The nodes of a module or function, not those of the functions inside it."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _names(target: ast.AST) -> list[str]:
    """Plain names an assignment binds (not attributes or items of other objects)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [name for element in target.elts for name in _names(element)]
    return []


def _writes_through(name: str, call: ast.Call, tainted: set[str]) -> bool:
    """A writing function handed the records (`bulk_create_with_history(objs, ChatGroup)`,
    `RecordWriter(MediaAccount, …)`), or a helper handed the model class to write it (a
    bulk-with-history wrapper)."""
    if name in WRITES | {"RecordWriter"}:
        return any(_mentions(arg, tainted) for arg in call.args)
    if any(word in name.lower() for word in ("bulk", "history", "writer")):
        return any(isinstance(arg, ast.Name) and arg.id in MODELS for arg in call.args)
    return False


def violations(source: str, filename: str = "<snippet>") -> list[str]:
    tree = ast.parse(source, filename)
    found: list[str] = []
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for scope in [tree, *functions]:
        tainted: set[str] = set()
        if not isinstance(scope, ast.Module):
            for arg in [*scope.args.args, *scope.args.kwonlyargs]:
                annotated = arg.annotation is not None and _mentions(arg.annotation, set())
                if annotated or arg.arg in RECORD_NAMES:
                    tainted.add(arg.arg)
        body = list(_own_nodes(scope))
        for _round in range(2):  # variables assigned from tainted ones, in either order
            for node in body:
                if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                    if _mentions(node.value, tainted):
                        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                        for target in targets:
                            tainted.update(_names(target))
                elif (
                    isinstance(node, ast.For)
                    and not _is_literal(node.iter)
                    and _mentions(node.iter, tainted)
                ):
                    tainted.update(_names(node.target))
        for node in body:
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in WRITES:
                if _mentions(func.value, tainted):
                    found.append(f"{filename}:{node.lineno}: .{func.attr}(")
                continue
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if _writes_through(name, node, tainted):
                found.append(f"{filename}:{node.lineno}: {name}(")
    return sorted(set(found))


# --- the detector finds what it must --------------------------------------------------------


@pytest.mark.parametrize(
    "snippet",
    [
        "MediaAccount.objects.filter(pk=1).update(status='closed')",
        "ChatGroup.objects.bulk_create(rows)",
        "GroupMember.objects.create(record=g, person=p, role='admin')",
        "def f(a: MediaAccount):\n    a.save(update_fields=['name'])",
        "def f(x):\n    acc = MediaAccount.objects.get(pk=x)\n    acc.name = 'n'\n    acc.save()",
        "def f(filing):\n    filing.account.save()",
        "def f(unit):\n    unit.accounts.all().delete()",
        "def f(account):\n    account.members.create(person=p, role='admin')",
        "def f(rows):\n    for m in AccountMember.objects.filter(record_id=1):\n        m.delete()",
        "bulk_create_with_history(objs, ChatGroup)",
        "w = RecordWriter(ChatGroup, actor=a, now=n, reason='r')",
        "def f(group):\n    group.save()",
        "def _save(record, actor):\n    record.save()",
        "groups = _history([ChatGroup(name='x')], ChatGroup)",
    ],
)
def test_the_detector_catches_a_write(snippet):
    assert violations(snippet), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "Filing.objects.filter(pk=1).update(status='approved')",
        "def f(filing):\n    filing.save(update_fields=['account'])",
        "Person.objects.create(name='x', unit=u)",
        "RecordWriter(Person, actor=a, now=n, reason='r')",
        "MediaAccount.objects.filter(pk=1).values_list('pk', flat=True)",
        "accounts_bulk_upsert(actor=a, authority=auth, create=rows)",
    ],
)
def test_the_detector_leaves_other_writes_and_reads_alone(snippet):
    assert violations(snippet) == []


# --- the tree -------------------------------------------------------------------------------


def test_no_code_outside_the_registry_writes_registry_records():
    files = [
        p
        for p in sorted(ROOT.rglob("*.py"))
        if not any(part in "/" + p.relative_to(ROOT).as_posix() for part in EXEMPT)
    ]
    assert len(files) > 50  # the walk really reads the project
    found = []
    for path in files:
        found += violations(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == [], (
        "Write accounts, groups and teams through beian.registry services "
        "(account_* / group_* / accounts_bulk_upsert / groups_bulk_upsert):\n" + "\n".join(found)
    )
