"""Real identity servers for the sign-on tests, started here and always stopped:

- `idp`: a second Django project (casserver/) under runserver on a free loopback port,
  serving CAS with django-mama-cas under both /cas/ (Apereo, p3) and /authserver/ (金智,
  CAS 2) and OpenID Connect with django-oauth-toolkit under /o/. It needs Beian's address
  (the CAS services and the OIDC redirect URI), so it starts after the live server.
- `slapd`: Debian's OpenLDAP server with a throw-away config and database (one base, two
  people, one of them graduated) on a free port; skipped with a message only when the
  slapd binary is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from beian.identity.sso_settings import cas_settings, oidc_settings

HERE = Path(__file__).resolve().parent
CASSERVER = HERE / "casserver"
PYTHON = sys.executable
SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"

#: The people the identity servers know (attributes in the 金智 naming of docs/identity.md).
PEOPLE = {
    "20150001": {
        "password": "cas-pass-1",
        "attributes": {
            "cn": "林晓",
            "deptCode": "0301",
            "ryfldm": "教职工",
            "ryzxztdm": "在职",
            "email": "linxiao@example.edu.cn",
        },
    },
    "2022110101": {
        "password": "cas-pass-2",
        "attributes": {
            "cn": "赵一鸣",
            "deptCode": "0301",
            "ryfldm": "学生",
            "ryzxztdm": "毕业",
        },
    },
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback test server
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server for {url} did not start in {seconds} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class IdP:
    url: str
    people_file: Path
    client_id: str = "beian"
    client_secret: str = "beian-oidc-test-secret"  # noqa: S105

    def set_people(self, people: dict) -> None:
        self.people_file.write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")

    def cas_env(self, family: str) -> dict:
        path = "/authserver/" if family == "jinzhi" else "/cas/"
        return {"BEIAN_CAS_SERVER_URL": self.url + path}

    def oidc_env(self) -> dict:
        base = self.url + "/o"
        return {
            "BEIAN_OIDC_CLIENT_ID": self.client_id,
            "BEIAN_OIDC_CLIENT_SECRET": self.client_secret,
            "BEIAN_OIDC_AUTHORIZATION_ENDPOINT": base + "/authorize/",
            "BEIAN_OIDC_TOKEN_ENDPOINT": base + "/token/",
            "BEIAN_OIDC_USERINFO_ENDPOINT": base + "/userinfo/",
            "BEIAN_OIDC_JWKS_ENDPOINT": base + "/.well-known/jwks.json",
            "BEIAN_OIDC_LOGOUT_ENDPOINT": base + "/logout/",
            "BEIAN_OIDC_USERNAME_CLAIM": "preferred_username",
        }


def _rsa_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="session")
def idp(live_server, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("idp")
    server = IdP(url="", people_file=workdir / "people.json")
    server.set_people(PEOPLE)
    env = {
        **os.environ,
        "IDP_PEOPLE": str(server.people_file),
        "IDP_DB": str(workdir / "idp.sqlite3"),
        "IDP_BEIAN_URL": live_server.url,
        "IDP_RSA_KEY": _rsa_key(),
        "PYTHONPATH": str(CASSERVER),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if "BEIAN_TEST_NOW" in env:
        # The clock is moved for this run: the identity server starts at this moment of it.
        env["BEIAN_TEST_NOW"] = datetime.now(UTC).isoformat()
    subprocess.run(  # noqa: S603  (fixed test servers)
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=CASSERVER,
        env=env,
        check=True,
    )
    port = free_port()
    server.url = f"http://127.0.0.1:{port}"
    log = (workdir / "idp.log").open("w")
    process = subprocess.Popen(  # noqa: S603  (fixed test servers)
        [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=CASSERVER,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(server.url + "/cas/login", process)
        yield server
    finally:
        stop(process)
        log.close()


def apply_env(settings, values: dict, backend: str) -> None:
    for name, value in values.items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        *[b for b in settings.AUTHENTICATION_BACKENDS if not b.startswith("beian.identity.")],
        backend,
    ]


@pytest.fixture
def use_cas(settings, idp):
    """Beian configured for the test CAS server: use_cas("jinzhi") or use_cas("apereo")."""

    def configure(family: str) -> dict:
        values = cas_settings(idp.cas_env(family))
        apply_env(settings, values, "beian.identity.backends.CASBackend")
        settings.BEIAN_SSO_PROTOCOL = "cas"
        return values

    yield configure
    idp.set_people(PEOPLE)


@pytest.fixture
def use_oidc(settings, idp):
    values = oidc_settings(idp.oidc_env())
    apply_env(settings, values, "beian.identity.backends.OIDCBackend")
    settings.BEIAN_SSO_PROTOCOL = "oidc"
    yield values
    idp.set_people(PEOPLE)


# --- slapd ------------------------------------------------------------------------------------

LDAP_BASE = "dc=example,dc=edu,dc=cn"
LDAP_ADMIN = f"cn=admin,{LDAP_BASE}"
LDAP_ADMIN_PASSWORD = "slapd-admin-pass"  # noqa: S105

LDIF = f"""dn: {LDAP_BASE}
objectClass: top
objectClass: dcObject
objectClass: organization
o: Example University
dc: example

dn: ou=people,{LDAP_BASE}
objectClass: organizationalUnit
ou: people

dn: uid=20150001,ou=people,{LDAP_BASE}
objectClass: inetOrgPerson
uid: 20150001
cn: 林晓
sn: 林
employeeNumber: 20150001
departmentNumber: 0301
employeeType: 教职工
businessCategory: 在职
mail: linxiao@example.edu.cn
userPassword: ldap-pass-1

dn: uid=2022110101,ou=people,{LDAP_BASE}
objectClass: inetOrgPerson
uid: 2022110101
cn: 赵一鸣
sn: 赵
employeeNumber: 2022110101
departmentNumber: 0301
employeeType: 学生
businessCategory: 毕业
userPassword: ldap-pass-2
"""


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    if not (os.path.exists(SLAPD) and os.path.exists(SLAPADD)):
        pytest.skip(f"{SLAPD} is not installed (Debian package slapd; make test installs it)")
    workdir = tmp_path_factory.mktemp("slapd")
    data = workdir / "data"
    data.mkdir()
    schema = "/etc/ldap/schema"
    modules = "/usr/lib/ldap"
    conf = workdir / "slapd.conf"
    conf.write_text(
        "\n".join(
            [
                *(
                    f"include {schema}/{name}.schema"
                    for name in ("core", "cosine", "inetorgperson", "nis")
                ),
                f"pidfile {workdir}/slapd.pid",
                f"modulepath {modules}",
                "moduleload back_mdb",
                "database mdb",
                f'suffix "{LDAP_BASE}"',
                f'rootdn "{LDAP_ADMIN}"',
                f"rootpw {LDAP_ADMIN_PASSWORD}",
                f"directory {data}",
                "maxsize 10485760",
                "access to attrs=userPassword by anonymous auth by self write by * none",
                "access to * by * read",
                "",
            ]
        )
    )
    ldif = workdir / "base.ldif"
    ldif.write_text(LDIF, encoding="utf-8")
    subprocess.run([SLAPADD, "-f", str(conf), "-l", str(ldif)], check=True, capture_output=True)  # noqa: S603  (fixed test servers)
    port = free_port()
    uri = f"ldap://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603  (fixed test servers)
        [SLAPD, "-d", "0", "-f", str(conf), "-h", uri],
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "slapd.log").open("w"),
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError((workdir / "slapd.log").read_text())
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield uri
    finally:
        stop(process)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def use_ldap(settings, slapd):
    from beian.identity.sso_settings import ldap_settings

    values = ldap_settings(
        {
            "BEIAN_LDAP_SERVER_URI": slapd,
            "BEIAN_LDAP_BIND_DN": LDAP_ADMIN,
            "BEIAN_LDAP_BIND_PASSWORD": LDAP_ADMIN_PASSWORD,
            "BEIAN_LDAP_USER_SEARCH_BASE": f"ou=people,{LDAP_BASE}",
        }
    )
    apply_env(settings, values, "beian.identity.backends.LDAPBackend")
    return values
