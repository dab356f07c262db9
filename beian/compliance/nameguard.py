"""Name guard (docs/nameguard.md): does an account name belong to the school, use the school's
name, imitate it, or have nothing to do with it? And on what evidence?

The business rules, from the seed notices (000: "不得冠以“湖南女子学院”、“湖南女院”、
“湘女院”、学校中英文名称与首字母组合、学校官网域名等字样" without registration; 003:
accounts whose name contains the school's Chinese or English full or short name must be
filed, and may not be named "以学校名称谐音、污名化方式"):

* ``official``  – the name, normalised, equals the name of a registered (已备案) account,
  or the caller says the account is registered (``is_registered=True``).
* ``uses_name`` – the school's name appears in it, in any writing: the full name, a short
  name (as whole words: jieba tokens, so that 中华水果 does not contain 华水), the English
  name, the initials (NCWU), the web domain (ncwu.edu.cn) or the pinyin spelling;
  Simplified or Traditional (華北水利水電大學 is the same name), full-width, spaced, with
  invisible characters, emoji or punctuation inserted. It must be registered, or closed.
* ``imitates``  – a homophone (谐音: 滑水, 哗水), similar-looking characters (形近字:
  华氺), the institution type swapped (华北水利水电学院) or a mocking / defaming variant
  (污名化: 划水大学, 华水野鸡大学) of one of the names, in either script. It can never
  be registered.
* ``unrelated`` – none of the above.

Every verdict carries its evidence: which of the names, how it was written, which
characters matched and why (:class:`CharMatch`). A plain function of values, no database:
callers pass the institution's names (:class:`SchoolNames`) and the registered account
names. See docs/nameguard.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from pypinyin import Style

from .nameguard_text import (
    HAN_RE,
    PINYIN,
    NormalisedName,
    base_tokenizer,
    homophone_index,
    is_pinyin,
    normalise,
    normalize_name,
    readings,
    similar_shapes,
    tokenizer_with,
    toned_homophone_index,
    typed_span,
    word_frequency,
    writing_of,
)

__all__ = [
    "CharMatch",
    "MatchMethod",
    "NameClass",
    "NameGuard",
    "NameKind",
    "NameVerdict",
    "SchoolNames",
    "check_name",
    "homophone_index",
    "normalise",
    "normalize_name",
    "similar_shapes",
]

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
    "二手",
    "跳蚤市场",
    "university",
    "college",
    "campus",
    "alumni",
    "student",
    "school",
    "daxue",
    "xueyuan",
)

# Words that make a name read as an organisation's account (媒体 / 机构号). A twist of a
# short name that jieba does not know as a word (哗水, 咚油) and that sounds exactly like
# the name, tone included, counts next to one of them as well: 哗水日报.
ACCOUNT_WORDS = (
    "日报",
    "晚报",
    "周报",
    "周刊",
    "之声",
    "青年",
    "资讯",
    "新闻",
    "在线",
    "视界",
    "视点",
    "传媒",
    "融媒",
    "媒体",
    "广播",
    "电台",
    "电视",
    "频道",
    "官微",
    "微博",
    "公众号",
    "订阅号",
    "服务号",
    "发布",
    "头条",
    "快讯",
    "速递",
    "通讯社",
    "记者团",
    "青协",
    "志愿者",
    "学生会",
    "研究会",
    "协会",
    "俱乐部",
    "工作室",
    "team",
    "news",
    "daily",
    "radio",
)

# Derogatory words (污名化): a twist of the name into one of them, or the name next to or
# inside one of them, is mockery.
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
    "三流",
    "不入流",
    "破学校",
    "烂学校",
)
_DEROGATORY_RE = re.compile("|".join(sorted(DEROGATORY_WORDS, key=len, reverse=True)))
# Characters that turn a twist of the name into mockery (泉师 → 泉尸).
DEROGATORY_CHARS = frozenset("尸屎死猪鸡狗渣烂丑毒骗坑贱傻蠢穷屁粪废囚狱鬼臭呕滚葬坟棺贼匪娼驴")

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
# A derogatory word inside a name counts as mockery when the name is at least this long.
MIN_INSERTION_LENGTH = 3

_LATIN_RE = re.compile(r"[a-z]")
_LATIN_TOKEN_RE = re.compile(r"[a-z0-9]+")
_LETTERS_RE = re.compile(r"[a-z]+")


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


class NameKind(StrEnum):
    """Which of the institution's names a verdict is about."""

    FULL = "full_name"
    SHORT = "short_name"
    ENGLISH = "english_name"
    INITIALS = "initials"
    DOMAIN = "domain"
    REGISTERED = "registered"
    NONE = ""

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    NameKind.FULL: "学校全称",
    NameKind.SHORT: "学校简称",
    NameKind.ENGLISH: "学校英文名称",
    NameKind.INITIALS: "学校首字母缩写",
    NameKind.DOMAIN: "学校官网域名",
    NameKind.REGISTERED: "已备案账号名称",
    NameKind.NONE: "",
}


class MatchMethod(StrEnum):
    """How a name matched; the order of the members is the order of precedence when a
    name matches in several ways (mockery first, then the uses of the name, then the
    imitations)."""

    REGISTERED = "registered"
    MOCKERY = "mockery"
    FULL_NAME = "full_name"
    SHORT_NAME = "short_name"
    ENGLISH_NAME = "english_name"
    DOMAIN = "domain"
    INITIALS = "initials"
    PINYIN = "pinyin"
    TYPE_SWAP = "type_swap"
    SHAPE = "shape"
    HOMOPHONE = "homophone"
    NONE = ""

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]


METHOD_LABELS = {
    MatchMethod.REGISTERED: "已备案",
    MatchMethod.MOCKERY: "污名化",
    MatchMethod.FULL_NAME: "全称",
    MatchMethod.SHORT_NAME: "简称",
    MatchMethod.ENGLISH_NAME: "英文名称",
    MatchMethod.DOMAIN: "域名",
    MatchMethod.INITIALS: "首字母缩写",
    MatchMethod.PINYIN: "拼音",
    MatchMethod.TYPE_SWAP: "改换类型",
    MatchMethod.SHAPE: "形近字",
    MatchMethod.HOMOPHONE: "谐音",
    MatchMethod.NONE: "",
}

_RANK = {method: rank for rank, method in enumerate(MatchMethod)}
USES_METHODS = frozenset(
    {
        MatchMethod.FULL_NAME,
        MatchMethod.SHORT_NAME,
        MatchMethod.ENGLISH_NAME,
        MatchMethod.DOMAIN,
        MatchMethod.INITIALS,
        MatchMethod.PINYIN,
    }
)


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
        for name in ("short_names", "initials", "domains", "shared_names"):
            object.__setattr__(self, name, _strings(getattr(self, name)))
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


@dataclass(frozen=True, slots=True)
class CharMatch:
    """One character of the account name against the character of the school's name it
    stands for, and why it counts: the same character (in Traditional writing or not), a
    look-alike (形近), a homophone (同音, with the shared reading), a derogatory one."""

    typed: str
    expected: str
    traditional: bool = False
    shape: bool = False
    reading: str = ""
    derogatory: bool = False

    @property
    def why(self) -> str:
        parts = []
        if self.traditional:
            parts.append("繁体")
        if self.shape:
            parts.append("形近")
        if self.reading:
            parts.append(f"同音 {self.reading}")
        if self.derogatory:
            parts.append("贬义字")
        return "、".join(parts)

    @property
    def label(self) -> str:
        why = self.why
        return f"{self.typed}→{self.expected}（{why}）" if why else self.typed

    def as_dict(self) -> dict[str, Any]:
        return {
            "typed": self.typed,
            "expected": self.expected,
            "traditional": self.traditional,
            "shape": self.shape,
            "reading": self.reading,
            "derogatory": self.derogatory,
            "label": self.label,
        }


@dataclass(frozen=True)
class NameVerdict:
    """The guard's answer for one name, with its evidence: the class; the school name it
    matched, as the institution writes it (``matched``) and which of the names that is
    (``kind``); how (``method``); the part of the account name that matched, as typed
    (``found``); how that part was written (``writing``: 繁体, 全角, 含空格, 含不可见字符,
    含表情符号, 含标点, 拼音, 形似字母); the characters that differ from the school's
    and why (``chars``); and a reason in Chinese for the people who read the finding."""

    name: str
    name_class: NameClass
    matched: str = ""
    method: MatchMethod = MatchMethod.NONE
    reason: str = ""
    found: str = ""
    kind: NameKind = NameKind.NONE
    writing: tuple[str, ...] = ()
    chars: tuple[CharMatch, ...] = field(default=())

    @property
    def label(self) -> str:
        return self.name_class.label

    @property
    def writing_label(self) -> str:
        return "、".join(self.writing)

    @property
    def chars_label(self) -> str:
        return "、".join(c.label for c in self.chars)

    @property
    def evidence(self) -> list[tuple[str, str]]:
        """(what, value) pairs for the pages that show a verdict."""
        rows = []
        if self.matched:
            rows.append(("匹配的名称", f"{self.kind.label}“{self.matched}”".lstrip()))
        if self.found:
            rows.append(("名称中的写法", f"“{self.found}”"))
        if self.writing:
            rows.append(("写法", self.writing_label))
        if self.chars:
            rows.append(("字符", self.chars_label))
        if self.method != MatchMethod.NONE:
            rows.append(("方式", self.method.label))
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "class": str(self.name_class),
            "class_label": self.label,
            "matched": self.matched,
            "kind": str(self.kind),
            "kind_label": self.kind.label,
            "method": str(self.method),
            "method_label": self.method.label,
            "found": self.found,
            "writing": list(self.writing),
            "chars": [c.as_dict() for c in self.chars],
            "reason": self.reason,
        }


# --- the guard -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A Chinese name to look for: the full name, a short name, or (``swap``) the full
    name with another institution type, which is looked for exactly only."""

    text: str
    source: str
    kind: str  # "full", "short" or "swap"
    readings: tuple[str, ...]  # toneless, in context
    toned: tuple[str, ...]  # with tone marks, in context
    homophones: tuple[frozenset[str], ...]  # same toneless reading
    toned_homophones: tuple[frozenset[str], ...]  # same reading, tone included
    shapes: tuple[frozenset[str], ...]
    allowed: tuple[frozenset[str], ...]
    twist_needs_context: bool  # a homophone or look-alike needs a campus word nearby
    exact_needs_context: bool  # the name itself counts only next to a campus word
    swapped: tuple[str, str] = ("", "")

    @property
    def name_kind(self) -> NameKind:
        return NameKind.SHORT if self.kind == "short" else NameKind.FULL


@dataclass(frozen=True, slots=True)
class _Finding:
    method: MatchMethod
    kind: NameKind
    matched: str  # the school's name as the institution writes it
    span: tuple[int, int] = (-1, -1)  # in NormalisedName.plain (= .simple when aligned)
    found: str = ""  # normalised text that matched, when the span is unknown
    chars: tuple[CharMatch, ...] = ()
    detail: str = ""  # what the reason adds (the derogatory word, the swapped type…)

    @property
    def name_class(self) -> NameClass:
        return NameClass.USES_NAME if self.method in USES_METHODS else NameClass.IMITATES


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
        self._insertable = [p for p in self._patterns if len(p.text) >= MIN_INSERTION_LENGTH]
        self._tokenizer = tokenizer_with(self._pattern_texts)
        self._frequencies = base_tokenizer().FREQ
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
        homophones, toned_index, shapes = (
            homophone_index(),
            toned_homophone_index(),
            similar_shapes(),
        )
        shared = {normalize_name(n) for n in (*SHARED_SHORT_NAMES, *names.shared_names)}
        patterns: list[_Pattern] = []
        seen: set[str] = set()

        def add(
            source: str, kind: str, swapped: tuple[str, str] = ("", ""), spelt: str = ""
        ) -> None:
            text = normalize_name(spelt or source)
            if len(text) < 2 or text in seen or not HAN_RE.search(text):
                return
            seen.add(text)
            toneless, toned = readings(text), readings(text, Style.TONE)
            exact_only = kind == "swap"
            nothing = frozenset()
            homo = tuple(nothing if exact_only else homophones.get(r, nothing) for r in toneless)
            toned_homo = tuple(
                nothing if exact_only else toned_index.get(r, nothing) for r in toned
            )
            shape = tuple(nothing if exact_only else shapes.get(c, nothing) for c in text)
            allowed = tuple(
                frozenset({c}) | h | s for c, h, s in zip(text, homo, shape, strict=True)
            )
            patterns.append(
                _Pattern(
                    text=text,
                    source=source,
                    kind=kind,
                    readings=toneless,
                    toned=toned,
                    homophones=homo,
                    toned_homophones=toned_homo,
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
                        add(names.full_name, "swap", (ending, other), stem + other)
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
            return self._official(name, text, registered)
        best = self._best(text)
        if best is None:
            return NameVerdict(name=name, name_class=NameClass.UNRELATED, reason="未发现学校名称")
        return self._verdict(name, text, best)

    def check_all(self, names: Iterable[str]) -> list[NameVerdict]:
        return [self.check(name) for name in names]

    def _official(self, name: str, text: NormalisedName, registered: str | None) -> NameVerdict:
        if registered is not None:
            writing = writing_of(name)
            reason = f"与已备案账号“{registered}”名称一致"
            if writing:
                reason += f"（写法：{'、'.join(writing)}）"
            return NameVerdict(
                name=name,
                name_class=NameClass.OFFICIAL,
                matched=registered,
                method=MatchMethod.REGISTERED,
                reason=reason,
                found=name.strip(),
                kind=NameKind.REGISTERED,
                writing=writing,
            )
        best = self._best(text)
        inner = self._verdict(name, text, best) if best else None
        return NameVerdict(
            name=name,
            name_class=NameClass.OFFICIAL,
            matched=inner.matched if inner else "",
            method=MatchMethod.REGISTERED,
            reason="已备案账号" + (f"，{inner.reason}" if inner else ""),
            found=inner.found if inner else name.strip(),
            kind=inner.kind if inner else NameKind.REGISTERED,
            writing=inner.writing if inner else (),
            chars=inner.chars if inner else (),
        )

    def _best(self, text: NormalisedName) -> _Finding | None:
        findings = self._chinese_findings(text)
        if _LATIN_RE.search(text.spaced):
            findings += self._latin_findings(text)
        mockery = self._mockery_findings(text, findings)
        if mockery:
            return mockery
        if not findings:
            return None
        return min(findings, key=lambda f: (_RANK[f.method], -(f.span[1] - f.span[0])))

    # Chinese

    def _chinese_findings(self, text: NormalisedName) -> list[_Finding]:
        """Windows of the name equal to a pattern, or a twist of it (every character the
        same, a homophone or a look-alike), aligned on jieba's word boundaries."""
        s = text.simple
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
                    if pattern.exact_needs_context and not _near(s, i, j, CAMPUS_WORDS):
                        continue
                else:
                    allowed = pattern.allowed
                    if not all(window[k] in allowed[k] for k in range(1, j - i)):
                        continue
                    if (
                        pattern.twist_needs_context
                        and not _near(s, i, j, CAMPUS_WORDS)
                        and not self._stands_alone(pattern, window, s, i, j)
                    ):
                        continue
                if tokens is None:
                    tokens = list(self._tokenizer.tokenize(s, HMM=False))
                if self._crosses_word(tokens, i, j):
                    continue
                findings.append(self._window_finding(pattern, window, exact, (i, j)))
        return findings

    @staticmethod
    def _stands_alone(pattern: _Pattern, window: str, s: str, i: int, j: int) -> bool:
        """A twist of a short name with no campus word nearby still counts when it is no
        word of its own (jieba does not know 哗水 or 咚油, it knows 滑水, 划水, 正大), it
        sounds exactly like the name, tone included (or sounds like it and looks like it),
        and the rest of the name reads like an organisation's account (哗水日报)."""
        if word_frequency(window):
            return False
        for k, char in enumerate(window):
            expected = pattern.text[k]
            if char == expected or char in pattern.toned_homophones[k]:
                continue
            if char in pattern.shapes[k] and char in pattern.homophones[k]:
                continue
            return False
        return _near(s, i, j, ACCOUNT_WORDS)

    def _crosses_word(self, tokens: list[tuple[str, int, int]], i: int, j: int) -> bool:
        """Whether the window s[i:j] is part of another word: jieba's segmentation puts a
        word across one of its edges that contains the whole window (东北师大 ⊃ 北师大,
        正大光明 ⊃ 正大) or that is a common word (中华|水果 around 华水, 郑州|大学城 after
        郑州大学). Rare dictionary entries across one edge do not count (北师大|附中 is
        segmented 北|师大附中, a compound seen 3 times in jieba's corpus)."""
        frequencies = self._frequencies
        for word, start, end in tokens:
            if end <= i or start >= j or (start >= i and end <= j):
                continue
            if start == i and end == j or word in self._pattern_texts:
                continue
            if (start <= i and end >= j) or (frequencies.get(word) or 0) >= COMMON_WORD_FREQUENCY:
                return True
        return False

    @staticmethod
    def _window_finding(
        pattern: _Pattern, window: str, exact: bool, span: tuple[int, int]
    ) -> _Finding:
        """An exact window uses the name (or, for a swapped type, imitates it); a twisted
        one imitates it: look-alikes are named as such even when they sound the same too
        (氺 for 水, 化 for 华): the shape table is the narrower evidence."""
        if exact and pattern.kind == "swap":
            old, new = pattern.swapped
            return _Finding(
                MatchMethod.TYPE_SWAP,
                NameKind.FULL,
                pattern.source,
                span,
                detail=f"把学校全称中的“{old}”换成了“{new}”",
            )
        if exact:
            method = MatchMethod.FULL_NAME if pattern.kind == "full" else MatchMethod.SHORT_NAME
            return _Finding(method, pattern.name_kind, pattern.source, span)
        chars = []
        for k, (got, want) in enumerate(zip(window, pattern.text, strict=True)):
            if got == want:
                chars.append(CharMatch(got, want))
                continue
            reading = ""
            if got in pattern.toned_homophones[k]:
                reading = pattern.toned[k]
            elif got in pattern.homophones[k]:
                reading = f"{pattern.readings[k]}，不计声调"
            chars.append(
                CharMatch(
                    got,
                    want,
                    shape=got in pattern.shapes[k],
                    reading=reading,
                    derogatory=got in DEROGATORY_CHARS,
                )
            )
        changed = [c for c in chars if c.typed != c.expected]
        if window in DEROGATORY_WORDS or any(c.derogatory for c in changed):
            method = MatchMethod.MOCKERY
        elif any(c.shape for c in changed):
            method = MatchMethod.SHAPE
        else:
            method = MatchMethod.HOMOPHONE
        return _Finding(method, pattern.name_kind, pattern.source, span, chars=tuple(chars))

    # Latin

    def _latin_findings(self, text: NormalisedName) -> list[_Finding]:
        """English name and pinyin (whole words), initials (a whole Latin word, digits
        and Chinese characters count as boundaries, N.C.W.U too), domains."""
        findings: list[_Finding] = []
        plain = text.plain
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

        def span_of(found: str) -> tuple[int, int]:
            start = plain.find(found)
            return (start, start + len(found)) if start >= 0 else (-1, -1)

        english = self._english_match(tokens, runs)
        if english:
            findings.append(
                _Finding(
                    MatchMethod.ENGLISH_NAME,
                    NameKind.ENGLISH,
                    self.names.english_name,
                    span_of(english),
                    found=english,
                )
            )

        for run in (*runs, *singles):
            source = self._initials.get(run)
            if source is not None and not _english_word(text, run, runs):
                findings.append(
                    _Finding(
                        MatchMethod.INITIALS, NameKind.INITIALS, source, span_of(run), found=run
                    )
                )
                break

        for domain, regex, squashed, label in self._domains:
            match = regex.search(text.raw)
            if match or squashed in runs or (label not in self._initials and label in runs):
                found = match.group(0) if match else squashed if squashed in runs else label
                findings.append(
                    _Finding(
                        MatchMethod.DOMAIN,
                        NameKind.DOMAIN,
                        domain,
                        span_of(found.replace(".", "")),
                        found=found,
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
                        pattern.name_kind,
                        pattern.source,
                        span_of(found),
                        found=found,
                    )
                )
        return findings

    def _english_match(self, tokens: list[str], runs: list[str]) -> str:
        """The English name as a sequence of whole words, not followed by "of" (Zhengzhou
        University of Light Industry is another school), or written as one long word."""
        english, n = self._english, len(self._english)
        if not english:
            return ""
        squashed = "".join(english)
        for k in range(len(tokens) - n + 1):
            if tuple(tokens[k : k + n]) == english and (
                k + n == len(tokens) or tokens[k + n] != "of"
            ):
                return squashed
        if len(squashed) >= MIN_SQUASHED_ENGLISH and any(squashed in run for run in runs):
            return squashed
        return ""

    @staticmethod
    def _pinyin_match(keys: set[str], runs: list[str]) -> str:
        """The pinyin spelling of a name as a word, inside a word of pinyin (huashuidaxue)
        or across words (hua shui)."""
        for k, run in enumerate(runs):
            for key in keys:
                start = run.find(key)
                if start >= 0 and is_pinyin(run[:start]) and is_pinyin(run[start + len(key) :]):
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

    # mockery

    def _mockery_findings(self, text: NormalisedName, findings: list[_Finding]) -> _Finding | None:
        """污名化: a twist of the name into a derogatory word or with a derogatory
        character; the name (or an imitation) with a derogatory word next to it; or the
        full name with a derogatory word inserted (东北石油野鸡大学)."""
        for finding in findings:
            if finding.method == MatchMethod.MOCKERY:
                return finding
        s = text.simple
        present = list(dict.fromkeys(_DEROGATORY_RE.findall(s)))
        if not present:
            return None
        for finding in findings:
            i, j = finding.span
            rest = s[:i] + "|" + s[j:] if 0 <= i < j else s
            for word in present:
                if word in rest:
                    return _Finding(
                        MatchMethod.MOCKERY,
                        finding.kind,
                        finding.matched,
                        finding.span,
                        found=finding.found,
                        chars=finding.chars,
                        detail=f"与贬损词“{word}”连用",
                    )
        for word in present:
            at = s.find(word)
            squeezed = s[:at] + s[at + len(word) :]
            for pattern in self._insertable:
                if pattern.kind == "swap":
                    continue
                start = squeezed.find(pattern.text)
                while start >= 0:
                    if start < at < start + len(pattern.text):
                        return _Finding(
                            MatchMethod.MOCKERY,
                            pattern.name_kind,
                            pattern.source,
                            (start, start + len(pattern.text) + len(word)),
                            detail=f"在{pattern.name_kind.label}“{pattern.source}”中插入贬损词“{word}”",
                        )
                    start = squeezed.find(pattern.text, start + 1)
        return None

    # verdict

    def _verdict(self, name: str, text: NormalisedName, finding: _Finding) -> NameVerdict:
        i, j = finding.span
        if 0 <= i < j and name == text.plain == text.simple:
            typed, writing = name[i:j], ()  # plain Simplified: nothing to trace
        else:
            typed = typed_span(name, i, j) if 0 <= i < j else finding.found or name.strip()
            writing = writing_of(_ORDINARY.get(finding.method, _NOTHING).sub("", typed))
        if finding.method == MatchMethod.PINYIN:
            writing = (PINYIN, *writing)
        chars = finding.chars
        if 0 <= i < j and len(text.plain) == len(text.simple):
            chars = self._traditional_chars(text, finding, i, j) or chars
        return NameVerdict(
            name=name,
            name_class=finding.name_class,
            matched=finding.matched,
            method=finding.method,
            reason=_reason(finding, typed, writing, chars),
            found=typed,
            kind=finding.kind,
            writing=writing,
            chars=tuple(c for c in chars if c.typed != c.expected or c.traditional),
        )

    @staticmethod
    def _traditional_chars(
        text: NormalisedName, finding: _Finding, i: int, j: int
    ) -> tuple[CharMatch, ...]:
        """The characters written in Traditional, each against the school's character."""
        plain, simple = text.plain[i:j], text.simple[i:j]
        if plain == simple:
            return ()
        base = finding.chars or tuple(CharMatch(c, c) for c in simple)
        if len(base) != len(plain):
            return ()
        return tuple(
            CharMatch(
                typed,
                match.expected,
                traditional=typed != simple_char,
                shape=match.shape,
                reading=match.reading,
                derogatory=match.derogatory,
            )
            for typed, simple_char, match in zip(plain, simple, base, strict=True)
        )


# What is part of the ordinary writing of a Latin name and says nothing about how it was
# written: the dots of a domain, the spaces and apostrophes of the English name.
_NOTHING = re.compile(r"(?!)")
_ORDINARY = {
    MatchMethod.DOMAIN: re.compile(r"\."),
    MatchMethod.ENGLISH_NAME: re.compile(
        r"(?<=[A-Za-z]) (?=[A-Za-z])|(?<=[A-Za-z])['’](?=[A-Za-z])"
    ),
}


def _english_word(text: NormalisedName, run: str, runs: list[str]) -> bool:
    """Whether initials that spell a word are written as that English word: capitalised
    like a word (Hit, not HIT or hit) among other English words (Hit FM, Big Hit娱乐)."""
    typed = re.findall(rf"(?<![A-Za-z]){re.escape(run)}(?![A-Za-z])", text.cased, re.IGNORECASE)
    if not typed or not all(t[0].isupper() and t[1:].islower() for t in typed):
        return False
    return any(other != run and len(other) > 1 and not is_pinyin(other) for other in runs)


def _near(s: str, i: int, j: int, words: Iterable[str]) -> bool:
    """Whether one of ``words`` is in the name outside the window s[i:j]."""
    rest = s[:i] + "|" + s[j:]
    return any(word in rest for word in words)


def _reason(finding: _Finding, typed: str, writing: tuple[str, ...], chars) -> str:
    """The verdict's reason, in Chinese, for the people who read the finding."""
    what = f"{finding.kind.label}“{finding.matched}”"
    changed = "、".join(c.label for c in chars if c.typed != c.expected or c.traditional)
    written = f"（{'、'.join(writing)}）" if writing else ""
    method = finding.method
    if method in USES_METHODS:
        if method == MatchMethod.PINYIN:
            return f"“{typed}”是{what}的拼音写法"
        reason = f"含{what}"
        if writing or typed.lower() != finding.matched.lower():
            reason += f"，写作“{typed}”{written}"
        if changed:
            reason += f"：{changed}"
        return reason
    if method == MatchMethod.TYPE_SWAP:
        return f"“{typed}”{finding.detail}"
    if method == MatchMethod.MOCKERY:
        if finding.detail.startswith("在"):
            return f"“{typed}”{finding.detail}"
        if finding.detail:
            return f"“{typed}”{finding.detail}（{what}）"
        return f"“{typed}”恶搞{what}：{changed}"
    how = "形近" if method == MatchMethod.SHAPE else "谐音"
    return f"“{typed}”与{what}{how}：{changed}"


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
