"""``manage.py serve`` (``make run``): raw UTF-8 in a URL reaches Django percent-encoded."""

from __future__ import annotations

import socket
import threading
from urllib.parse import unquote

from cases.management.commands.serve import Server, percent_encode_non_ascii


def echo_query(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [unquote(environ["QUERY_STRING"]).encode()]


def raw_get(port: int, target: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_raw_utf8_query_reaches_the_application():
    server = Server(("127.0.0.1", 0), None)
    server.set_app(echo_query)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # 党 is E5 85 9A: 0x85 is whitespace to str.split() once the line is read as Latin-1.
        response = raw_get(server.server_address[1], "/api/v1/cases/?q=党课 共同体".replace(" ", "%20").encode())
    finally:
        server.shutdown()
        server.server_close()
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert body.decode() == "q=党课 共同体"


def test_only_bytes_above_ascii_are_encoded():
    line = "GET /a?q=党&x=1%20 HTTP/1.1\r\n".encode()
    assert percent_encode_non_ascii(line) == b"GET /a?q=%E5%85%9A&x=1%20 HTTP/1.1\r\n"
