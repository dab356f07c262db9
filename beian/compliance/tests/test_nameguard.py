"""The name guard (docs/nameguard.md): a labelled set of account names for nine schools
(precision and recall per class), and the rules one by one, with the evidence of each verdict."""

import json
import re
from collections import Counter
from pathlib import Path

import jieba
import pytest
from django.core.management import CommandError, call_command

from beian.compliance.nameguard import (
    MatchMethod,
    NameClass,
    NameGuard,
    NameKind,
    SchoolNames,
    check_name,
    normalize_name,
    similar_shapes,
)
from beian.core.text import to_simplified

LABELLED = Path(__file__).with_name("names_labelled.tsv")
SCHOOLS_FILE = Path(__file__).with_name("names_schools.json")


def load_schools() -> dict[str, tuple[SchoolNames, tuple[str, ...]]]:
    """school key in the labelled set → (names, registered account names)."""
    data = json.loads(SCHOOLS_FILE.read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return {
        key: (SchoolNames.from_json(value), tuple(value["registered"]))
        for key, value in data.items()
    }


SCHOOLS = load_schools()
ZZU = SCHOOLS["zzu"][0]
BNU = SCHOOLS["bnu"][0]


def load_labelled() -> list[tuple[str, str, NameClass]]:
    rows = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        school, name, label = line.split("\t")[:3]
        name = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), name)
        rows.append((school, name, NameClass(label)))
    return rows


@pytest.fixture(scope="module")
def guards() -> dict[str, NameGuard]:
    return {key: NameGuard(names, registered) for key, (names, registered) in SCHOOLS.items()}


@pytest.fixture(scope="module")
def ncwu(guards) -> NameGuard:
    return guards["ncwu"]


# --- the labelled set ------------------------------------------------------------------


def test_labelled_set_is_large_and_covers_every_class():
    rows = load_labelled()
    assert len(rows) >= 450
    assert {school for school, _, _ in rows} == set(SCHOOLS)
    assert set(Counter(label for _, _, label in rows)) == set(NameClass)
    assert len({(school, name) for school, name, _ in rows}) == len(rows), "duplicate rows"


def precision_recall(pairs, cls):
    true_pos = sum(1 for want, got in pairs if want == cls and got == cls)
    predicted = sum(1 for _, got in pairs if got == cls)
    actual = sum(1 for want, _ in pairs if want == cls)
    return true_pos / predicted, true_pos / actual


def test_labelled_set_precision_and_recall(guards):
    rows = load_labelled()
    pairs, wrong = [], []
    for school, name, label in rows:
        verdict = guards[school].check(name)
        pairs.append((label, verdict.name_class))
        if verdict.name_class != label:
            wrong.append(
                f"{school} {name!r}: want {label}, got {verdict.name_class} ({verdict.reason})"
            )
    report = "\n".join(wrong)
    for cls in (NameClass.USES_NAME, NameClass.IMITATES):
        precision, recall = precision_recall(pairs, cls)
        assert precision >= 0.95, f"{cls} precision {precision:.3f}\n{report}"
        assert recall >= 0.95, f"{cls} recall {recall:.3f}\n{report}"
    assert precision_recall(pairs, NameClass.OFFICIAL) == (1.0, 1.0), report


@pytest.mark.parametrize(
    ("school", "name", "label"),
    [
        # issue 8: these were read the wrong way before §8 was made explicit
        ("ncwu", "華北水利水電大學學生會", NameClass.USES_NAME),
        ("ncwu", "NCWU校园生活", NameClass.USES_NAME),
        ("ncwu", "ncwu.edu.cn资讯站", NameClass.USES_NAME),
        ("ncwu", "哗水日报", NameClass.IMITATES),
        ("ncwu", "中华水果", NameClass.UNRELATED),
        ("ncwu", "精华水乳", NameClass.UNRELATED),
        ("ncwu", "华北电力大学", NameClass.UNRELATED),
        ("ncwu", "中华水利", NameClass.UNRELATED),
        # the same readings for a school the rules were not written for
        ("nepu", "東北石油大學學生會", NameClass.USES_NAME),
        ("nepu", "NEPU表白墙", NameClass.USES_NAME),
        ("nepu", "www.nepu.edu.cn资讯站", NameClass.USES_NAME),
        ("nepu", "冬油表白墙", NameClass.IMITATES),
        ("nepu", "广东油画院", NameClass.UNRELATED),
    ],
)
def test_issue_8_examples(guards, school, name, label):
    assert guards[school].check(name).name_class == label


# --- normalisation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "华\u200b水\u200d表白墙\ufeff",  # zero-width space, joiner, byte-order mark
        "华水\u2060表\u00ad白墙",  # word joiner, soft hyphen
        "华 水　表白墙",  # space and ideographic space
        "【华水】表白墙！！",  # punctuation
        "华水❤️表白墙🎓",  # emoji with variation selector
        "華水表白牆",  # Traditional
        "华·水-表_白/墙",
    ],
)
def test_normalize_name_drops_what_does_not_change_the_name(typed):
    assert normalize_name(typed) == "华水表白墙"


def test_normalize_name_full_width_and_case():
    assert normalize_name("ＮＣＷＵ　Ｃｌｕｂ") == "ncwuclub"
    assert normalize_name("NcWu") == "ncwu"


def test_normalize_name_folds_cyrillic_look_alikes():
    assert normalize_name("NСWU") == "ncwu"  # Cyrillic С


# --- the rules -------------------------------------------------------------------------


def test_exact_short_name_uses_the_name(ncwu):
    verdict = ncwu.check("华水表白墙")
    assert verdict.name_class == NameClass.USES_NAME
    assert (verdict.matched, verdict.method, verdict.kind) == (
        "华水",
        MatchMethod.SHORT_NAME,
        NameKind.SHORT,
    )
    assert verdict.reason == "含学校简称“华水”"
    assert verdict.label == "使用校名"
    assert (verdict.found, verdict.writing, verdict.chars) == ("华水", (), ())


def test_full_name_with_zero_width_and_emoji_uses_the_name(ncwu):
    verdict = ncwu.check("华北水利\u200b水电大学🎓校友会")
    assert verdict.name_class == NameClass.USES_NAME
    assert verdict.method == MatchMethod.FULL_NAME
    assert verdict.writing == ("含不可见字符",)
    assert verdict.found == "华北水利\u200b水电大学"


@pytest.mark.parametrize(
    ("typed", "found", "writing"),
    [
        ("华 水 表 白 墙", "华 水", ("含空格",)),
        ("华\u200b水表白墙", "华\u200b水", ("含不可见字符",)),
        ("华❤️水表白墙", "华❤️水", ("含表情符号",)),
        ("华·水表白墙", "华·水", ("含标点",)),
        ("【华水】二手市场", "华水", ()),
    ],
)
def test_inserted_characters_still_use_the_name_and_are_named(ncwu, typed, found, writing):
    verdict = ncwu.check(typed)
    assert verdict.name_class == NameClass.USES_NAME
    assert (verdict.found, verdict.writing) == (found, writing)


def test_english_name_in_any_case_uses_the_name(guards):
    verdict = guards["hnwu"].check("HUNAN WOMEN’S UNIVERSITY")
    assert (verdict.name_class, verdict.method) == (NameClass.USES_NAME, MatchMethod.ENGLISH_NAME)
    assert verdict.writing == ()  # spaces and apostrophes are the name's own
    other = guards["zzu"].check("Zhengzhou University of Light Industry")
    assert other.name_class == NameClass.UNRELATED


def test_short_name_across_a_word_boundary_is_unrelated(ncwu, guards):
    for name in ("中华水果", "精华水测评", "光华水泥厂", "精华水乳", "中华水利", "华北电力大学"):
        assert ncwu.check(name).name_class == NameClass.UNRELATED, name
    assert guards["zzu"].check("郑州大学城").name_class == NameClass.UNRELATED
    assert guards["hnwu"].check("湖南女院士风采").name_class == NameClass.UNRELATED
    assert guards["zzu"].check("郑州大学生命科学学院").name_class == NameClass.USES_NAME


def test_traditional_writing_uses_the_name(ncwu):
    verdict = ncwu.check("華北水利水電大學學生會")
    assert (verdict.name_class, verdict.method) == (NameClass.USES_NAME, MatchMethod.FULL_NAME)
    assert (verdict.matched, verdict.found, verdict.writing) == (
        "华北水利水电大学",
        "華北水利水電大學",
        ("繁体",),
    )
    assert verdict.chars_label == "華→华（繁体）、電→电（繁体）、學→学（繁体）"
    short = ncwu.check("華水表白牆")
    assert short.reason == "含学校简称“华水”，写作“華水”（繁体）：華→华（繁体）"
    registered = ncwu.check("華北水利水電大學團委")
    assert registered.name_class == NameClass.OFFICIAL
    assert registered.matched == "华北水利水电大学团委"
    assert registered.writing == ("繁体",)


def test_homophone_imitates(ncwu):
    verdict = ncwu.check("滑水大学")
    assert (verdict.name_class, verdict.method) == (NameClass.IMITATES, MatchMethod.HOMOPHONE)
    assert verdict.reason == "“滑水”与学校简称“华水”谐音：滑→华（同音 huá）"
    assert [c.as_dict()["reading"] for c in verdict.chars] == ["huá"]
    assert ncwu.check("华北水力水电大学").method == MatchMethod.HOMOPHONE
    toneless = ncwu.check("花北水利水电大学")
    assert toneless.name_class == NameClass.IMITATES
    assert toneless.chars_label == "花→华（同音 hua，不计声调）"


def test_short_homophone_needs_a_campus_word(ncwu, guards):
    assert ncwu.check("滑水运动俱乐部").name_class == NameClass.UNRELATED
    assert ncwu.check("今天也在划水").name_class == NameClass.UNRELATED
    assert guards["zzu"].check("正大集团").name_class == NameClass.UNRELATED
    assert guards["zzu"].check("正大表白墙").name_class == NameClass.IMITATES


def test_homophone_that_is_no_word_counts_on_an_account_name(ncwu, guards):
    """哗水 is no word (jieba does not know it), sounds exactly like 华水 (huá shuǐ) and
    looks like it: with 日报 it names an account, although no campus word is near."""
    verdict = ncwu.check("哗水日报")
    assert verdict.name_class == NameClass.IMITATES
    assert (verdict.matched, verdict.found) == ("华水", "哗水")
    assert verdict.chars_label == "哗→华（形近、同音 huá）"
    assert guards["nepu"].check("咚油日报").name_class == NameClass.IMITATES
    # words of their own, another tone, or nothing that reads like an account
    for name in ("滑水日报", "哗水", "哗水声"):
        assert ncwu.check(name).name_class == NameClass.UNRELATED, name
    assert guards["nepu"].check("冬游哈尔滨").name_class == NameClass.UNRELATED
    assert guards["nepu"].check("洞油日报").name_class == NameClass.UNRELATED  # dòng ≠ dōng


def test_similar_shapes_imitate(ncwu):
    verdict = ncwu.check("华氺表白墙")
    assert verdict.method == MatchMethod.SHAPE
    assert "氺→水（形近" in verdict.reason
    assert ncwu.check("华北水利水电太学").method == MatchMethod.SHAPE
    assert ncwu.check("华北水利水电大字").name_class == NameClass.IMITATES


def test_mockery(ncwu, guards):
    twisted = ncwu.check("划水大学")
    assert (twisted.name_class, twisted.method) == (NameClass.IMITATES, MatchMethod.MOCKERY)
    assert twisted.reason == "“划水”恶搞学校简称“华水”：划→华（同音 huá）"
    insult = ncwu.check("华水野鸡大学")
    assert (insult.name_class, insult.method) == (NameClass.IMITATES, MatchMethod.MOCKERY)
    assert insult.reason == "“华水”与贬损词“野鸡”连用（学校简称“华水”）"
    inserted = guards["nepu"].check("东北石油野鸡大学")
    assert (inserted.name_class, inserted.method) == (NameClass.IMITATES, MatchMethod.MOCKERY)
    assert "插入贬损词“野鸡”" in inserted.reason
    # a Traditional or initial writing of the name next to an insult is mockery as well
    assert ncwu.check("NCWU垃圾").method == MatchMethod.MOCKERY
    assert guards["qztc"].check("泉尸表白墙").method == MatchMethod.MOCKERY


def test_institution_type_swapped_imitates(ncwu, guards):
    assert ncwu.check("华北水利水电学院").method == MatchMethod.TYPE_SWAP
    assert guards["hnwu"].check("湖南女子大学").method == MatchMethod.TYPE_SWAP


@pytest.mark.parametrize(
    ("name", "writing"),
    [
        ("NCWU学生会", ()),
        ("NCWU校园生活", ()),
        ("ncwu 摄影", ()),
        ("我爱Ncwu", ()),
        ("ncwu2023级", ()),
        ("N.C.W.U表白墙", ("含标点",)),
        ("ＮＣＷＵ", ("全角",)),
        ("NСWU", ("形似字母",)),  # Cyrillic С
    ],
)
def test_initials_as_a_whole_word_use_the_name(ncwu, name, writing):
    verdict = ncwu.check(name)
    assert (verdict.name_class, verdict.method) == (NameClass.USES_NAME, MatchMethod.INITIALS)
    assert (verdict.matched, verdict.kind, verdict.writing) == ("NCWU", NameKind.INITIALS, writing)


def test_initials_that_spell_an_english_word_count_unless_written_as_that_word(guards):
    hit = guards["hit"]
    for name in ("HIT表白墙", "hit 2024级", "我爱Hit"):
        assert hit.check(name).method == MatchMethod.INITIALS, name
    for name in ("Hit FM", "Big Hit娱乐", "Hit Music Radio"):
        assert hit.check(name).name_class == NameClass.UNRELATED, name


@pytest.mark.parametrize("name", ["ncwuxyz", "xncwu", "NCW", "uncwuo"])
def test_initials_inside_a_word_are_unrelated(ncwu, name):
    assert ncwu.check(name).name_class == NameClass.UNRELATED


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("ncwu.edu.cn", "ncwu.edu.cn"),
        ("ncwu.edu.cn资讯站", "ncwu.edu.cn"),
        ("lib.ncwu.edu.cn 资讯", "lib.ncwu.edu.cn"),
        ("ncwu。edu。cn", "ncwu。edu。cn"),
        ("ncwueducn", "ncwueducn"),
    ],
)
def test_domain_uses_the_name(ncwu, name, found):
    verdict = ncwu.check(name)
    assert (verdict.name_class, verdict.method) == (NameClass.USES_NAME, MatchMethod.DOMAIN)
    assert (verdict.matched, verdict.found) == ("ncwu.edu.cn", found)


def test_other_domains_are_unrelated(guards):
    assert guards["zzu"].check("zzuli.edu.cn").name_class == NameClass.UNRELATED


def test_pinyin_spelling_uses_the_name(ncwu, guards):
    verdict = ncwu.check("huashui表白墙")
    assert (verdict.name_class, verdict.method) == (NameClass.USES_NAME, MatchMethod.PINYIN)
    assert verdict.reason == "“huashui”是学校简称“华水”的拼音写法"
    assert verdict.writing == ("拼音",)
    assert ncwu.check("Hua Shui University").method == MatchMethod.PINYIN
    assert ncwu.check("huashuidaxue").method == MatchMethod.PINYIN
    assert ncwu.check("Huáshuǐ表白墙").method == MatchMethod.PINYIN  # tone marks
    assert guards["zzu"].check("Zhengda Group").name_class == NameClass.UNRELATED


def test_shared_short_name_needs_a_campus_word(guards):
    assert guards["nuaa"].check("南航航班动态").name_class == NameClass.UNRELATED
    assert guards["nuaa"].check("南航表白墙").name_class == NameClass.USES_NAME
    own = NameGuard(SchoolNames("华北水利水电大学", ("华水",), shared_names=("华水",)))
    assert own.check("华水集团").name_class == NameClass.UNRELATED
    assert own.check("华水表白墙").name_class == NameClass.USES_NAME


def test_open_use_outranks_imitation(ncwu):
    assert ncwu.check("华水 滑水大学").name_class == NameClass.USES_NAME


def test_full_name_outranks_short_name_and_initials(ncwu):
    verdict = ncwu.check("NCWU 华北水利水电大学 华水")
    assert (verdict.method, verdict.matched) == (MatchMethod.FULL_NAME, "华北水利水电大学")


def test_registered_name_is_official(ncwu):
    verdict = ncwu.check("华水 计算机学院")
    assert verdict.name_class == NameClass.OFFICIAL
    assert (verdict.matched, verdict.method) == ("华水计算机学院", MatchMethod.REGISTERED)
    assert verdict.reason == "与已备案账号“华水计算机学院”名称一致（写法：含空格）"


def test_caller_may_say_whether_the_account_is_registered(ncwu):
    said = ncwu.check("华水表白墙", is_registered=True)
    assert (said.name_class, said.matched) == (NameClass.OFFICIAL, "华水")
    assert said.reason == "已备案账号，含学校简称“华水”"
    impostor = ncwu.check("华水计算机学院", is_registered=False)
    assert impostor.name_class == NameClass.USES_NAME


def test_unrelated_verdict(ncwu):
    verdict = ncwu.check("每日英语")
    assert verdict.name_class == NameClass.UNRELATED
    assert (verdict.matched, verdict.method) == ("", MatchMethod.NONE)
    assert verdict.as_dict()["class_label"] == "无关"
    assert verdict.evidence == []


def test_verdict_as_dict_and_evidence_carry_the_evidence(ncwu):
    verdict = ncwu.check("華\u200b水日报")
    data = verdict.as_dict()
    assert data["class"] == "uses_name"
    assert (data["kind"], data["kind_label"]) == ("short_name", "学校简称")
    assert data["writing"] == ["繁体", "含不可见字符"]
    assert data["chars"][0]["label"] == "華→华（繁体）"
    assert dict(verdict.evidence) == {
        "匹配的名称": "学校简称“华水”",
        "名称中的写法": "“華\u200b水”",
        "写法": "繁体、含不可见字符",
        "字符": "華→华（繁体）",
        "方式": "简称",
    }


def test_empty_and_symbol_only_names_are_unrelated(ncwu):
    for name in ("", "   ", "🎓🎓", "\u200b"):
        assert ncwu.check(name).name_class == NameClass.UNRELATED


def test_check_name_function_and_school_names_from_json():
    names = SchoolNames.from_json(
        {
            "full_name": "湖南女子学院",
            "short_names": ["湖南女院", "湘女院"],
            "english_name": "Hunan Women's University",
            "initials": "HNWU",
            "domains": ["hnwu.edu.cn"],
        }
    )
    assert names.initials == ("HNWU",)
    verdict = check_name("湘女院表白墙", names, registered_names=["湘女院学生会"])
    assert verdict.name_class == NameClass.USES_NAME
    assert check_name("湘女院学生会", names, ["湘女院学生会"]).name_class == NameClass.OFFICIAL
    with pytest.raises(ValueError, match="全称"):
        SchoolNames.from_json({"short_names": ["华水"]})
    with pytest.raises(ValueError):
        SchoolNames.from_json(["华北水利水电大学"])


def test_guard_leaves_jiebas_own_dictionary_alone():
    jieba.dt.check_initialized()
    before = {w: jieba.dt.FREQ.get(w) for w in ("华水", "郑州大学", "北师大")}
    NameGuard(ZZU)
    NameGuard(BNU)
    assert {w: jieba.dt.FREQ.get(w) for w in before} == before
    assert "/".join(jieba.lcut("华水表白墙", HMM=False)) == "华/水/表白/墙"


def test_similar_shapes_table():
    shapes = similar_shapes()
    for a, b in [("华", "化"), ("华", "桦"), ("水", "氺"), ("大", "太"), ("大", "犬"),
                 ("学", "字"), ("院", "阮")]:  # fmt: skip
        assert b in shapes[a] and a in shapes[b]
    assert all(to_simplified(char) == char for char in shapes), "keep the table Simplified"


# --- the command -----------------------------------------------------------------------


@pytest.fixture
def names_file(tmp_path) -> Path:
    path = tmp_path / "names.txt"
    path.write_bytes("\ufeff华水表白墙\r\n滑水大学\r\n\r\n中华水果\r\n华水计算机学院\r\n".encode())
    return path


@pytest.fixture
def school_json(tmp_path) -> Path:
    path = tmp_path / "school.json"
    path.write_text(
        json.dumps(
            {"full_name": "华北水利水电大学", "short_names": ["华水"], "initials": ["NCWU"]}
        ),
        encoding="utf-8",
    )
    return path


def run(*args) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("check_names", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_command_with_names_of_prints_tab_separated_lines(names_file, school_json, tmp_path):
    registered = tmp_path / "registered.txt"
    registered.write_text("华水计算机学院\n", encoding="utf-8")
    out, err = run(str(names_file), "--names-of", str(school_json), "--registered", str(registered))
    lines = [line.split("\t") for line in out.splitlines()]
    assert [line[:4] for line in lines] == [
        ["华水表白墙", "uses_name", "华水", "short_name"],
        ["滑水大学", "imitates", "华水", "homophone"],
        ["中华水果", "unrelated", "", ""],
        ["华水计算机学院", "official", "华水计算机学院", "registered"],
    ]
    assert "共检查 4 个名称" in err


@pytest.mark.django_db
def test_command_json_output(names_file, school_json):
    out, _ = run(str(names_file), "--json", "--names-of", str(school_json))
    rows = json.loads(out)
    assert rows[0]["name"] == "华水表白墙"
    assert rows[0]["class"] == "uses_name"
    assert rows[1]["class_label"] == "仿冒校名"
    assert rows[3]["class"] == "uses_name"  # not registered without --registered


@pytest.mark.django_db
def test_command_uses_the_institution_and_filed_accounts_of_the_database(cast, names_file):
    from beian.registry.choices import FilingState
    from beian.testing import make_account

    make_account("华水计算机学院", unit=cast.cs, filing_state=FilingState.FILED)
    make_account("华水表白墙", unit=cast.lit, filing_state=FilingState.PENDING)
    out, _ = run(str(names_file))
    classes = [line.split("\t")[1] for line in out.splitlines()]
    assert classes == ["uses_name", "imitates", "unrelated", "official"]


@pytest.mark.django_db
def test_command_without_institution_fails_in_chinese(names_file):
    with pytest.raises(CommandError, match="数据库中还没有学校信息"):
        run(str(names_file))


@pytest.mark.django_db
def test_command_rejects_bad_files(tmp_path, school_json):
    latin1 = tmp_path / "gbk.txt"
    latin1.write_bytes("华水".encode("gbk"))
    with pytest.raises(CommandError, match="不是 UTF-8 编码"):
        run(str(latin1), "--names-of", str(school_json))
    broken = tmp_path / "broken.json"
    broken.write_text("{full_name", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON"):
        run(str(latin1), "--names-of", str(broken))
    with pytest.raises(CommandError, match="无法读取"):
        run(str(tmp_path / "missing.txt"), "--names-of", str(school_json))
