"""Normalisers: the ways people write a value in a sheet, turned into one clean value.

Each takes the raw cell value (as calamine or the csv module returns it: str, float, int,
bool, date, datetime…; None or "" when blank) and returns the clean value or raises
`CellError` whose message quotes the offending value ("“abc”不是有效的数字"); the caller
places it at its cell (`Table.parse` does). Blank gives None (text helpers give "").
Those that may guess take `warn`, a callable that receives a Chinese warning.

`AliasResolver` maps names people write (unit names, platform aliases) to canonical codes,
exactly or after NFKC / Traditional→Simplified / case folding, and otherwise only
*suggests* the closest name: it never guesses silently.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from rapidfuzz import fuzz, process

from beian.core.text import to_simplified
from beian.core.validators import normalize_phone, validate_mobile, validate_phone

from .errors import CellError, show_value

Warn = Callable[[str], None] | None

# ------------------------------------------------------------------------------- text

# Full-width digits and Latin letters, and odd spaces, to ASCII; Chinese punctuation
# (，。：（）) is left as written.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}
_HALF_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})
_HALF_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})
_HALF_WIDTH.update({0x3000: " ", 0x00A0: " ", 0x2002: " ", 0x2003: " ", 0x2009: " "})
_HALF_WIDTH.update({0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None})
_BLANK_WORDS = frozenset({"-", "--", "—", "——", "/", "\\", "－", "／", "n/a", "na", "null", "none"})


def is_blank(value: Any) -> bool:
    """None, "", or white space only."""
    if value is None:
        return True
    if value.__class__ is str:
        return not value or value.isspace()
    return False


def _as_text(value: Any) -> str:
    """A cell value as the text a person typed: 123.0 → "123", a date → "2019-03-15"."""
    if value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(" ", "seconds") if value.time() != dt.time() else str(value.date())
    return str(value)


def clean_text(value: Any, *, warn: Warn = None) -> str:
    """Strip, full-width digits/letters → ASCII, white space (line breaks included)
    collapsed to one space; Chinese kept as written. Blank → ""."""
    if value is None:
        return ""
    text = _as_text(value)
    if not text.isascii():
        text = text.translate(_HALF_WIDTH)
    return " ".join(text.split())


def clean_identifier(value: Any, *, warn: Warn = None) -> str:
    """An account id, group number, QQ number or URL: NFKC (full-width ：／＠ too) and no
    white space at all. Blank → ""."""
    if value is None:
        return ""
    text = _as_text(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_HALF_WIDTH)
    return "".join(text.split())


def _prepare(value: Any) -> str:
    text = value if value.__class__ is str else _as_text(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_HALF_WIDTH)
    return text.strip()


# ---------------------------------------------------------------------------- numbers

_QUANTITY = re.compile(
    r"(?:约|大约|大概|近|将近|接近|超过|逾|~|≈)?"
    r"(?P<number>\d+(?:\.\d+)?|\.\d+)"
    r"(?P<unit>百万|千万|十万|万|w|千|k|百|亿)?"
    r"(?:余|多|\+|以上|左右)?"
    r"(?:人|个|名|位|户)?"
    r"(?:余|多|\+|以上|左右)?"
)
_MULTIPLIERS = {
    "万": 10_000,
    "w": 10_000,
    "十万": 100_000,
    "百万": 1_000_000,
    "千万": 10_000_000,
    "千": 1_000,
    "k": 1_000,
    "百": 100,
    "亿": 100_000_000,
}
# The Traditional forms of the words numbers are written with ("0.8萬", "約3000", "200餘人").
_NUMBER_WORDS = str.maketrans(
    {"萬": "万", "億": "亿", "約": "约", "餘": "余", "個": "个", "戶": "户", "將": "将",
     "過": "过", "～": "~", "，": ""}
)  # fmt: skip
_ZERO_WORDS = frozenset({"无", "暂无", "没有", "零"})


def _quantity(value: Any) -> tuple[float, str | None] | None:
    """(amount, unit) of a count as written; unit is 万/千/亿/w/k, "人" when a person unit
    was written without a multiplier, or None for a bare number. None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"“{show_value(value)}”不是有效的数字", value=value)
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(f"“{show_value(value)}”不是有效的数字", value=value)
        if value < 0:
            raise CellError(f"“{show_value(value)}”不能为负数", value=value)
        return float(value), None
    if value.__class__ is not str:
        raise CellError(f"“{show_value(value)}”不是有效的数字", value=value)
    text = _prepare(value)
    if not text or text.casefold() in _BLANK_WORDS:
        return None
    if text in _ZERO_WORDS:
        return 0.0, None
    compact = "".join(text.split()).replace(",", "").translate(_NUMBER_WORDS).casefold()
    if compact.startswith("-") and len(compact) > 1 and compact[1:2].isdigit():
        raise CellError(f"“{show_value(value)}”不能为负数", value=value)
    match = _QUANTITY.fullmatch(compact)
    if match is None:
        raise CellError(f"“{show_value(value)}”不是有效的数字", value=value)
    unit = match["unit"]
    if unit is None and compact.rstrip("余多+以上左右").endswith(("人", "个", "名", "位", "户")):
        unit = "人"
    return float(match["number"]), unit


def parse_count(value: Any, *, warn: Warn = None) -> int | None:
    """A number of people or members: "200", "200人", "约200", "200余人", "200+",
    "1.5万" → int. "无" → 0; "-" or "/" → None. Negative or fractional → CellError."""
    found = _quantity(value)
    if found is None:
        return None
    amount, unit = found
    total = amount * _MULTIPLIERS.get(unit, 1) if unit else amount
    rounded = round(total)
    if abs(total - rounded) > 1e-6:
        raise CellError(f"“{show_value(value)}”不是整数", value=value)
    return int(rounded)


def parse_audience_wan(
    value: Any,
    *,
    warn: Warn = None,
    label: str = "关注人数",
    plausible_max_wan: float = 1_000,
    large_wan: float = 100,
) -> int | None:
    """An audience written in 万 (the forms say "关注人数以万为单位") → number of people.

    "1.2" and "1.2万" → 12000; "2.3w" → 23000; "3千" → 3000; "约2万" → 20000; an explicit
    person unit is taken as written ("12000人" → 12000). A bare number above
    `plausible_max_wan` 万 (10 million people) was surely written in people: it is taken
    so, with a warning; one above `large_wan` 万 is kept in 万 with a warning to check it.
    """
    found = _quantity(value)
    if found is None:
        return None
    amount, unit = found
    if unit == "人":
        return int(round(amount))
    if unit:
        return int(round(amount * _MULTIPLIERS[unit]))
    shown = show_value(value)
    if amount > plausible_max_wan:
        if warn:
            warn(f"{label}按“万”填写，{shown} 万不合理，按 {int(round(amount))} 人处理")
        return int(round(amount))
    people = int(round(amount * 10_000))
    if amount > large_wan and warn:
        warn(f"{label}按“万”填写，“{shown}”即 {people} 人，数值偏大，请核对")
    return people


# ------------------------------------------------------------------------------ dates

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 29221, 73050  # Excel date serials of 1980-01-01 … 2099-12-31
_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_YMD_CHINESE = re.compile(r"(\d{4})年(?:(\d{1,2})月份?(?:(\d{1,2})[日号])?)?")
_YMD_SEPARATED = re.compile(r"(\d{4})([./\-])(\d{1,2})(?:\2(\d{1,2}))?")
_YMD_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})?")
_APPROXIMATE = re.compile(r"^(?:约|大约|大概)|(?:左右|前后)$")


def parse_year_month(
    value: Any,
    *,
    warn: Warn = None,
    today: dt.date | None = None,
    min_year: int = 1980,
) -> dt.date | None:
    """A year-month → the first day of that month.

    Accepts "2019年3月", "2019.3", "2019.03", "2019/03", "2019-03", "2019-03-15",
    "201903", "2019年" (January, with a warning), Excel dates and date-times, and numbers
    (2019.03, 201903, a date serial such as 43525). The month must exist, the year be
    ≥ `min_year`, and the date not be later than today."""
    if value is None:
        return None
    shown = show_value(value)
    day: int | None = None
    if isinstance(value, bool):
        raise CellError(f"“{shown}”不是有效的年月", value=value)
    if isinstance(value, dt.date):  # datetime is a date too
        year, month, day = value.year, value.month, value.day
    elif isinstance(value, int | float):
        year, month, day = _year_month_from_number(value, shown, warn)
    elif value.__class__ is str:
        text = _prepare(value)
        if not text or text.casefold() in _BLANK_WORDS:
            return None
        year, month, day = _year_month_from_text(text, shown, warn)
    else:
        raise CellError(f"“{shown}”不是有效的年月", value=value)
    if not 1 <= month <= 12:
        raise CellError(f"“{shown}”中的月份 {month} 不存在", value=value)
    if day is not None:
        try:
            exact = dt.date(year, month, day)
        except ValueError:
            raise CellError(f"“{shown}”不是有效的日期", value=value) from None
    else:
        exact = dt.date(year, month, 1)
    if year < min_year:
        raise CellError(f"“{shown}”的年份 {year} 不合理", value=value)
    if today is None and exact < dt.date.today() - dt.timedelta(days=1):
        return dt.date(year, month, 1)  # surely past, whatever the time zone
    if exact > (today or timezone.localdate()):
        raise CellError(f"“{shown}”晚于当前日期", value=value)
    return dt.date(year, month, 1)


def _year_month_from_number(value: float, shown: str, warn: Warn) -> tuple[int, int, int | None]:
    if not math.isfinite(value) or value <= 0:
        raise CellError(f"“{shown}”不是有效的年月", value=value)
    if float(value).is_integer():
        number = int(value)
        if 1000 <= number <= 9999:
            if warn:
                warn(f"“{shown}”只有年份，按 {number} 年 1 月记录")
            return number, 1, None
        if 100000 <= number <= 999999:
            return number // 100, number % 100, None
        if 10000000 <= number <= 99999999:
            return number // 10000, number // 100 % 100, number % 100
        if _SERIAL_MIN <= number <= _SERIAL_MAX:  # an Excel date shown as a plain number
            date = _EXCEL_EPOCH + dt.timedelta(days=number)
            return date.year, date.month, date.day
        raise CellError(f"“{shown}”不是有效的年月", value=value)
    # 2019.03 typed into a cell becomes the number 2019.03, and 2019.10 becomes 2019.1.
    text = repr(float(value))
    whole, _, fraction = text.partition(".")
    if len(whole) != 4 or not fraction.isdigit() or len(fraction) > 2:
        if _SERIAL_MIN <= value <= _SERIAL_MAX:  # a date-time serial
            moment = _EXCEL_EPOCH + dt.timedelta(days=int(value))
            return moment.year, moment.month, moment.day
        raise CellError(f"“{shown}”不是有效的年月", value=value)
    year, month = int(whole), int(fraction)
    if fraction == "1" and warn:
        warn(
            f"“{shown}”按 {year} 年 1 月记录；如果是 {year} 年 10 月，请把单元格设为文本后填写“{year}.10”"
        )
    return year, month, None


def _year_month_from_text(text: str, shown: str, warn: Warn) -> tuple[int, int, int | None]:
    text = _TIME_SUFFIX.sub("", text)
    text = "".join(text.split())
    text = _APPROXIMATE.sub("", text)
    for pattern in (_YMD_CHINESE, _YMD_SEPARATED):
        match = pattern.fullmatch(text)
        if match:
            break
    if match is None:
        match = _YMD_DIGITS.fullmatch(text)
        if match:
            day = int(match[3]) if match[3] else None
            return int(match[1]), int(match[2]), day
        if re.fullmatch(r"\d{4}", text):
            if warn:
                warn(f"“{shown}”只有年份，按 {text} 年 1 月记录")
            return int(text), 1, None
        raise CellError(f"“{shown}”不是有效的年月（例如“2019年3月”或“2019.03”）", value=shown)
    if match.re is _YMD_CHINESE:
        year, month, day = match[1], match[2], match[3]
        if month is None:
            if warn:
                warn(f"“{shown}”只有年份，按 {year} 年 1 月记录")
            return int(year), 1, None
    else:
        year, month, day = match[1], match[3], match[4]
    return int(year), int(month), int(day) if day else None


# ------------------------------------------------------------------------------ yes/no

_TRUE = frozenset(
    {"有", "是", "是的", "有的", "对", "√", "✓", "✔", "☑", "y", "yes", "true", "1", "t", "在"}
)
_FALSE = frozenset(
    {"无", "否", "没有", "不是", "非", "不", "×", "✗", "✘", "x", "n", "no", "false", "0", "f"}
)
_HEAD = re.compile(r"[(\[（【,，;；:：、\s]")


def parse_bool(value: Any, *, warn: Warn = None) -> bool | None:
    """有/无, 是/否, √/×, ✓/✗, Y/N, yes/no, true/false, 1/0, 已…/未… (已认证, 未备案) →
    True/False; blank → None. A remark after the word is allowed: "有（3人）"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value == 1:
            return True
        if value == 0:
            return False
        raise CellError(f"“{show_value(value)}”不是有效的是/否值，请填写“是”或“否”", value=value)
    text = _prepare(_as_text(value)).casefold()
    if not text or text in _BLANK_WORDS:
        return None
    head = _HEAD.split(text, maxsplit=1)[0].rstrip("。.!！")
    if head in _TRUE:
        return True
    if head in _FALSE:
        return False
    if len(head) <= 5 and head[:1] == "已":
        return True
    if len(head) <= 5 and head[:1] in ("未", "没"):
        return False
    raise CellError(f"“{show_value(value)}”不是有效的是/否值，请填写“是”或“否”", value=value)


# ----------------------------------------------------------------------------- phones

_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?e\+?\d+", re.IGNORECASE)


def parse_phone(value: Any, *, warn: Warn = None, mobile: bool = False) -> str | None:
    """A phone number as people write it (spaces, dashes, +86, full-width digits, or a
    number cell) → its digits; `mobile=True` accepts mobiles only. Blank → None. Uses
    `beian.core.validators`, so forms and imports agree."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"“{show_value(value)}”不是有效的电话号码", value=value)
    text = _prepare(value)
    if not text or text.casefold() in _BLANK_WORDS:
        return None
    if _SCIENTIFIC.fullmatch(text):
        raise CellError(
            f"“{text}”是科学计数法，号码的末几位已经丢失，请把该列设为“文本”后重新填写号码",
            value=value,
        )
    digits, error = _checked_phone(text, mobile)
    if error:
        raise CellError(error, value=value)
    return digits


@lru_cache(maxsize=65_536)
def _checked_phone(text: str, mobile: bool) -> tuple[str | None, str | None]:
    """(digits, None) or (None, message); cached: phonenumbers takes ~35 µs a number and
    the same teacher's number recurs on many rows."""
    try:
        (validate_mobile if mobile else validate_phone)(text)
    except ValidationError as exc:
        return None, exc.messages[0]
    return normalize_phone(text), None


# ---------------------------------------------------------------------------- aliases


def match_key(text: Any) -> str:
    """The comparison form of a name: NFKC, Simplified, case-folded, no white space."""
    text = unicodedata.normalize("NFKC", _as_text(text))
    return "".join(to_simplified(text).casefold().split())


class AliasResolver:
    """Names people write → canonical codes, e.g. {"wechat_official": ["微信公众号",
    "公众号", "微信公众平台"], …} or {"cs": ["计算机学院", "计算机科学与技术学院"]}.

    `resolve()` matches exactly, then after NFKC / Traditional→Simplified / case folding
    / white space removal; a name that only resembles one raises a CellError that asks
    ("未找到单位“计算机学员”，是否为“计算机学院”？"). Results are cached per value,
    so resolving the same unit 10,000 times costs one lookup each."""

    def __init__(
        self,
        entries: Mapping[str, Iterable[str]],
        *,
        kind: str = "",
        score_cutoff: float = 70,
    ):
        self.kind = kind
        self.score_cutoff = score_cutoff
        self._exact: dict[str, str] = {}
        self._keys: dict[str, set[str]] = {}
        self._shown: dict[str, str] = {}
        for code, names in entries.items():
            for name in names:
                if not name:
                    continue
                self._exact.setdefault(name, code)
                key = match_key(name)
                self._keys.setdefault(key, set()).add(code)
                self._shown.setdefault(key, name)
        self._choices = list(self._keys)
        self._cache: dict[Any, str | CellError] = {}

    def resolve(self, value: Any, *, warn: Warn = None) -> str | None:
        """The code for `value`; None when blank; CellError when unknown or ambiguous."""
        if is_blank(value):
            return None
        try:
            found = self._cache[value]
        except (KeyError, TypeError):
            found = self._lookup(value)
            with contextlib.suppress(TypeError):
                self._cache[value] = found
        if isinstance(found, CellError):
            raise CellError(found.reason, value=value)
        return found

    __call__ = resolve

    def _lookup(self, value: Any) -> str | CellError:
        text = value if value.__class__ is str else _as_text(value)
        code = self._exact.get(text) or self._exact.get(text.strip())
        if code is not None:
            return code
        key = match_key(text)
        codes = self._keys.get(key)
        if codes:
            if len(codes) == 1:
                return next(iter(codes))
            return CellError(f"“{show_value(text)}”对应多个{self.kind}，请填写全称", value=value)
        what = f"{self.kind}“{show_value(text)}”"
        suggestions = self.suggest(text, limit=1)
        if suggestions:
            return CellError(f"未找到{what}，是否为“{suggestions[0][1]}”？", value=value)
        return CellError(f"未找到{what}", value=value)

    def suggest(self, value: Any, limit: int = 3) -> list[tuple[str, str, float]]:
        """Closest known names: [(code, name as written, score 0–100)], best first."""
        key = match_key(value)
        if not key or not self._choices:
            return []
        found = process.extract(
            key, self._choices, scorer=fuzz.ratio, limit=limit, score_cutoff=self.score_cutoff
        )
        return [
            (sorted(self._keys[choice])[0], self._shown[choice], score)
            for choice, score, _ in found
        ]
