"""Pinyin search keys for bulk imports: the same result as `beian.core.text.pinyin_keys`,
computed once per run of Chinese characters instead of once per name.

pypinyin first splits a name into runs of Chinese characters and runs of anything else,
then segments each Chinese run into words to choose the readings of polyphones (重庆
chong, 银行 hang). A run's reading therefore depends on that run only, so it can be cached:
"计算机学院2022级辅导员群" is "计算机学院" + "2022" + "级辅导员群", and the runs recur across
thousands of group names. The initials are the first letters of the full syllables
(pypinyin's FIRST_LETTER style gives exactly that; a test checks every character of its
dictionary), so one pypinyin call per new run gives both keys. Stored values are
identical to those `Model.save()` computes (a property test compares them)."""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS

from beian.core.text import to_simplified

_CACHE_LIMIT = 500_000
_runs: dict[str, tuple[str, str]] = {}
# pypinyin's own character class of Chinese characters (RE_HANS is "^(?:[…])+$"), used to
# split a name into Chinese and other runs exactly as its `simple_seg` does, in C.
_SPLIT = re.compile("(" + RE_HANS.pattern.removeprefix("^").removesuffix("$") + ")", RE_HANS.flags)


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


def _run_keys(run: str) -> tuple[str, str]:
    found = _runs.get(run)
    if found is not None:
        return found
    if run.isascii():  # digits and letters pass through as they are: no need to cache
        letters = run.lower() if run.isalnum() else _letters(run)
        return letters, letters
    if RE_HANS.match(run):
        syllables = lazy_pinyin(run, style=Style.NORMAL, errors="default")
        found = (_letters("".join(syllables)), _letters("".join(s[:1] for s in syllables)))
    else:
        letters = _letters(run)
        found = (letters, letters)
    if len(_runs) >= _CACHE_LIMIT:
        _runs.clear()
    _runs[run] = found
    return found


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full toneless pinyin, initials), exactly as `beian.core.text.pinyin_keys`."""
    return _keys(to_simplified(name or ""))


def pinyin_keys_many(names: list[str]) -> list[tuple[str, str]]:
    """`pinyin_keys` of each name. The names go through OpenCC in one call (joined by line
    breaks, which no conversion spans: three times faster than a call per name); a name
    that holds a line break itself is converted on its own."""
    if any("\n" in name for name in names):
        return [pinyin_keys(name) for name in names]
    simplified = to_simplified("\n".join(names)).split("\n")
    if len(simplified) != len(names):  # not expected; never guess which name is which
        return [pinyin_keys(name) for name in names]
    return [_keys(name) for name in simplified]


def _keys(name: str) -> tuple[str, str]:
    """The keys of a name already in Simplified characters."""
    if not name:
        return "", ""
    full: list[str] = []
    initials: list[str] = []
    for run in _SPLIT.split(name):
        if not run:
            continue
        run_full, run_initials = _run_keys(run)
        full.append(run_full)
        initials.append(run_initials)
    return "".join(full)[:255], "".join(initials)[:64]
