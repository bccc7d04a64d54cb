"""Time a fresh process's first request: an API list, an admin or API search, or an ingest.

Run once per measurement, each in a new process, against a seeded database:

    DEBUG=1 DATABASE_URL=sqlite:////tmp/first.db .venv/bin/python manage.py migrate -v0
    DEBUG=1 DATABASE_URL=sqlite:////tmp/first.db .venv/bin/python manage.py load_seeds
    DEBUG=1 DATABASE_URL=sqlite:////tmp/first.db PYTHONPATH=. .venv/bin/python bench/first_request.py MODE

MODE is ``api`` (``/api/v1/cases/``), ``search`` (the admin's ``/admin/cases/case/?q=物业``),
``api-search`` (``/api/v1/search/?q=物业``), ``ingest`` (the admin ingest POST) or ``ingest-form``
(the ingest form first, then the POST 5 s later, as an editor pasting a page: the form starts
loading the extractor; the time is the POST's). ``--repeat N`` runs N fresh processes and prints
each and the median. ``--preloaded`` does what gunicorn's master does before forking
(``cases.extraction.warmup.preload``), forks, and times the request in the child, as a worker's
first request: "from start" is then from the fork, and the CPU time is the child's own. The
first run after a data or library change also builds the disk caches (``var/``); later runs read
them.

Prints the first request's time and the time from process start to its answer, as wall time and
as this process's CPU time (the machine is shared: wall time also counts waiting for a core).
The ingest adds a unique line so that each run ingests new text (it leaves a document in the
database).

The figures assume compiled bytecode, as a deployment has after its first start: with
``PYTHONDONTWRITEBYTECODE`` set (as in some sandboxes) every start compiles the project's modules
again, about 0.3 s more.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
STARTED_CPU = time.process_time()

ARTICLE = Path(__file__).resolve().parent.parent / "tests" / "ingest" / "fixtures" / "editor_day_article.txt"
MODES = ("api", "search", "api-search", "ingest", "ingest-form")
PASTING = 5.0  # seconds between opening the ingest form and posting it in ``ingest-form``


def measure(what: str, preloaded: bool = False) -> None:
    global STARTED, STARTED_CPU
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connections
    from django.test import Client
    from django.test.utils import override_settings

    User.objects.filter(username="bench-first").delete()
    # No password: hashing one would add half a second that no editor's first request pays.
    user = User.objects.create_superuser("bench-first", password=None)
    if preloaded:
        from cases.extraction.warmup import preload

        preload()
        connections.close_all()
        child = os.fork()
        if child:
            os.waitpid(child, 0)
            User.objects.filter(username="bench-first").delete()
            return
        STARTED, STARTED_CPU = time.perf_counter(), time.process_time()  # a forked child's CPU starts at 0
    with override_settings(ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False):
        client = Client()
        if what in ("search", "ingest", "ingest-form"):
            client.force_login(user)
        if what == "ingest-form":
            client.get("/admin/cases/candidate/ingest/")
            time.sleep(PASTING)
        start, start_cpu = time.perf_counter(), time.process_time()
        if what == "api":
            response = client.get("/api/v1/cases/")
        elif what == "search":
            response = client.get("/admin/cases/case/", {"q": "物业"})
        elif what == "api-search":
            response = client.get("/api/v1/search/", {"q": "物业"})
        else:  # ingest, ingest-form
            text = ARTICLE.read_text(encoding="utf-8") + f"\n（测量 {time.time()}）"
            data = {"text": text, "outlet": "人民日报", "publication_date": "2024-10-13"}
            response = client.post("/admin/cases/candidate/ingest/", data)
        now, now_cpu = time.perf_counter(), time.process_time()
        print(
            f"{what}: HTTP {response.status_code}, first request {now - start:.2f} s "
            f"(CPU {now_cpu - start_cpu:.2f} s), from start {now - STARTED:.2f} s (CPU {now_cpu - STARTED_CPU:.2f} s)"
        )
    if preloaded:
        sys.stdout.flush()
        os._exit(0)
    User.objects.filter(username="bench-first").delete()


def _seconds(line: str, label: str) -> tuple[float, float]:
    """The wall and CPU seconds printed after ``label`` in a result line."""
    tail = line.split(label, 1)[1]
    return float(tail.split(" s", 1)[0]), float(tail.split("CPU ", 1)[1].split(" s", 1)[0])


def repeat(what: str, times: int, preloaded: bool = False) -> None:
    """Each run in a fresh process; the medians of the first request and of the time from start."""
    lines = []
    for _ in range(times):
        out = subprocess.run(
            [sys.executable, __file__, what, *(["--preloaded"] if preloaded else [])],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ,
        ).stdout
        lines.append(next(line for line in out.splitlines() if line.startswith(f"{what}:")))
        print(lines[-1])
    medians = []
    for label in ("first request ", "from start "):
        walls, cpus = zip(*(_seconds(line, label) for line in lines), strict=True)
        medians.append(f"{label}{statistics.median(walls):.2f} s (CPU {statistics.median(cpus):.2f} s)")
    print(f"{what}: median {', '.join(medians)}, {times} runs")


if __name__ == "__main__":
    args = sys.argv[1:]
    mode = args[0] if args else "search"
    if mode not in MODES:
        sys.exit(f"mode must be one of {', '.join(MODES)}")
    if "--repeat" in args:
        repeat(mode, int(args[args.index("--repeat") + 1]), "--preloaded" in args)
    else:
        measure(mode, "--preloaded" in args)
