"""A production server (gunicorn with gunicorn.conf.py) on 127.0.0.1 for the live benchmarks, and a
small HTTP client. Traffic goes to the loopback address only; every loop is bounded in time.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "SECURE_SSL_REDIRECT": "0",
        "API_ANON_THROTTLE_RATE": "none",
        "API_ANON_EXPORT_RATE": "none",
        "LOG_LEVEL": "ERROR",
        "GUNICORN_LOG_LEVEL": "warning",
        **extra,
    }


@contextmanager
def live_server(database_url: str, *, workers: int = 3, threads: int = 4, log: Path | None = None) -> Iterator[int]:
    """gunicorn on a free loopback port with the real settings; yields the port, stops it after."""
    port = free_port()
    env = server_env(
        database_url, GUNICORN_BIND=f"{HOST}:{port}", WEB_CONCURRENCY=str(workers), GUNICORN_THREADS=str(threads)
    )
    log = log or ROOT / "var" / "bench" / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    status, _, _ = request(port, "GET", "/healthz")
                    if status == 200:
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not come up; see {log}")
                time.sleep(0.5)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def request(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    headers: dict[str, str] | None = None,
    connection: http.client.HTTPConnection | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request (on ``connection`` when given, kept alive); returns status, headers and body."""
    own = connection is None
    connection = connection or http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        sent = {"Host": HOST, **(headers or {})}
        if payload is not None:
            sent["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=sent)
        response = connection.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        if own:
            connection.close()
