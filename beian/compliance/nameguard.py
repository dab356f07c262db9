"""Name guard (PRODUCT §8): does an account name belong to the school, use the school's
name, imitate it, or have nothing to do with it?

The business rules, from the seed notices (000: "不得冠以“湖南女子学院”、“湖南女院”、
“湘女院”、学校中英文名称与首字母组合、学校官网域名等字样"; 003: accounts whose name
contains the school's Chinese or English full or short name must be filed, and may not be
named "以学校名称谐音、污名化方式"):

* ``official``  – the name, normalised, equals the name of a registered (已备案) account,
  or the caller says the account is registered (``is_registered=True``).
* ``uses_name`` – the normalised name contains the school's full name, one of its short
  names (as whole words: jieba tokens, so that 中华水果 does not contain 华水) or its
  English name (whole words). Such an account must be registered, or closed.
* ``imitates``  – the name matches only after a transformation: Traditional characters,
  homophones (toneless pinyin), visually similar characters, the name spelt in pinyin,
  the institution type swapped (大学 ↔ 学院), the initials (NCWU) or the web domain
  (ncwu.edu.cn), or mockery (a twist into a derogatory word, or the name next to one).
* ``unrelated`` – none of the above.

A plain function of values, no database: callers pass the institution's names
(:class:`SchoolNames`) and the registered account names. See docs/nameguard.md.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba
from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

from beian.core.text import to_simplified

SHAPES_FILE = Path(__file__).with_name("nameguard_data") / "similar_shapes.txt"

# Words that make a twisted short name read as a school name (校园语境): a homophone or
# look-alike of a short name of three characters or fewer counts only next to one of them,
# because such short twists are everyday words (滑水运动, 今天也在划水, 正大集团).
CAMPUS_WORDS = (
    "大学",
    "学院",
    "学校",
    "高校",
    "校园",
    "校区",
    "校友",
    "校内",
    "学生",
    "学子",
    "同学",
    "新生",
    "迎新",
    "军训",
    "考研",
    "表白",
    "树洞",
    "吐槽",
    "食堂",
    "宿舍",
    "图书馆",
    "教务",
    "社团",
    "团委",
    "研究生",
    "本科",
    "毕业",
    "学长",
    "学姐",
    "学弟",
    "学妹",
    "老乡会",
    "选课",
    "课表",
    "期末",
    "university",
    "college",
    "campus",
    "alumni",
    "student",
    "school",
    "daxue",
    "xueyuan",
)

# Derogatory words (污名化): a twist of the name into one of them, or the name next to one,
# is mockery.
DEROGATORY_WORDS = (
    "划水",
    "摸鱼",
    "野鸡",
    "垃圾",
    "辣鸡",
    "拉圾",
    "废物",
    "监狱",
    "集中营",
    "养猪场",
    "养殖场",
    "屠宰场",
    "智障",
    "脑残",
    "骗子",
    "骗钱",
    "坑爹",
    "倒闭",
    "狗屎",
)

# Short names that well-known organisations other than schools go by as well: an account
# named 南航航班动态 is China Southern Airlines'. They count only next to a campus word.
# A school adds its own through SchoolNames.shared_names.
SHARED_SHORT_NAMES = {
    "南航": "中国南方航空",
    "人大": "人民代表大会",
    "中石油": "中国石油天然气集团",
    "西电": "中国西电集团",
}

# How Chinese institution names end; the stem before them, when at least four characters
# long, identifies the school, and the stem with another ending imitates it.
INSTITUTION_TYPES = ("大学", "学院", "学校")
MIN_STEM_LENGTH = 4

# A word of jieba's dictionary seen this often is a common word: across the edge of a name
# it shows that the name is only an accident of the characters (中华|水果 around 华水).
COMMON_WORD_FREQUENCY = 10

# Homophones and look-alikes of names this short need a campus word next to them.
CONTEXT_MAX_LENGTH = 3
# Likewise for pinyin spellings with this few syllables (zhengda: 正大集团).
CONTEXT_MAX_SYLLABLES = 2
# An English name written without spaces (HunanWomensUniversity) counts from this length.
MIN_SQUASHED_ENGLISH = 12

# Frequency given to the institution's names in the jieba dictionary: enough for jieba to
# keep a name as one word when nothing competes (华水|表白墙), too little to override real
# words across its edges (郑州|大学城, 湖南|女|院士).
NAME_WORD_FREQUENCY = 1


class NameClass(StrEnum):
    """The four answers of the name guard."""

    OFFICIAL = "official"
    USES_NAME = "uses_name"
    IMITATES = "imitates"
    UNRELATED = "unrelated"

    @property
    def label(self) -> str:
        return CLASS_LABELS[self]


CLASS_LABELS = {
    NameClass.OFFICIAL: "官方",
    NameClass.USES_NAME: "使用校名",
    NameClass.IMITATES: "仿冒校名",
    NameClass.UNRELATED: "无关",
}


class MatchMethod(StrEnum):
    """How a name matched; the order of the members is the order of precedence when a
    name matches in several ways (mockery first, then open use, then the imitations)."""

    REGISTERED = "registered"
    MOCKERY = "mockery"
    FULL_NAME = "full_name"
    SHORT_NAME = "short_name"
    ENGLISH_NAME = "english_name"
    TRADITIONAL = "traditional"
    TYPE_SWAP = "type_swap"
    SHAPE = "shape"
    HOMOPHONE = "homophone"
    PINYIN = "pinyin"
    DOMAIN = "domain"
    INITIALS = "initials"
    NONE = ""

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]


METHOD_LABELS = {
    MatchMethod.REGISTERED: "已备案",
    MatchMethod.MOCKERY: "恶搞",
    MatchMethod.FULL_NAME: "全称",
    MatchMethod.SHORT_NAME: "简称",
    MatchMethod.ENGLISH_NAME: "英文名称",
    MatchMethod.TRADITIONAL: "繁体",
    MatchMethod.TYPE_SWAP: "改换类型",
    MatchMethod.SHAPE: "形近字",
    MatchMethod.HOMOPHONE: "谐音",
    MatchMethod.PINYIN: "拼音",
    MatchMethod.INITIALS: "首字母缩写",
    MatchMethod.DOMAIN: "域名",
    MatchMethod.NONE: "",
}

_RANK = {method: rank for rank, method in enumerate(MatchMethod)}
_USES = {MatchMethod.FULL_NAME, MatchMethod.SHORT_NAME, MatchMethod.ENGLISH_NAME}


def _strings(value: Any) -> tuple[str, ...]:
    """A list field as given in JSON or a model: None, one string or a list of strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    return tuple(s for s in (str(v).strip() for v in value) if s)


@dataclass(frozen=True)
class SchoolNames:
    """The names an institution is known by (orgs.Institution's name fields)."""

    full_name: str
    short_names: tuple[str, ...] = ()
    english_name: str = ""
    initials: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    # Short names that also name another organisation (see SHARED_SHORT_NAMES).
    shared_names: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "full_name", (self.full_name or "").strip())
        object.__setattr__(self, "english_name", (self.english_name or "").strip())
        for field in ("short_names", "initials", "domains", "shared_names"):
            object.__setattr__(self, field, _strings(getattr(self, field)))
        if not self.full_name:
            raise ValueError("学校全称不能为空")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SchoolNames:
        """From a mapping with the keys full_name, short_names, english_name, initials,
        domains and optionally shared_names (a list field may also be a single string)."""
        if not isinstance(data, Mapping):
            raise ValueError("学校名称应为 JSON 对象（含 full_name、short_names 等键）")
        if not str(data.get("full_name") or "").strip():
            raise ValueError("学校名称缺少全称 full_name")
        return cls(
            full_name=str(data["full_name"]),
            short_names=_strings(data.get("short_names")),
            english_name=str(data.get("english_name") or ""),
            initials=_strings(data.get("initials")),
            domains=_strings(data.get("domains")),
            shared_names=_strings(data.get("shared_names")),
        )

    @classmethod
    def from_institution(cls, institution: Any) -> SchoolNames:
        """From an object with the Institution model's name fields."""
        return cls.from_json({f: getattr(institution, f, None) for f in _FIELDS})


_FIELDS = ("full_name", "short_names", "english_name", "initials", "domains", "shared_names")


@dataclass(frozen=True)
class NameVerdict:
    """The guard's answer for one name: its class, the school name it matched (as the
    institution writes it), the method, the part of the account name that matched, and a
    reason in Chinese for the people who read the finding."""

    name: str
    name_class: NameClass
    matched: str = ""
    method: MatchMethod = MatchMethod.NONE
    reason: str = ""
    found: str = ""

    @property
    def label(self) -> str:
        return self.name_class.label

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "class": str(self.name_class),
            "class_label": self.label,
            "matched": self.matched,
            "method": str(self.method),
            "method_label": self.method.label,
            "found": self.found,
            "reason": self.reason,
        }


# --- normalisation -------------------------------------------------------------------

# Characters that render as nothing or steer the layout: soft hyphen, zero-width spaces and
# joiners, direction marks, word joiner and invisible operators, Hangul fillers, variation
# selectors (emoji styles), byte-order mark, tag characters.
_INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
# Everything that is not a letter or a digit (punctuation, spaces, emoji, symbols, "_").
_SEPARATORS_RE = re.compile(r"[\W_]+")
_LATIN_RE = re.compile(r"[a-z]")
_LATIN_TOKEN_RE = re.compile(r"[a-z0-9]+")
_LETTERS_RE = re.compile(r"[a-z]+")
_HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# After lower-casing: Cyrillic and Greek letters that look like Latin ones (NСWU with a
# Cyrillic С), apostrophes (Women's → womens), ü as pinyin's v, and the ideographic full
# stop used in domains (ncwu。edu。cn).
_LOOKALIKES = str.maketrans(
    {
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
        "'": "",
        "’": "",
        "‘": "",
        "ʼ": "",
        "ü": "v",
        "。": ".",
    }
)


@dataclass(frozen=True, slots=True)
class NormalisedName:
    """The forms of one name the guard works on.

    ``raw``: NFKC (full-width → half-width), invisible characters removed, lower case,
    look-alike letters folded, punctuation kept (for domains). ``spaced``: every run of
    punctuation, spaces, emoji and symbols as one space (for Latin words). ``plain``: the
    same without the spaces. ``simple``: ``plain`` in Simplified characters (OpenCC t2s).
    """

    raw: str
    spaced: str
    plain: str
    simple: str


def normalise(name: str) -> NormalisedName:
    raw = _INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", name or ""))
    raw = raw.lower().translate(_LOOKALIKES)
    spaced = _SEPARATORS_RE.sub(" ", raw).strip()
    plain = spaced.replace(" ", "")
    return NormalisedName(raw, spaced, plain, to_simplified(plain))


def normalize_name(name: str) -> str:
    """The comparison key of a name: NFKC, no invisible characters, punctuation, spaces or
    emoji, lower case, Simplified. Two names with the same key are the same name."""
    return normalise(name).simple


# --- reference data ----------------------------------------------------------------


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def homophone_index() -> dict[str, frozenset[str]]:
    """Toneless pinyin syllable → every character that can be read so (all readings of
    polyphonic characters), from pypinyin's character dictionary."""
    toneless: dict[str, str] = {}
    index: dict[str, set[str]] = {}
    for codepoint, readings in pinyin_dict.items():
        char = chr(codepoint)
        for reading in readings.split(","):
            syllable = toneless.get(reading)
            if syllable is None:
                syllable = toneless[reading] = _toneless(reading)
            index.setdefault(syllable, set()).add(char)
    return {syllable: frozenset(chars) for syllable, chars in index.items()}


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """Pinyin syllables with a vowel (so that 'n', 'm', 'hng' do not make any Latin word
    look like pinyin)."""
    return frozenset(s for s in homophone_index() if s.isascii() and set(s) & set("aeiouv"))


def _is_pinyin(text: str) -> bool:
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


@lru_cache(maxsize=1)
def _base_tokenizer() -> jieba.Tokenizer:
    """jieba's default dictionary, loaded once and never modified here."""
    jieba.setLogLevel(logging.WARNING)
    jieba.dt.check_initialized()
    return jieba.dt


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


def _tokenizer_with(words: Iterable[str]) -> jieba.Tokenizer:
    """A jieba tokenizer that knows the institution's names as words."""
    base = _base_tokenizer()
    extra: dict[str, int] = {}
    for word in words:
        extra[word] = NAME_WORD_FREQUENCY
        for end in range(1, len(word)):
            if word[:end] not in base.FREQ:
                extra.setdefault(word[:end], 0)
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = _OverlayFreq(base.FREQ, extra)
    tokenizer.total = base.total + sum(extra.values())
    tokenizer.initialized = True
    return tokenizer


# --- the guard -----------------------------------------------------------------------

_KIND_LABELS = {"full": "学校全称", "short": "学校简称"}


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A Chinese name to look for: the full name, a short name, or (``swap``) the full
    name with another institution type, which is looked for exactly only."""

    text: str
    source: str
    kind: str  # "full", "short" or "swap"
    readings: tuple[str, ...]
    homophones: tuple[frozenset[str], ...]
    shapes: tuple[frozenset[str], ...]
    allowed: tuple[frozenset[str], ...]
    twist_needs_context: bool  # a homophone or look-alike counts only next to a campus word
    exact_needs_context: bool  # the name itself counts only next to a campus word
    swapped: tuple[str, str] = ("", "")

    @property
    def kind_label(self) -> str:
        return _KIND_LABELS.get(self.kind, "学校全称")


@dataclass(frozen=True, slots=True)
class _Finding:
    method: MatchMethod
    matched: str
    found: str
    reason: str
    span: tuple[int, int] = (-1, -1)  # in NormalisedName.simple, for Chinese matches

    @property
    def name_class(self) -> NameClass:
        return NameClass.USES_NAME if self.method in _USES else NameClass.IMITATES


def _readings(text: str) -> tuple[str, ...]:
    """Toneless pinyin of each character of a name, read in context (大学 → da xue)."""
    readings = lazy_pinyin(text, style=Style.NORMAL, errors=lambda run: list(run))
    if len(readings) != len(text):
        readings = [lazy_pinyin(char, style=Style.NORMAL)[0] for char in text]
    return tuple(
        reading if _HAN_RE.match(char) else "" for char, reading in zip(text, readings, strict=True)
    )


class NameGuard:
    """The name guard of one institution: compiled once (names, homophone and look-alike
    sets, a jieba dictionary that knows the names), then ``check`` is fast."""

    def __init__(self, names: SchoolNames, registered_names: Iterable[str] = ()):
        self.names = names
        self._registered: dict[str, str] = {}
        for registered in registered_names:
            key = normalize_name(registered)
            if key:
                self._registered.setdefault(key, registered)
        self._patterns = self._compile_patterns(names)
        self._by_first: dict[str, list[_Pattern]] = {}
        for pattern in self._patterns:
            for char in pattern.allowed[0]:
                self._by_first.setdefault(char, []).append(pattern)
        self._pattern_texts = frozenset(p.text for p in self._patterns)
        self._tokenizer = _tokenizer_with(self._pattern_texts)
        # Latin short names (someone may list "NCWU" there) are looked for as initials.
        self._initials = {
            normalize_name(i): i
            for i in (*names.initials, *names.short_names)
            if _LETTERS_RE.fullmatch(normalize_name(i))
        }
        self._english = tuple(_LATIN_TOKEN_RE.findall(normalise(names.english_name).spaced))
        self._domains = self._compile_domains(names.domains)
        self._pinyin = self._compile_pinyin()

    # compilation

    @staticmethod
    def _compile_patterns(names: SchoolNames) -> list[_Pattern]:
        homophones, shapes = homophone_index(), similar_shapes()
        shared = {normalize_name(n) for n in (*SHARED_SHORT_NAMES, *names.shared_names)}
        patterns: list[_Pattern] = []
        seen: set[str] = set()

        def add(source: str, kind: str, swapped: tuple[str, str] = ("", "")) -> None:
            text = normalize_name(source)
            if len(text) < 2 or text in seen or not _HAN_RE.search(text):
                return
            seen.add(text)
            readings = _readings(text)
            exact_only = kind == "swap"
            homo = tuple(
                frozenset() if exact_only else homophones.get(r, frozenset()) for r in readings
            )
            shape = tuple(frozenset() if exact_only else shapes.get(c, frozenset()) for c in text)
            allowed = tuple(
                frozenset({c}) | h | s for c, h, s in zip(text, homo, shape, strict=True)
            )
            patterns.append(
                _Pattern(
                    text=text,
                    source=source,
                    kind=kind,
                    readings=readings,
                    homophones=homo,
                    shapes=shape,
                    allowed=allowed,
                    twist_needs_context=kind == "short" and len(text) <= CONTEXT_MAX_LENGTH,
                    exact_needs_context=kind == "short" and text in shared,
                    swapped=swapped,
                )
            )

        add(names.full_name, "full")
        for short in names.short_names:
            add(short, "short")
        full = normalize_name(names.full_name)
        for ending in INSTITUTION_TYPES:
            stem = full.removesuffix(ending)
            if stem != full and len(stem) >= MIN_STEM_LENGTH:
                for other in INSTITUTION_TYPES:
                    if other != ending:
                        add(stem + other, "swap", (ending, other))
                break
        return patterns

    @staticmethod
    def _compile_domains(domains: Iterable[str]) -> list[tuple[str, re.Pattern, str, str]]:
        """(domain, regex over the raw form, squashed form, registrable label)."""
        compiled = []
        for domain in domains:
            d = normalise(domain).raw.strip().strip(".")
            d = d.removeprefix("http://").removeprefix("https://").removeprefix("www.")
            if not d:
                continue
            regex = re.compile(r"(?<![a-z0-9-])(?:[a-z0-9-]+\.)*" + re.escape(d) + r"(?![a-z0-9-])")
            label = d.split(".")[0]
            compiled.append((domain, regex, d.replace(".", ""), label))
        return compiled

    def _compile_pinyin(self) -> list[tuple[_Pattern, set[str]]]:
        keys = []
        for pattern in self._patterns:
            if pattern.kind == "swap" or not all(pattern.readings):
                continue
            key = "".join(pattern.readings)
            keys.append((pattern, {key, key.replace("v", "u")}))
        return keys

    # checking

    def check(self, name: str, *, is_registered: bool | None = None) -> NameVerdict:
        """Classify one account name.

        ``is_registered``: None looks the name up among the registered names given to the
        guard; True means the caller knows the account is registered (official whatever
        its name); False means it is not (a name equal to a registered one then counts as
        using the school's name: an impostor of the official account).
        """
        text = normalise(name)
        registered = None
        if is_registered is None:
            registered = self._registered.get(text.simple) if text.simple else None
        if is_registered or registered is not None:
            best = self._best(text)
            if registered is not None:
                reason = f"与已备案账号“{registered}”名称一致"
            else:
                reason = "已备案账号" + (f"，{best.reason}" if best else "")
            return NameVerdict(
                name=name,
                name_class=NameClass.OFFICIAL,
                matched=registered or (best.matched if best else ""),
                method=MatchMethod.REGISTERED,
                reason=reason,
                found=name,
            )
        best = self._best(text)
        if best is None:
            return NameVerdict(name=name, name_class=NameClass.UNRELATED, reason="未发现学校名称")
        return NameVerdict(
            name=name,
            name_class=best.name_class,
            matched=best.matched,
            method=best.method,
            reason=best.reason,
            found=best.found,
        )

    def check_all(self, names: Iterable[str]) -> list[NameVerdict]:
        return [self.check(name) for name in names]

    def _best(self, text: NormalisedName) -> _Finding | None:
        findings = self._chinese_findings(text)
        if _LATIN_RE.search(text.spaced):
            findings += self._latin_findings(text)
        if not findings:
            return None
        findings += self._derogatory_findings(text, findings)
        return min(findings, key=lambda f: (_RANK[f.method], -len(f.matched)))

    def _chinese_findings(self, text: NormalisedName) -> list[_Finding]:
        """Windows of the name equal to a pattern, or a twist of it (every character the
        same, a homophone or a look-alike), aligned on jieba's word boundaries."""
        s, plain = text.simple, text.plain
        aligned = len(s) == len(plain)
        findings: list[_Finding] = []
        tokens: list[tuple[str, int, int]] | None = None
        by_first = self._by_first
        for i, char in enumerate(s):
            patterns = by_first.get(char)
            if not patterns:
                continue
            for pattern in patterns:
                j = i + len(pattern.text)
                if j > len(s):
                    continue
                window = s[i:j]
                exact = window == pattern.text
                if exact:
                    if pattern.exact_needs_context and not self._has_context(s, i, j):
                        continue
                else:
                    allowed = pattern.allowed
                    if not all(window[k] in allowed[k] for k in range(1, j - i)):
                        continue
                    if pattern.twist_needs_context and not self._has_context(s, i, j):
                        continue
                if tokens is None:
                    tokens = list(self._tokenizer.tokenize(s, HMM=False))
                if self._crosses_word(tokens, i, j):
                    continue
                original = plain[i:j] if aligned else window
                if exact:
                    traditional = original != window if aligned else pattern.text not in plain
                    findings.append(self._exact_finding(pattern, original, traditional, (i, j)))
                else:
                    findings.append(self._twist_finding(pattern, window, original, (i, j)))
        return findings

    def _crosses_word(self, tokens: list[tuple[str, int, int]], i: int, j: int) -> bool:
        """Whether the window s[i:j] is part of another word: jieba's segmentation puts a
        word across one of its edges that contains the whole window (东北师大 ⊃ 北师大,
        正大光明 ⊃ 正大) or that is a common word (中华|水果 around 华水, 郑州|大学城 after
        郑州大学). Rare dictionary entries across one edge do not count (北师大|附中 is
        segmented 北|师大附中, a compound seen 3 times in jieba's corpus)."""
        frequencies = _base_tokenizer().FREQ
        for word, start, end in tokens:
            if end <= i or start >= j or (start >= i and end <= j):
                continue
            if start == i and end == j or word in self._pattern_texts:
                continue
            if (start <= i and end >= j) or (frequencies.get(word) or 0) >= COMMON_WORD_FREQUENCY:
                return True
        return False

    @staticmethod
    def _has_context(s: str, i: int, j: int) -> bool:
        rest = s[:i] + "|" + s[j:]
        return any(word in rest for word in CAMPUS_WORDS)

    @staticmethod
    def _exact_finding(
        pattern: _Pattern, original: str, traditional: bool, span: tuple[int, int]
    ) -> _Finding:
        if pattern.kind == "swap":
            old, new = pattern.swapped
            return _Finding(
                MatchMethod.TYPE_SWAP,
                pattern.source,
                original,
                f"“{original}”把学校全称中的“{old}”换成了“{new}”",
                span,
            )
        if traditional:
            return _Finding(
                MatchMethod.TRADITIONAL,
                pattern.source,
                original,
                f"“{original}”是{pattern.kind_label}“{pattern.source}”的繁体写法",
                span,
            )
        method = MatchMethod.FULL_NAME if pattern.kind == "full" else MatchMethod.SHORT_NAME
        return _Finding(
            method, pattern.source, original, f"含{pattern.kind_label}“{pattern.source}”", span
        )

    @staticmethod
    def _twist_finding(
        pattern: _Pattern, window: str, original: str, span: tuple[int, int]
    ) -> _Finding:
        """A window that reads like the name or looks like it. Look-alikes are named as
        such even when they sound the same too (氺 for 水, 化 for 华): the shape table is
        the narrower evidence."""
        changed = [
            (w, t, homo, shape)
            for w, t, homo, shape in zip(
                window, pattern.text, pattern.homophones, pattern.shapes, strict=True
            )
            if w != t
        ]
        sounds_same = all(w in homo for w, _t, homo, _s in changed)
        shape_pairs = "，".join(
            dict.fromkeys(f"{w}—{t}" for w, t, _h, shape in changed if w in shape)
        )
        what = f"{pattern.kind_label}“{pattern.source}”"
        pinyin = "".join(pattern.readings)
        if window in DEROGATORY_WORDS:
            how = "谐音" if sounds_same else "形近"
            reason = f"“{original}”{how}恶搞{what}"
            return _Finding(MatchMethod.MOCKERY, pattern.source, original, reason, span)
        if shape_pairs:
            reason = f"“{original}”与{what}字形相近（{shape_pairs}）"
            if sounds_same:
                reason += f"且同音（{pinyin}）"
            return _Finding(MatchMethod.SHAPE, pattern.source, original, reason, span)
        reason = f"“{original}”与{what}同音（{pinyin}）"
        return _Finding(MatchMethod.HOMOPHONE, pattern.source, original, reason, span)

    def _latin_findings(self, text: NormalisedName) -> list[_Finding]:
        """English name and pinyin (whole words), initials (a whole Latin word, digits
        and Chinese characters count as boundaries, N.C.W.U too), domains."""
        findings: list[_Finding] = []
        tokens = _LATIN_TOKEN_RE.findall(text.spaced)
        runs = [run for token in tokens for run in _LETTERS_RE.findall(token)]
        singles, letters = [], []
        for run in runs:
            if len(run) == 1:
                letters.append(run)
                continue
            if len(letters) > 1:
                singles.append("".join(letters))
            letters = []
        if len(letters) > 1:
            singles.append("".join(letters))

        if self._english_match(tokens, runs):
            findings.append(
                _Finding(
                    MatchMethod.ENGLISH_NAME,
                    self.names.english_name,
                    self.names.english_name,
                    f"含学校英文名称“{self.names.english_name}”",
                )
            )

        for run in (*runs, *singles):
            source = self._initials.get(run)
            if source is not None:
                findings.append(
                    _Finding(MatchMethod.INITIALS, source, run, f"含学校英文缩写“{source}”")
                )
                break

        for domain, regex, squashed, label in self._domains:
            match = regex.search(text.raw)
            if match or squashed in runs or (label not in self._initials and label in runs):
                findings.append(
                    _Finding(
                        MatchMethod.DOMAIN,
                        domain,
                        match.group(0) if match else squashed,
                        f"含学校域名“{domain}”",
                    )
                )
                break

        for pattern, keys in self._pinyin:
            found = self._pinyin_match(keys, runs)
            if found and (
                len(pattern.readings) > CONTEXT_MAX_SYLLABLES
                or any(word in text.simple.replace(found, "|") for word in CAMPUS_WORDS)
            ):
                findings.append(
                    _Finding(
                        MatchMethod.PINYIN,
                        pattern.source,
                        found,
                        f"“{found}”是{pattern.kind_label}“{pattern.source}”的拼音",
                    )
                )
        return findings

    def _english_match(self, tokens: list[str], runs: list[str]) -> bool:
        """The English name as a sequence of whole words, not followed by "of" (Zhengzhou
        University of Light Industry is another school), or written as one long word."""
        english, n = self._english, len(self._english)
        if not english:
            return False
        for k in range(len(tokens) - n + 1):
            if tuple(tokens[k : k + n]) == english and (
                k + n == len(tokens) or tokens[k + n] != "of"
            ):
                return True
        squashed = "".join(english)
        return len(squashed) >= MIN_SQUASHED_ENGLISH and any(squashed in run for run in runs)

    @staticmethod
    def _pinyin_match(keys: set[str], runs: list[str]) -> str:
        """The pinyin spelling of a name as a word, inside a word of pinyin (huashuidaxue)
        or across words (hua shui)."""
        for k, run in enumerate(runs):
            for key in keys:
                start = run.find(key)
                if start >= 0 and _is_pinyin(run[:start]) and _is_pinyin(run[start + len(key) :]):
                    return key
                joined, following = run, iter(runs[k + 1 :])
                while len(joined) < len(key):
                    more = next(following, None)
                    if more is None:
                        break
                    joined += more
                if joined == key and joined != run:
                    return key
        return ""

    def _derogatory_findings(
        self, text: NormalisedName, findings: list[_Finding]
    ) -> list[_Finding]:
        """The school's name (or an imitation) with a derogatory word next to it."""
        s = text.simple
        for finding in findings:
            i, j = finding.span
            rest = s[:i] + "|" + s[j:] if i >= 0 else s
            for word in DEROGATORY_WORDS:
                if word in rest:
                    return [
                        _Finding(
                            MatchMethod.MOCKERY,
                            finding.matched,
                            finding.found,
                            f"“{finding.found}”与贬损词“{word}”连用（{finding.reason}）",
                            finding.span,
                        )
                    ]
        return []


@lru_cache(maxsize=32)
def _guard(names: SchoolNames, registered: frozenset[str]) -> NameGuard:
    return NameGuard(names, registered)


def check_name(
    name: str,
    names: SchoolNames,
    registered_names: Iterable[str] = (),
    *,
    is_registered: bool | None = None,
) -> NameVerdict:
    """Classify one account name against an institution's names (guards are cached per
    institution and set of registered names; build a :class:`NameGuard` for bulk work)."""
    return _guard(names, frozenset(registered_names)).check(name, is_registered=is_registered)
