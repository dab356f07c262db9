"""Helpers for the transfer tests: sheets as units fill them, and one-line previews and
commits."""

from __future__ import annotations

import pytest

from beian.core.tests import sheet_fixtures as F
from beian.transfer import services


def grid(header: list[str], rows: list[list], *, title: str = "", name: str = "Sheet1") -> F.Grid:
    """A sheet: optional title and 报送单位 line, the header, the rows."""
    width = len(header)
    top = []
    merges = []
    if title:
        top = [[title] + [None] * (width - 1), [F.SUBMITTER] + [None] * (width - 1)]
        merges = [(0, 0, 0, width - 1), (1, 0, 1, width - 1)]
    return F.Grid(rows=[*top, header, *rows], merges=merges, name=name)


def xlsx(header, rows, **kw) -> bytes:
    return F.to_xlsx(grid(header, rows, **kw))


def csv(header, rows, encoding="utf-8-sig", **kw) -> bytes:
    return F.to_csv(grid(header, rows, **kw), encoding)


def preview(user, kind, data, name="upload.xlsx", **kw):
    return services.import_preview(actor=user, kind=kind, file_name=name, data=data, **kw)


def commit(user, kind, data, name="upload.xlsx", **kw):
    return services.import_commit(actor=user, kind=kind, file_name=name, data=data, **kw)


def row(plan, number):
    return next(r for r in plan.rows if r.number == number)


def errors(plan, number=None) -> list[str]:
    rows = plan.rows if number is None else [row(plan, number)]
    return [m.message for r in rows for m in r.errors]


def warnings(plan, number=None) -> list[str]:
    rows = plan.rows if number is None else [row(plan, number)]
    return [m.message for r in rows for m in r.warnings]


GROUP_HEADER = ["序号", "管理单位", "群聊平台", "群名称", "群性质", "群人数", "有无校外人员",
                "校外人员人数", "创建时间", "创建人", "创建人电话"]  # fmt: skip
ACCOUNT_HEADER = ["序号", "管理单位", "账号分级", "账号类型", "账号名称", "账号或网址", "创建时间",
                  "认证时间", "关注人数", "更新频率", "负责老师", "负责老师电话", "负责学生",
                  "负责学生电话"]  # fmt: skip


@pytest.fixture
def school_admin(cast):
    return cast.school_admin


@pytest.fixture(autouse=True)
def upload_folder(settings, tmp_path):
    """Uploads kept between preview and commit go to the test's own folder."""
    settings.BEIAN_IMPORT_TMP_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"
