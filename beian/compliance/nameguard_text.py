"""Text machinery of the name guard (beian/compliance/nameguard.py): normalisation of what
people type, tracing a match back to the characters as typed (which writing: Traditional,
full-width, spaced, invisible characters, emoji, punctuation), and the reference data
(toneless and toned homophones from pypinyin's dictionary, the hand-made table of
similar-looking characters, jieba's dictionary laid under the institution's names).

Pure functions of values; nothing here knows a model. See docs/nameguard.md.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

from beian.core.text import to_simplified

if TYPE_CHECKING:
    import jieba

SHAPES_FILE = Path(__file__).with_name("nameguard_data") / "similar_shapes.txt"

# Frequency given to the institution's names in the jieba dictionary: enough for jieba to
# keep a name as one word when nothing competes (华水|表白墙), too little to override real
# words across its edges (郑州|大学城, 湖南|女|院士).
NAME_WORD_FREQUENCY = 1

# --- normalisation -------------------------------------------------------------------

# Characters that render as nothing or steer the layout: soft hyphen, zero-width spaces and
# joiners, direction marks, word joiner and invisible operators, Hangul fillers, variation
# selectors (emoji styles), byte-order mark, tag characters.
INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
# Everything that is not a letter or a digit (punctuation, spaces, emoji, symbols, "_").
SEPARATORS_RE = re.compile(r"[\W_]+")
_KEPT_RE = re.compile(r"[^\W_]")
HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# After lower-casing: Cyrillic and Greek letters that look like Latin ones (NСWU with a
# Cyrillic С), apostrophes (Women's → womens), ü as pinyin's v, and the ideographic full
# stop used in domains (ncwu。edu。cn).
_LOOKALIKE_LETTERS = {
    "а": "a",
    "в": "b",
    "е": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "і": "i",
    "ј": "j",
    "ѕ": "s",
    "α": "a",
    "β": "b",
    "ε": "e",
    "ζ": "z",
    "η": "h",
    "ι": "i",
    "κ": "k",
    "μ": "m",
    "ν": "n",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "y",
    "χ": "x",
}
LOOKALIKES = str.maketrans(
    {**_LOOKALIKE_LETTERS, "'": "", "’": "", "‘": "", "ʼ": "", "ü": "v", "。": "."}
)


@dataclass(frozen=True, slots=True)
class NormalisedName:
    """The forms of one name the guard works on.

    ``raw``: NFKC (full-width → half-width), invisible characters removed, lower case,
    look-alike letters folded, punctuation kept (for domains). ``spaced``: every run of
    punctuation, spaces, emoji and symbols as one space (for Latin words). ``plain``: the
    same without the spaces. ``simple``: ``plain`` in Simplified characters (OpenCC t2s).
    ``cased``: NFKC without invisible characters, letters in the case they were typed.
    """

    raw: str
    spaced: str
    plain: str
    simple: str
    cased: str = ""


# Latin letters with diacritics: pinyin with tone marks (Huáshuǐ, Nǚ) and the like.
_ACCENTED_RE = re.compile("[\u00c0-\u024f\u1e00-\u1eff]")


def _unaccent(match: re.Match) -> str:
    decomposed = unicodedata.normalize("NFD", match.group()).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or match.group()


def _fold(text: str) -> str:
    """Lower case, look-alike letters folded, tone marks and other diacritics dropped."""
    return _ACCENTED_RE.sub(_unaccent, text.lower()).translate(LOOKALIKES)


def normalise(name: str) -> NormalisedName:
    cased = INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", name or ""))
    raw = _fold(cased)
    spaced = SEPARATORS_RE.sub(" ", raw).strip()
    plain = spaced.replace(" ", "")
    return NormalisedName(raw, spaced, plain, to_simplified(plain), cased)


def normalize_name(name: str) -> str:
    """The comparison key of a name: NFKC, no invisible characters, punctuation, spaces or
    emoji, lower case, Simplified. Two names with the same key are the same name."""
    return normalise(name).simple


# --- tracing a match back to what was typed --------------------------------------------

# How a name was written, in the order the evidence lists them.
TRADITIONAL = "繁体"
FULL_WIDTH = "全角"
LOOKALIKE_LETTERS = "形似字母"
SPACES = "含空格"
INVISIBLE = "含不可见字符"
EMOJI = "含表情符号"
PUNCTUATION = "含标点"
PINYIN = "拼音"
WRITING_ORDER = (
    PINYIN,
    TRADITIONAL,
    FULL_WIDTH,
    LOOKALIKE_LETTERS,
    SPACES,
    INVISIBLE,
    EMOJI,
    PUNCTUATION,
)


@lru_cache(maxsize=4096)
def _trace(name: str) -> tuple[int, ...] | None:
    """For each character of ``normalise(name).plain``, the index in ``name`` it came from
    (None when per-character normalisation does not give the same plain form)."""
    origin: list[int] = []
    plain: list[str] = []
    for index, char in enumerate(name):
        folded = INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", char))
        for kept in _KEPT_RE.findall(_fold(folded)):
            plain.append(kept)
            origin.append(index)
    if "".join(plain) != normalise(name).plain:
        return None
    return tuple(origin)


def _is_emoji(char: str) -> bool:
    code = ord(char)
    return unicodedata.category(char) == "So" or 0x1F000 <= code <= 0x1FAFF


def writing_of(typed: str) -> tuple[str, ...]:
    """How a stretch of a name was written, besides plain Simplified characters."""
    found: set[str] = set()
    simple = to_simplified(typed)
    if len(simple) == len(typed):
        found.update(TRADITIONAL for t, s in zip(typed, simple, strict=True) if t != s)
    for char in typed:
        if INVISIBLE_RE.match(char):
            found.add(EMOJI if char in "\ufe0e\ufe0f" else INVISIBLE)
        elif char.isspace():
            found.add(SPACES)
        elif char.lower() in _LOOKALIKE_LETTERS:
            found.add(LOOKALIKE_LETTERS)
        elif HAN_RE.match(char):
            if len(simple) != len(typed) and to_simplified(char) != char:
                found.add(TRADITIONAL)
        elif unicodedata.normalize("NFKC", char) != char and 0xFF00 <= ord(char) <= 0xFFEF:
            found.add(FULL_WIDTH)
            if not _KEPT_RE.match(unicodedata.normalize("NFKC", char)):
                found.add(PUNCTUATION)
        elif _is_emoji(char):
            found.add(EMOJI)
        elif not _KEPT_RE.match(char):
            found.add(PUNCTUATION)
    return tuple(label for label in WRITING_ORDER if label in found)


def typed_span(name: str, start: int, end: int) -> str:
    """The characters of ``name`` (as typed, invisible ones dropped) that gave
    ``normalise(name).plain[start:end]``, with what was inserted between them."""
    origin = _trace(name)
    if origin is None or not 0 <= start < end <= len(origin):
        return INVISIBLE_RE.sub("", name)
    return name[origin[start] : origin[end - 1] + 1]


# --- reference data ----------------------------------------------------------------


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _indexes() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    toneless: dict[str, str] = {}
    by_toneless: dict[str, set[str]] = {}
    by_toned: dict[str, set[str]] = {}
    for codepoint, readings in pinyin_dict.items():
        char = chr(codepoint)
        for reading in readings.split(","):
            syllable = toneless.get(reading)
            if syllable is None:
                syllable = toneless[reading] = _toneless(reading)
            by_toneless.setdefault(syllable, set()).add(char)
            by_toned.setdefault(reading, set()).add(char)
    return (
        {syllable: frozenset(chars) for syllable, chars in by_toneless.items()},
        {reading: frozenset(chars) for reading, chars in by_toned.items()},
    )


def homophone_index() -> dict[str, frozenset[str]]:
    """Toneless pinyin syllable → every character that can be read so (all readings of
    polyphonic characters), from pypinyin's character dictionary."""
    return _indexes()[0]


def toned_homophone_index() -> dict[str, frozenset[str]]:
    """Toned pinyin syllable (huá) → every character that can be read so."""
    return _indexes()[1]


def readings(text: str, style: Style = Style.NORMAL) -> tuple[str, ...]:
    """Pinyin of each character of a name, read in context (大学 → da xue, never dai);
    "" for a character that is not Chinese."""
    found = lazy_pinyin(text, style=style, errors=lambda run: list(run))
    if len(found) != len(text):
        found = [lazy_pinyin(char, style=style)[0] for char in text]
    return tuple(
        reading if HAN_RE.match(char) else "" for char, reading in zip(text, found, strict=True)
    )


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """Pinyin syllables with a vowel (so that 'n', 'm', 'hng' do not make any Latin word
    look like pinyin)."""
    return frozenset(s for s in homophone_index() if s.isascii() and set(s) & set("aeiouv"))


def is_pinyin(text: str) -> bool:
    """Whether Latin text is empty or a sequence of pinyin syllables (daxue, biaobaiqiang)."""
    syllables = _syllables()
    reachable = [True] + [False] * len(text)
    for end in range(1, len(text) + 1):
        for length in range(1, 7):
            if length <= end and reachable[end - length] and text[end - length : end] in syllables:
                reachable[end] = True
                break
    return reachable[-1]


@lru_cache(maxsize=1)
def similar_shapes() -> dict[str, frozenset[str]]:
    """Character → visually similar characters, from nameguard_data/similar_shapes.txt."""
    similar: dict[str, set[str]] = {}
    for line in SHAPES_FILE.read_text(encoding="utf-8").splitlines():
        group = line.split("#", 1)[0].split()
        for char in group:
            similar.setdefault(char, set()).update(c for c in group if c != char)
    return {char: frozenset(chars) for char, chars in similar.items()}


# --- jieba ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def base_tokenizer() -> jieba.Tokenizer:
    """jieba's default dictionary, loaded once and never modified here. jieba is imported
    here, not with the module: 20 MB that web and import workers need only when the name
    guard runs."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.check_initialized()
    return jieba.dt


def word_frequency(word: str) -> int:
    """How often jieba's corpus saw ``word`` as a word (0 for a prefix or an unknown)."""
    return base_tokenizer().FREQ.get(word) or 0


class _OverlayFreq(dict):
    """jieba's word frequencies with a few words laid over them: the base dictionary is
    shared by every guard and never written to."""

    def __init__(self, base: dict[str, int], extra: dict[str, int]):
        super().__init__(extra)
        self.base = base

    def __missing__(self, key):
        return self.base[key]

    def __contains__(self, key):
        return dict.__contains__(self, key) or key in self.base

    def get(self, key, default=None):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return self.base.get(key, default)


def tokenizer_with(words: Iterable[str]) -> jieba.Tokenizer:
    """A jieba tokenizer that knows the institution's names as words."""
    base = base_tokenizer()
    extra: dict[str, int] = {}
    for word in words:
        extra[word] = NAME_WORD_FREQUENCY
        for end in range(1, len(word)):
            if word[:end] not in base.FREQ:
                extra.setdefault(word[:end], 0)
    import jieba

    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = _OverlayFreq(base.FREQ, extra)
    tokenizer.total = base.total + sum(extra.values())
    tokenizer.initialized = True
    return tokenizer
