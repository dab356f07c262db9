"""The demo school's shape and vocabulary: 华北水利水电大学's colleges, departments,
student organisations, the names people are drawn from, and the demo logins. Plain data, no
randomness and no database: the plan steps (`people`, `accounts`, `groups`, …) draw from it.
See docs/demo.md."""

from beian.orgs.choices import CadreLevel, UnitKind
from beian.users.choices import Role

SEED = 2026
PASSWORD = "Demo@Beian2026"  # noqa: S105 - published demo password, see docs/demo.md

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


#: Cadre levels (干部级别) by the unit's kind and the post. The heads of the school, its
#: departments, direct units, colleges and the Youth League committee and their deputies are
#: 处级: they are the first responsible persons of the accounts (seed 004 §二, 第三条:
#: "处级党政干部"). Section chiefs, heads of sections and divisions, college office
#: directors and college league secretaries are 科级. Anyone else's level is not recorded.
_TOP_POSTS = {post for *_rest, post, _topics in [*DEPARTMENTS, *DIRECT_UNITS]}
CADRE_LEVELS: dict[str, dict[str, str]] = {
    UnitKind.SCHOOL: dict.fromkeys(
        ("党委书记", "校长", "党委副书记（分管宣传思想工作）"), CadreLevel.DIVISION
    ),
    UnitKind.DEPARTMENT: {
        **dict.fromkeys(_TOP_POSTS | {f"副{p}" for p in _TOP_POSTS}, CadreLevel.DIVISION),
        "科长": CadreLevel.SECTION,
        "监督检查室主任": CadreLevel.SECTION,
    },
    UnitKind.SECTION: {"主任": CadreLevel.SECTION, "科长": CadreLevel.SECTION},
    UnitKind.COLLEGE: {
        **dict.fromkeys(("党委书记", "院长", "党委副书记"), CadreLevel.DIVISION),
        **dict.fromkeys(("办公室主任", "团委书记"), CadreLevel.SECTION),
    },
    UnitKind.DIVISION: {"系主任": CadreLevel.SECTION},
    UnitKind.SCHOOL_STUDENT_ORG: dict.fromkeys(("团委书记", "团委副书记"), CadreLevel.DIVISION),
}
CADRE_LEVELS[UnitKind.DIRECT] = CADRE_LEVELS[UnitKind.DEPARTMENT]
