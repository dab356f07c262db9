"""Helpers of the server tests: the school's roster as Beian knows it, and a sign-in through
a real identity server with a plain HTTP client (cookies of both sites in one session)."""

from __future__ import annotations

import re

import requests

from beian.orgs.choices import PersonKind, UnitKind
from beian.testing import make_person, make_unit, make_user
from beian.users.choices import Role


def roster() -> dict:
    """The units the test identities name (deptCode 0301) and the people on the roster:
    林晓 still listed under another unit, 赵一鸣 still in post and an operator."""
    root = make_unit("示例大学", kind=UnitKind.SCHOOL)
    water = make_unit("水利学院", parent=root, code="0301")
    info = make_unit("信息学院", parent=root, code="0302")
    admin = make_user("xcb_admin", role=Role.SCHOOL_ADMIN, name="宣传部王老师")
    lin = make_person("林晓", unit=info, number="20150001")
    zhao = make_person("赵一鸣", unit=water, number="2022110101", kind=PersonKind.STUDENT)
    zhao_user = make_user("2022110101", person=zhao, role=Role.OPERATOR)
    return {"water": water, "info": info, "admin": admin, "lin": lin, "zhao": zhao,
            "zhao_user": zhao_user}  # fmt: skip


def submit_idp_form(http: requests.Session, page: requests.Response, username: str,
                    password: str) -> requests.Response:  # fmt: skip
    """Fills the identity server's login form (CAS or OIDC) that `page` shows."""
    assert 'name="password"' in page.text, page.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = {"username": username, "password": password, "csrfmiddlewaretoken": token}
    next_field = re.search(r'name="next" value="([^"]*)"', page.text)
    if next_field:
        data["next"] = next_field.group(1).replace("&amp;", "&")
    return http.post(page.url, data=data, headers={"Referer": page.url}, timeout=30)
