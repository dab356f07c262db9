"""The sheet layouts Beian reads and writes: the seed notices' summary tables (their columns
are the contract) and the rosters of units and people.

Each layout is a `Layout` for reading (headers with the aliases people write; any order;
line breaks, full-width and Traditional forms are handled by the sheet layer) plus what an
export writes: the title, the header as printed (with the seeds' line breaks), the width
of each column and the remarks under the table.

| key | sheet | seed |
| --- | --- | --- |
| `pdsu` (accounts) | 新媒体账号信息汇总表 | 002 附件2 |
| `hnwu` (accounts) | 官方微博/微信公众号/抖音/视频号清查表 | 000 附件2 |
| `pdsu` (groups) | 即时群聊工具备案汇总表 | 002 附件3 |
| `units` | 单位名录 | — |
| `people` | 人员名录 | — |
"""

from __future__ import annotations

from dataclasses import dataclass

from beian.core.sheets import Column, Layout

UNIT_ALIASES = (
    "单位",
    "单位名称",
    "所属单位",
    "创建单位",
    "责任单位",
    "主办单位",
    "管理部门",
    "所属部门",
    "报送单位",
)


@dataclass(frozen=True)
class SheetSpec:
    """A layout and how it is written out."""

    key: str
    kind: str
    label: str  # shown in menus and messages
    title: str  # "{school}" is replaced by the institution's name
    layout: Layout
    header: tuple[str, ...]  # as printed, one per written column
    keys: tuple[str, ...]  # the layout key each written column holds
    widths: tuple[float, ...]
    remarks: tuple[str, ...] = ()
    sheet_name: str = "Sheet1"

    def title_for(self, school: str) -> str:
        return self.title.replace("{school}", school)


# --- accounts: PDSU 附件2 ---------------------------------------------------------------

ACCOUNTS_PDSU = SheetSpec(
    key="pdsu",
    kind="accounts",
    label="新媒体账号信息汇总表（平顶山学院附件2格式）",
    title="{school}新媒体账号信息汇总表",
    layout=Layout(
        title="新媒体账号信息汇总表",
        columns=(
            Column("seq", "序号", aliases=("编号",), serial=True),
            Column("unit", "管理单位", aliases=UNIT_ALIASES, fill_down=True),
            Column("tier", "账号分级", aliases=("分级", "账号级别", "平台分级", "级别")),
            Column(
                "platform",
                "账号类型",
                aliases=("平台", "媒体平台", "平台名称", "账号平台", "平台类型", "类型"),
                required=True,
            ),
            Column("name", "账号名称", aliases=("名称", "新媒体名称", "平台名称及账号名"),
                   required=True),
            Column(
                "external_id",
                "账号或网址",
                aliases=("账号", "网址", "账号/网址", "账号或链接", "微信号", "账号ID", "链接"),
            ),
            Column("created", "创建时间", aliases=("开通时间", "注册时间", "创建日期")),
            Column("verified", "认证时间", aliases=("认证日期", "是否认证", "认证情况")),
            Column(
                "audience",
                "关注人数",
                aliases=("粉丝数", "粉丝量", "关注量", "粉丝人数", "订阅数", "关注人数（万）"),
            ),
            Column("frequency", "更新频率", aliases=("发布周期", "发布频率", "更新周期")),
            Column("teacher", "负责老师", aliases=("负责老师姓名", "负责教师", "负责人")),
            Column(
                "teacher_phone",
                "负责老师电话",
                aliases=("负责老师联系电话", "负责老师手机", "负责人电话", "负责人联系电话"),
            ),
            Column("student", "负责学生", aliases=("负责学生姓名", "学生负责人")),
            Column(
                "student_phone",
                "负责学生电话",
                aliases=("负责学生联系电话", "负责学生手机", "学生负责人电话"),
            ),
            Column("remark", "备注", aliases=("状态",)),
        ),
    ),
    header=(
        "序号", "管理单位", "账号\n分级", "账号\n类型", "账号\n名称", "账号或网址", "创建\n时间",
        "认证\n时间", "关注\n人数", "更新\n频率", "负责\n老师", "负责老师\n电话", "负责\n学生",
        "负责学生\n电话", "备注",
    ),
    keys=(
        "seq", "unit", "tier", "platform", "name", "external_id", "created", "verified",
        "audience", "frequency", "teacher", "teacher_phone", "student", "student_phone", "remark",
    ),
    widths=(6, 16, 7, 11, 20, 24, 10, 10, 8, 11, 9, 14, 9, 14, 16),
    remarks=(
        "备注：1．新媒体账号指本单位管理范围内所有新媒体平台，帐号类型：包括但不限于微博、微信、"
        "小程序、QQ公众号、QQ号、QQ空间、今日头条、微信视频号、抖音、优酷视频、腾讯视频、bilibili等；",
        "2．帐号分级：学校官方帐号为一级平台，以学院、部处等二级单位名义主办的官方帐号为二级平台，"
        "以各二级单位下设的各类组织或教师、学生团体名义主办的新媒体帐号为三级平台；",
        "3．账号或网址一栏不填登陆邮箱名称，微信公众号填写平台微信号，微博填写微博地址，"
        "QQ类平台填写QQ号，视频网址填写视频主页地址。",
        "4．创建时间写清年、月即可，微信认证时间填写最近一次认证时间。",
        "5．关注人数以万为单位。",
        "6．已注销的账号在备注栏注明“已注销”。",
    ),
    sheet_name="新媒体账号信息汇总表",
)  # fmt: skip

# --- accounts: HNWU 清查表 ----------------------------------------------------------------

ACCOUNTS_HNWU = SheetSpec(
    key="hnwu",
    kind="accounts",
    label="新媒体清查表（湖南女子学院附件2格式）",
    title="{school}官方微博/微信公众号/抖音/视频号清查表",
    layout=Layout(
        title="新媒体清查表",
        columns=(
            Column("seq", "序号", aliases=("编号",), serial=True),
            Column("unit", "单位名称", aliases=("管理单位", "单位", "所属单位", "责任单位"),
                   fill_down=True),
            Column(
                "account",
                "微信公众号/微博/抖音名称、账号",
                aliases=(
                    "微信公众号/微博/抖音/视频号名称、账号",
                    "名称、账号",
                    "账号名称、账号",
                    "新媒体名称、账号",
                    "账号名称及账号",
                    "新媒体名称及账号",
                ),
                required=True,
            ),
            Column("platform", "平台", aliases=("媒体平台", "账号类型", "平台类型")),
            Column("responsible", "责任人", aliases=("责任人及职务",)),
            Column("admins", "管理员", aliases=("管理人员", "运营者", "管理员姓名")),
            Column("filed", "是否备案", aliases=("备案情况", "已备案", "是否已备案")),
            Column("remark", "备注", aliases=("状态",)),
        ),
    ),
    header=("序号", "单位名称", "微信公众号/微博/抖音名称、账号", "责任人", "管理员", "是否备案",
            "备注"),
    keys=("seq", "unit", "account", "responsible", "admins", "filed", "remark"),
    widths=(6, 20, 44, 12, 18, 10, 18),
    remarks=(
        "备注：1．账号一栏写作“名称（平台，账号）”，如“某某学院（微信公众号，abc_xy）”；",
        "2．已注销的账号在备注栏注明“已注销”。",
    ),
    sheet_name="清查表",
)  # fmt: skip

# --- chat groups: PDSU 附件3 -------------------------------------------------------------

GROUPS_PDSU = SheetSpec(
    key="pdsu",
    kind="groups",
    label="即时群聊工具备案汇总表（平顶山学院附件3格式）",
    title="{school}即时群聊工具备案汇总表",
    layout=Layout(
        title="即时群聊工具备案汇总表",
        columns=(
            Column("seq", "序号", aliases=("编号",), serial=True),
            Column("unit", "管理单位", aliases=UNIT_ALIASES, fill_down=True),
            Column(
                "platform",
                "群聊平台",
                aliases=("平台", "群平台", "群类型", "群聊类型", "群聊工具"),
                required=True,
            ),
            Column("name", "群名称", aliases=("群名", "群聊名称", "名称"), required=True),
            Column("purpose", "群性质", aliases=("性质", "群用途", "用途", "群类别")),
            Column("members", "群人数", aliases=("人数", "成员数", "群成员数", "成员人数")),
            Column("has_outsiders", "有无校外人员", aliases=("是否有校外人员", "校外人员")),
            Column("outsiders", "校外人员人数", aliases=("校外人数", "校外成员数", "校外人员数")),
            Column("created", "创建时间", aliases=("建群时间", "创建日期")),
            Column("creator", "创建人", aliases=("群主", "建群人")),
            Column(
                "creator_phone",
                "创建人电话",
                aliases=("创建人联系电话", "群主电话", "创建人手机", "联系电话"),
            ),
            Column("group_number", "群号", aliases=("群号码", "QQ群号", "群ID", "群账号")),
            Column("remark", "备注", aliases=("状态",)),
        ),
    ),
    header=(
        "序号", "管理单位", "群聊\n平台", "群名称", "群性质", "群人数", "有无校\n外人员",
        "校外人\n员人数", "创建时间", "创建人", "创建人\n电话", "群号", "备注",
    ),
    keys=(
        "seq", "unit", "platform", "name", "purpose", "members", "has_outsiders", "outsiders",
        "created", "creator", "creator_phone", "group_number", "remark",
    ),
    widths=(6, 16, 9, 26, 9, 8, 8, 8, 10, 9, 14, 14, 14),
    remarks=(
        "备注：1．本表只备案用于工作、教学、科研等非私人性质群聊工具。",
        "2．群聊平台是指微信群、QQ群、钉钉群或其它。",
        "3．群性质是指建立本群的目的。",
        "4．创建时间填年月即可。",
        "5．已解散的群聊在备注栏注明“已解散”。",
    ),
    sheet_name="即时群聊工具备案汇总表",
)  # fmt: skip

# --- units and people ---------------------------------------------------------------------

UNITS = SheetSpec(
    key="units",
    kind="units",
    label="单位名录",
    title="{school}单位名录",
    layout=Layout(
        title="单位名录",
        columns=(
            Column("seq", "序号", aliases=("编号",), serial=True),
            Column("name", "单位名称", aliases=("名称", "单位", "部门名称"), required=True),
            Column("parent", "上级单位", aliases=("上级", "隶属单位", "上级部门", "所属单位")),
            Column("kind", "单位类型", aliases=("类型", "单位类别", "类别")),
            Column("short_name", "简称", aliases=("单位简称",)),
            Column("code", "单位代码", aliases=("代码", "编码", "单位编码", "单位编号")),
            Column("head", "第一责任人", aliases=("主要负责人", "负责人", "党委书记")),
            Column("active", "是否在用", aliases=("在用", "状态", "是否启用")),
        ),
    ),
    header=("序号", "单位名称", "上级单位", "单位类型", "简称", "单位代码", "第一责任人",
            "是否在用"),
    keys=("seq", "name", "parent", "kind", "short_name", "code", "head", "active"),
    widths=(6, 24, 24, 12, 12, 12, 12, 9),
    remarks=(
        "备注：1．上级单位填写全称；同名单位请写作“上级单位/单位名称”或填写单位代码。",
        "2．单位类型：学校、学院、职能部门、直属单位、校级学生组织、系、教研室、科室、学生组织、"
        "班级、团支部、其他。",
    ),
    sheet_name="单位名录",
)  # fmt: skip

PEOPLE = SheetSpec(
    key="people",
    kind="people",
    label="人员名录",
    title="{school}人员名录",
    layout=Layout(
        title="人员名录",
        columns=(
            Column("seq", "序号", aliases=("编号",), serial=True),
            Column("name", "姓名", aliases=("名字",), required=True),
            Column(
                "number",
                "工号/学号",
                aliases=("工号", "学号", "职工号", "教工号", "工号学号", "学工号"),
            ),
            Column("kind", "身份", aliases=("人员类别", "类别", "人员类型", "身份类别")),
            Column(
                "unit",
                "所在单位",
                aliases=("单位", "部门", "所在部门", "学院", "单位名称", "所属单位"),
                fill_down=True,
            ),
            Column("post", "职务", aliases=("职位", "岗位", "职务职称")),
            Column(
                "cadre_level",
                "干部级别",
                aliases=("职级", "干部职级", "行政级别", "行政职级", "级别", "干部级"),
            ),
            Column("status", "状态", aliases=("在职状态", "在岗状态", "人员状态")),
            Column(
                "mobile", "手机", aliases=("手机号", "手机号码", "联系电话", "电话", "联系方式")
            ),
            Column("email", "邮箱", aliases=("电子邮箱", "电子邮件", "Email", "E-mail")),
            Column("qq", "QQ", aliases=("QQ号", "QQ号码")),
        ),
    ),
    header=("序号", "姓名", "工号/学号", "身份", "所在单位", "职务", "干部级别", "状态", "手机",
            "邮箱", "QQ"),
    keys=("seq", "name", "number", "kind", "unit", "post", "cadre_level", "status", "mobile",
          "email", "qq"),
    widths=(6, 10, 14, 8, 22, 14, 10, 9, 14, 22, 12),
    remarks=("备注：身份填写教职工、学生或校外；状态填写在职/在读、离职或毕业；干部级别填写"
             "处级、科级或无（正处、副处、正科、副科等写法均可，空白表示不修改）。",),
    sheet_name="人员名录",
)  # fmt: skip

#: Import layouts per kind, in detection order (the best-matching header wins).
IMPORT_SPECS: dict[str, tuple[SheetSpec, ...]] = {
    "accounts": (ACCOUNTS_PDSU, ACCOUNTS_HNWU),
    "groups": (GROUPS_PDSU,),
    "units": (UNITS,),
    "people": (PEOPLE,),
}
KIND_LABELS = {
    "accounts": "新媒体账号",
    "groups": "即时群聊",
    "units": "单位",
    "people": "人员",
}
#: Every blank template that can be downloaded: "<kind>-<layout>".
TEMPLATES: dict[str, SheetSpec] = {
    f"{spec.kind}-{spec.key}": spec for specs in IMPORT_SPECS.values() for spec in specs
}


def spec_for(kind: str, layout: str = "") -> SheetSpec:
    specs = IMPORT_SPECS[kind]
    for spec in specs:
        if spec.key == layout:
            return spec
    return specs[0]
