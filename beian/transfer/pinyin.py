"""Moved to `beian.core.fastpinyin`; kept so that existing imports keep working."""

from beian.core.fastpinyin import pinyin_keys

__all__ = ["pinyin_keys"]
