"""Chinese text helpers: Traditional → Simplified (OpenCC), pinyin keys (pypinyin), and
normalisation of what people type (full-width forms, stray spaces)."""

import unicodedata
from functools import lru_cache

import opencc
from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional (incl. Taiwan / Hong Kong variants) → Simplified; other text unchanged."""
    if not text:
        return text or ""
    return _t2s().convert(text)


def normalize_text(text: str) -> str:
    """NFKC (full-width → half-width), Simplified, collapsed white space."""
    text = unicodedata.normalize("NFKC", text or "")
    text = to_simplified(text)
    return " ".join(text.split())


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full toneless pinyin, initials) of a name, lower-case, letters and digits only,
    e.g. 计算机学院 → ("jisuanjixueyuan", "jsjxy"). Stored at write time for search."""
    name = to_simplified(name or "")
    full = lazy_pinyin(name, style=Style.NORMAL, errors="default")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")

    def join(parts):
        return "".join(ch for ch in "".join(parts).lower() if ch.isascii() and ch.isalnum())

    return join(full)[:255], join(initials)[:64]
