"""Time a fresh process's first admin search or first ingest (the editor's cold start).

Run once per measurement, each in a new process, against a seeded database:

    DEBUG=1 DATABASE_URL=sqlite:////tmp/first.db .venv/bin/python manage.py migrate -v0
    DEBUG=1 DATABASE_URL=sqlite:////tmp/first.db .venv/bin/python manage.py load_seeds
    DEBUG=1 DATABASE_URL=sqlite:////tmp/first.db PYTHONPATH=. .venv/bin/python bench/first_request.py search
    DEBUG=1 DATABASE_URL=sqlite:////tmp/first.db PYTHONPATH=. .venv/bin/python bench/first_request.py ingest

Prints the first request's time and the time from process start to its answer. The ingest adds a
unique line so that each run ingests new text (it leaves a document in the database).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

ARTICLE = Path(__file__).resolve().parent.parent / "tests" / "ingest" / "fixtures" / "editor_day_article.txt"


def main(what: str) -> None:
    User.objects.filter(username="bench-first").delete()
    user = User.objects.create_superuser("bench-first", password="unused")
    with override_settings(ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False):
        client = Client()
        client.force_login(user)
        start = time.perf_counter()
        if what == "search":
            response = client.get("/admin/cases/case/", {"q": "物业"})
        else:
            text = ARTICLE.read_text(encoding="utf-8") + f"\n（测量 {time.time()}）"
            data = {"text": text, "outlet": "人民日报", "publication_date": "2024-10-13"}
            response = client.post("/admin/cases/candidate/ingest/", data)
        now = time.perf_counter()
        print(
            f"{what}: HTTP {response.status_code}, first request {now - start:.2f} s, {now - STARTED:.2f} s from start"
        )
    User.objects.filter(username="bench-first").delete()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "search")
