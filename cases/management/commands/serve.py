"""``runserver``, accepting URLs that carry raw UTF-8 (what ``make run`` starts).

curl sends ``?q=党课`` as raw UTF-8 bytes. Python's http.server reads the request line as Latin-1
and splits it on any Unicode whitespace, so a byte 0x85 or 0xA0 (党 is E5 85 9A, 共 is E5 85 B1)
cuts the line apart and the server answers 400 "Bad request syntax" before Django sees the request.
Browsers and HTTP libraries percent-encode such bytes; this server does it for clients that do not.
Every other option is ``runserver``'s.
"""

from __future__ import annotations

import re

from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

_NON_ASCII = re.compile(rb"[\x80-\xff]")


def percent_encode_non_ascii(request_line: bytes) -> bytes:
    """``request_line`` with every byte above 0x7F percent-encoded (never valid raw in HTTP)."""
    return _NON_ASCII.sub(lambda match: b"%%%02X" % match[0][0], request_line)


class PercentEncodingRequestHandler(WSGIRequestHandler):
    def parse_request(self) -> bool:
        self.raw_requestline = percent_encode_non_ascii(self.raw_requestline)
        return super().parse_request()


class Server(WSGIServer):
    """Django's development server with the request handler above (``run()`` passes its own)."""

    def __init__(self, server_address, handler_class, *args, **kwargs) -> None:
        super().__init__(server_address, PercentEncodingRequestHandler, *args, **kwargs)


class Command(RunserverCommand):
    help = "Starts the development server; raw UTF-8 in URLs (curl 'http://…/?q=党课') is accepted."
    server_cls = Server
