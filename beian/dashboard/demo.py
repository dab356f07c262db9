"""Demo data: a realistic, deterministic school for `manage.py load_demo` (and `make run`).

Two steps, so that the content can be tested without a database:

* `demo_plan()` builds the whole school — units, people, accounts, groups, logins and a
  list of deliberately broken records — as plain Python objects from `random.Random(2026)`
  and a reference date. Names and structure never depend on the date: the same school comes
  out on every run; only dates such as "last post" are placed relative to `today`, so the
  demo stays fresh (no account turns into a zombie just because the demo is a year old).
* `demo_load()` writes a plan in one transaction with `bulk_create` in batches, with an
  initial history row ("+") for every record, and creates one login per role. Accounts,
  groups and teams go through the registry's bulk upsert (`registry.bulk`) under the
  demo's authority, like every other write of them.

Demo logins exist only where the demo was loaded: migrations never create them.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.text import pinyin_keys
from beian.orgs.choices import (
    PersonKind,
    PersonStatus,
    UnitKind,
)
from beian.orgs.models import Institution, Person, Unit
from beian.registry.authority import Authority
from beian.registry.bulk import accounts_bulk_upsert, groups_bulk_upsert
from beian.registry.choices import (
    AccountStatus,
    ActivitySource,
    FilingState,
    GroupPurpose,
    GroupStatus,
    TeamRole,
    Tier,
)
from beian.registry.models import Platform
from beian.registry.spec import derive_tier
from beian.users.choices import Role
from beian.users.models import RoleAssignment, User

SEED = 2026
PASSWORD = "Demo@Beian2026"  # noqa: S105 - published demo password, see docs/demo.md
BATCH = 500
CHANGE_REASON = "演示数据"

SCHOOL = "华北水利水电大学"
SHORT = "华水"
INSTITUTION = {
    "full_name": SCHOOL,
    "short_names": ["华水", "华北水院"],
    "english_name": "North China University of Water Resources and Electric Power",
    "initials": ["NCWU"],
    "domains": ["ncwu.edu.cn"],
    "registration_prefix": "HS",
}
DOMAIN = "ncwu.edu.cn"

# --- the school's shape -----------------------------------------------------------------

# (college, short name, code, [(division, class abbreviation)], teaching office, courses)
COLLEGES = [
    (
        "水利学院",
        "水利",
        "101",
        [("水利水电工程系", "水工"), ("农业水利工程系", "农水")],
        "水力学教研室",
        ["水力学", "水工建筑物", "工程水文学", "水利工程施工", "水资源规划及利用"],
    ),
    (
        "土木与交通学院",
        "土木",
        "102",
        [("土木工程系", "土木"), ("交通工程系", "交通")],
        "结构力学教研室",
        ["结构力学", "混凝土结构设计原理", "土力学", "道路勘测设计", "桥梁工程"],
    ),
    (
        "电力学院",
        "电力",
        "103",
        [("电气工程系", "电气"), ("能源与动力工程系", "能动")],
        "电路教研室",
        ["电路原理", "电力系统分析", "电机学", "高电压技术", "工程热力学"],
    ),
    (
        "机械学院",
        "机械",
        "104",
        [("机械设计制造及其自动化系", "机制"), ("车辆工程系", "车辆")],
        "机械原理教研室",
        ["机械原理", "机械设计", "工程制图", "液压与气压传动", "汽车构造"],
    ),
    (
        "环境与市政工程学院",
        "环境",
        "105",
        [("环境工程系", "环工"), ("给排水科学与工程系", "给排")],
        "水处理教研室",
        ["水处理工程", "环境化学", "给水排水管网系统", "环境监测", "大气污染控制工程"],
    ),
    (
        "信息工程学院",
        "信息",
        "106",
        [("计算机科学与技术系", "计科"), ("软件工程系", "软工"), ("通信工程系", "通信")],
        "程序设计教研室",
        ["C语言程序设计", "数据结构", "操作系统", "计算机网络", "软件工程", "数据库原理"],
    ),
    (
        "数学与统计学院",
        "数学",
        "107",
        [("数学系", "数学"), ("统计学系", "统计")],
        "大学数学教研室",
        ["高等数学", "线性代数", "概率论与数理统计", "数学分析", "复变函数"],
    ),
    (
        "管理与经济学院",
        "管经",
        "108",
        [("工商管理系", "工管"), ("会计学系", "会计")],
        "经济学教研室",
        ["管理学原理", "基础会计", "微观经济学", "工程经济学", "市场营销"],
    ),
    (
        "外国语学院",
        "外语",
        "109",
        [("英语系", "英语"), ("日语系", "日语")],
        "大学英语教研室",
        ["综合英语", "英语视听说", "翻译理论与实践", "基础日语", "大学英语"],
    ),
    (
        "马克思主义学院",
        "马院",
        "110",
        [("思想政治教育系", "思政")],
        "中国近现代史纲要教研室",
        [
            "马克思主义基本原理",
            "中国近现代史纲要",
            "思想道德与法治",
            "形势与政策",
            "毛泽东思想概论",
        ],
    ),
    (
        "测绘与地理信息学院",
        "测绘",
        "111",
        [("测绘工程系", "测绘"), ("地理信息科学系", "地信")],
        "测量学教研室",
        ["测量学", "遥感原理与应用", "地理信息系统原理", "大地测量学", "摄影测量学"],
    ),
    (
        "建筑学院",
        "建筑",
        "112",
        [("建筑学系", "建筑"), ("城乡规划系", "城规")],
        "建筑设计教研室",
        ["建筑设计", "建筑构造", "城市规划原理", "中国建筑史", "建筑制图"],
    ),
]
COLLEGES_WITH_VOLUNTEERS = {
    "水利学院",
    "电力学院",
    "信息工程学院",
    "管理与经济学院",
    "外国语学院",
    "建筑学院",
}
CLASS_YEARS = ["23", "24", "25"]

# (department, short, code, head post, [group topics])
DEPARTMENTS = [
    (
        "党委办公室（校长办公室）",
        "党办校办",
        "201",
        "主任",
        ["公文", "会务", "督查督办", "信息报送", "值班"],
    ),
    ("党委组织部", "组织部", "202", "部长", ["党建", "干部", "党员发展", "党支部书记", "组织员"]),
    (
        "党委宣传部",
        "宣传部",
        "203",
        "部长",
        ["新闻通讯员", "网评员", "新媒体联盟", "校报编辑", "意识形态"],
    ),
    ("纪委办公室", "纪委办", "204", "主任", ["纪检委员", "廉政教育", "监督检查", "信访"]),
    ("学生工作部", "学工部", "205", "部长", ["辅导员", "资助", "心理健康", "公寓管理", "评奖评优"]),
    ("教务处", "教务处", "206", "处长", ["教学秘书", "排课", "考务", "教材", "教学质量监控"]),
    ("科技处", "科技处", "207", "处长", ["科研秘书", "项目申报", "成果管理", "学术委员会"]),
    ("人事处", "人事处", "208", "处长", ["人事干事", "职称评审", "人才招聘", "工资社保"]),
    ("招生就业处", "招就处", "209", "处长", ["招生宣传", "就业信息", "用人单位联络", "招生咨询"]),
    ("研究生院", "研究生院", "210", "院长", ["研究生秘书", "导师", "学位", "招生复试"]),
    (
        "国际合作与交流处",
        "国际处",
        "211",
        "处长",
        ["外事秘书", "留学生管理", "出国访学", "国际项目"],
    ),
    ("后勤管理处", "后勤处", "212", "处长", ["维修服务", "餐饮中心", "物业管理", "节能"]),
    ("保卫处", "保卫处", "213", "处长", ["安全员", "消防", "交通", "治安巡逻"]),
]
# (section, parent department, head post)
SECTIONS = [
    ("新闻中心", "党委宣传部", "主任"),
    ("网络宣传科", "党委宣传部", "科长"),
    ("心理健康教育中心", "学生工作部", "主任"),
    ("学生资助管理中心", "学生工作部", "主任"),
    ("就业指导中心", "招生就业处", "主任"),
    ("考试中心", "教务处", "主任"),
]
# (direct unit, short, code, head post, [group topics])
DIRECT_UNITS = [
    ("图书馆", "图书馆", "301", "馆长", ["读者服务", "馆员", "数据库资源", "阅读推广"]),
    (
        "信息化办公室",
        "信息办",
        "302",
        "主任",
        ["网络运维", "统一身份认证", "信息系统管理员", "网络安全"],
    ),
    ("档案馆", "档案馆", "303", "馆长", ["兼职档案员", "校史馆讲解员", "档案数字化"]),
    ("校医院", "校医院", "304", "院长", ["医护人员", "医保报销", "健康教育", "体检"]),
]
LEAGUE = "校团委"
# (school-level student org under 校团委, short)
SCHOOL_ORGS = [
    ("校学生会", "学生会"),
    ("学生社团联合会", "学社联"),
    ("校研究生会", "研究生会"),
    ("校青年志愿者协会", "青协"),
]
CLUBS = [
    "摄影协会", "动漫社", "街舞社", "辩论队", "吉他协会", "书法协会", "天文协会",
    "机器人协会", "ACM协会", "汉服社", "轮滑社", "话剧社", "英语协会", "读书会",
    "篮球协会", "足球协会", "羽毛球协会", "武术协会", "心理协会", "电子竞技协会",
    "红十字会", "模拟联合国协会", "创新创业协会", "水利科普协会",
]  # fmt: skip

# --- names and numbers ------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
)
STAFF_GIVEN = _words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 华 红 鹏 辉 斌 波 峰 亮 宁 颖 "
    "琳 燕 萍 健 凯 彬 毅 俊 鑫 飞 雷 虹 蕾 丹 晶 岩 冰 建国 志强 海涛 永红 晓东 丽华 文斌 国庆 "
    "红霞 建华 立新 振华 春燕 晓燕 秀英 学军 玉兰 卫东 建军 丽娟 海燕 晓峰 志刚 新华 伟民 明辉 "
    "俊峰 淑芬 宏伟 向阳 德明 光辉 金凤 爱华 海波 红梅 晓明 少华 长青 瑞芳 素梅 利民 振宇 雪梅 "
    "文杰 永刚 丽萍 慧敏 国栋 晓丽 建伟 春华 亚楠 文静 海军 晓霞 春雷 宏亮 艳丽 红岩"
)
STUDENT_GIVEN = _words(
    "浩 轩 涵 宇 萱 琪 悦 睿 晨 欣 怡 博 瑶 彤 妍 哲 昊 泽 航 阳 璐 冉 畅 菲 硕 晗 帆 潇 瑞 "
    "子轩 梓涵 浩然 欣怡 雨桐 一诺 佳怡 宇轩 思远 子涵 梓萱 诗涵 俊杰 嘉怡 晨曦 若曦 明轩 可馨 "
    "博文 天佑 雨萱 子墨 佳琪 思彤 泽宇 语桐 欣妍 皓轩 一鸣 雅婷 文博 梦瑶 书涵 沐阳 心怡 子豪 "
    "嘉豪 悦然 宇航 佳琳 晓雨 志远 家乐 奕辰 诗琪 锦程 静怡 婉清 思琪 天宇 雨欣 铭泽 子怡 舒涵"
)
MOBILE_PREFIXES = ["138", "139", "150", "151", "186", "187", "188"]
FREQUENCIES = ["1次/日", "1次/日", "2-3次/周", "2-3次/周", "1次/周", "2-3次/月", "1次/月", "不定期"]
CLOSE_REASONS = {
    "class": ["班级账号停用，改用班级群", "并入学院官方账号统一运营"],
    "league_branch": ["团支部账号停用，并入学院团委账号", "并入学院官方账号统一运营"],
    "student_org": ["学生组织换届后停止运营", "并入学院官方账号统一运营"],
}
CLOSE_REASONS_OTHER = ["机构调整", "并入学院官方账号统一运营"]
DISSOLVE_REASONS = {
    "teaching": ["课程结束", "课程结束，转入新学期课程群"],
    "student_affairs": ["成员已全部毕业", "年级合并管理"],
    "research": ["项目结题", "课题组合并"],
}
DISSOLVE_REASONS_OTHER = ["工作任务完成", "改用企业微信群", "机构调整，群聊合并"]

#: Platforms on which accounts are verified (认证); websites, print and apps are not.
VERIFIABLE = {
    "wechat_official", "wechat_channels", "weibo", "douyin", "kuaishou", "bilibili",
    "xiaohongshu", "zhihu", "toutiao", "renmin_hao", "xinhua_hao", "mini_program",
}  # fmt: skip
#: Earliest plausible creation year per platform (the rest: 2013).
PLATFORM_SINCE = {
    "douyin": 2018, "kuaishou": 2017, "wechat_channels": 2020, "xiaohongshu": 2019,
    "bilibili": 2016, "renmin_hao": 2019, "xinhua_hao": 2019, "toutiao": 2015,
    "zhihu": 2014, "mini_program": 2017,
}  # fmt: skip
#: Chat-group platforms and how often each is used.
GROUP_PLATFORM_CODES = ["wechat_group", "qq_group", "dingtalk_group", "wecom_group", "feishu_group"]
GROUP_PLATFORM_WEIGHTS = [50, 24, 11, 10, 5]
STUDENT_KINDS = {
    UnitKind.SCHOOL_STUDENT_ORG,
    UnitKind.STUDENT_ORG,
    UnitKind.CLASS,
    UnitKind.LEAGUE_BRANCH,
}

LOGINS = [
    # (username, role, unit name or None, person tag) — the person's name is the display name
    ("xcb_admin", Role.SCHOOL_ADMIN, None, "xcb_admin"),
    ("leader", Role.LEADER, None, "leader"),
    ("league", Role.LEAGUE_APPROVER, LEAGUE, "league"),
    ("unit_info", Role.UNIT_ADMIN, "信息工程学院", "unit_info"),
    ("unit_water", Role.UNIT_ADMIN, "水利学院", "unit_water"),
    ("operator", Role.OPERATOR, None, "operator"),
    ("auditor", Role.AUDITOR, None, "auditor"),
]


# --- the plan -----------------------------------------------------------------------------


@dataclass
class UnitPlan:
    name: str
    kind: str
    parent: str | None
    short_name: str = ""
    code: str = ""
    head: int | None = None  # index into DemoPlan.people


@dataclass
class PersonPlan:
    name: str
    number: str
    kind: str
    unit: str
    post: str
    status: str = PersonStatus.IN_POST
    mobile: str = ""
    email: str = ""
    qq: str = ""


@dataclass
class AccountPlan:
    platform: str
    name: str
    owner: str
    tier: int
    external_id: str = ""
    url: str = ""
    guiding: str | None = None
    tier_override_reason: str = ""
    is_personal: bool = False
    is_official: bool = False
    created_month: date | None = None
    verified: bool = False
    verified_month: date | None = None
    audience: int | None = None
    update_frequency: str = ""
    columns: str = ""
    introduction: str = ""
    status: str = AccountStatus.ACTIVE
    filing_state: str = FilingState.FILED
    registration_number: str = ""
    last_post_date: date | None = None
    last_post_source: str = ""
    feed_url: str = ""
    closed_on: date | None = None
    closed_reason: str = ""
    team: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class GroupPlan:
    platform: str
    name: str
    owner: str
    purpose: str
    member_count: int
    created_month: date
    group_number: str = ""
    creator: int | None = None
    has_outside_members: bool = False
    outside_member_count: int = 0
    is_temporary: bool = False
    temporary_until: date | None = None
    status: str = GroupStatus.ACTIVE
    registered: bool = True
    dissolved_on: date | None = None
    dissolved_reason: str = ""
    admins: list[int] = field(default_factory=list)


@dataclass
class LoginPlan:
    username: str
    role: str
    unit: str | None
    person: int


@dataclass
class BrokenRecord:
    """A record made wrong on purpose, so the compliance checks have something to find."""

    rule: str
    model: str  # "account" | "group"
    platform: str
    name: str
    what: str


@dataclass
class DemoPlan:
    institution: dict
    units: list[UnitPlan]
    people: list[PersonPlan]
    accounts: list[AccountPlan]
    groups: list[GroupPlan]
    logins: list[LoginPlan]
    broken: list[BrokenRecord]

    def fingerprint(self) -> str:
        """A hash of every name in the plan (units, people, accounts, groups), sorted."""
        names = sorted(
            [f"u:{u.name}" for u in self.units]
            + [f"p:{p.number}:{p.name}" for p in self.people]
            + [f"a:{a.platform}:{a.name}:{a.external_id}" for a in self.accounts]
            + [f"g:{g.platform}:{g.name}" for g in self.groups]
        )
        return hashlib.sha256("\n".join(names).encode()).hexdigest()


def demo_plan(*, today: date | None = None, seed: int = SEED) -> DemoPlan:
    """The whole demo school as plain objects; the same names for every `today`."""
    return _Builder(today=today or timezone.localdate(), seed=seed).build()


def _month(year: int, month: int) -> date:
    return date(year, month, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _strip_school(name: str) -> str:
    for prefix in (SCHOOL, SHORT):
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


class _Builder:
    def __init__(self, *, today: date, seed: int):
        # One generator for everything except dates placed relative to `today`: it is
        # consumed the same way whatever the date, so names never depend on it.
        self.rng = random.Random(seed)
        self.today = today
        self.units: list[UnitPlan] = []
        self.unit_by_name: dict[str, UnitPlan] = {}
        self.top_of: dict[str, str] = {}
        self.people: list[PersonPlan] = []
        self.staff_pool: dict[str, list[int]] = {}
        self.student_pool: dict[str, list[int]] = {}
        self.tagged: dict[str, int] = {}
        self.accounts: list[AccountPlan] = []
        self.groups: list[GroupPlan] = []
        self.broken: list[BrokenRecord] = []
        self._used: dict[str, set[str]] = {}
        self._staff_seq = 100
        self._student_seq: dict[str, int] = {}
        self._reg_seq: dict[int, int] = {}

    def build(self) -> DemoPlan:
        self._units_and_people()
        self._accounts()
        self._broken_accounts()
        self._groups()
        self._broken_groups()
        self._operator_on_teams()
        logins = [
            LoginPlan(username, role, unit, self.tagged[tag])
            for username, role, unit, tag in LOGINS
        ]
        return DemoPlan(
            institution=dict(INSTITUTION),
            units=self.units,
            people=self.people,
            accounts=self.accounts,
            groups=self.groups,
            logins=logins,
            broken=self.broken,
        )

    # --- helpers ----------------------------------------------------------------------

    def _unique(self, space: str, value: str) -> bool:
        used = self._used.setdefault(space, set())
        if value in used:
            return False
        used.add(value)
        return True

    def _digits(self, space: str, low: int, high: int) -> str:
        while True:
            value = str(self.rng.randint(low, high))
            if self._unique(space, value):
                return value

    def _rand_month(self, first: date, last: date) -> date:
        span = (last.year * 12 + last.month) - (first.year * 12 + first.month)
        return _add_months(first, self.rng.randint(0, max(span, 0)))

    def _days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    # --- units and people -------------------------------------------------------------

    def _unit(self, name, kind, parent=None, *, short_name="", code="") -> UnitPlan:
        assert name not in self.unit_by_name, name
        unit = UnitPlan(name=name, kind=kind, parent=parent, short_name=short_name, code=code)
        self.units.append(unit)
        self.unit_by_name[name] = unit
        if parent is None or self.unit_by_name[parent].parent is None:
            self.top_of[name] = name
        else:
            self.top_of[name] = self.top_of[parent]
        return unit

    def _name(self, kind: str) -> str:
        rng = self.rng
        surname = SURNAMES[int(len(SURNAMES) * rng.random() ** 1.6)]
        pool = STUDENT_GIVEN if kind == PersonKind.STUDENT else STAFF_GIVEN
        return surname + rng.choice(pool)

    def _mobile(self) -> str:
        while True:
            value = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
            if self._unique("mobile", value):
                return value

    def _person(
        self,
        unit: str,
        post: str,
        *,
        kind: str = PersonKind.STAFF,
        status: str = PersonStatus.IN_POST,
        year: int | None = None,
        pooled: bool = True,
        tag: str | None = None,
        college_code: str = "00",
    ) -> int:
        name = self._name(kind)
        if kind == PersonKind.STAFF:
            self._staff_seq += self.rng.randint(1, 9)
            hired = self.rng.randint(1992, 2022)
            number = f"T{hired}{self._staff_seq:04d}"
            base = pinyin_keys(name)[0]
            email = f"{base}@{DOMAIN}"
            n = 1
            while not self._unique("email", email):
                n += 1
                email = f"{base}{n}@{DOMAIN}"
        elif kind == PersonKind.STUDENT:
            key = f"{year}{college_code}"
            self._student_seq[key] = self._student_seq.get(key, 0) + self.rng.randint(1, 40)
            number = f"{key}{self._student_seq[key]:04d}"
            email = f"{number}@{DOMAIN}"
        else:
            number, email = "", ""
        qq = self._digits("qq", 10_000_000, 2_999_999_999)
        index = len(self.people)
        self.people.append(
            PersonPlan(
                name=name,
                number=number,
                kind=kind,
                unit=unit,
                post=post,
                status=status,
                mobile=self._mobile(),
                email=email,
                qq=qq,
            )
        )
        if pooled and status == PersonStatus.IN_POST and kind != PersonKind.EXTERNAL:
            pools = self.student_pool if kind == PersonKind.STUDENT else self.staff_pool
            pools.setdefault(self.top_of[unit], []).append(index)
        if tag:
            self.tagged[tag] = index
        return index

    def _head(self, unit: str, post: str, **kw) -> int:
        index = self._person(unit, post, **kw)
        self.unit_by_name[unit].head = index
        return index

    def _units_and_people(self) -> None:
        rng = self.rng
        self._unit(SCHOOL, UnitKind.SCHOOL, short_name=SHORT, code="10078")
        self._head(SCHOOL, "党委书记", pooled=False)
        self._person(SCHOOL, "校长", pooled=False)
        self._person(SCHOOL, "党委副书记（分管宣传思想工作）", pooled=False, tag="leader")

        for name, short, code, post, _topics in DEPARTMENTS:
            self._unit(name, UnitKind.DEPARTMENT, SCHOOL, short_name=short, code=code)
            self._head(name, post)
            self._person(name, f"副{post}")
            for staff_post in ("科长", "科员", "科员"):
                self._person(name, staff_post)
        for name, parent, post in SECTIONS:
            self._unit(name, UnitKind.SECTION, parent)
            self._head(name, post, tag="xcb_admin" if name == "网络宣传科" else None)
            self._person(name, "编辑" if parent == "党委宣传部" else "科员")
        self._person("新闻中心", "记者")
        for _ in range(2):
            self._person(
                "党委宣传部", "外包运营（合作公司）", kind=PersonKind.EXTERNAL, tag="outsourced"
            )
        self._person("纪委办公室", "监督检查室主任", tag="auditor")
        # The deliberately broken people, kept off every pool.
        self._person("科技处", "科员", pooled=False, tag="no_phone")
        self.people[self.tagged["no_phone"]].mobile = ""
        self._person("人事处", "科员", status=PersonStatus.LEFT, pooled=False)

        for name, short, code, post, _topics in DIRECT_UNITS:
            self._unit(name, UnitKind.DIRECT, SCHOOL, short_name=short, code=code)
            self._head(name, post)
            for staff_post in (
                f"副{post}",
                "科长",
                "馆员" if short in ("图书馆", "档案馆") else "科员",
                "科员",
            ):
                self._person(name, staff_post)
        self._person("档案馆", "科员", status=PersonStatus.LEFT, pooled=False, tag="left_staff")

        self._unit(LEAGUE, UnitKind.SCHOOL_STUDENT_ORG, SCHOOL, short_name="团委", code="401")
        self._head(LEAGUE, "团委书记")
        deputies = [self._person(LEAGUE, "团委副书记", tag=t) for t in ("league", None)]
        clerks = [self._person(LEAGUE, "干事") for _ in range(2)]
        for (name, short), head in zip(SCHOOL_ORGS, deputies + clerks, strict=True):
            self._unit(name, UnitKind.SCHOOL_STUDENT_ORG, LEAGUE, short_name=short)
            self.unit_by_name[name].head = head

        for college_no, (college, short, code, divisions, office, _courses) in enumerate(
            COLLEGES, start=1
        ):
            cc = f"{college_no:02d}"
            self._unit(college, UnitKind.COLLEGE, SCHOOL, short_name=short, code=code)
            self._head(college, "党委书记")
            self._person(college, "院长")
            self._person(college, "党委副书记")
            league_secretary = self._person(college, "团委书记")
            self._person(
                college,
                "办公室主任",
                tag={"信息工程学院": "unit_info", "水利学院": "unit_water"}.get(college),
            )
            self._person(college, "教学秘书")
            counsellors = [self._person(college, "辅导员") for _ in range(3)]
            for division, _abbr in divisions:
                self._unit(division, UnitKind.DIVISION, college)
                self._head(division, "系主任")
                for _ in range(2):
                    post = rng.choice(["教授", "副教授", "副教授", "讲师", "讲师", "实验师"])
                    tag = (
                        "operator"
                        if division == "软件工程系" and "operator" not in self.tagged
                        else None
                    )
                    self._person(division, post, tag=tag)
            self._unit(office, UnitKind.TEACHING_OFFICE, college)
            self._head(office, "教研室主任")
            self._person(office, rng.choice(["副教授", "讲师"]))

            orgs = [f"{college}团委", f"{college}学生会"]
            if college in COLLEGES_WITH_VOLUNTEERS:
                orgs.append(f"{college}青年志愿者协会")
            for org in orgs:
                self._unit(org, UnitKind.STUDENT_ORG, college)
                self.unit_by_name[org].head = league_secretary

            classes = []
            for _division, abbr in divisions:
                for yy in rng.sample(CLASS_YEARS, 2):
                    cls = f"{abbr}{yy}01班"
                    counsellor = rng.choice(counsellors)
                    self._unit(cls, UnitKind.CLASS, college)
                    self.unit_by_name[cls].head = counsellor
                    classes.append((cls, yy))
                    for post in ("班长", "团支部书记", "学习委员", "宣传委员", "学生"):
                        self._person(
                            cls,
                            post,
                            kind=PersonKind.STUDENT,
                            year=2000 + int(yy),
                            college_code=cc,
                        )
                    if rng.random() < 0.6:
                        branch = f"{abbr}{yy}01团支部"
                        self._unit(branch, UnitKind.LEAGUE_BRANCH, college)
                        self.unit_by_name[branch].head = counsellor
            for post in ("学生会主席", "学生会副主席", "青年志愿者协会会长"):
                cls, yy = rng.choice(classes)
                self._person(
                    cls, post, kind=PersonKind.STUDENT, year=2000 + int(yy), college_code=cc
                )
            # Alumni still on the roster: graduated, off every pool.
            for _ in range(2):
                self._person(
                    college,
                    "学生（已毕业）",
                    kind=PersonKind.STUDENT,
                    status=PersonStatus.GRADUATED,
                    year=rng.choice([2020, 2021]),
                    college_code=cc,
                    pooled=False,
                )
        # A staff member who left a college; kept on the roster, off every pool.
        self._person("机械学院", "讲师", status=PersonStatus.LEFT, pooled=False)

    # --- accounts ---------------------------------------------------------------------

    def _pool(self, unit: str, kind: str = PersonKind.STAFF) -> list[int]:
        top = self.top_of[unit]
        pools = self.student_pool if kind == PersonKind.STUDENT else self.staff_pool
        if top == SCHOOL:
            return pools.get("党委宣传部", []) if kind == PersonKind.STAFF else []
        found = pools.get(top, [])
        if kind == PersonKind.STUDENT and not found:
            # School-level organisations draw their students from the whole school.
            found = [i for ids in self.student_pool.values() for i in ids]
        return found

    def _team(self, unit: str, *, reviewers: int = 3, advisor: bool = True) -> list:
        rng = self.rng
        owner = self.unit_by_name[unit]
        staff = [i for i in self._pool(unit) if i != owner.head]
        team: list[tuple[str, int]] = []
        if owner.head is not None:
            team.append((TeamRole.FIRST_RESPONSIBLE, owner.head))
        # Responsible, reviewers and staff operators are different people where the unit
        # is big enough (every pool holds at least five staff besides the head).
        order = rng.sample(staff, len(staff))
        team.append((TeamRole.RESPONSIBLE, order[0]))
        team += [(TeamRole.REVIEWER, person) for person in order[1 : 1 + reviewers]]
        rest = order[1 + reviewers :] or order[1:]
        if owner.kind in STUDENT_KINDS:
            students = self._pool(unit, PersonKind.STUDENT)
            picked = rng.sample(students, 3)
            team.append((TeamRole.STUDENT_LEAD, picked[0]))
            team += [(TeamRole.OPERATOR, p) for p in picked[1 : rng.randint(2, 3)]]
            if advisor:
                team.append((TeamRole.ADVISOR, rng.choice(staff)))
        else:
            team += [(TeamRole.OPERATOR, p) for p in rest[: rng.randint(1, 2)]]
        return team

    def _guiding_unit(self, unit: UnitPlan) -> str | None:
        """Student organisations are guided by the Youth League committee above them."""
        if unit.kind == UnitKind.SCHOOL_STUDENT_ORG and unit.name != LEAGUE:
            return LEAGUE
        if unit.kind in STUDENT_KINDS:
            league = f"{self.top_of[unit.name]}团委"
            if league in self.unit_by_name and league != unit.name:
                return league
        return None

    def _external_id(self, platform: str, name: str) -> tuple[str, str]:
        """(account id or address, url) in the form the platform's address_pattern wants."""
        rng = self.rng
        slug = pinyin_keys(_strip_school(name))[1][:12] or "ncwu"
        if platform == "wechat_official":
            if rng.random() < 0.25:
                while True:
                    value = "gh_" + "".join(rng.choice("0123456789abcdef") for _ in range(12))
                    if self._unique(platform, value):
                        return value, ""
            base, n = f"ncwu_{slug}"[:18], 1  # 6–20 characters, a letter first
            value = base
            while not self._unique(platform, value):
                n += 1
                value = f"{base}{n}"
            return value, ""
        if platform == "weibo":
            value = "https://weibo.com/u/" + self._digits(platform, 1_000_000_000, 7_999_999_999)
            return value, value
        if platform == "bilibili":
            value = "https://space.bilibili.com/" + self._digits(
                platform, 10_000_000, 3_999_999_999
            )
            return value, value
        if platform in ("qq", "qzone", "qq_official"):
            value = self._digits("qq", 100_000_000, 3_999_999_999)
            self._unique(platform, value)
            url = f"https://user.qzone.qq.com/{value}" if platform == "qzone" else ""
            return value, url
        if platform in ("douyin", "kuaishou", "xiaohongshu"):
            return self._digits(platform, 100_000_000, 9_999_999_999), ""
        if platform == "wechat_channels":
            alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
            while True:
                value = "sph" + "".join(rng.choice(alphabet) for _ in range(7))
                if self._unique(platform, value):
                    return value, ""
        if platform == "mini_program":
            while True:
                value = "wx" + "".join(rng.choice("0123456789abcdef") for _ in range(16))
                if self._unique(platform, value):
                    return value, ""
        if platform == "zhihu":
            value = f"https://www.zhihu.com/org/ncwu-{slug}"
            self._unique(platform, value)
            return value, value
        if platform == "toutiao":
            value = "https://www.toutiao.com/c/user/" + self._digits(platform, 10**10, 10**11)
            return value, value
        if platform == "website_campus":
            host = f"{slug}.{DOMAIN}"
            n = 1
            while not self._unique(platform, f"https://{host}"):
                n += 1
                host = f"{slug}{n}.{DOMAIN}"
            return f"https://{host}", f"https://{host}"
        if platform in ("radio", "app"):
            host = {"radio": f"https://radio.{DOMAIN}", "app": f"https://app.{DOMAIN}/download"}
            self._unique(platform, host[platform])
            return host[platform], host[platform]
        if platform == "journal":
            self._unique(platform, "CN41-1432/TV")
            return "CN41-1432/TV", ""
        # 人民号, 新华号 …: the account is known by its name.
        value, n = name, 1
        while not self._unique(platform, value):
            n += 1
            value = f"{name}{n}"
        return value, ""

    def _account(
        self,
        owner: str,
        platform: str,
        name: str,
        *,
        official: bool = False,
        tier: int | None = None,
        audience: tuple[int, int] | int | None = None,
        team: list | None = None,
        since: date | None = None,
        **kw,
    ) -> AccountPlan:
        rng = self.rng
        unit = self.unit_by_name[owner]
        default_tier = derive_tier(unit_kind=unit.kind, is_personal=bool(kw.get("is_personal")))
        tier = tier or default_tier
        external_id, url = self._external_id(platform, name)
        first = max(_month(PLATFORM_SINCE.get(platform, 2013), 1), since or _month(2013, 1))
        created = self._rand_month(first, _month(2025, 12))
        verified = platform in VERIFIABLE and (official or tier == Tier.ONE or rng.random() < 0.45)
        verified_month = (
            min(_add_months(created, rng.randint(0, 18)), _month(2025, 12)) if verified else None
        )
        if isinstance(audience, tuple):
            audience = rng.randint(*audience)
        if audience is None and platform not in ("website_campus", "website_external", "newspaper"):
            low, high = {1: (8_000, 60_000), 2: (800, 22_000), 3: (40, 6_000)}[tier]
            audience = rng.randint(low, high)
        # Almost all are filed: a backlog of a few tier-2 and tier-3 filings still waiting,
        # and a few tier-3 accounts never filed.
        roll = rng.random()
        filing = FilingState.FILED
        if tier == Tier.THREE and roll < 0.03:
            filing = FilingState.UNFILED
        elif (tier == Tier.THREE and roll < 0.08) or (tier == Tier.TWO and roll < 0.02):
            filing = FilingState.PENDING
        filing = kw.pop("filing_state", filing)
        freshness = {1: (0, 2), 2: (0, 20), 3: (0, 45)}[tier]
        last_post = self._days_ago(*freshness)
        source = rng.choice(
            [
                ActivitySource.OPERATOR,
                ActivitySource.OPERATOR,
                ActivitySource.INSPECTION,
                ActivitySource.IMPORT,
            ]
        )
        feed_url = ""
        if platform == "website_campus" and rng.random() < 0.5:
            feed_url, source = f"{url}/rss.xml", ActivitySource.FEED
        frequency = rng.choice(FREQUENCIES[:3] if tier == Tier.ONE else FREQUENCIES)
        if team is None:
            team = self._team(owner)
        account = AccountPlan(
            platform=platform,
            name=name,
            owner=owner,
            tier=tier,
            external_id=external_id,
            url=url,
            is_official=official,
            created_month=created,
            verified=verified,
            verified_month=verified_month,
            audience=audience,
            update_frequency=frequency,
            columns=_columns(unit.kind),
            introduction=f"{owner}{'官方' if official else ''}账号，发布{_columns(unit.kind).split('、')[0]}等信息。",
            filing_state=filing,
            last_post_date=last_post,
            last_post_source=source,
            feed_url=feed_url,
            team=team,
            guiding=self._guiding_unit(unit),
        )
        if tier != default_tier and not kw.get("tier_override_reason"):
            account.tier_override_reason = "学校官方账号，由党委宣传部运营"
        for key, value in kw.items():
            setattr(account, key, value)
        if account.filing_state == FilingState.FILED and not account.registration_number:
            year = max(created.year, 2018)
            self._reg_seq[year] = self._reg_seq.get(year, 0) + 1
            account.registration_number = (
                f"{INSTITUTION['registration_prefix']}-{year}-{self._reg_seq[year]:04d}"
            )
        self.accounts.append(account)
        return account

    def _accounts(self) -> None:
        rng = self.rng
        # Tier 1: the school's own accounts, run by the propaganda department.
        propaganda = self.unit_by_name["党委宣传部"]
        leader = self.tagged["leader"]
        staff = self._pool("党委宣传部")
        news_head = self.unit_by_name["新闻中心"].head
        reviewers = [staff[1], self.tagged["xcb_admin"]]
        editors = [i for i in staff if self.people[i].post in ("编辑", "记者")]
        outsourced = [i for i, p in enumerate(self.people) if p.kind == PersonKind.EXTERNAL]

        def school_team(*, external: bool = False, owner: str = SCHOOL):
            # The school's head answers for the school's accounts; the propaganda
            # department's head for those the department owns itself.
            if owner == SCHOOL:
                first, responsible, reviewer = (
                    self.unit_by_name[SCHOOL].head,
                    propaganda.head,
                    news_head,
                )
            else:
                first, responsible, reviewer = propaganda.head, news_head, staff[2]
            team = [
                (TeamRole.SUPERVISOR, leader),
                (TeamRole.FIRST_RESPONSIBLE, first),
                (TeamRole.RESPONSIBLE, responsible),
            ]
            team += [(TeamRole.REVIEWER, r) for r in [*reviewers, reviewer]]
            team += [(TeamRole.OPERATOR, e) for e in rng.sample(editors, 2)]
            if external:
                team.append((TeamRole.OPERATOR, outsourced[0]))
            return team

        tier1 = [
            ("wechat_official", 426_000),
            ("weibo", 285_000),
            ("douyin", 356_000),
            ("wechat_channels", 98_000),
            ("bilibili", 72_000),
            ("kuaishou", 41_000),
            ("xiaohongshu", 53_000),
            ("zhihu", 18_000),
            ("toutiao", 67_000),
            ("renmin_hao", 12_000),
            ("xinhua_hao", 9_000),
        ]
        for platform, audience in tier1:
            account = self._account(
                SCHOOL,
                platform,
                SCHOOL,
                official=True,
                audience=audience,
                team=school_team(external=platform in ("douyin", "bilibili")),
                update_frequency="1次/日",
            )
            if platform == "wechat_official":
                account.external_id = "ncwu1951"
                account.created_month = _month(2013, 9)
                account.verified_month = _month(2014, 3)
            if platform == "weibo":
                account.external_id = account.url = "https://weibo.com/ncwu1951"
        self._account(
            SCHOOL,
            "website_campus",
            "华北水利水电大学官网",
            official=True,
            team=school_team(),
            url=f"https://www.{DOMAIN}",
            external_id=f"https://www.{DOMAIN}",
            feed_url=f"https://www.{DOMAIN}/rss.xml",
            last_post_source=ActivitySource.FEED,
        )
        self._account(
            "党委宣传部",
            "website_campus",
            "华水新闻网",
            tier=Tier.ONE,
            official=False,  # the department's own official site is 党委宣传部网站
            team=school_team(owner="党委宣传部"),
            url=f"https://news.{DOMAIN}",
            external_id=f"https://news.{DOMAIN}",
            feed_url=f"https://news.{DOMAIN}/rss.xml",
            last_post_source=ActivitySource.FEED,
        )
        self._account(
            "党委宣传部",
            "newspaper",
            "华北水利水电大学报",
            tier=Tier.ONE,
            official=True,
            team=school_team(owner="党委宣传部"),
            external_id="CN41-0817/(G)",
            update_frequency="2-3次/月",
            columns="要闻、综合新闻、校园文化、副刊",
        )
        self._account(
            SCHOOL,
            "website_campus",
            "NCWU English",
            official=False,
            team=school_team(),
            url=f"https://en.{DOMAIN}",
            external_id=f"https://en.{DOMAIN}",
            update_frequency="1次/周",
        )

        # Tier 2: the official accounts of colleges, departments, direct units and the
        # school-level student organisations; one per platform per unit.
        for college, _short, *_rest in COLLEGES:
            if college != "电力学院":  # its two official WeChat accounts are broken records
                self._account(college, "wechat_official", f"{SHORT}{college}", official=True)
            self._account(college, "website_campus", f"{college}网站", official=True)
            for platform, chance in (
                ("weibo", 0.7),
                ("douyin", 0.7),
                ("wechat_channels", 0.5),
                ("bilibili", 0.25),
                ("xiaohongshu", 0.25),
                ("kuaishou", 0.15),
                ("toutiao", 0.1),
                ("qq", 0.3),
                ("qzone", 0.3),
            ):
                roll = rng.random()
                if college == "马克思主义学院" and platform == "douyin":
                    continue  # its unverified official Douyin account is a broken record
                if roll < chance:
                    name = f"{SCHOOL}{college}" if platform == "weibo" else f"{SHORT}{college}"
                    self._account(college, platform, name, official=True)
        departments = {
            "党委组织部": [("wechat_official", "华水组工")],
            "纪委办公室": [("wechat_official", "华水清风")],
            "学生工作部": [("wechat_official", "华水学工"), ("douyin", "华水学工")],
            "教务处": [("wechat_official", "华水教务")],
            "科技处": [("journal", "华北水利水电大学学报（自然科学版）")],
            "人事处": [("wechat_official", "华水人才招聘")],
            "招生就业处": [
                ("wechat_official", "华水招生"),
                ("douyin", "华水招生"),
                ("weibo", "华水招生"),
                ("wechat_channels", "华水招生"),
                ("xiaohongshu", "华水招生"),
                ("kuaishou", "华水招生"),
                ("bilibili", "华水招生"),
            ],
            "研究生院": [("wechat_official", "华水研究生"), ("weibo", "华水研究生")],
            "国际合作与交流处": [("wechat_official", "华水国际"), ("weibo", "NCWU International")],
            "后勤管理处": [("wechat_official", "华水后勤"), ("douyin", "华水后勤")],
            "保卫处": [("wechat_official", "华水平安"), ("weibo", "华水平安")],
            "图书馆": [
                ("wechat_official", "华水图书馆"),
                ("weibo", "华水图书馆"),
                ("douyin", "华水图书馆"),
            ],
            "信息化办公室": [
                ("wechat_official", "华水信息化"),
                ("app", "i华水"),
                ("mini_program", "华水校园服务"),
            ],
            "校医院": [("wechat_official", "华水校医院")],
            LEAGUE: [
                ("wechat_official", "华水青年"),
                ("weibo", "华水青年"),
                ("douyin", "华水青年"),
                ("bilibili", "华水青年"),
                ("wechat_channels", "华水青年"),
                ("qzone", "华水青年"),
                ("radio", "华水之声"),
            ],
            "校学生会": [
                ("wechat_official", "华水学生会"),
                ("weibo", "华水学生会"),
                ("douyin", "华水学生会"),
                ("qzone", "华水学生会"),
                ("bilibili", "华水学生会"),
                ("xiaohongshu", "华水学生会"),
            ],
            "学生社团联合会": [("wechat_official", "华水学社联"), ("qzone", "华水学社联")],
            "校研究生会": [("wechat_official", "华水研究生会"), ("qzone", "华水研究生会")],
            "校青年志愿者协会": [("wechat_official", "华水青协"), ("douyin", "华水青协")],
        }
        for owner, accounts in departments.items():
            for platform, name in accounts:
                self._account(owner, platform, name, official=platform != "journal")
        self._account("招生就业处", "wechat_official", "华水就业", audience=(9_000, 30_000))
        for name, *_rest in DEPARTMENTS + DIRECT_UNITS:
            if name != "档案馆":  # 档案馆's accounts are among the broken records
                self._account(name, "website_campus", f"{name}网站", official=True)

        # Tier 3: sections, divisions, student organisations, classes, league branches.
        self._account("心理健康教育中心", "wechat_official", "华水心理")
        self._account("心理健康教育中心", "douyin", "华水心理")
        self._account("学生资助管理中心", "wechat_official", "华水资助")
        self._account("就业指导中心", "douyin", "华水就业指导")
        for club in CLUBS:
            for platform, chance in (
                ("wechat_official", 1),
                ("qzone", 0.6),
                ("douyin", 0.4),
                ("bilibili", 0.25),
                ("xiaohongshu", 0.15),
                ("wechat_channels", 0.1),
            ):
                if rng.random() < chance:
                    self._account(
                        "学生社团联合会",
                        platform,
                        f"{SHORT}{club}",
                        tier=Tier.THREE,
                        tier_override_reason="学生社团账号，按三级管理",
                    )
        for college, short, _code, divisions, office, _courses in COLLEGES:
            for division, _abbr in divisions:
                if rng.random() < 0.6 or division == "软件工程系":
                    self._account(division, "wechat_official", f"{college}{division}")
                if rng.random() < 0.5:
                    self._account(division, "website_campus", f"{division}网站")
                if rng.random() < 0.15:
                    self._account(division, "douyin", f"{SHORT}{division}")
            if rng.random() < 0.4:
                self._account(office, "wechat_official", office)
            youth = f"{college}团委"
            self._account(youth, "wechat_official", f"{SHORT}{short}青年")
            for platform, chance in (
                ("qzone", 0.6),
                ("douyin", 0.5),
                ("weibo", 0.3),
                ("wechat_channels", 0.3),
                ("bilibili", 0.15),
            ):
                if rng.random() < chance:
                    self._account(youth, platform, f"{college}团委")
            union = f"{college}学生会"
            self._account(union, "wechat_official", union)
            for platform, chance in (("weibo", 0.3), ("douyin", 0.4), ("qzone", 0.6)):
                roll = rng.random()
                if college == "信息工程学院" and platform == "weibo":
                    continue  # the broken tier-3 Weibo account stands in for it
                if roll < chance:
                    self._account(union, platform, union)
            volunteers = f"{college}青年志愿者协会"
            if volunteers in self.unit_by_name:
                self._account(volunteers, "wechat_official", f"{college}青协")
                if rng.random() < 0.4:
                    self._account(volunteers, "douyin", f"{college}青协")
            for unit in self.units:
                if unit.parent != college or unit.kind not in (
                    UnitKind.CLASS,
                    UnitKind.LEAGUE_BRANCH,
                ):
                    continue
                since = _month(2000 + int(re.search(r"(\d\d)01", unit.name).group(1)), 9)
                if unit.kind == UnitKind.CLASS:
                    for platform, chance in (
                        ("qq", 0.6),
                        ("qzone", 0.7),
                        ("wechat_official", 0.4),
                    ):
                        if rng.random() < chance:
                            self._account(
                                unit.name,
                                platform,
                                f"{college}{unit.name}",
                                since=since,
                                audience=(25, 60),
                            )
                else:
                    for platform, chance in (("wechat_official", 0.6), ("qzone", 0.35)):
                        if rng.random() < chance:
                            self._account(
                                unit.name, platform, unit.name, since=since, audience=(25, 80)
                            )

        # Personal accounts that use the school's name, filed with the school.
        for college, name, platform in (
            ("数学与统计学院", "华水老师讲高数", "bilibili"),
            ("土木与交通学院", "华水结构力学课堂", "bilibili"),
            ("外国语学院", "华水英语角", "douyin"),
            ("信息工程学院", "华水程序员成长记", "zhihu"),
            ("水利学院", "华水水利人", "wechat_official"),
        ):
            teacher = rng.choice(self._pool(college))
            self._account(
                college,
                platform,
                name,
                is_personal=True,
                team=[
                    (TeamRole.FIRST_RESPONSIBLE, self.unit_by_name[college].head),
                    (TeamRole.RESPONSIBLE, teacher),
                    (TeamRole.OPERATOR, teacher),
                ]
                + [(TeamRole.REVIEWER, r) for r in rng.sample(self._pool(college), 3)],
                filing_state=FilingState.FILED,
                audience=(300, 9_000),
            )

        # A few closed and suspended accounts (not broken: closed properly, with reason).
        candidates = [
            a
            for a in self.accounts
            if a.tier == Tier.THREE
            and a.owner != "学生社团联合会"
            and a.filing_state == FilingState.FILED
        ]
        for account in rng.sample(candidates, 10):
            closed_on = self._rand_month(_month(2024, 1), _month(2025, 12)) + timedelta(
                days=rng.randint(0, 27)
            )
            account.status = AccountStatus.CLOSED
            account.closed_on = max(closed_on, account.created_month)
            kind = self.unit_by_name[account.owner].kind
            account.closed_reason = rng.choice(CLOSE_REASONS.get(kind, CLOSE_REASONS_OTHER))
            account.last_post_date = account.closed_on - timedelta(days=rng.randint(3, 60))
            account.last_post_source = ActivitySource.OPERATOR
        candidates = [a for a in candidates if a.status == AccountStatus.ACTIVE]
        for account in rng.sample(candidates, 3):
            account.status = AccountStatus.SUSPENDED
            account.last_post_date = self._days_ago(100, 150)
        for account in self.accounts:  # the last post never precedes the account
            if account.last_post_date and account.created_month:
                account.last_post_date = max(account.last_post_date, account.created_month)

    def _broke(self, rule: str, record: AccountPlan | GroupPlan, what: str) -> None:
        model = "account" if isinstance(record, AccountPlan) else "group"
        self.broken.append(BrokenRecord(rule, model, record.platform, record.name, what))

    def _broken_accounts(self) -> None:
        rng = self.rng
        broken = self._broke

        a = self._account("外国语学院学生会", "wechat_official", "华水外语角")
        a.last_post_date, a.last_post_source = self._days_ago(250, 280), ActivitySource.INSPECTION
        broken("zombie", a, "运营中，最近发布在 250 天以前（僵尸号）")
        a = self._account("机械设计制造及其自动化系", "douyin", "华水机械创新实验室")
        a.last_post_date, a.last_post_source = self._days_ago(400, 430), ActivitySource.OPERATOR
        broken("zombie", a, "运营中，最近发布在 400 天以前（僵尸号）")

        student = rng.choice(self._pool("数学与统计学院", PersonKind.STUDENT))
        a = self._account("数学与统计学院团委", "douyin", "华水数学青年")
        a.team = [(r, student if r == TeamRole.FIRST_RESPONSIBLE else p) for r, p in a.team]
        broken("first_responsible_not_staff", a, "第一责任人是学生，不是单位负责人")

        a = self._account("电力学院", "wechat_official", f"{SHORT}电力学院", official=True)
        b = self._account("电力学院", "wechat_official", "电力学院青年", official=True)
        broken("duplicate_official", a, "电力学院有两个官方微信公众号（另一个：电力学院青年）")
        broken("duplicate_official", b, "电力学院有两个官方微信公众号（另一个：华水电力学院）")

        left = self.tagged["left_staff"]
        a = self._account("档案馆", "wechat_official", "华水档案馆", official=True)
        a.team = [(r, left if r == TeamRole.RESPONSIBLE else p) for r, p in a.team]
        broken("member_not_in_post", a, "负责人已离职")
        self._account("档案馆", "website_campus", "档案馆网站", official=True)

        a = self._account(
            "信息工程学院学生会",
            "weibo",
            "华水信息工程学院学生会",
            audience=56_800,
            filing_state=FilingState.UNFILED,
        )
        broken(
            "audience_threshold_unfiled", a, "三级微博账号，粉丝 56,800（> 50,000），未在学校备案"
        )

        personal_owner = "管理与经济学院"
        seller = rng.choice(self._pool(personal_owner, PersonKind.STUDENT))
        a = self._account(
            personal_owner,
            "wechat_official",
            "华水二手交易",
            is_personal=True,
            filing_state=FilingState.UNFILED,
            verified=False,
            verified_month=None,
            team=[(TeamRole.OPERATOR, seller)],
            audience=4_300,
        )
        broken(
            "personal_uses_school_name",
            a,
            "学生以个人名义开设，使用学校简称“华水”，未备案；只登记了运营者（无责任人、审核人）",
        )
        a = self._account(
            "学生工作部",
            "douyin",
            "滑水大学表白墙",
            is_personal=True,
            filing_state=FilingState.UNFILED,
            verified=False,
            verified_month=None,
            team=[],
            audience=12_400,
            introduction="网络巡查发现，开设人不明。",
        )
        broken("imitating_name", a, "谐音仿冒学校名称（滑水 ≈ 华水），未备案，无管理队伍")

        a = self._account("信息工程学院青年志愿者协会", "qzone", "华水青协信息分队")
        a.team = [(r, p) for r, p in a.team if r != TeamRole.ADVISOR]
        broken("student_account_without_advisor", a, "学生组织账号，没有指导教师")

        a = self._account(
            "会计学系", "wechat_official", "华水会计人", team=self._team("会计学系", reviewers=2)
        )
        broken("too_few_reviewers", a, "内容审核人只有 2 人（应至少 3 人）")

        a = self._account("马克思主义学院", "douyin", f"{SHORT}马克思主义学院", official=True)
        a.verified, a.verified_month = False, None
        broken("not_verified", a, "学院官方抖音号，未在平台认证")

        # Nobody has reported a post of this one: "unknown" (缺少发布记录), never a zombie.
        a = next(x for x in self.accounts if (x.platform, x.name) == ("bilibili", "华水天文协会"))
        a.last_post_date, a.last_post_source = None, ""
        broken("activity_unknown", a, "运营中，没有任何来源的最近发布日期（未知，不是僵尸号）")

        a = self._account("科技处", "wechat_official", "华水科技", official=True)
        a.team = [
            (r, self.tagged["no_phone"] if r == TeamRole.RESPONSIBLE else p) for r, p in a.team
        ]
        broken("missing_data", a, "负责人没有手机号码")

        first_outsourced = next(
            i for i, p in enumerate(self.people) if p.kind == PersonKind.EXTERNAL
        )
        for account in self.accounts:
            if any(p == first_outsourced for _, p in account.team):
                broken("member_not_in_post", account, "运营者为校外人员（合作公司外包运营）")

    # --- groups -----------------------------------------------------------------------

    def _group_candidates(self, unit: UnitPlan) -> list[tuple]:
        """(name, purpose, size range, outside share, temporary, creator kind, year) for a
        unit: enough for its quota, in a stable order."""
        W, T, R, S, X, OTHER = (
            GroupPurpose.WORK,
            GroupPurpose.TEACHING,
            GroupPurpose.RESEARCH,
            GroupPurpose.STUDENT_AFFAIRS,
            GroupPurpose.TEMPORARY,
            GroupPurpose.OTHER,
        )
        name, out = unit.name, []
        staff, student = PersonKind.STAFF, PersonKind.STUDENT
        years = range(2016, 2026)

        def add(n, purpose, size, *, outside=0.0, temporary=False, by=staff, year=None):
            out.append((n, purpose, size, outside, temporary, by, year))

        if unit.kind == UnitKind.COLLEGE:
            college = next(c for c in COLLEGES if c[0] == name)
            _c, _short, _code, divisions, _office, courses = college
            for topic, size in (
                ("教职工群", (80, 220)), ("党政联席会议群", (7, 15)), ("党委委员群", (5, 9)),
                ("辅导员工作群", (5, 14)), ("教学秘书群", (5, 10)), ("实验室安全工作群", (10, 40)),
                ("离退休教职工群", (20, 90)), ("工会小组长群", (8, 20)), ("宣传信息员群", (10, 30)),
                ("党支部书记群", (6, 16)), ("安全稳定工作群", (8, 20)), ("研究生导师群", (20, 80)),
                ("教工党支部群", (15, 45)), ("本科教学工作群", (20, 60)),
            ):  # fmt: skip
                add(f"{name}{topic}", W, size)
            add(f"{name}校友联络群", OTHER, (80, 500), outside=0.9)
            add(f"{name}校企合作交流群", OTHER, (20, 120), outside=0.5)
            add(f"{name}招生咨询群", OTHER, (50, 400), outside=0.85)
            add(f"{name}迎评促建专项工作群", X, (10, 40), temporary=True)
            add(f"{name}专业认证材料准备群", X, (8, 30), temporary=True)
            for y in years:
                add(f"{name}{y}级新生群", S, (150, 480), by=staff, year=y)
                add(f"{name}{y}级学生干部群", S, (20, 60), year=y)
                add(f"{name}{y}级新生家长群", S, (150, 450), outside=0.8, year=y)
                add(f"{name}{y}届毕业生就业工作群", S, (100, 400), year=y)
                add(f"{name}{y}级研究生群", S, (20, 120), year=y)
                add(f"{name}{y}级党员发展对象群", S, (10, 40), year=y)
                add(f"{name}{y}年迎新工作群", X, (10, 40), temporary=True, year=y)
                add(f"{name}{y}年暑期社会实践群", X, (20, 80), temporary=True, by=student, year=y)
                add(f"{name}{y}年国家自然科学基金申报交流群", R, (10, 50), year=y)
                for _division, abbr in divisions:
                    add(f"{abbr}{y}级年级群", S, (60, 200), year=y)
                    add(f"{abbr}{y}届毕业设计群", T, (20, 80), year=y)
                for course in courses:
                    for term in (1, 2):
                        add(f"{course}（{y}-{y + 1}-{term}）课程群", T, (30, 150), year=y)
            for i in self.staff_pool.get(name, [])[:12]:
                add(f"{self.people[i].name}老师课题组", R, (5, 30))
        elif unit.kind in (UnitKind.DEPARTMENT, UnitKind.DIRECT):
            topics = next(t for n, *_m, t in DEPARTMENTS + DIRECT_UNITS if n == name)
            add(f"{name}工作群", W, (5, 25))
            add(f"{name}全体人员群", W, (8, 60))
            add(f"{name}与各学院联络员群", W, (20, 60))
            for topic in topics:
                add(f"{name}{topic}工作群", W, (10, 120))
                add(f"全校{topic}联络群", W, (20, 150))
                for y in years:
                    add(f"{name}{y}年{topic}工作群", W, (8, 60), year=y)
            if name == "招生就业处":
                for y in years:
                    add(f"{y}届毕业生就业信息发布群", S, (200, 500), year=y)
                    add(f"{y}年用人单位联络群", OTHER, (30, 300), outside=0.9, year=y)
        elif unit.kind == UnitKind.SECTION:
            add(f"{name}工作群", W, (5, 15))
            add(f"{name}学生助理群", S, (10, 40), by=student)
            for y in years:
                add(f"{name}{y}年工作群", W, (5, 30), year=y)
        elif unit.kind == UnitKind.SCHOOL_STUDENT_ORG:
            add(f"{name}工作群", W, (5, 30))
            add(f"{name}主席团群", S, (5, 12), by=student)
            for dept in ("办公室", "宣传部", "组织部", "外联部", "文体部", "学习部", "权益部"):
                add(f"{name}{dept}群", S, (10, 45), by=student)
            for y in years:
                add(f"{name}{y}年换届工作群", X, (10, 60), temporary=True, year=y)
                add(f"{name}{y}级新成员群", S, (40, 200), by=student, year=y)
            if name == LEAGUE:
                for topic in (
                    "各学院团委书记群",
                    "青年大学习工作群",
                    "团干部培训班群",
                    "挑战杯工作群",
                ):
                    add(f"{name}{topic}", W, (15, 80))
                for y in years:
                    add(f"{y}年暑期“三下乡”社会实践群", X, (30, 200), temporary=True, year=y)
            if name == "学生社团联合会":
                for club in CLUBS:
                    add(f"{SHORT}{club}会员群", S, (30, 300), by=student)
                    add(f"{SHORT}{club}骨干群", S, (5, 25), by=student)
        elif unit.kind == UnitKind.DIVISION:
            add(f"{name}教师群", W, (10, 35))
            add(f"{name}专业建设研讨群", R, (6, 20))
            for y in years:
                add(f"{name}{y}届毕业设计指导群", T, (15, 60), year=y)
        elif unit.kind == UnitKind.TEACHING_OFFICE:
            add(f"{name}集体备课群", T, (6, 20))
            for y in years:
                add(f"{name}{y}年青年教师教学竞赛群", X, (5, 20), temporary=True, year=y)
        elif unit.kind == UnitKind.STUDENT_ORG:
            add(f"{name}全体成员群", S, (30, 150), by=student)
            add(f"{name}干部群", S, (8, 30), by=student)
            for dept in ("办公室", "宣传部", "组织部", "文体部", "学习部"):
                add(f"{name}{dept}群", S, (8, 30), by=student)
            for y in years:
                add(f"{name}{y}年换届群", X, (10, 40), temporary=True, by=student, year=y)
        elif unit.kind == UnitKind.CLASS:
            add(f"{name}班级群", S, (25, 45), by=student)
            add(f"{name}班委群", S, (5, 9), by=student)
            add(f"{name}家长群", S, (25, 60), outside=0.7)
            add(f"{name}学习交流群", T, (20, 45), by=student)
            add(f"{name}宿舍长群", S, (5, 9), by=student)
        elif unit.kind == UnitKind.LEAGUE_BRANCH:
            add(f"{name}团员群", S, (15, 40), by=student)
            add(f"{name}支委群", S, (5, 8), by=student)
            add(f"{name}主题团日活动群", X, (15, 40), temporary=True, by=student)
        return out

    GROUP_QUOTA = {
        UnitKind.COLLEGE: 150,
        UnitKind.DEPARTMENT: 40,
        UnitKind.DIRECT: 30,
        UnitKind.SECTION: 12,
        UnitKind.SCHOOL_STUDENT_ORG: 45,
        UnitKind.DIVISION: 10,
        UnitKind.TEACHING_OFFICE: 6,
        UnitKind.STUDENT_ORG: 8,
        UnitKind.CLASS: 5,
        UnitKind.LEAGUE_BRANCH: 3,
    }

    def _groups(self) -> None:
        for unit in self.units:
            candidates = self._group_candidates(unit)
            quota = 80 if unit.name == "学生社团联合会" else self.GROUP_QUOTA.get(unit.kind, 0)
            for name, purpose, size, outside, temporary, by, year in self.rng.sample(
                candidates, min(quota, len(candidates))
            ):
                self._group(
                    unit.name,
                    name,
                    purpose,
                    size,
                    outside=outside,
                    temporary=temporary,
                    by=by,
                    year=year,
                )

    def _group(
        self,
        owner: str,
        name: str,
        purpose: str,
        size: tuple[int, int],
        *,
        outside: float = 0.0,
        temporary: bool = False,
        by: str = PersonKind.STAFF,
        year: int | None = None,
    ) -> GroupPlan:
        """One chat group. A temporary group of a past year is over and dissolved; one
        without a year is a current task ending in the coming months."""
        rng = self.rng
        platform = rng.choices(GROUP_PLATFORM_CODES, GROUP_PLATFORM_WEIGHTS)[0]
        number = ""
        if platform == "qq_group":
            number = self._digits(platform, 100_000_000, 999_999_999)
        elif platform == "dingtalk_group" and rng.random() < 0.7:
            number = self._digits(platform, 10_000_000, 99_999_999)
        members = max(5, min(500, rng.randint(*size)))
        outside_count = 0
        if outside:
            outside_count = min(members, int(members * outside * rng.uniform(0.8, 1.0)))
        elif rng.random() < 0.04:
            outside_count = rng.randint(1, min(5, members))
        created = (
            _month(year, rng.choice([3, 4, 5, 6, 7, 8, 9]))
            if year
            else self._rand_month(_month(2013, 1), _month(2025, 12))
        )
        staff = self._pool(owner)
        students = self._pool(owner, PersonKind.STUDENT)
        creator = rng.choice(students if by == PersonKind.STUDENT and students else staff)
        admins = [creator]
        other = rng.choice(staff)
        if rng.random() < 0.5 and other != creator:
            admins.append(other)
        group = GroupPlan(
            platform=platform,
            name=name,
            owner=owner,
            purpose=purpose,
            member_count=members,
            created_month=created,
            group_number=number,
            creator=creator,
            admins=admins,
            has_outside_members=outside_count > 0,
            outside_member_count=outside_count,
            # Groups of ten or more are registered; some tiny ones are not (no need).
            registered=members >= 10 or rng.random() < 0.6,
        )
        # Drawn whatever happens next, so that the stream of names never depends on dates.
        until_offset, dissolve_offset, dissolve_roll = (
            rng.randint(20, 150),
            rng.randint(0, 20),
            rng.random(),
        )
        reason = rng.choice(DISSOLVE_REASONS.get(purpose, DISSOLVE_REASONS_OTHER))
        if temporary:
            group.is_temporary = True
            if year:
                group.temporary_until = _add_months(created, rng.randint(1, 4)) + timedelta(14)
                group.status = GroupStatus.DISSOLVED
                group.dissolved_on = min(
                    group.temporary_until + timedelta(days=dissolve_offset), self.today
                )
                group.dissolved_reason = "临时工作结束"
            else:
                group.created_month = _add_months(_month(self.today.year, self.today.month), -2)
                group.temporary_until = self.today + timedelta(days=until_offset)
        elif dissolve_roll < 0.04:
            group.status = GroupStatus.DISSOLVED
            group.dissolved_on = min(
                created + timedelta(days=200 + dissolve_offset * 20), self.today
            )
            group.dissolved_reason = reason
        self.groups.append(group)
        return group

    def _broken_groups(self) -> None:
        g = self._group(
            "水利学院",
            "水利学院2026级新生家长交流群",
            GroupPurpose.STUDENT_AFFAIRS,
            (120, 120),
            outside=0.8,
        )
        g.registered, g.platform, g.group_number = False, "wechat_group", ""
        g.created_month = _month(2025, 8)
        self._broke("large_group_unregistered", g, "120 人（其中校外家长约 90 人），未报备")
        g = self._group(
            LEAGUE, "校运动会志愿者临时群", GroupPurpose.TEMPORARY, (60, 80), temporary=True
        )
        g.temporary_until = self.today - timedelta(days=45)
        g.created_month = _add_months(_month(g.temporary_until.year, g.temporary_until.month), -1)
        self._broke("temporary_group_expired", g, "临时群，截止日期已过 45 天，仍在使用")

    def _operator_on_teams(self) -> None:
        """The `operator` login's teacher runs a few 信息工程学院 accounts and groups."""
        person = self.tagged["operator"]
        info = {u.name for u in self.units if self.top_of[u.name] == "信息工程学院"}
        broken_names = {b.name for b in self.broken}
        accounts = [
            a
            for a in self.accounts
            if a.owner in info and a.name not in broken_names and a.status == AccountStatus.ACTIVE
        ]
        for account in ([a for a in accounts if a.owner == "软件工程系"] + accounts)[:4]:
            if (TeamRole.OPERATOR, person) not in account.team:
                account.team.append((TeamRole.OPERATOR, person))
        groups = [g for g in self.groups if g.owner in info and g.status == GroupStatus.ACTIVE]
        for group in groups[:6]:
            if person not in group.admins:
                group.admins.append(person)


def _columns(kind: str) -> str:
    if kind in STUDENT_KINDS:
        return "活动通知、青春风采、志愿服务、学习交流"
    if kind in (UnitKind.SCHOOL, UnitKind.COLLEGE):
        return "新闻动态、通知公告、学子风采、招生就业"
    return "工作动态、通知公告、办事指南、政策解读"


# --- writing it -------------------------------------------------------------------------


class DemoRefusedError(Exception):
    """The database holds data that is not the demo's: loading would mix the two."""


@dataclass
class DemoSummary:
    loaded: bool
    units: int = 0
    people: int = 0
    accounts: int = 0
    groups: int = 0
    logins: int = 0
    seconds: float = 0.0


def demo_is_loaded() -> bool:
    """The demo's institution, root unit and first login are all there."""
    return (
        Institution.objects.filter(full_name=SCHOOL).exists()
        and Unit.objects.filter(parent=None, kind=UnitKind.SCHOOL, name=SCHOOL).exists()
        and User.objects.filter(username=LOGINS[0][0]).exists()
    )


def _check_empty() -> None:
    others = list(Institution.objects.values_list("full_name", flat=True)[:3])
    if others:
        raise DemoRefusedError(
            f"数据库中已有学校“{'、'.join(others)}”的数据，不是演示数据：为免混在一起，"
            "未导入演示数据。请换一个空数据库（例如设置 DATABASE_URL）再运行 load_demo。"
        )
    if Unit.objects.exists():
        raise DemoRefusedError("数据库中已有单位数据，不是演示数据：未导入演示数据。")
    taken = list(
        User.objects.filter(username__in=[login[0] for login in LOGINS]).values_list(
            "username", flat=True
        )
    )
    if taken:
        raise DemoRefusedError(f"用户名 {', '.join(sorted(taken))} 已被占用：未导入演示数据。")


@transaction.atomic
def demo_load(*, today: date | None = None) -> DemoSummary:
    """Load the demo school once: a second call finds it and writes nothing; a database
    holding another school's data is refused (DemoRefusedError), nothing written."""
    started = time.monotonic()
    if demo_is_loaded():
        return DemoSummary(loaded=False)
    _check_empty()
    plan = demo_plan(today=today)
    summary = _write(plan)
    summary.seconds = time.monotonic() - started
    return summary


def _keyed(obj, name: str):
    obj.name_pinyin, obj.name_initials = pinyin_keys(name)
    return obj


def _history(objs: list, model) -> list:
    return bulk_create_with_history(
        objs, model, batch_size=BATCH, default_change_reason=CHANGE_REASON
    )


def _write(plan: DemoPlan) -> DemoSummary:
    Institution.objects.create(**plan.institution)

    # Units, parents before children; heads are set once the people exist.
    units: dict[str, Unit] = {}
    depth: dict[str, int] = {}
    for u in plan.units:
        depth[u.name] = 0 if u.parent is None else depth[u.parent] + 1
    for level in sorted(set(depth.values())):
        objs = [
            _keyed(
                Unit(
                    name=u.name,
                    short_name=u.short_name,
                    kind=u.kind,
                    code=u.code,
                    parent=units.get(u.parent) if u.parent else None,
                ),
                u.name,
            )
            for u in plan.units
            if depth[u.name] == level
        ]
        Unit.objects.bulk_create(objs, batch_size=BATCH)
        units.update({o.name: o for o in objs})

    people = _history(
        [
            _keyed(
                Person(
                    name=p.name,
                    number=p.number,
                    kind=p.kind,
                    unit=units[p.unit],
                    post=p.post,
                    status=p.status,
                    mobile=p.mobile,
                    email=p.email,
                    qq=p.qq,
                ),
                p.name,
            )
            for p in plan.people
        ],
        Person,
    )
    for u in plan.units:
        units[u.name].head = people[u.head] if u.head is not None else None
    unit_list = [units[u.name] for u in plan.units]
    Unit.objects.bulk_update(unit_list, ["head"], batch_size=BATCH)
    Unit.history.bulk_history_create(
        unit_list, batch_size=BATCH, default_change_reason=CHANGE_REASON
    )

    # Accounts, groups and their teams through the registry's one bulk write path (history
    # rows, audit rows, compliance re-check after commit), under the demo's authority.
    platforms = {p.code: p.pk for p in Platform.objects.all()}
    accounts = accounts_bulk_upsert(
        actor=None,
        authority=Authority.demo(),
        create=[
            {
                "platform_id": platforms[a.platform],
                "name": a.name,
                "external_id": a.external_id,
                "url": a.url,
                "owner_unit_id": units[a.owner].pk,
                "guiding_unit_id": units[a.guiding].pk if a.guiding else None,
                "tier": a.tier,
                "tier_override_reason": a.tier_override_reason,
                "is_personal": a.is_personal,
                "is_official": a.is_official,
                "created_month": a.created_month,
                "verified": a.verified,
                "verified_month": a.verified_month,
                "audience": a.audience,
                "update_frequency": a.update_frequency,
                "columns": a.columns,
                "introduction": a.introduction,
                "status": a.status,
                "filing_state": a.filing_state,
                "registration_number": a.registration_number,
                "last_post_date": a.last_post_date,
                "last_post_source": a.last_post_source,
                "feed_url": a.feed_url,
                "closed_on": a.closed_on,
                "closed_reason": a.closed_reason,
            }
            for a in plan.accounts
        ],
        create_teams=[
            [(role, people[person].pk) for role, person in _distinct(a.team)] for a in plan.accounts
        ],
    ).created
    groups = groups_bulk_upsert(
        actor=None,
        authority=Authority.demo(),
        create=[
            {
                "platform_id": platforms[g.platform],
                "name": g.name,
                "group_number": g.group_number,
                "purpose": g.purpose,
                "owner_unit_id": units[g.owner].pk,
                "creator_id": people[g.creator].pk if g.creator is not None else None,
                "member_count": g.member_count,
                "has_outside_members": g.has_outside_members,
                "outside_member_count": g.outside_member_count,
                "created_month": g.created_month,
                "is_temporary": g.is_temporary,
                "temporary_until": g.temporary_until,
                "status": g.status,
                "registered": g.registered,
                "dissolved_on": g.dissolved_on,
                "dissolved_reason": g.dissolved_reason,
            }
            for g in plan.groups
        ],
        create_teams=[
            [
                (role, people[person].pk)
                for role, person in _distinct((TeamRole.ADMIN, p) for p in g.admins)
            ]
            for g in plan.groups
        ],
    ).created

    for login in plan.logins:
        person = people[login.person]
        user = User.objects.create_user(
            username=login.username,
            password=PASSWORD,
            display_name=person.name,
            email=person.email,
            person=person,
        )
        RoleAssignment.objects.create(
            user=user, role=login.role, unit=units[login.unit] if login.unit else None
        )

    summary = DemoSummary(
        loaded=True,
        units=len(unit_list),
        people=len(people),
        accounts=len(accounts),
        groups=len(groups),
        logins=len(plan.logins),
    )
    audit(
        event=AuditEventType.IMPORT,
        actor_name="load_demo",
        detail={
            "what": "演示数据",
            "units": summary.units,
            "people": summary.people,
            "accounts": summary.accounts,
            "groups": summary.groups,
        },
    )
    return summary


def _distinct(pairs: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    seen: dict[tuple[str, int], None] = {}
    for pair in pairs:
        seen.setdefault(pair, None)
    return list(seen)
