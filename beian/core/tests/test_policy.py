from datetime import date
from pathlib import Path

import pytest
from django.core.checks import registry as check_registry

from beian.core.holidays import WorkCalendar
from beian.core.policy import (
    Duration,
    Policy,
    PolicyError,
    check_policy,
    get_policy,
    load_policy,
    policy_from_toml,
    reset_policy_cache,
    validate_policy_setting,
)

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((REPO / "policies").glob("*.toml"))


def errors_of(text: str) -> list[str]:
    with pytest.raises(PolicyError) as info:
        policy_from_toml(text, "beian.toml")
    return info.value.errors


def only_error(text: str) -> str:
    errors = errors_of(text)
    assert len(errors) == 1, errors
    return errors[0]


# --- Loading --------------------------------------------------------------------------------


def test_defaults_are_used_when_no_file_is_configured(settings):
    settings.BEIAN_POLICY_FILE = ""
    policy = get_policy()
    assert policy == Policy()
    assert policy.changes.report_within == Duration(5, "workdays")
    assert policy.zombie.close_after_days == 90
    assert policy.inspection.month == 12


def test_repository_beian_toml_equals_the_built_in_defaults():
    assert load_policy(REPO / "beian.toml") == Policy()


def test_there_is_one_example_per_seed_school():
    assert [path.name for path in EXAMPLES] == [
        "hnwu-2021.toml",
        "ncwu-2023.toml",
        "nepu-2016.toml",
        "pdsu-2022.toml",
        "qztc-2017.toml",
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_each_example_file_loads(path):
    policy = load_policy(path)
    assert policy.source == str(path)
    assert policy != Policy()


def test_examples_carry_the_numbers_of_their_notices():
    hnwu, ncwu, nepu, pdsu, qztc = (load_policy(path) for path in EXAMPLES)
    assert str(nepu.changes.report_within) == "3 days"
    assert str(hnwu.changes.report_within) == "7 days"
    assert str(qztc.changes.report_within) == "5 workdays"
    assert ncwu.zombie.close_after_days == 90
    assert pdsu.zombie.close_after_days == 180
    assert ncwu.groups.register_min_members == 10
    assert hnwu.audience_thresholds == {"weibo": 50000, "wechat_official": 10000}
    assert qztc.review.min_content_reviewers == 3
    assert qztc.filing.lead_days == 14
    assert hnwu.inspection.month == qztc.inspection.month == 12
    assert hnwu.filing.chain.tier2 == ("unit_head", "school_admin", "leader")
    assert nepu.filing.chain.school_student_org == ("league_approver", "school_admin")
    assert nepu.filing.pledge_required and nepu.changes.pledge_required


def test_configured_file_is_read_and_cache_follows_the_setting(settings, tmp_path):
    path = tmp_path / "school.toml"
    path.write_text('[changes]\nreport_within = "3 天"\n', encoding="utf-8")
    settings.BEIAN_POLICY_FILE = str(path)
    assert get_policy().changes.report_within == Duration(3, "days")
    assert get_policy() is get_policy()

    path.write_text('[changes]\nreport_within = "7 days"\n', encoding="utf-8")
    assert get_policy().changes.report_within == Duration(3, "days")  # cached
    reset_policy_cache()
    assert get_policy().changes.report_within == Duration(7, "days")

    settings.BEIAN_POLICY_FILE = ""
    assert get_policy() == Policy()


def test_relative_path_is_taken_from_the_project_directory(settings):
    settings.BEIAN_POLICY_FILE = "policies/nepu-2016.toml"
    assert get_policy().changes.report_within == Duration(3, "days")


def test_omitted_keys_keep_their_defaults():
    policy = policy_from_toml("[zombie]\nclose_after_days = 180\n")
    assert policy.zombie.close_after_days == 180
    assert policy.zombie.warn_after_days == 60
    assert policy.filing == Policy().filing


def test_bom_is_tolerated_but_gbk_is_explained(tmp_path):
    path = tmp_path / "p.toml"
    path.write_bytes("\ufeff[inspection]\nmonth = 11\n".encode())
    assert load_policy(path).inspection.month == 11
    path.write_bytes("# 策略\n[inspection]\nmonth = 11\n".encode("gbk"))
    with pytest.raises(PolicyError, match="UTF-8"):
        load_policy(path)


def test_missing_file_and_syntax_error_are_reported(tmp_path):
    with pytest.raises(PolicyError, match="找不到策略文件"):
        load_policy(tmp_path / "absent.toml")
    assert "TOML 语法错误" in only_error("[zombie\nwarn_after_days = 1\n")


# --- Validation errors ----------------------------------------------------------------------


def test_unknown_key_is_an_error_with_a_suggestion():
    message = only_error("[zombie]\nwarn_after_day = 60\n")
    assert message.startswith("beian.toml [zombie] warn_after_day = 60：未知设置项")
    assert "warn_after_days" in message


def test_unknown_section_and_stray_top_level_key_are_errors():
    errors = errors_of("lead_days = 3\n[zombi]\nwarn_after_days = 60\n")
    assert any(e.startswith("beian.toml [zombi]：未知的配置节") and "zombie" in e for e in errors)
    assert any(e.startswith("beian.toml lead_days = 3：") for e in errors)


def test_unknown_chain_key_is_an_error():
    message = only_error('[filing.chain]\ntier4 = ["unit_head"]\n')
    assert message.startswith('beian.toml [filing.chain] tier4 = ["unit_head"]：未知设置项')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[zombie]\nwarn_after_days = "60"\n', '[zombie] warn_after_days = "60"：应为整数'),
        ("[zombie]\nwarn_after_days = true\n", "[zombie] warn_after_days = true：应为整数"),
        (
            '[filing]\npledge_required = "yes"\n',
            '[filing] pledge_required = "yes"：应为 true 或 false',
        ),
        ('[filing]\nlead_time_mode = "block"\n', '[filing] lead_time_mode = "block"：应为以下之一'),
        ("[changes]\nreport_within = 3\n", "[changes] report_within = 3：应为带单位的字符串"),
        ("[groups]\nregister_min_members = 0\n", "[groups] register_min_members = 0：应为不小于 1"),
        ('[audience_thresholds]\nweibo = "5万"\n', '[audience_thresholds] weibo = "5万"：应为整数'),
        ("[audience_thresholds]\nWeibo = 5\n", "[audience_thresholds] Weibo = 5：平台代码"),
        ("[registry]\nverification_required_tiers = [1, 4]\n", "应为由 1、2、3 组成的列表"),
        ("filing = 3\n", "beian.toml filing = 3：应为表"),
        ('[changes]\nrequire_approval_for = ["colour"]\n', '第 1 项 "colour" 不是已知的变更类型'),
    ],
)
def test_wrong_types_and_values_name_key_value_and_expectation(text, expected):
    assert expected in only_error(text)


def test_bad_duration_message():
    message = only_error('[changes]\nreport_within = "5 weekdays"\n')
    assert message.startswith(
        'beian.toml [changes] report_within = "5 weekdays"：'
        '应为“N days”或“N workdays”，例如 "5 workdays"'
    )


def test_warn_must_come_before_close():
    message = only_error("[zombie]\nwarn_after_days = 90\nclose_after_days = 90\n")
    assert message.startswith("beian.toml [zombie] warn_after_days = 90：")
    assert "应小于 close_after_days（90）" in message
    # Against the default warn_after_days (60) as well.
    message = only_error("[zombie]\nclose_after_days = 30\n")
    assert message.startswith("beian.toml [zombie] close_after_days = 30：")


@pytest.mark.parametrize("month", [0, 13])
def test_inspection_month_must_be_a_month(month):
    message = only_error(f"[inspection]\nmonth = {month}\n")
    assert message == f"beian.toml [inspection] month = {month}：应在 1 到 12 之间"


def test_chain_steps_come_from_the_vocabulary():
    message = only_error('[filing.chain]\ntier2 = ["unit_head", "boss"]\n')
    assert message.startswith(
        'beian.toml [filing.chain] tier2 = ["unit_head", "boss"]：第 2 项 "boss"'
    )
    assert "school_admin" in message and "league_approver" in message
    assert "至少要有一项" in only_error("[filing.chain]\ntier3 = []\n")
    assert "重复出现" in only_error('[filing]\nchain.tier1 = ["leader", "leader"]\n')


@pytest.mark.parametrize(
    ("number_format", "expected"),
    [
        ("{prefix}-{yr}-{seq:04d}", "未知字段 {yr}；只能使用 {prefix}、{year}、{seq}、{tier}"),
        ("{prefix}-{year}", "必须包含 {seq}"),
        ("{prefix}-{year:%Y}-{seq}", "格式说明无效"),
        ("{prefix}-{seq!r}", "不能带 !r 转换"),
        ("{prefix.upper}-{seq}", "未知字段 {prefix.upper}"),
        ("{prefix}-{seq", "花括号不配对"),
        (7, "应为字符串"),
    ],
)
def test_bad_number_format(number_format, expected):
    value = f'"{number_format}"' if isinstance(number_format, str) else number_format
    message = only_error(f"[institution]\nnumber_format = {value}\n")
    assert message.startswith("beian.toml [institution] number_format = ")
    assert expected in message


def test_number_format_formats_numbers():
    policy = policy_from_toml('[institution]\nnumber_format = "{prefix}{year}-{tier}-{seq:05d}"\n')
    number = policy.institution.format_number(prefix="NEPU", year=2026, seq=7, tier=2)
    assert number == "NEPU2026-2-00007"
    assert Policy().institution.format_number(prefix="BA", year=2026, seq=12) == "BA-2026-0012"


def test_calendar_errors():
    errors = errors_of(
        "[calendar]\n"
        'holidays = [2026-01-01, "2026-13-01", 2026-01-02T08:00:00]\n'
        "makeup_workdays = [2026-02-16, 2026-01-01]\n"
    )
    assert 'beian.toml [calendar] holidays[1] = "2026-13-01"：不是有效日期' in errors[0]
    assert "holidays[2] = 2026-01-02T08:00:00：只写日期" in errors[1]
    assert any("makeup_workdays = 2026-01-01：这一天同时列在 holidays 中" in e for e in errors)
    assert any("makeup_workdays = 2026-02-16：这一天是星期一" in e for e in errors)


def test_all_errors_are_reported_at_once():
    errors = errors_of("[inspection]\nmonth = 13\n[review]\nmin_content_reviewers = -1\n")
    assert len(errors) == 2


# --- Durations and deadlines ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 days", Duration(3, "days")),
        ("1 day", Duration(1, "days")),
        ("1 week", Duration(7, "days")),
        ("2 weeks", Duration(14, "days")),
        ("5 workdays", Duration(5, "workdays")),
        ("5 working days", Duration(5, "workdays")),
        ("5 个工作日", Duration(5, "workdays")),
        ("5個工作日", Duration(5, "workdays")),
        ("3 天", Duration(3, "days")),
        ("3日内", Duration(3, "days")),
        ("一周内", Duration(7, "days")),
        ("十五天", Duration(15, "days")),
        ("５ 个工作日", Duration(5, "workdays")),
    ],
)
def test_duration_parsing(text, expected):
    assert Duration.parse(text) == expected


@pytest.mark.parametrize("text", ["", "5", "days", "5 weekdays", "0 days", "-1 days", "3 months"])
def test_duration_parsing_refuses(text):
    with pytest.raises(ValueError):
        Duration.parse(text)


def test_duration_prints_canonically():
    assert [str(Duration.parse(t)) for t in ("1 week", "1 天", "5 个工作日", "1 workday")] == [
        "7 days",
        "1 day",
        "5 workdays",
        "1 workday",
    ]


def test_workday_deadline_skips_the_weekend():
    policy = Policy()
    # Thursday 2026-03-05 + 5 workdays: Fri 6, Mon 9, Tue 10, Wed 11, Thu 12.
    assert policy.deadline(date(2026, 3, 5), "5 workdays") == date(2026, 3, 12)
    # A change on a Saturday counts from Monday.
    assert policy.deadline(date(2026, 3, 7), "1 workday") == date(2026, 3, 9)


def test_workday_deadline_skips_holidays_and_counts_makeup_workdays():
    policy = Policy()
    # Thursday 2026-02-12: Fri 13 (1), Sat 14 makeup (2), 15–23 春节, Tue 24 (3), 25 (4),
    # Thu 26 (5).
    assert policy.deadline(date(2026, 2, 12)) == date(2026, 2, 26)
    # Across 国庆: Tue 2026-09-29 → Wed 30 (1), 1–7 holiday, Thu 8 (2), Fri 9 (3),
    # Sat 10 makeup (4), Mon 12 (5).
    assert policy.deadline(date(2026, 9, 29), "5 workdays") == date(2026, 10, 12)


def test_calendar_day_deadline():
    policy = Policy()
    # Monday 2026-03-02 + 3 days = Thursday 2026-03-05.
    assert policy.deadline(date(2026, 3, 2), "3 days") == date(2026, 3, 5)
    assert policy.deadline(date(2026, 3, 2), Duration(7, "days")) == date(2026, 3, 9)
    # Ending on a Saturday, the period runs to the next working day (民法典第二百零三条).
    assert policy.deadline(date(2026, 3, 4), "3 days") == date(2026, 3, 9)
    # Ending in 国庆, it runs to the first working day after it (a makeup Saturday counts).
    assert policy.deadline(date(2026, 9, 29), "3 days") == date(2026, 10, 8)


def test_is_late_uses_the_policy_deadline():
    nepu = load_policy(REPO / "policies" / "nepu-2016.toml")  # 3 days
    assert not nepu.is_late(date(2026, 3, 2), date(2026, 3, 5))
    assert nepu.is_late(date(2026, 3, 2), date(2026, 3, 6))
    qztc = load_policy(REPO / "policies" / "qztc-2017.toml")  # 5 workdays
    assert not qztc.is_late(date(2026, 2, 12), date(2026, 2, 26))
    assert qztc.is_late(date(2026, 2, 12), date(2026, 2, 27))


def test_policy_calendar_adds_to_the_library():
    policy = policy_from_toml(
        '[calendar]\nholidays = ["2031-01-01", "2031-03-03..2031-03-04"]\n'
        'makeup_workdays = ["2031-03-08"]\n'
    )
    assert policy.calendar == WorkCalendar(
        holidays=frozenset({date(2031, 1, 1), date(2031, 3, 3), date(2031, 3, 4)}),
        makeup_workdays=frozenset({date(2031, 3, 8)}),
    )
    assert not policy.calendar.is_workday(date(2031, 3, 3))  # listed day off (a Monday)
    assert policy.calendar.is_workday(date(2031, 3, 8))  # listed makeup Saturday
    assert not policy.calendar.is_workday(date(2026, 10, 1))  # the library's 国庆 still counts
    assert policy.calendar.covers(2031)


def test_library_calendar_knows_the_state_council_arrangement():
    calendar = WorkCalendar()
    # 2026 notice: 国庆 10-1…10-7 off, Sat 10-10 worked; 春节 Sat 2-14 worked.
    assert not any(calendar.is_workday(date(2026, 10, day)) for day in range(1, 8))
    assert calendar.is_workday(date(2026, 10, 10))
    assert calendar.is_workday(date(2026, 2, 14))
    assert calendar.covers(2026)
    # A year far ahead: the statutory festivals are known, the 调休 arrangement is not.
    assert not calendar.is_workday(date(2040, 10, 1))
    assert not calendar.covers(2040)


def test_calendar_without_the_library_is_only_the_policy():
    policy = policy_from_toml('[calendar]\nuse_library = false\nholidays = ["2031-10-01"]\n')
    assert policy.calendar.is_workday(date(2026, 10, 1))  # a Thursday, not listed
    assert not policy.calendar.is_workday(date(2031, 10, 1))
    assert not policy.calendar.covers(2026)
    assert policy.calendar.covers(2031)


# --- Helpers for the workflows ----------------------------------------------------------------


def test_chain_selection_and_informing_the_school():
    filing = Policy().filing
    assert filing.chain_for(tier=2) == ("unit_head", "school_admin", "leader")
    assert filing.chain_for(tier=2, owner_kind="school_student_org") == (
        "league_approver",
        "school_admin",
    )
    assert filing.chain_for(tier=3, personal=True) == ("unit_head",)
    chain = filing.chain_for(tier=3)
    assert filing.informs_school(tier=3, chain=chain)
    assert not filing.informs_school(tier=2, chain=filing.chain_for(tier=2))
    assert not filing.informs_school(tier=3, chain=("unit_head", "school_admin"))
    with pytest.raises(ValueError):
        filing.chain_for(tier=4)


def test_lead_time_zombie_groups_and_thresholds():
    qztc = load_policy(REPO / "policies" / "qztc-2017.toml")
    assert qztc.filing.lead_time_ok(submitted_on=date(2026, 3, 1), goes_live_on=date(2026, 3, 15))
    assert not qztc.filing.lead_time_ok(
        submitted_on=date(2026, 3, 2), goes_live_on=date(2026, 3, 15)
    )
    zombie = Policy().zombie
    assert zombie.level(last_post=date(2026, 1, 1), today=date(2026, 2, 1)) is None
    assert zombie.level(last_post=date(2026, 1, 1), today=date(2026, 3, 2)) == "warn"
    assert zombie.level(last_post=date(2026, 1, 1), today=date(2026, 4, 1)) == "close"
    assert Policy().groups.must_register(10) and not Policy().groups.must_register(9)
    assert not Policy().exceeds_audience_threshold("weibo", 50000)
    assert Policy().exceeds_audience_threshold("weibo", 50001)
    assert not Policy().exceeds_audience_threshold("douyin", 10**7)


def test_policy_is_immutable():
    policy = Policy()
    with pytest.raises(AttributeError):
        policy.zombie = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.audience_thresholds["weibo"] = 1  # type: ignore[index]


# --- System check ---------------------------------------------------------------------------


def test_system_check_is_registered():
    assert check_policy in check_registry.registry.get_checks()


def test_system_check_reports_each_error(settings, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[inspection]\nmonth = 13\n[zombie]\nwarn_afterdays = 1\n", encoding="utf-8")
    settings.BEIAN_POLICY_FILE = str(path)
    messages = validate_policy_setting(today=date(2026, 6, 1))
    assert [m.id for m in messages] == ["beian.E001", "beian.E001"]
    assert f"{path} [inspection] month = 13：应在 1 到 12 之间" in [m.msg for m in messages]
    assert all(m.is_serious() for m in messages)


def test_system_check_is_quiet_for_good_files(settings):
    settings.BEIAN_POLICY_FILE = ""
    assert validate_policy_setting(today=date(2026, 6, 1)) == []
    for path in EXAMPLES:
        settings.BEIAN_POLICY_FILE = str(path)
        assert validate_policy_setting(today=date(2026, 6, 1)) == []


def test_system_check_warns_about_a_missing_holiday_year(settings, tmp_path):
    settings.BEIAN_POLICY_FILE = ""
    far = date(2040, 12, 1)  # the library computes festivals that far ahead, not 调休
    december = validate_policy_setting(today=far)
    assert [m.id for m in december] == ["beian.W001", "beian.W001"]
    assert "2040" in december[0].msg and "2041" in december[1].msg
    assert [m.id for m in validate_policy_setting(today=date(2040, 3, 1))] == ["beian.W001"]
    assert validate_policy_setting(today=date(2026, 6, 1)) == []  # the library has 2026


def test_system_check_is_quiet_when_the_policy_lists_the_coming_year(settings, tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('[calendar]\nholidays = ["2040-10-01", "2041-01-01"]\n', encoding="utf-8")
    settings.BEIAN_POLICY_FILE = str(path)
    assert validate_policy_setting(today=date(2040, 12, 1)) == []
    assert [m.id for m in validate_policy_setting(today=date(2041, 12, 1))] == ["beian.W001"]
