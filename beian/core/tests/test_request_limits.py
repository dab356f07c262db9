"""Request-size limits before the body is read (issue 9, finding 6): the request goes through
the real WSGI handler with a body that is generated as it is read (never built in memory),
so the tests can tell how many bytes the site read before it answered."""

from __future__ import annotations

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler

from beian.testing import connection_kept

MB = 1024 * 1024
BOUNDARY = "----beianboundary"


class LazyBody(io.RawIOBase):
    """`size` bytes of a multipart body holding one file, produced on demand; counts what
    was read."""

    def __init__(self, size: int, head: bytes = b"", tail: bytes = b""):
        self.size = size
        self.head = head
        self.tail = tail
        self.read_bytes = 0

    def readable(self):
        return True

    def _byte_at(self, position: int, count: int) -> bytes:
        out = bytearray()
        head, tail = self.head, self.tail
        end = position + count
        filler_end = self.size - len(tail)
        while position < end:
            if position < len(head):
                piece = head[position : min(end, len(head))]
            elif position < filler_end:
                piece = b"A" * (min(end, filler_end) - position)
            else:
                piece = tail[position - filler_end : end - filler_end]
            out += piece
            position += len(piece)
        return bytes(out)

    def read(self, size=-1):
        left = self.size - self.read_bytes
        if size is None or size < 0 or size > left:
            size = left
        data = self._byte_at(self.read_bytes, size)
        self.read_bytes += len(data)
        return data

    def readline(self, size=-1):
        return self.read(min(size if size and size > 0 else 65536, 65536))


def multipart(size: int) -> LazyBody:
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return LazyBody(size, head, tail)


def post(path: str, body: LazyBody, *, declared: int | None = None):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        # a CSRF cookie, so that the CSRF check reads the form (without one it refuses first)
        "HTTP_COOKIE": "csrftoken=" + "a" * 32,
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.size if declared is None else declared),
        "wsgi.input": body,
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(headers)

    with connection_kept():
        chunks = WSGIHandler()(environ, start_response)
        answer["body"] = b"".join(chunks).decode()
        chunks.close()
    return answer


@pytest.fixture
def spool_dir(settings, tmp_path):
    """Where Django would spool an uploaded file."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/filings/1/attach/", "/compliance/names/", "/nowhere/"])
def test_a_400_mb_body_is_refused_before_a_byte_is_read(spool_dir, path):
    """Finding 6: a 400 MB upload is answered 413 from its Content-Length alone: the site
    reads none of it and spools nothing, on upload routes and any other."""
    body = multipart(400 * MB)
    answer = post(path, body)
    assert answer["status"] == 413
    assert body.read_bytes == 0
    assert list(spool_dir.iterdir()) == []
    assert "提交的内容过大" in answer["body"]
    assert "400 MB" in answer["body"] and "21 MB" in answer["body"]


@pytest.mark.django_db
def test_a_file_over_the_limit_inside_the_envelope_is_cut_off_while_streaming(settings, spool_dir):
    """Finding 6: a body within the request limit whose file is over the upload limit is
    aborted by the upload handler as soon as the file passes the limit: the rest is never
    read, and the spooled part is removed."""
    settings.BEIAN_UPLOAD_MAX_BYTES = 1 * MB
    settings.BEIAN_REQUEST_MAX_BYTES = 8 * MB
    body = multipart(6 * MB)
    answer = post("/filings/1/attach/", body)
    assert answer["status"] == 413
    assert "单个文件不能超过 1 MB" in answer["body"]
    assert body.read_bytes < 1 * MB + 256 * 1024
    assert list(spool_dir.iterdir()) == []


@pytest.mark.django_db
def test_a_body_longer_than_declared_is_not_read_past_its_length(settings, spool_dir):
    """A client that sends more than it declared gets no more read than declared."""
    settings.BEIAN_UPLOAD_MAX_BYTES = 1 * MB
    body = multipart(300 * MB)
    post("/filings/1/attach/", body, declared=2 * MB)
    assert body.read_bytes <= 2 * MB


@pytest.mark.django_db
def test_a_route_may_have_its_own_limit(settings):
    settings.BEIAN_REQUEST_LIMITS = {"compliance:name_check": 1 * MB}
    assert post("/compliance/names/", multipart(2 * MB))["status"] == 413
    # other routes keep the default (21 MB): the anonymous POST meets the CSRF check
    assert post("/filings/1/attach/", multipart(2 * MB))["status"] == 403


@pytest.mark.django_db
def test_a_small_upload_goes_through_to_the_view(client, cast):
    """Under the limits nothing changes: the form gets the file (here: the name guard)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.school_admin)
    upload = SimpleUploadedFile("names.txt", "计算机学院\n文学院\n".encode())
    response = client.post("/compliance/names/", {"file": upload})
    assert response.status_code == 200
    assert "计算机学院" in response.content.decode()
