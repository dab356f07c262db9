"""Memory of the web process while hostile uploads are refused (issue 9, finding 6).

A real gunicorn process (one sync worker) serves a fresh SQLite database on loopback. A
signed-in operator then sends:

1. a 20 MB CSV of one header line and newlines to the name guard (/compliance/names/)
   and to the import preview (/transfer/import/): refused with the row-limit message;
2. a 400 MB body to /filings/1/attach/ and /compliance/names/, streamed from a socket
   (never built in memory): refused with 413 from its Content-Length.

The worker's RSS is read from /proc (VmRSS before, VmHWM = its peak) and printed; the goal
is a peak under 300 MB. Run: `.venv/bin/python bench/uploads.py`.
"""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, django_on_fresh_sqlite  # noqa: E402

MB = 1024 * 1024
GOAL_MB = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid: int, field: str) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+)", text, re.M).group(1))


def worker_of(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def wait_up(port: int) -> None:
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def request(port: int, head: bytes, body_chunks, *, read_timeout: float = 120) -> tuple[int, str]:
    """Send a request whose body comes from an iterator; stop sending as soon as the server
    answers or closes. Returns (status, body text)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(read_timeout)
    sock.sendall(head)
    for chunk in body_chunks:
        readable, _w, _x = select.select([sock], [], [], 0)
        if readable:
            break  # the server answered (or closed) before the whole body was sent
        try:
            sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            break
    answer = b""
    try:
        while True:
            got = sock.recv(65536)
            if not got:
                break
            answer += got
    except (ConnectionResetError, TimeoutError):
        pass
    sock.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, answer.decode("utf-8", "replace")


def multipart_head(port, path, cookie, csrf, length, boundary) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: {cookie}\r\nX-CSRFToken: {csrf}\r\nReferer: http://127.0.0.1:{port}{path}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    ).encode()


def file_body(
    field: str, name: str, payload_size: int, payload_head: bytes, boundary: str, **fields
):
    """(length, chunk iterator) of a multipart body with form `fields` and one file of
    `payload_size` bytes: `payload_head` then newlines, generated chunk by chunk."""
    head = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
            for key, value in fields.items()
        ).encode()
        + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + payload_head
    )
    tail = f"\r\n--{boundary}--\r\n".encode()
    filler = payload_size - len(payload_head)
    length = len(head) + filler + len(tail)

    def chunks():
        yield head
        left = filler
        block = b"\n" * (256 * 1024)
        while left > 0:
            piece = block[: min(left, len(block))]
            left -= len(piece)
            yield piece
        yield tail

    return length, chunks()


def main() -> int:
    django_on_fresh_sqlite("uploads")
    from django.test import Client

    from beian.testing import make_unit, make_user
    from beian.users.choices import Role

    unit = make_unit("计算机学院")
    user = make_user("bench_admin", role=Role.UNIT_ADMIN, unit=unit)
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    csrf = "b" * 32
    cookie = f"sessionid={session}; csrftoken={csrf}"

    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    try:
        wait_up(port)
        worker = worker_of(server.pid)
        # warm up: a page and a small upload, so that the baseline includes loaded code
        boundary = "----beianbench"
        length, chunks = file_body("file", "a.csv", 64, "名称\n".encode(), boundary)
        request(
            port, multipart_head(port, "/compliance/names/", cookie, csrf, length, boundary), chunks
        )
        baseline = status_kb(worker, "VmRSS") / 1024
        print(f"worker {worker}: RSS after warm-up {baseline:.0f} MB")

        rows = []
        for path, field in (("/compliance/names/", "file"), ("/transfer/import/", "file")):
            extra = {"kind": "groups"} if path.startswith("/transfer/") else {}
            length, chunks = file_body(
                field, "名单.csv", 20 * MB - 1024, "名称\n".encode(), boundary, **extra
            )
            started = time.monotonic()
            status, text = request(
                port, multipart_head(port, path, cookie, csrf, length, boundary), chunks
            )
            refused = "超过 1048576 行" in text
            rows.append(
                (f"20 MB CSV of newlines → {path}", status, refused, time.monotonic() - started)
            )
            print(
                rows[-1][:3],
                f"{time.monotonic() - started:.1f} s",
                f"peak so far {status_kb(worker, 'VmHWM') / 1024:.0f} MB",
                flush=True,
            )

        for path in ("/filings/1/attach/", "/compliance/names/"):
            length, chunks = file_body("file", "big.pdf", 400 * MB, b"%PDF-1.7\n", boundary)
            started = time.monotonic()
            status, text = request(
                port, multipart_head(port, path, cookie, csrf, length, boundary), chunks
            )
            rows.append(
                (f"400 MB body → {path}", status, status == 413, time.monotonic() - started)
            )

        peak = status_kb(worker, "VmHWM") / 1024
        now = status_kb(worker, "VmRSS") / 1024
        for label, status, refused, seconds in rows:
            print(f"{label:50s} HTTP {status}  refused={refused}  {seconds:5.1f} s")
        print(f"web process (gunicorn worker) RSS: baseline {baseline:.0f} MB, now {now:.0f} MB, "
              f"peak {peak:.0f} MB (goal < {GOAL_MB} MB)")  # fmt: skip
        ok = peak < GOAL_MB and all(refused for _l, _s, refused, _t in rows)
        print("OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
