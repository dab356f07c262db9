"""Normalisers: every way people write a value, and the exact refusal."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beian.core.sheets import (
    AliasResolver,
    CellError,
    clean_identifier,
    clean_text,
    is_blank,
    parse_audience_wan,
    parse_bool,
    parse_count,
    parse_phone,
    parse_year_month,
)

TODAY = dt.date(2026, 3, 15)


def error_of(parser, value, **options) -> str:
    with pytest.raises(CellError) as caught:
        parser(value, **options)
    return caught.value.message_zh


def with_warnings(parser, value, **options):
    warnings: list[str] = []
    return parser(value, warn=warnings.append, **options), warnings


# ------------------------------------------------------------------------------ text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  计算机学院 ", "计算机学院"),
        ("计算机\n学院", "计算机 学院"),
        ("计算机　　学院", "计算机 学院"),
        ("ＱＱ群１２３", "QQ群123"),
        ("计算机学院（软件学院）", "计算机学院（软件学院）"),  # Chinese punctuation kept
        ("學院", "學院"),  # Traditional kept as written
        ("\u200b文学院\ufeff", "文学院"),
        (12345678.0, "12345678"),
        (1.5, "1.5"),
        (True, "是"),
        (dt.date(2020, 1, 2), "2020-01-02"),
    ],
)
def test_clean_text(value, expected):
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" gh_123 456 ", "gh_123456"),
        ("ｈｔｔｐｓ：／／ｗｅｉｂｏ．ｃｏｍ／ｕ／１", "https://weibo.com/u/1"),
        (123456789.0, "123456789"),
        (None, ""),
    ],
)
def test_clean_identifier(value, expected):
    assert clean_identifier(value) == expected


def test_is_blank():
    assert is_blank(None) and is_blank("") and is_blank(" \u3000\n")
    assert not is_blank(0) and not is_blank("0")


# -------------------------------------------------------------------------- audience


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.2, 12000),
        ("1.2", 12000),
        ("1.2万", 12000),
        ("1.2 万", 12000),
        ("1.2万人", 12000),
        ("约2万", 20000),
        ("2.3w", 23000),
        ("2.3W", 23000),
        ("3千", 3000),
        ("3k", 3000),
        ("0.35", 3500),
        (".5", 5000),
        ("１．２", 12000),
        ("12000人", 12000),
        ("1,200人", 1200),
        ("2万+", 20000),
        ("2万余", 20000),
        ("近1万", 10000),
        (0, 0),
        ("0", 0),
        ("无", 0),
        (None, None),
        ("", None),
        ("-", None),
        ("/", None),
        (1.2000000000000002, 12000),
    ],
)
def test_audience_in_wan(value, expected):
    assert parse_audience_wan(value) == expected


def test_audience_implausible_in_wan_is_taken_as_people_with_a_warning():
    assert with_warnings(parse_audience_wan, "12000") == (
        12000,
        ["关注人数按“万”填写，12000 万不合理，按 12000 人处理"],
    )
    assert with_warnings(parse_audience_wan, 12000.0) == (
        12000,
        ["关注人数按“万”填写，12000 万不合理，按 12000 人处理"],
    )
    assert with_warnings(parse_audience_wan, "5万") == (50000, [])  # explicit unit: no doubt


def test_audience_large_but_possible_is_kept_with_a_warning():
    assert with_warnings(parse_audience_wan, 500, label="粉丝数") == (
        5_000_000,
        ["粉丝数按“万”填写，“500”即 5000000 人，数值偏大，请核对"],
    )
    assert with_warnings(parse_audience_wan, 50) == (500_000, [])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "“abc”不是有效的数字"),
        ("很多", "“很多”不是有效的数字"),
        ("1-2万", "“1-2万”不是有效的数字"),
        ("-3", "“-3”不能为负数"),
        (-3.0, "“-3”不能为负数"),
        (True, "“True”不是有效的数字"),
        (float("nan"), "“nan”不是有效的数字"),
        (dt.date(2020, 1, 1), "“2020-01-01”不是有效的数字"),
    ],
)
def test_audience_errors(value, message):
    assert error_of(parse_audience_wan, value) == message


# ---------------------------------------------------------------------------- counts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("200", 200),
        (200.0, 200),
        (200, 200),
        ("200人", 200),
        ("约200", 200),
        ("200余人", 200),
        ("200多人", 200),
        ("200+", 200),
        ("200 人", 200),
        ("２００人", 200),
        ("1.5万", 15000),
        ("无", 0),
        ("0", 0),
        ("", None),
        (None, None),
        ("—", None),
    ],
)
def test_counts(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "“-5”不能为负数"),
        (-5, "“-5”不能为负数"),
        ("二百", "“二百”不是有效的数字"),
        ("很多人", "“很多人”不是有效的数字"),
        ("200.5", "“200.5”不是整数"),
        (12.5, "“12.5”不是整数"),
    ],
)
def test_count_errors(value, message):
    assert error_of(parse_count, value) == message


# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value",
    [
        "2019年3月",
        "2019年03月",
        "2019 年 3 月",
        "2019年3月份",
        "2019年3月15日",
        "2019.3",
        "2019.03",
        "2019/03",
        "2019/3/15",
        "2019-03",
        "2019-03-15",
        "2019-03-15 10:30:00",
        "201903",
        "20190315",
        "２０１９年３月",
        "约2019年3月",
        2019.03,
        2019.3,
        201903,
        201903.0,
        20190315,
        43539,  # Excel's serial for 2019-03-15, in a cell formatted as a number
        43539.5,
        dt.date(2019, 3, 15),
        dt.datetime(2019, 3, 15, 8, 0),
    ],
)
def test_year_month_variants(value):
    assert parse_year_month(value, today=TODAY) == dt.date(2019, 3, 1)


def test_year_only_means_january_with_a_warning():
    assert with_warnings(parse_year_month, "2019年", today=TODAY) == (
        dt.date(2019, 1, 1),
        ["“2019年”只有年份，按 2019 年 1 月记录"],
    )
    assert with_warnings(parse_year_month, 2019, today=TODAY) == (
        dt.date(2019, 1, 1),
        ["“2019”只有年份，按 2019 年 1 月记录"],
    )
    assert parse_year_month("2019", today=TODAY) == dt.date(2019, 1, 1)


def test_excel_number_2019_point_1_might_have_been_october():
    assert with_warnings(parse_year_month, 2019.1, today=TODAY) == (
        dt.date(2019, 1, 1),
        ["“2019.1”按 2019 年 1 月记录；如果是 2019 年 10 月，请把单元格设为文本后填写“2019.10”"],
    )
    assert with_warnings(parse_year_month, "2019.10", today=TODAY) == (dt.date(2019, 10, 1), [])


def test_blank_year_month():
    assert parse_year_month(None) is None
    assert parse_year_month("  ") is None
    assert parse_year_month("/") is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2019.13", "“2019.13”中的月份 13 不存在"),
        ("2019年0月", "“2019年0月”中的月份 0 不存在"),
        (201913, "“201913”中的月份 13 不存在"),
        ("2019-02-30", "“2019-02-30”不是有效的日期"),
        ("2027年1月", "“2027年1月”晚于当前日期"),
        ("2026-03-16", "“2026-03-16”晚于当前日期"),
        ("1900年1月", "“1900年1月”的年份 1900 不合理"),
        ("去年", "“去年”不是有效的年月（例如“2019年3月”或“2019.03”）"),
        ("19.3", "“19.3”不是有效的年月（例如“2019年3月”或“2019.03”）"),
        (2019.123, "“2019.123”不是有效的年月"),
        (5, "“5”不是有效的年月"),
        (True, "“True”不是有效的年月"),
    ],
)
def test_year_month_errors(value, message):
    assert error_of(parse_year_month, value, today=TODAY) == message


def test_this_month_is_not_in_the_future():
    assert parse_year_month("2026年3月", today=TODAY) == dt.date(2026, 3, 1)
    assert parse_year_month("2026-03-15", today=TODAY) == dt.date(2026, 3, 1)


def test_year_month_defaults_to_the_local_date(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    assert parse_year_month("2019年3月") == dt.date(2019, 3, 1)
    next_year = dt.date.today().year + 1
    assert error_of(parse_year_month, f"{next_year}年1月") == f"“{next_year}年1月”晚于当前日期"


# ---------------------------------------------------------------------------- yes/no


@pytest.mark.parametrize(
    "value",
    ["有", "是", "√", "✓", "✔", "Y", "y", "yes", "YES", "True", "1", 1, 1.0, True, "有（3人）",
     "有,3人", "是。", "已认证", "已备案", "对", " 有 "],
)  # fmt: skip
def test_yes(value):
    assert parse_bool(value) is True


@pytest.mark.parametrize(
    "value",
    ["无", "否", "×", "✗", "✘", "N", "n", "no", "false", "0", 0, 0.0, False, "没有", "未认证",
     "未备案", "不是", "无。"],
)  # fmt: skip
def test_no(value):
    assert parse_bool(value) is False


@pytest.mark.parametrize("value", [None, "", "  ", "-", "/"])
def test_yes_no_blank(value):
    assert parse_bool(value) is None


@pytest.mark.parametrize("value", ["也许", "不确定", 2, "有无"])
def test_yes_no_errors(value):
    assert error_of(parse_bool, value) == f"“{value}”不是有效的是/否值，请填写“是”或“否”"


# ---------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("0086-13800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        (13800138000.0, "13800138000"),
        (13800138000, "13800138000"),
        ("0375-2657625", "03752657625"),
        ("2657625", "2657625"),
        ("(0375)2657625", "03752657625"),
        (None, None),
        ("", None),
        ("/", None),
    ],
)
def test_phones(value, expected):
    assert parse_phone(value) == expected


def test_phone_errors_reuse_the_validators_messages():
    assert error_of(parse_phone, "12345") == "“12345”不是有效的电话号码"
    assert error_of(parse_phone, "0375-2657625", mobile=True) == "“0375-2657625”不是有效的手机号码"
    assert error_of(parse_phone, "12800138000") == "“12800138000”不是有效的手机号码"
    assert error_of(parse_phone, "1.38001E+10") == (
        "“1.38001E+10”是科学计数法，号码的末几位已经丢失，请把该列设为“文本”后重新填写号码"
    )


# ----------------------------------------------------------------------------- aliases

UNITS = AliasResolver(
    {
        "cs": ["计算机学院", "计算机科学与技术学院", "计科院"],
        "lit": ["文学院"],
        "art": ["艺术设计学院"],
        "youth": ["团委", "校团委"],
    },
    kind="单位",
)
PLATFORMS = AliasResolver(
    {
        "wechat_official": ["微信公众号", "公众号", "微信公众平台"],
        "wechat_channels": ["微信视频号", "视频号"],
        "bilibili": ["哔哩哔哩", "B站", "bilibili"],
    },
    kind="平台",
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("计算机学院", "cs"),
        (" 计算机学院 ", "cs"),
        ("计算机 学院", "cs"),
        ("計算機學院", "cs"),
        ("计科院", "cs"),
        ("文学院", "lit"),
        ("校团委", "youth"),
        (None, None),
        ("", None),
    ],
)
def test_unit_names(value, expected):
    assert UNITS.resolve(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("公众号", "wechat_official"), ("視頻號", "wechat_channels"), ("b站", "bilibili"),
     ("BILIBILI", "bilibili"), ("Ｂ站", "bilibili")],
)  # fmt: skip
def test_platform_aliases(value, expected):
    assert PLATFORMS(value) == expected


def test_a_close_name_is_suggested_never_guessed():
    assert error_of(UNITS.resolve, "计算机学员") == "未找到单位“计算机学员”，是否为“计算机学院”？"
    assert error_of(UNITS.resolve, "艺术学院") == "未找到单位“艺术学院”，是否为“艺术设计学院”？"
    assert error_of(UNITS.resolve, "马克思主义学院") == "未找到单位“马克思主义学院”"
    assert error_of(PLATFORMS.resolve, "微信公众") == "未找到平台“微信公众”，是否为“微信公众号”？"
    # The second time comes from the cache, with the same message.
    assert error_of(UNITS.resolve, "计算机学员") == "未找到单位“计算机学员”，是否为“计算机学院”？"


def test_an_ambiguous_name_is_refused():
    resolver = AliasResolver({"a": ["信息中心"], "b": ["資訊中心", "信息中心"]}, kind="单位")
    assert resolver.resolve("信息中心") == "a"  # exact spelling wins
    assert error_of(resolver.resolve, "信息 中心") == "“信息 中心”对应多个单位，请填写全称"


def test_suggest_lists_the_closest_names():
    found = UNITS.suggest("计算机学")
    assert [code for code, _, _ in found][:1] == ["cs"]
    assert all(score >= 70 for _, _, score in found)


# ----------------------------------------------------------------------- properties


@given(st.text())
def test_clean_text_is_idempotent(text):
    assert clean_text(clean_text(text)) == clean_text(text)


@given(st.integers(min_value=0, max_value=10**9))
def test_counts_round_trip_through_text(number):
    assert parse_count(str(number)) == number
    assert parse_count(f"{number}人") == number
