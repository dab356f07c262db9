"""The platform catalogue as first installed: every platform the seed notices name, with its
category, what its audience number is called, how an address looks, and the aliases people
write in sheets (incl. Traditional forms and the shorthand unit secretaries type: wx, 企微,
dd, B站, xhs…). Loaded by a data migration; editable afterwards.

This table is the one source of the built-in spellings: `spellings()` gives a platform's
name, code, the aliases stored on it (which a school may edit) and the built-in aliases of
its code here, so that shorthand added to this table reaches databases seeded before it
without a data migration. Comparison is on `match_key` (NFKC, Simplified, case-folded, no
white space), so "ＷＸ", "Ｂ 站", "視頻號" and "企業微信" need no entry of their own."""

# (code, name, category, for_groups, audience_word, address_hint, address_pattern, aliases)
PLATFORMS = [
    (
        "wechat_official",
        "微信公众号",
        "social",
        False,
        "关注",
        "填写微信号（非登录邮箱）",
        r"[A-Za-z][-_A-Za-z0-9]{5,19}|gh_[0-9a-f]{12}",
        [
            "微信",
            "公众号",
            "微信公众平台",
            "微信公众帐号",
            "微信公众账号",
            "服务号",
            "订阅号",
            "微信公眾號",
            "公眾號",
            "WeChat",
            "wx",
            "vx",
            "weixin",
            "微信号",
            "公号",
            "微信服务号",
            "微信订阅号",
            "gzh",
        ],
    ),
    (
        "wechat_channels",
        "微信视频号",
        "video",
        False,
        "关注",
        "填写视频号名称或ID",
        "",
        ["视频号", "視頻號", "微信視頻號", "微信视频", "视频号账号"],
    ),
    (
        "mini_program",
        "小程序",
        "app",
        False,
        "用户",
        "填写小程序名称或AppID",
        "",
        ["微信小程序", "小程式"],
    ),
    (
        "weibo",
        "新浪微博",
        "social",
        False,
        "粉丝",
        "填写微博主页地址",
        r"(https?://)?(www\.)?(m\.)?weibo\.(com|cn)/.+",
        [
            "微博",
            "新浪",
            "腾讯微博",
            "官方微博",
            "Weibo",
            "新浪微博号",
            "微博号",
            "sina",
            "sinaweibo",
        ],
    ),
    (
        "douyin",
        "抖音",
        "video",
        False,
        "粉丝",
        "填写抖音号",
        "",
        ["抖音号", "Douyin", "TikTok", "抖音短视频"],
    ),
    ("kuaishou", "快手", "video", False, "粉丝", "填写快手号", "", ["快手号", "Kuaishou"]),
    (
        "bilibili",
        "哔哩哔哩",
        "video",
        False,
        "粉丝",
        "填写视频主页地址",
        "",
        [
            "B站",
            "b站",
            "bilibili",
            "Bilibili",
            "嗶哩嗶哩",
            "哔哩",
            "bili",
            "B站号",
            "哔哩哔哩弹幕网",
            "哔哩哔哩动画",
        ],
    ),
    (
        "xiaohongshu",
        "小红书",
        "social",
        False,
        "粉丝",
        "填写小红书号",
        "",
        ["小紅書", "RED", "xhs", "小红书号", "rednote"],
    ),
    ("zhihu", "知乎", "social", False, "关注", "填写知乎主页地址", "", ["知乎号"]),
    (
        "toutiao",
        "今日头条",
        "app",
        False,
        "粉丝",
        "填写头条号主页地址",
        "",
        ["头条", "头条号", "今日頭條"],
    ),
    (
        "renmin_hao",
        "人民号",
        "app",
        False,
        "粉丝",
        "填写人民号名称",
        "",
        ["人民號", "人民日报人民号"],
    ),
    ("xinhua_hao", "新华号", "app", False, "粉丝", "填写新华号名称", "", ["新華號"]),
    (
        "qq_official",
        "QQ公众号",
        "social",
        False,
        "关注",
        "填写QQ公众号",
        "",
        ["QQ公众平台", "QQ公眾號", "QQ公眾平台"],
    ),
    (
        "qq",
        "QQ号",
        "social",
        False,
        "好友",
        "填写QQ号",
        r"[1-9][0-9]{4,11}",
        ["QQ", "qq", "QQ號", "扣扣"],
    ),
    (
        "qzone",
        "QQ空间",
        "social",
        False,
        "访客",
        "填写QQ号",
        r"[1-9][0-9]{4,11}",
        ["QQ空間", "空间"],
    ),
    ("tieba", "百度贴吧", "forum", False, "关注", "填写贴吧名称", "", ["贴吧", "百度貼吧", "貼吧"]),
    ("youku", "优酷", "video", False, "订阅", "填写视频主页地址", "", ["优酷视频", "優酷"]),
    ("tencent_video", "腾讯视频", "video", False, "订阅", "填写视频主页地址", "", ["騰訊視頻"]),
    ("douyu", "斗鱼", "live", False, "关注", "填写直播间号", "", ["斗鱼直播", "鬥魚"]),
    (
        "xinhua_cloud",
        "新华云",
        "live",
        False,
        "关注",
        "填写直播间地址",
        "",
        ["新華雲", "新华云直播"],
    ),
    (
        "radio",
        "网络电台",
        "other",
        False,
        "收听",
        "填写电台地址",
        "",
        ["电台", "網絡電台", "网络广播"],
    ),
    (
        "app",
        "APP",
        "app",
        False,
        "用户",
        "填写应用名称或下载地址",
        "",
        ["移动客户端", "客户端", "APP移动客户端", "App", "app"],
    ),
    (
        "website_campus",
        "网站（校内域名）",
        "website",
        False,
        "访问",
        "填写网址",
        r"(https?://)?[-A-Za-z0-9.]+(/.*)?",
        ["网站", "网页", "門戶網站", "网站校内", "校内网站", "網站"],
    ),
    (
        "website_external",
        "网站（校外域名）",
        "website",
        False,
        "访问",
        "填写网址",
        r"(https?://)?[-A-Za-z0-9.]+(/.*)?",
        ["校外网站", "网站校外", "校外域名网站"],
    ),
    ("newspaper", "报纸", "print", False, "发行", "填写刊号", "", ["校报", "報紙"]),
    (
        "journal",
        "杂志/学术期刊",
        "print",
        False,
        "发行",
        "填写刊号",
        "",
        ["杂志", "期刊", "学术期刊", "雜誌", "學術期刊"],
    ),
    ("yixin", "易信", "social", False, "关注", "填写易信号", "", ["易信公众号"]),
    ("mobile_paper", "手机报", "other", False, "订阅", "填写名称", "", ["手機報"]),
    ("other", "其他", "other", False, "关注", "", "", ["其它"]),
    # Chat-group platforms (seed 002 附件3, seed 003 §4)
    (
        "wechat_group",
        "微信群",
        "chat",
        True,
        "成员",
        "填写群名称",
        "",
        [
            "微信",
            "微信群聊",
            "wx",
            "vx",
            "weixin",
            "WeChat",
            "wx群",
            "vx群",
            "微信工作群",
            "微信群组",
        ],
    ),
    (
        "qq_group",
        "QQ群",
        "chat",
        True,
        "成员",
        "填写QQ群号",
        r"[1-9][0-9]{4,11}",
        ["QQ", "qq群", "QQ工作群", "Q群", "QQ群聊", "扣扣群"],
    ),
    (
        "dingtalk_group",
        "钉钉群",
        "chat",
        True,
        "成员",
        "填写群号",
        "",
        ["钉钉", "釘釘群", "釘釘", "dd", "dingtalk", "钉钉群聊", "钉钉工作群", "钉群"],
    ),
    (
        "wecom_group",
        "企业微信群",
        "chat",
        True,
        "成员",
        "填写群名称",
        "",
        [
            "企业微信",
            "企業微信群",
            "企微",
            "企微群",
            "wecom",
            "wework",
            "qywx",
            "企业微信群聊",
            "企业微信工作群",
        ],
    ),
    (
        "feishu_group",
        "飞书群",
        "chat",
        True,
        "成员",
        "填写群名称",
        "",
        ["飞书", "飛書群", "lark", "feishu", "飞书群聊", "飞书工作群"],
    ),
    ("weibo_group", "微博群", "chat", True, "成员", "填写群名称", "", ["微博群聊", "微博"]),
    ("other_group", "其他群", "chat", True, "成员", "", "", ["其他", "其它群"]),
]


#: code → the built-in aliases of that platform (from `PLATFORMS`).
BUILTIN_ALIASES: dict[str, tuple[str, ...]] = {row[0]: tuple(row[7]) for row in PLATFORMS}


def spellings(platform) -> list[str]:
    """Every way a platform may be written: its name, code, stored aliases and the built-in
    aliases of its code, without repeats, in that order."""
    names = [platform.name, platform.code, *(platform.aliases or ()),
             *BUILTIN_ALIASES.get(platform.code, ())]  # fmt: skip
    return list(dict.fromkeys(name for name in names if name))


def platforms_spelled(text: str, *, for_groups: bool) -> list[int]:
    """Ids of the platforms of that kind that `text` is a spelling of ("B站" → 哔哩哔哩),
    compared in `match_key` form; [] for anything else."""
    from django.apps import apps

    from beian.core.sheets.normalize import match_key

    # Looked up through the app registry: the models import this module (their search
    # reads `platforms_spelled`), so this module does not import them back.
    Platform = apps.get_model("registry", "Platform")  # noqa: N806
    key = match_key(text)
    if not key:
        return []
    return [
        platform.pk
        for platform in Platform.objects.filter(for_groups=for_groups)
        if any(match_key(name) == key for name in spellings(platform))
    ]
