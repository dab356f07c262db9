"""The name guard: a labelled set of account names for five schools (precision and recall
per class), and the rules one by one."""

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
    SchoolNames,
    check_name,
    normalize_name,
    similar_shapes,
)
from beian.core.text import to_simplified

LABELLED = Path(__file__).with_name("names_labelled.tsv")

NCWU = SchoolNames(
    full_name="华北水利水电大学",
    short_names=("华水", "华北水院"),
    english_name="North China University of Water Resources and Electric Power",
    initials=("NCWU",),
    domains=("ncwu.edu.cn",),
)
HNWU = SchoolNames(
    full_name="湖南女子学院",
    short_names=("湖南女院", "湘女院"),
    english_name="Hunan Women's University",
    initials=("HNWU",),
    domains=("hnwu.edu.cn",),
)
ZZU = SchoolNames("郑州大学", ("郑大",), "Zhengzhou University", ("ZZU",), ("zzu.edu.cn",))
BNU = SchoolNames(
    "北京师范大学", ("北师大", "北师"), "Beijing Normal University", ("BNU",), ("bnu.edu.cn",)
)
NUAA = SchoolNames(
    "南京航空航天大学",
    ("南航",),
    "Nanjing University of Aeronautics and Astronautics",
    ("NUAA",),
    ("nuaa.edu.cn",),
)

# school key in the labelled set → (names, registered account names)
SCHOOLS = {
    "ncwu": (
        NCWU,
        (
            "华北水利水电大学",
            "华北水利水电大学团委",
            "华水计算机学院",
            "华北水利水电大学图书馆",
            "华北水利水电大学研究生院",
        ),
    ),
    "hnwu": (HNWU, ("湖南女子学院", "湖南女子学院团委", "湘女院学生会", "湖南女子学院招生办")),
    "zzu": (ZZU, ("郑州大学", "郑州大学团委", "郑大一附院", "郑州大学新闻中心")),
    "bnu": (BNU, ("北京师范大学", "北师大研究生会", "北京师范大学珠海校区")),
    "nuaa": (NUAA, ("南京航空航天大学", "南京航空航天大学团委")),
}


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
    assert len(rows) >= 150
    assert len({school for school, _, _ in rows}) >= 2
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
    assert (verdict.matched, verdict.method) == ("华水", MatchMethod.SHORT_NAME)
    assert verdict.reason == "含学校简称“华水”"
    assert verdict.label == "使用校名"


def test_full_name_with_zero_width_and_emoji_uses_the_name(ncwu):
    verdict = ncwu.check("华北水利\u200b水电大学🎓校友会")
    assert verdict.name_class == NameClass.USES_NAME
    assert verdict.method == MatchMethod.FULL_NAME


def test_english_name_in_any_case_uses_the_name(guards):
    assert guards["hnwu"].check("HUNAN WOMEN’S UNIVERSITY").method == MatchMethod.ENGLISH_NAME
    other = guards["zzu"].check("Zhengzhou University of Light Industry")
    assert other.name_class == NameClass.UNRELATED


def test_short_name_across_a_word_boundary_is_unrelated(ncwu, guards):
    for name in ("中华水果", "精华水测评", "光华水泥厂"):
        assert ncwu.check(name).name_class == NameClass.UNRELATED, name
    assert guards["zzu"].check("郑州大学城").name_class == NameClass.UNRELATED
    assert guards["hnwu"].check("湖南女院士风采").name_class == NameClass.UNRELATED
    assert guards["zzu"].check("郑州大学生命科学学院").name_class == NameClass.USES_NAME


def test_traditional_form_imitates_unless_registered(ncwu):
    verdict = ncwu.check("華水表白牆")
    assert verdict.name_class == NameClass.IMITATES
    assert (verdict.method, verdict.found) == (MatchMethod.TRADITIONAL, "華水")
    assert verdict.reason == "“華水”是学校简称“华水”的繁体写法"
    registered = ncwu.check("華北水利水電大學團委")
    assert registered.name_class == NameClass.OFFICIAL
    assert registered.matched == "华北水利水电大学团委"


def test_homophone_imitates(ncwu):
    verdict = ncwu.check("滑水大学")
    assert verdict.name_class == NameClass.IMITATES
    assert verdict.method == MatchMethod.HOMOPHONE
    assert verdict.reason == "“滑水”与学校简称“华水”同音（huashui）"
    assert ncwu.check("华北水力水电大学").method == MatchMethod.HOMOPHONE


def test_short_homophone_needs_a_campus_word(ncwu, guards):
    assert ncwu.check("滑水运动俱乐部").name_class == NameClass.UNRELATED
    assert ncwu.check("今天也在划水").name_class == NameClass.UNRELATED
    assert guards["zzu"].check("正大集团").name_class == NameClass.UNRELATED
    assert guards["zzu"].check("正大表白墙").name_class == NameClass.IMITATES


def test_similar_shapes_imitate(ncwu):
    verdict = ncwu.check("华氺表白墙")
    assert verdict.method == MatchMethod.SHAPE
    assert "氺—水" in verdict.reason
    assert ncwu.check("华北水利水电太学").method == MatchMethod.SHAPE
    assert ncwu.check("华北水利水电大字").name_class == NameClass.IMITATES


def test_mockery(ncwu):
    twisted = ncwu.check("划水大学")
    assert (twisted.name_class, twisted.method) == (NameClass.IMITATES, MatchMethod.MOCKERY)
    assert twisted.reason == "“划水”谐音恶搞学校简称“华水”"
    insult = ncwu.check("华水野鸡大学")
    assert (insult.name_class, insult.method) == (NameClass.IMITATES, MatchMethod.MOCKERY)


def test_institution_type_swapped_imitates(ncwu, guards):
    assert ncwu.check("华北水利水电学院").method == MatchMethod.TYPE_SWAP
    assert guards["hnwu"].check("湖南女子大学").method == MatchMethod.TYPE_SWAP


@pytest.mark.parametrize(
    "name", ["NCWU学生会", "ncwu 摄影", "我爱Ncwu", "ncwu2023级", "N.C.W.U表白墙", "ＮＣＷＵ"]
)
def test_initials_as_a_whole_word_imitate(ncwu, name):
    verdict = ncwu.check(name)
    assert (verdict.name_class, verdict.method) == (NameClass.IMITATES, MatchMethod.INITIALS)
    assert verdict.matched == "NCWU"


@pytest.mark.parametrize("name", ["ncwuxyz", "xncwu", "NCW", "uncwuo"])
def test_initials_inside_a_word_are_unrelated(ncwu, name):
    assert ncwu.check(name).name_class == NameClass.UNRELATED


@pytest.mark.parametrize(
    "name", ["ncwu.edu.cn", "lib.ncwu.edu.cn 资讯", "ncwu。edu。cn", "ncwueducn"]
)
def test_domain_imitates(ncwu, name):
    verdict = ncwu.check(name)
    assert (verdict.name_class, verdict.method) == (NameClass.IMITATES, MatchMethod.DOMAIN)
    assert verdict.matched == "ncwu.edu.cn"


def test_other_domains_are_unrelated(guards):
    assert guards["zzu"].check("zzuli.edu.cn").name_class == NameClass.UNRELATED


def test_pinyin_imitates(ncwu, guards):
    assert ncwu.check("huashui表白墙").method == MatchMethod.PINYIN
    assert ncwu.check("Hua Shui University").method == MatchMethod.PINYIN
    assert ncwu.check("huashuidaxue").method == MatchMethod.PINYIN
    assert guards["zzu"].check("Zhengda Group").name_class == NameClass.UNRELATED


def test_shared_short_name_needs_a_campus_word(guards):
    assert guards["nuaa"].check("南航航班动态").name_class == NameClass.UNRELATED
    assert guards["nuaa"].check("南航表白墙").name_class == NameClass.USES_NAME
    own = NameGuard(SchoolNames("华北水利水电大学", ("华水",), shared_names=("华水",)))
    assert own.check("华水集团").name_class == NameClass.UNRELATED
    assert own.check("华水表白墙").name_class == NameClass.USES_NAME


def test_open_use_outranks_imitation(ncwu):
    assert ncwu.check("华水 NCWU 表白墙").name_class == NameClass.USES_NAME


def test_registered_name_is_official(ncwu):
    verdict = ncwu.check("华水 计算机学院")
    assert verdict.name_class == NameClass.OFFICIAL
    assert (verdict.matched, verdict.method) == ("华水计算机学院", MatchMethod.REGISTERED)
    assert verdict.reason == "与已备案账号“华水计算机学院”名称一致"


def test_caller_may_say_whether_the_account_is_registered(ncwu):
    said = ncwu.check("华水表白墙", is_registered=True)
    assert (said.name_class, said.matched) == (NameClass.OFFICIAL, "华水")
    impostor = ncwu.check("华水计算机学院", is_registered=False)
    assert impostor.name_class == NameClass.USES_NAME


def test_unrelated_verdict(ncwu):
    verdict = ncwu.check("每日英语")
    assert verdict.name_class == NameClass.UNRELATED
    assert (verdict.matched, verdict.method) == ("", MatchMethod.NONE)
    assert verdict.as_dict()["class_label"] == "无关"


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
