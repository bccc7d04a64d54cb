"""The five-level gazetteer: load time, database size, autocomplete latency, cold start.

    python bench/gazetteer_bench.py              # a fresh SQLite file under var/bench/
    scripts/with-postgres.sh .venv/bin/python bench/gazetteer_bench.py --postgres

Steps, each in a fresh process where it matters:

1. ``migrate`` and ``load_seeds`` on an empty database (all 665,276 places, vocabularies, the
   curated page), then ``load_seeds`` again (must say nothing changed), then ``reindex``;
2. the database's size;
3. ``/api/v1/localities/?q=`` and the admin's locality autocomplete for two-character (and
   code) queries, warm, medians over several rounds;
4. cold start: a new process's first extraction and first search, timed from the process's
   start; run twice, since the first run of a new data version builds the village automaton
   and writes it to ``GAZETTEER_CACHE_DIR``.

Prints medians; gates nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

TWO_CHARACTER_QUERIES = ["长城", "东于", "郭庄", "和平", "青羊", "少城", "金泉", "朝阳", "新华", "红星", "幸福", "团结"]
CODE_QUERIES = ["51", "37", "5101", "3714", "510105", "371403108"]
ARTICLE = "山东省德州市陵城区边临镇东于架村党支部书记介绍，村里成立了红白理事会。少城街道长城社区有18个小区。"

CHILD = """
import time
started = time.perf_counter()
import os, sys, json
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
import django
django.setup()
kind = {kind!r}
if kind == "extraction":
    from cases.extraction.extract import extract
    facts = extract({article!r})
    found = sorted(f.payload.get("code", "") for f in facts if f.fact_type == "locality")
else:
    from django.test import Client
    response = Client().get("/api/v1/search/", {{"q": "长城社区 物业"}})
    assert response.status_code == 200, response.content[:300]
    found = response.json()["count"]
print(json.dumps({{"seconds": time.perf_counter() - started, "found": found}}))
"""


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(*args: str, env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one management command in a fresh process.

    On a shared machine wall time includes waiting for a core; CPU time is what the work costs.
    """
    started, cpu = time.perf_counter(), cpu_of_children()
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE)
    return time.perf_counter() - started, cpu_of_children() - cpu


def output(*args: str, env: dict[str, str]) -> str:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def cold_start(kind: str, env: dict[str, str]) -> dict:
    code = CHILD.format(root=str(ROOT), kind=kind, article=ARTICLE)
    started, cpu = time.perf_counter(), cpu_of_children()
    done = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    result["cpu"] = cpu_of_children() - cpu
    return result


def latencies(env: dict[str, str], rounds: int) -> dict[str, dict[str, float]]:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    admin = Client()
    admin.force_login(user)
    api = Client()
    results: dict[str, dict[str, float]] = {}
    for label, queries in (("2-character names", TWO_CHARACTER_QUERIES), ("code prefixes", CODE_QUERIES)):
        for target, get in (
            ("/api/v1/localities/?q=", lambda q: api.get("/api/v1/localities/", {"q": q})),
            (
                "admin autocomplete",
                lambda q: admin.get(
                    "/admin/autocomplete/",
                    {"term": q, "app_label": "cases", "model_name": "case", "field_name": "primary_locality"},
                ),
            ),
        ):
            get(queries[0])  # warm the connection and caches
            timings = []
            for _ in range(rounds):
                for query in queries:
                    started = time.perf_counter()
                    response = get(query)
                    timings.append(time.perf_counter() - started)
                    assert response.status_code == 200, (query, response.content[:300])
            timings.sort()
            results[f"{target} ({label})"] = {
                "p50_ms": 1000 * statistics.median(timings),
                "p90_ms": 1000 * timings[int(len(timings) * 0.9)],
            }
    return results


def database_size(env: dict[str, str], path: Path | None) -> int:
    if path is not None:
        return path.stat().st_size
    query = "SELECT pg_database_size(current_database())"
    script = f"from django.db import connection; c = connection.cursor(); c.execute({query!r}); print(c.fetchone()[0])"
    # The last line: ``shell`` may first list the models it imported.
    return int(output("shell", "-c", script, env=env).splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="use $DATABASE_URL (scripts/with-postgres.sh)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ, DEBUG="0", SECRET_KEY="bench-only-secret-key", SECURE_SSL_REDIRECT="0")
    env["ALLOWED_HOSTS"] = "testserver,localhost"
    path = None
    if not args.postgres:
        directory = Path(os.environ.get("BENCH_DIR", ROOT / "var" / "bench"))
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "gazetteer.sqlite3"
        for stale in directory.glob("gazetteer.sqlite3*"):
            stale.unlink()
        env["DATABASE_URL"] = f"sqlite:///{path}"
    elif "DATABASE_URL" not in env:
        sys.exit("--postgres needs DATABASE_URL (run under scripts/with-postgres.sh)")
    env["GAZETTEER_CACHE_DIR"] = str(ROOT / "var" / "bench" / "gazetteer-cache")

    run("migrate", "--no-input", "-v", "0", env=env)
    first = run("load_seeds", "--no-progress", env=env)
    started, cpu = time.perf_counter(), cpu_of_children()
    second_line = output("load_seeds", "--no-progress", env=env)
    second = (time.perf_counter() - started, cpu_of_children() - cpu)
    reindex = run("reindex", "--no-progress", env=env)
    size = database_size(env, path)
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; seconds are process wall (CPU)")
    print(f"load_seeds, fresh database:  {first[0]:6.1f} s ({first[1]:.1f} s CPU; migrate not included)")
    print(f"load_seeds, second run:      {second[0]:6.1f} s ({second[1]:.1f} s CPU) — {second_line}")
    print(f"reindex:                     {reindex[0]:6.1f} s ({reindex[1]:.1f} s CPU)")
    print(f"database size:               {size / 2**20:6.0f} MiB")
    for attempt in ("first process (builds the automaton cache)", "second process (reads the cache)"):
        extraction = cold_start("extraction", env)
        search = cold_start("search", env)
        print(
            f"cold start, {attempt}: first extraction {extraction['seconds']:.2f} s after start "
            f"(process wall {extraction['wall']:.2f} s, CPU {extraction['cpu']:.2f} s), first search "
            f"{search['seconds']:.2f} s (wall {search['wall']:.2f} s, CPU {search['cpu']:.2f} s)"
        )
    print(f"extraction found codes: {extraction['found']}")
    for label, figures in latencies(env, args.rounds).items():
        print(f"{label:58s} p50 {figures['p50_ms']:6.1f} ms   p90 {figures['p90_ms']:6.1f} ms")


if __name__ == "__main__":
    main()
