"""Over HTTP, side by side: the project, its own SQL, and Datasette on the same SQLite file.

A section of ``bench/run.py`` (``--only http``). For each question a researcher asks (a page of
cases, one case, a region, a search, a CSV, the statistics) it times, interleaved round by round
so that a change in machine load hits every contender alike:

* **project**: the request through the production server (``bench/live.py``: gunicorn with
  ``gunicorn.conf.py``, one worker, ``DEBUG`` off);
* **its SQL**: every statement that request runs, recorded once in process with
  ``connection.execute_wrapper`` and replayed through the same driver: the floor;
* **Datasette** (SQLite only): the same question asked of Datasette serving the same file, through
  its table views where they fit and through ``?sql=`` with the project's own query where they do
  not (a region is a path range, which no table view can say). Datasette lives in a venv of its
  own (``.venv-bench``, ``requirements-bench.txt``) so its dependencies never meet the project's.

Prints medians and the ratios project ÷ Datasette and project ÷ SQL. Never gates on time.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.live import free_port, live_server

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = ROOT / ".venv-bench"
ROUNDS = 25
WARM_UP = 3


@dataclass(frozen=True)
class Recorded:
    """One statement a request ran: its SQL, its parameters, and whether it ran on a prepared-statement
    cursor (``cases.statements.statement_cursor`` on PostgreSQL), to be replayed the same way."""

    sql: str
    params: tuple
    prepared: bool = False


@dataclass
class Question:
    label: str
    path: str  # the project's URL, with its query string
    datasette: str | None  # Datasette's URL for the same question (None: not comparable)
    statements: list[Recorded] = field(default_factory=list)  # what the project's request runs


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} within {seconds:.0f} s")


@contextmanager
def server(command: list[str], probe: str, env: dict[str, str]) -> Iterator[None]:
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(probe, process)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def datasette_binary() -> Path | None:
    found = BENCH_VENV / "bin" / "datasette"
    return found if found.exists() else (Path(shutil.which("datasette")) if shutil.which("datasette") else None)


def fetch_ms(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        while response.read(1 << 16):
            pass
        status = response.status
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise RuntimeError(f"{url} answered {status}")
    return elapsed


def record_statements(path: str) -> list[Recorded]:
    """Every SQL statement the project runs for ``path`` (in process, warm), with its parameters."""
    from django.db import connection
    from django.test import Client

    client = Client()
    client.get(path)  # warm: caches, lazy tokeniser
    recorded: list[Recorded] = []

    def wrapper(execute, sql, params, many, context):
        recorded.append(Recorded(sql, tuple(params or ()), binds_server_side(context["cursor"].cursor)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        response = client.get(path)
        if getattr(response, "streaming", False):
            for _ in response.streaming_content:
                pass
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code} in process")
    return recorded


def binds_server_side(cursor) -> bool:
    """Whether a driver cursor is psycopg's server-binding one, which prepares (``statement_cursor``)."""
    import sys

    psycopg = sys.modules.get("psycopg")  # not imported at all on SQLite
    return psycopg is not None and isinstance(cursor, psycopg.Cursor) and not isinstance(cursor, psycopg.ClientCursor)


def replay(statements: list[Recorded]) -> Callable[[], float]:
    from django.db import connection

    from cases.statements import statement_cursor

    def run() -> float:
        started = time.perf_counter()
        with connection.cursor() as plain, statement_cursor(connection) as prepared:
            for statement in statements:
                cursor = prepared if statement.prepared else plain
                cursor.execute(statement.sql, statement.params)
                cursor.fetchall()
        return (time.perf_counter() - started) * 1000

    return run


def datasette_sql(database: str, sql: str, *, fmt: str = "json", **extra: str) -> str:
    query = {"sql": sql, "_size": "max", **extra}
    return f"/{database}.{fmt}?{urllib.parse.urlencode(query)}"


def inline(queryset) -> str:
    """A queryset's SQL with its parameters written in (Datasette's ``?sql=`` takes no list params)."""
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        quoted = [cursor.connection.execute("SELECT quote(?)", (value,)).fetchone()[0] for value in params]
    return sql.replace("%s", "{}").format(*quoted) if quoted else sql


def questions(database: str | None) -> list[Question]:
    """The questions, with inputs picked from the data (a township with few cases, a busy word).

    ``database`` is Datasette's name for the SQLite file; None (PostgreSQL) leaves Datasette out.
    """
    from django.db.models import Count

    from cases.api.filters import CaseFilter, MetricFilter
    from cases.models import Case, Locality, Metric
    from cases.search.schema import FTS_TABLE
    from cases.search.service import OBJECT_TYPES  # noqa: F401  (the index must exist)

    published = Case.objects.published()
    detail = published.order_by("pk")[published.count() // 2]
    townships = Locality.objects.filter(level="township", cases__status="published").annotate(n=Count("cases"))
    # A small region (a few cases, as a researcher's township is), else the busiest there is.
    township = townships.filter(n__gte=3).order_by("n", "code").first() or townships.order_by("-n", "code").first()
    county = township.path.split("/")[4] if township else "510105"
    prefecture = "5101" if Locality.objects.filter(code="5101").exists() else county[:4]
    metric_rows = {}
    for code in (county, prefecture, prefecture[:2]):
        metric_rows[code] = MetricFilter({"region": code}, queryset=Metric.objects.public()).qs.count()
    csv_region = min(metric_rows, key=lambda code: abs(metric_rows[code] - 10_000))
    q_township = urllib.parse.quote(township.name)
    project = [
        ("cases list, page 1", "/api/v1/cases/?page_size=20"),
        ("case detail", f"/api/v1/cases/{detail.public_id}/"),
        (f"region={prefecture}", f"/api/v1/cases/?region={prefecture}&page_size=20"),
        (f"region={township.code} (township)", f"/api/v1/cases/?region={township.code}&page_size=20"),
        (f"?q={township.name}", f"/api/v1/cases/?q={q_township}&page_size=20"),
        ("?q=物业 (broad)", f"/api/v1/cases/?q={urllib.parse.quote('物业')}&page_size=20"),
        ("/search/?q=物业 with facets", f"/api/v1/search/?q={urllib.parse.quote('物业')}"),
        (f"metrics CSV, {metric_rows[csv_region]:,} rows", f"/api/v1/metrics/?format=csv&region={csv_region}"),
        ("/stats/", "/api/v1/stats/"),
    ]
    if database is None:
        return [Question(label, path, None) for label, path in project]
    region_sql = inline(CaseFilter({"region": prefecture}, queryset=published).qs.order_by("public_id")[:20])
    town_sql = inline(CaseFilter({"region": township.code}, queryset=published).qs.order_by("public_id")[:20])
    metrics_sql = inline(
        MetricFilter({"region": csv_region}, queryset=Metric.objects.public())
        .qs.select_related("indicator", "locality", "case__primary_locality")
        .order_by("pk")
    )
    fts = (
        f"SELECT d.object_type, d.object_id, d.title FROM {FTS_TABLE} f JOIN cases_searchdocument d "
        f"ON d.id = f.rowid WHERE {FTS_TABLE} MATCH {{}} AND d.is_public ORDER BY bm25({FTS_TABLE}) LIMIT 20"
    )
    table = f"/{database}/cases_case.json?_size=20&_sort=public_id&status__exact=published"
    datasette = [
        table,
        f"/{database}/cases_case/{detail.pk}.json",
        datasette_sql(database, region_sql),
        datasette_sql(database, town_sql),
        datasette_sql(database, fts.format(f"'\"{township.name}\"'")),
        datasette_sql(database, fts.format("'\"物业\"'")),
        # Datasette's own full-text search and facets on the documents table (metadata names the FTS table).
        f"/{database}/cases_searchdocument.json?_search={urllib.parse.quote('物业')}&is_public=1"
        "&_facet=object_type&_facet=province_code&_size=20",
        datasette_sql(database, metrics_sql, fmt="csv"),
        datasette_sql(
            database,
            "SELECT substr(l.path, 4, 2) AS province, count(*) FROM cases_case c JOIN cases_locality l "
            "ON l.id = c.primary_locality_id WHERE c.status = 'published' GROUP BY 1",
        ),
    ]
    return [Question(label, path, other) for (label, path), other in zip(project, datasette, strict=True)]


def datasette_metadata(database: str) -> Path:
    """Tell Datasette which FTS5 table indexes the documents (its content is a view, not the table)."""
    from cases.search.schema import FTS_TABLE

    path = ROOT / "var" / "bench" / "datasette-metadata.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tables = {"cases_searchdocument": {"fts_table": FTS_TABLE, "fts_pk": "id"}}
    path.write_text(json.dumps({"databases": {database: {"tables": tables}}}), encoding="utf-8")
    return path


def run(*, cases: int, quick: bool) -> None:
    from django.conf import settings
    from django.db import connection

    rounds = 3 if quick else ROUNDS
    db = settings.DATABASES["default"]
    sqlite = connection.vendor == "sqlite"
    database = Path(db["NAME"]).stem if sqlite else None
    asked = questions(database)
    for question in asked:
        question.statements = record_statements(question.path)
    datasette = datasette_binary() if sqlite else None
    print(f"== Over HTTP ({cases:,} cases, {connection.vendor}; gunicorn, 1 worker; medians of {rounds} rounds) ==")
    if sqlite and datasette is None:
        print("Datasette is not installed (make bench installs it into .venv-bench): its column is empty.")
    # One worker, one thread: Datasette answers one request at a time too, and the rounds are sequential.
    with live_server(os.environ["DATABASE_URL"], workers=1, threads=1) as port:
        contenders: dict[str, Callable[[Question], float]] = {
            "project": lambda q: fetch_ms(f"http://127.0.0.1:{port}{q.path}"),
            "its SQL": lambda q: replay(q.statements)(),
        }
        if datasette is not None:
            ds_port = free_port()
            ds_command = [
                str(datasette), "serve", db["NAME"], "-p", str(ds_port),
                "--setting", "sql_time_limit_ms", "60000", "--setting", "max_returned_rows", "50000",
                "--metadata", str(datasette_metadata(database)),
            ]  # fmt: skip
            with server(ds_command, f"http://127.0.0.1:{ds_port}/-/versions.json", dict(os.environ)):
                contenders["Datasette"] = lambda q: fetch_ms(f"http://127.0.0.1:{ds_port}{q.datasette}")
                timings = measure(asked, contenders, rounds)
        else:
            timings = measure(asked, contenders, rounds)
    report(asked, timings)


def measure(asked: list[Question], contenders: dict, rounds: int) -> dict[tuple[str, str], list[float]]:
    """Interleaved: each round asks every question of every contender, in turn."""
    timings: dict[tuple[str, str], list[float]] = {}
    for round_number in range(WARM_UP + rounds):
        for question in asked:
            for name, ask in contenders.items():
                elapsed = ask(question)
                if round_number >= WARM_UP:
                    timings.setdefault((question.label, name), []).append(elapsed)
    return timings


def report(asked: list[Question], timings: dict[tuple[str, str], list[float]]) -> None:
    names = sorted({name for _, name in timings}, key=["project", "its SQL", "Datasette"].index)
    header = f"{'request':<34}" + "".join(f"{name:>12}" for name in names) + f"{'÷ SQL':>8}"
    if "Datasette" in names:
        header += f"{'÷ Datasette':>13}"
    print(header)
    print("-" * len(header))
    for question in asked:
        medians = {name: statistics.median(timings[(question.label, name)]) for name in names}
        line = f"{question.label:<34}" + "".join(f"{medians[name]:>10.1f}ms" for name in names)
        line += f"{medians['project'] / max(medians['its SQL'], 0.01):>7.1f}×"
        if "Datasette" in medians:
            line += f"{medians['project'] / medians['Datasette']:>12.2f}×"
        print(line)
    print(json.dumps({"statements per request": {q.label: len(q.statements) for q in asked}}, ensure_ascii=False))
