"""Reads through a live server: 16 connections, a mix of list, region, search, CSV and stats.

    python bench/load_bench.py                          # gunicorn (gunicorn.conf.py) on SQLite, 2,000 cases
    python bench/load_bench.py --server runserver       # the development server, for comparison
    scripts/with-postgres.sh .venv/bin/python bench/load_bench.py   # PostgreSQL (loads the cases first)
    python bench/load_bench.py --connections 16 --seconds 15

Each connection is a thread with a keep-alive http.client connection to 127.0.0.1 (the only address
it ever talks to), sending the mix in turn until the time is up (and at most --max-requests in all).
Prints requests per second, p50 and p99 latency and errors per kind and overall, beside each
request's median time in process (Django's test client, no HTTP, one at a time): what the server
and the machine add. Small data on purpose (the machine is shared); ratios matter, not absolutes.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.live import HOST, free_port, live_server, request, server_env  # noqa: E402

MIX = [
    ("list", "/api/v1/cases/?page_size=20"),
    ("region", "/api/v1/cases/?region=51&page_size=20"),
    ("search", "/api/v1/search/?q=%E7%89%A9%E4%B8%9A"),  # 物业
    ("list", "/api/v1/organisations/?page_size=20"),
    ("csv", "/api/v1/cases/?format=csv&region=5101"),
    ("stats", "/api/v1/stats/?region=51"),
    ("region", "/api/v1/metrics/?region=5101&page_size=20"),
    ("search", "/api/v1/cases/?q=%E5%85%9A%E5%BB%BA"),  # 党建
]


def database_url(cases: int) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url
    path = ROOT / "var" / "bench" / f"bench-{cases}.sqlite3"
    if not path.exists():
        sys.exit(f"{path} is missing: run `python bench/run.py --quick --only api` once to build it")
    return f"sqlite:///{path}"


def setup_django(url: str, cases: int) -> None:
    os.environ.update(server_env(url, ALLOWED_HOSTS="testserver,127.0.0.1,localhost", REQUEST_LOG_LEVEL="WARNING"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from cases.models import Case

    call_command("migrate", verbosity=0, interactive=False)
    if not Case.objects.exists():
        from seeds.loader import load_all

        load_all(progress=False)
        call_command("generate_cases", count=cases, seed=42, stdout=open(os.devnull, "w"))  # noqa: SIM115
        from cases.search.index import rebuild

        rebuild()


@contextmanager
def development_server(url: str):
    """``manage.py serve`` (runserver, threaded), as the only documented server was before."""
    port = free_port()
    log = open(ROOT / "var" / "bench" / "runserver.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--noreload", f"{HOST}:{port}"],
        cwd=ROOT,
        env=server_env(url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("runserver did not come up; see var/bench/runserver.log")
            time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def client(port: int, offset: int, until: float, budget: list[int], results: dict, lock: threading.Lock) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    index = offset
    while time.monotonic() < until:
        with lock:
            if budget[0] <= 0:
                break
            budget[0] -= 1
        kind, path = MIX[index % len(MIX)]
        index += 1
        started = time.perf_counter()
        try:
            status, _, body = request(port, "GET", path, connection=connection)
            ok = status == 200 and body
        except OSError:
            ok = False
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=120)
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            results[kind].append((elapsed, ok))
    connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def in_process_medians() -> dict[str, float]:
    from django.test import Client

    test_client = Client()
    medians: dict[str, list[float]] = defaultdict(list)
    for kind, path in MIX:
        test_client.get(path)
        for _ in range(3):
            started = time.perf_counter()
            response = test_client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)
            medians[kind].append((time.perf_counter() - started) * 1000)
    return {kind: statistics.median(values) for kind, values in medians.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    args = parser.parse_args()
    url = database_url(args.cases)
    setup_django(url, args.cases)
    baseline = in_process_medians()
    from django.db import connections

    connections.close_all()
    vendor = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    serve = (
        live_server(url, workers=args.workers, threads=args.threads)
        if args.server == "gunicorn"
        else development_server(url)
    )
    results: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    lock = threading.Lock()
    with serve as port:
        for _, path in MIX:  # warm every worker's first request a little
            request(port, "GET", path)
        budget = [args.max_requests]
        started = time.monotonic()
        until = started + args.seconds
        threads = [
            threading.Thread(target=client, args=(port, n, until, budget, results, lock))
            for n in range(args.connections)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
    workers = f"{args.workers} workers × {args.threads} threads" if args.server == "gunicorn" else "threaded"
    print(f"{vendor}, {args.cases:,} cases, {args.server} ({workers}), {args.connections} connections, {wall:.1f} s")
    print(f"{'kind':<8} {'requests':>8} {'rps':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'in process ms':>14}")
    every: list[tuple[float, bool]] = []
    for kind in dict.fromkeys(kind for kind, _ in MIX):
        rows = results.get(kind, [])
        every += rows
        times = [t for t, _ in rows] or [0.0]
        errors = sum(1 for _, ok in rows if not ok)
        print(
            f"{kind:<8} {len(rows):>8} {len(rows) / wall:>7.1f} {percentile(times, 0.5):>8.0f} "
            f"{percentile(times, 0.99):>8.0f} {errors:>7} {baseline[kind]:>14.0f}"
        )
    times = [t for t, _ in every] or [0.0]
    errors = sum(1 for _, ok in every if not ok)
    print(
        f"{'all':<8} {len(every):>8} {len(every) / wall:>7.1f} {percentile(times, 0.5):>8.0f} "
        f"{percentile(times, 0.99):>8.0f} {errors:>7}"
    )


if __name__ == "__main__":
    main()
