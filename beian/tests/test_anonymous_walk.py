"""Every URL of the URLconf, walked anonymously, shows no mobile, e-mail or QQ number of the
people in the database (issue 9, acceptance): whatever routes exist when the test runs —
public pages included — with their URL arguments filled with real object ids."""

from __future__ import annotations

import itertools
import uuid

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from beian.orgs.models import Person, Unit
from beian.testing import make_person
from beian.tests.matrix import World

pytestmark = pytest.mark.django_db

#: Values tried for string arguments (formats, kinds, sheet codes…), besides real slugs.
WORDS = ("accounts", "groups", "units", "people", "xlsx", "docx", "csv", "pdf", "cs", "lit",
         "accounts-unit", "accounts-pdsu", "x")  # fmt: skip
MAX_INT_VALUES = 12


def routes():
    """(name, {kwarg: converter class name}) of every named route, admin included."""
    found = []

    def walk(patterns, namespace, converters):
        for p in patterns:
            own = dict(getattr(p.pattern, "converters", {}) or {})
            kinds = {**converters, **{k: type(v).__name__ for k, v in own.items()}}
            if not own and hasattr(p.pattern, "regex"):
                kinds.update(dict.fromkeys(p.pattern.regex.groupindex, "str"))
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p.url_patterns, ns, kinds)
            elif isinstance(p, URLPattern) and p.name:
                found.append((f"{namespace}:{p.name}" if namespace else p.name, kinds))

    walk(get_resolver().url_patterns, "", {})
    return found


def candidates(kind: str, ints: list[int], strings: list[str]) -> list:
    if kind == "IntConverter":
        return ints
    if kind == "UUIDConverter":
        return [uuid.uuid4()]
    return strings


def urls(ints: list[int], strings: list[str]):
    for name, kinds in routes():
        if not kinds:
            values = [{}]
        else:
            keys = sorted(kinds)
            pools = [candidates(kinds[k], ints, strings) for k in keys]
            if len(keys) > 1:
                pools = [pool[:4] for pool in pools]
            values = [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*pools)]
        for kwargs in values:
            try:
                yield name, reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    text = content.decode("utf-8", "replace")
    return text + " " + response.get("Location", "")


def test_walking_every_url_anonymously_shows_no_personal_data(client):
    """Acceptance of issue 9: 0 mobiles, e-mails or QQ numbers on any page an anonymous
    visitor can reach (login page, public directory, error pages, API, redirects)."""
    world = World()
    make_person("王联系", unit=world.cast.cs, mobile="13711112222", email="wang@ncwu.edu.cn",
                qq="87654321")  # fmt: skip
    secrets = set()
    for mobile, email, qq in Person.objects.values_list("mobile", "email", "qq"):
        secrets.update(value for value in (mobile, email, qq) if value and len(value) >= 5)
    assert len(secrets) >= 6
    ints = sorted({*range(1, MAX_INT_VALUES + 1)})
    strings = [*WORDS, *(code for code in Unit.objects.values_list("code", flat=True) if code)]

    walked, leaks = 0, []
    for name, url in urls(ints, strings):
        response = client.get(url)
        walked += 1
        text = body_of(response)
        found = sorted(secret for secret in secrets if secret in text)
        if found:
            leaks.append(f"{name} {url} ({response.status_code}): {found}")
    assert walked > 300
    assert leaks == []


def test_the_walk_would_see_a_leak(client):
    """The same reading finds the mobile on a page that legitimately shows it (a school
    admin's view of the person), so a clean walk means something."""
    world = World()
    client.force_login(world.cast.school_admin)
    person = world.cast.lit_teacher
    text = body_of(client.get(reverse("orgs:person_detail", args=[person.pk])))
    assert person.mobile in text or person.email in text
