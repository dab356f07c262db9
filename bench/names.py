"""Name guard throughput: classify 100,000 generated account names against one school's
names and 200 registered account names.

Target (issue: name guard): at least 20,000 names/s on the 2-core reference machine.
Prints the figure and its ratio to the target. Needs no database.

The names are a mix close to a platform-wide sweep: mostly unrelated names (many of them
sharing characters and sounds with the school's names), names using the school's name,
imitations (homophones, look-alikes, Traditional, initials, domain, pinyin), registered
names, other schools and word-boundary traps. Guard construction (jieba's dictionary,
the homophone index) is timed separately.
"""

import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from beian.compliance.nameguard import NameGuard, SchoolNames  # noqa: E402


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
)
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


def main() -> None:
    names, registered = generate(N_NAMES)
    started = time.perf_counter()
    guard = NameGuard(SCHOOL, registered)
    guard.check("华水表白墙")  # the first check loads what is still lazy
    built = time.perf_counter() - started

    started = time.perf_counter()
    verdicts = [guard.check(name) for name in names]
    elapsed = time.perf_counter() - started

    rate = len(names) / elapsed
    counts = Counter(v.name_class.label for v in verdicts)
    print(f"guard built in {built:.2f} s (jieba dictionary, homophone index)")
    print(f"distinct names: {len(set(names)):,} of {len(names):,}")
    print("classes: " + ", ".join(f"{label} {count:,}" for label, count in counts.most_common()))
    print(
        f"names: {len(names)} in {elapsed:.2f} s = {rate:,.0f} names/s "
        f"(target {TARGET_PER_SECOND:,}/s: {rate / TARGET_PER_SECOND:.2f}x)"
    )


if __name__ == "__main__":
    main()
