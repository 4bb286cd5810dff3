"""What else may answer on an exporter's port: a fixed body on one path or on all, the exporter elsewhere."""

from __future__ import annotations

from gpusim.exporters.answer import answering
from gpusim.exporters.http11 import Request, Response
from gpusim.model import ExporterAnswer


def _get(path: str) -> Request:
    return Request("GET", path, "HTTP/1.1", {})


def _exporter(request: Request) -> Response:
    return Response(200, b"# metrics\n", (("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),))


def test_an_answer_without_a_path_takes_every_path() -> None:
    handle = answering(ExporterAnswer("<html>login</html>"), _exporter)
    for path in ("/metrics", "/", "/metrics?x=1"):
        response = handle(_get(path))
        assert (response.status, response.body) == (200, b"<html>login</html>")
        assert response.headers == (("Content-Type", "text/html; charset=utf-8"),)


def test_an_answer_on_one_path_leaves_the_exporter_the_others() -> None:
    handle = answering(ExporterAnswer("denied", content_type="text/plain", status=401, path="/metrics"), _exporter)
    assert handle(_get("/metrics?x=1")).status == 401
    assert handle(_get("/other")).body == b"# metrics\n"
