"""manage.py import_sheet / export_sheet."""

import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from beian.core.tests import sheet_fixtures as F
from beian.registry.models import ChatGroup

from .conftest import GROUP_HEADER, xlsx

pytestmark = pytest.mark.django_db

ROWS = [
    [1, "计算机学院", "微信群", "计院新群", "工作", 30, "无", "", "", "", ""],
    [2, "文学院", "微信群", "文学院新群", "工作", "很多", "无", "", "", "", ""],
]


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "附件3.xlsx"
    path.write_bytes(xlsx(GROUP_HEADER, ROWS))
    return path


def test_dry_run_prints_the_preview_and_writes_nothing(cast, sheet):
    with pytest.raises(CommandError) as failed:
        run("import_sheet", "groups", str(sheet), "--user", "school_admin", "--dry-run")
    assert failed.value.returncode == 1
    assert not ChatGroup.objects.filter(name="计院新群").exists()


def test_json_is_the_preview_structure(cast, sheet, capsys):
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_sheet", "groups", str(sheet), "--json", "--dry-run", stdout=out)
    document = json.loads(out.getvalue())
    assert document["counts"]["new"] == 1 and document["counts"]["error"] == 1
    bad = next(r for r in document["rows"] if r["status"] == "error")
    assert bad["errors"][0]["column"] == "F" and bad["errors"][0]["value"] == "很多"
    assert document["committed"] is False


def test_drop_errors_imports_the_rest_and_reports_the_errors(cast, sheet, tmp_path):
    report = tmp_path / "errors.xlsx"
    text = run("import_sheet", "groups", str(sheet), "--user", "cs_unit_admin", "--drop-errors",
               "--error-report", str(report))  # fmt: skip
    assert "已导入" in text
    assert ChatGroup.objects.filter(name="计院新群").exists()
    assert not ChatGroup.objects.filter(name="文学院新群").exists()
    rows = list(openpyxl.load_workbook(report).active.iter_rows(values_only=True))
    assert rows[2][3] == "文学院新群" and "不在您的管理范围内" in rows[2][-1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空"),
        (F.FAKE_PDF, "PDF"),
        (F.zip_bomb(), "压缩"),
        (F.entity_bomb_xlsx(), "DOCTYPE"),
        (F.many_entries_zip(10_000), "异常"),
        (F.far_cell_xlsx(), "无法读取"),
    ],
    ids=["empty", "renamed-pdf", "zip-bomb", "entity-bomb", "10000-entries", "far-cell"],
)
def test_an_unusable_file_exits_with_2_and_writes_nothing(cast, tmp_path, data, message):
    path = tmp_path / "x.xlsx"
    path.write_bytes(data)
    before = ChatGroup.objects.count()
    with pytest.raises(CommandError, match=message) as failed:
        run("import_sheet", "groups", str(path))
    assert failed.value.returncode == 2
    assert ChatGroup.objects.count() == before


def test_the_unit_option(cast, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(F.to_csv(F.Grid(rows=[GROUP_HEADER, [1, "", "QQ群", "空白单位群", "", 3, "", "", "",
                                                          "", ""]])))  # fmt: skip
    run("import_sheet", "groups", str(path), "--unit", "计院")
    assert ChatGroup.objects.get(name="空白单位群").owner_unit == cast.cs


def test_export_with_filters(cast, tmp_path):
    out = tmp_path / "groups.xlsx"
    text = run("export_sheet", "groups", "--out", str(out), "--user", "school_admin",
               "--unit", "文学院", "--platform", "微信", "--status", "在用")  # fmt: skip
    assert "已导出 1 行" in text
    rows = list(openpyxl.load_workbook(out).active.iter_rows(min_row=4, values_only=True))
    assert rows[0][3] == "文学院2024级辅导员群"
    csv_out = tmp_path / "accounts.csv"
    run("export_sheet", "accounts", "--out", str(csv_out), "--layout", "hnwu",
        "--filter", "tier=2")  # fmt: skip
    assert "计算机学院团委（微信公众号，ncwu_cs）" in csv_out.read_text("utf-8-sig")
    with pytest.raises(CommandError, match="筛选条件无效"):
        run("export_sheet", "groups", "--out", str(out), "--filter", "min_members=x")
