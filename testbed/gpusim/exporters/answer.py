"""A fixed answer in front of an exporter: what a proxy's login page or another server on the port sends."""

from __future__ import annotations

from gpusim.exporters.http11 import Handler, Request, Response
from gpusim.model import ExporterAnswer


def answering(answer: ExporterAnswer, exporter: Handler) -> Handler:
    """``answer`` on its path (every path when it names none); the exporter's own answers elsewhere."""
    response = Response(answer.status, answer.body.encode(), (("Content-Type", answer.content_type),))

    def handle(request: Request) -> Response:
        if answer.path is None or request.path == answer.path:
            return response
        return exporter(request)

    return handle
