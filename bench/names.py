"""Name guard: how right it is on the labelled set, and how fast.

1. Precision and recall per class (docs/nameguard.md: official, uses_name, imitates, unrelated)
   on the labelled account names of beian/compliance/tests/names_labelled.tsv (schools in
   names_schools.json), overall and per school, next to the targets: official exact,
   uses_name and imitates at least 0.95, unrelated at least 0.95.
2. Throughput: classify 100,000 generated account names against one school's names and
   200 registered account names. Target (issue: name guard): at least 20,000 names/s on
   the 2-core reference machine. Prints wall-clock and CPU time (the machine is shared:
   CPU time is the steadier figure) and the ratio to the target. Needs no database.

The names are a mix close to a platform-wide sweep: mostly unrelated names (many of them
sharing characters and sounds with the school's names), names using the school's name
(Simplified, Traditional, initials, domain, pinyin), imitations (homophones, look-alikes,
type swap), registered names, other schools and word-boundary traps. Guard construction
(jieba's dictionary, the homophone indexes) is timed separately.
"""

import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from beian.compliance.nameguard import NameClass, NameGuard, SchoolNames  # noqa: E402

LABELLED = ROOT / "beian/compliance/tests/names_labelled.tsv"
SCHOOLS = ROOT / "beian/compliance/tests/names_schools.json"
# Lowest precision and recall accepted per class on the labelled set.
TARGETS = {
    NameClass.OFFICIAL: 1.0,
    NameClass.USES_NAME: 0.95,
    NameClass.IMITATES: 0.95,
    NameClass.UNRELATED: 0.95,
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


N_NAMES = 100_000
TARGET_PER_SECOND = 20_000

SCHOOL = SchoolNames(
    full_name="华北水利水电大学",
    short_names=("华水", "华北水院"),
    english_name="North China University of Water Resources and Electric Power",
    initials=("NCWU",),
    domains=("ncwu.edu.cn",),
)
WORDS = _words(
    "美食 旅行 考研 英语 摄影 读书 电影 音乐 健身 篮球 足球 跑步 编程 数学 物理 化学 历史 "
    "文学 心理 法律 财经 新闻 日常 分享 生活 攻略 学习 资料 二手 交易 兼职 招聘 宠物 猫咪 "
    "花草 水果 茶叶 咖啡 烘焙 手工 绘画 书法 设计 动漫 游戏 科技 数码 手机 汽车 房产 装修 "
    "家居 母婴 育儿 健康 养生 中医 护肤 美妆 穿搭 时尚 情感 星座 笑话 段子 壁纸 早安 晚安 "
    "天气 地铁 外卖 团购 超市 社区 物业 水利 水电 电力 工程 大学 学院 表白墙 学生会 协会 "
    "俱乐部 工作室 小组 之声 频道 日报 周刊 电台 花园 话剧 画室 滑板 划船 水乡 水墨"
)
PLACES = _words("郑州 开封 洛阳 长沙 北京 上海 中原 河南 湖南 华北 中华 光华 精华 繁华 南华 风华")
OTHER_SCHOOLS = (
    "华北电力大学",
    "华北理工大学",
    "河北水利电力学院",
    "郑州大学",
    "河南大学",
    "清华大学",
)
TRAPS = ("中华水果", "精华水", "光华水泥")
TWISTS = _words(
    "滑水 划水 花水 化水 哗水 桦水 华氺 華水 华北水力水电大学 华北水利水电太学 "
    "華北水利水電大學 华北水利水电学院"
) + ("华 水", "華\u200b水")
LATIN = _words("ncwu NCWU ncwu.edu.cn huashui Huashui club daily news photo radio study")


def generate(n: int, seed: int = 2026) -> tuple[list[str], list[str]]:
    """(account names, registered names), reproducible."""
    rng = random.Random(seed)
    registered = [f"华北水利水电大学{w}" for w in WORDS[:100]] + [
        f"华水{a}{b}" for a, b in zip(WORDS[:100], WORDS[100:] + WORDS[:100], strict=False)
    ]
    registered = registered[:200]
    names = []
    for _ in range(n):
        roll = rng.random()
        words = "".join(rng.sample(WORDS, rng.randint(1, 3)))
        if roll < 0.55:
            name = rng.choice(PLACES) + words if rng.random() < 0.4 else words
        elif roll < 0.70:
            name = rng.choice(("华水", "华北水院", "华北水利水电大学", "我在华水")) + words
        elif roll < 0.80:
            name = rng.choice(TWISTS) + words
        elif roll < 0.85:
            name = rng.choice(registered)
        elif roll < 0.95:
            name = rng.choice(OTHER_SCHOOLS + TRAPS) + words
        else:
            name = f"{rng.choice(LATIN)} {rng.choice(LATIN)}{rng.randint(1, 99)}"
        if rng.random() < 0.3:
            name += str(rng.randint(2000, 2030))
        names.append(name)
    return names, registered


def labelled_rows() -> list[tuple[str, str, NameClass]]:
    rows = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        school, name, label = line.split("\t")[:3]
        name = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), name)
        rows.append((school, name, NameClass(label)))
    return rows


def precision_recall(pairs: list[tuple[NameClass, NameClass]], cls: NameClass):
    """(precision, recall, how many are labelled cls); None where nothing to divide."""
    hits = sum(1 for want, got in pairs if want == got == cls)
    predicted = sum(1 for _, got in pairs if got == cls)
    actual = sum(1 for want, _ in pairs if want == cls)
    return (
        hits / predicted if predicted else None,
        hits / actual if actual else None,
        actual,
    )


def _figure(value: float | None) -> str:
    return "  —  " if value is None else f"{value:.3f}"


def accuracy() -> bool:
    """Prints precision and recall per class; True when every target is met."""
    data = json.loads(SCHOOLS.read_text(encoding="utf-8"))
    data.pop("_comment", None)
    guards = {
        key: NameGuard(SchoolNames.from_json(value), value["registered"])
        for key, value in data.items()
    }
    by_school: dict[str, list[tuple[NameClass, NameClass]]] = defaultdict(list)
    wrong = []
    for school, name, label in labelled_rows():
        verdict = guards[school].check(name)
        by_school[school].append((label, verdict.name_class))
        if verdict.name_class != label:
            wrong.append(f"  {school} {name}: labelled {label}, got {verdict.name_class}")
    pairs = [pair for school_pairs in by_school.values() for pair in school_pairs]
    print(f"labelled names: {len(pairs)} for {len(by_school)} schools")
    print(f"{'class':<10} {'n':>4} {'precision':>9} {'recall':>7}  target")
    met = True
    for cls, target in TARGETS.items():
        precision, recall, n = precision_recall(pairs, cls)
        ok = all(v is not None and v >= target for v in (precision, recall))
        met = met and ok
        print(
            f"{cls:<10} {n:>4} {_figure(precision):>9} {_figure(recall):>7}  "
            f">= {target:.2f} {'ok' if ok else 'MISSED'}"
        )
    print("per school (precision/recall of uses_name, imitates; wrong verdicts):")
    for school, school_pairs in by_school.items():
        figures = []
        for cls in (NameClass.USES_NAME, NameClass.IMITATES):
            precision, recall, _ = precision_recall(school_pairs, cls)
            figures.append(f"{_figure(precision)}/{_figure(recall)}")
        errors = sum(1 for want, got in school_pairs if want != got)
        print(f"  {school:<6} {len(school_pairs):>3} names  {'  '.join(figures)}  wrong {errors}")
    if wrong:
        print("wrong verdicts:")
        print("\n".join(wrong))
    return met


def speed() -> None:
    names, registered = generate(N_NAMES)
    started = time.perf_counter()
    guard = NameGuard(SCHOOL, registered)
    guard.check("华水表白墙")  # the first check loads what is still lazy
    built = time.perf_counter() - started

    wall, cpu = time.perf_counter(), time.process_time()
    verdicts = [guard.check(name) for name in names]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

    counts = Counter(v.name_class.label for v in verdicts)
    print(f"guard built in {built:.2f} s (jieba dictionary, homophone indexes)")
    print(f"distinct names: {len(set(names)):,} of {len(names):,}")
    print("classes: " + ", ".join(f"{label} {count:,}" for label, count in counts.most_common()))
    for what, elapsed in (("wall clock", wall), ("CPU time", cpu)):
        rate = len(names) / elapsed
        print(
            f"names: {len(names)} in {elapsed:.2f} s {what} = {rate:,.0f} names/s "
            f"(target {TARGET_PER_SECOND:,}/s: {rate / TARGET_PER_SECOND:.2f}x)"
        )


def main() -> None:
    speed()  # first: the guard's construction is timed cold
    met = accuracy()
    if not met:
        sys.exit("name guard: a precision or recall target was missed")


if __name__ == "__main__":
    main()
