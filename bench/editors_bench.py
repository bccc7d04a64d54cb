"""Concurrent editors against a live server: saves lost to errors (target 0) and 409s where they conflict.

    python bench/editors_bench.py                      # SQLite: a copy of the 2,000-case bench database
    scripts/with-postgres.sh .venv/bin/python bench/editors_bench.py   # PostgreSQL (DATABASE_URL set)
    python bench/editors_bench.py --editors 4 --seconds 10

gunicorn (gunicorn.conf.py; 3 workers × 4 threads here) on 127.0.0.1. Each editor is a thread with
its own API token and keep-alive connection, saving ``PATCH /api/v1/cases/{id}/`` with the revision
it last saw, as fast as it can for the given seconds. Two rounds:

- own case: every editor edits a different case. Expected: every save succeeds, no 409, no 5xx.
- same case: every editor edits one case. Expected: one save per revision wins, the others get the
  documented 409 (and retry with the revision the 409 names); no 5xx.

A 503 (database busy, with Retry-After) is counted apart from the other errors: the client may retry.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.live import live_server, request  # noqa: E402

REVISION_IN_409 = re.compile(r"revision (\d+), you had")


def prepare_database(cases: int) -> str:
    """The database URL to run on, set up with editors and their tokens."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        source = ROOT / "var" / "bench" / f"bench-{cases}.sqlite3"
        if not source.exists():
            sys.exit(f"{source} is missing: run `python bench/run.py --quick --only api` once to build it")
        copy = ROOT / "var" / "bench" / "editors.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copy(source, copy)
        url = f"sqlite:///{copy}"
    os.environ.update(DATABASE_URL=url, DEBUG="0", SECRET_KEY="bench-only-secret-key-" + "x" * 40)
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
    return url


def make_editors(count: int) -> list[str]:
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    tokens = []
    for index in range(count):
        user, _ = User.objects.get_or_create(
            username=f"bench-editor-{index}", defaults={"is_staff": True, "is_superuser": True}
        )
        tokens.append(Token.objects.get_or_create(user=user)[0].key)
    return tokens


def editor(port: int, token: str, public_id: str, revision: int, until: float, tally: collections.Counter) -> None:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Token {token}"}
    saved = 0
    while time.monotonic() < until:
        body = {"title_en": f"edit {token[:6]} {saved}", "revision": revision}
        try:
            status, response_headers, data = request(
                port, "PATCH", f"/api/v1/cases/{public_id}/", body, headers, connection
            )
        except OSError as error:
            tally[f"connection error {type(error).__name__}"] += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        if status == 200:
            saved += 1
            revision += 1
            tally["saved"] += 1
        elif status == 409:
            tally["409 conflict"] += 1
            match = REVISION_IN_409.search(data.decode("utf-8", "replace"))
            if match:
                revision = int(match.group(1))
        elif status == 503:
            tally["503 busy"] += 1
            time.sleep(float(response_headers.get("retry-after", "1")))
        else:
            tally[f"{status} error"] += 1
            tally.setdefault("first error", data[:200])
    connection.close()


def run_round(port: int, tokens: list[str], targets: list[tuple[str, int]], seconds: float) -> collections.Counter:
    tally: collections.Counter = collections.Counter()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=editor, args=(port, token, public_id, revision, until, tally))
        for token, (public_id, revision) in zip(tokens, targets, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--editors", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args()
    url = prepare_database(args.cases)
    from django.db import connections

    from cases.models import Case

    tokens = make_editors(args.editors)
    cases = list(Case.objects.order_by("pk").values_list("public_id", "revision")[: args.editors])
    connections.close_all()
    vendor = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"{vendor}: {args.editors} editors × {args.seconds:g} s per round, gunicorn 3 workers × 4 threads")
    with live_server(url) as port:
        rounds = {
            "own case": run_round(port, tokens, cases, args.seconds),
            "same case": run_round(port, tokens, [cases[0]] * args.editors, args.seconds),
        }
    print(f"{'round':<10} {'saves':>6} {'409':>5} {'503':>5} {'errors':>7}   attempts lost to errors")
    for name, tally in rounds.items():
        first = tally.pop("first error", None)
        errors = sum(n for key, n in tally.items() if key not in {"saved", "409 conflict", "503 busy"})
        attempts = sum(tally.values())
        lost = f"{errors / attempts:.0%}" if attempts else "-"
        print(f"{name:<10} {tally['saved']:>6} {tally['409 conflict']:>5} {tally['503 busy']:>5} {errors:>7}   {lost}")
        if first:
            print(f"           first error: {first!r}")


if __name__ == "__main__":
    main()
