"""Run the benchmarks and print their tables.

    python bench/run.py                 # every section, BENCH_CASES (default 100000) synthetic cases
    python bench/run.py --quick         # smoke run: 2000 cases, few repetitions
    python bench/run.py --only api

The database is a separate SQLite file per size under var/bench/ (never the development database),
or the database ``DATABASE_URL`` names when it is set (PostgreSQL: give it a database of its own,
e.g. one started by ``scripts/with-postgres.sh``): migrated, seeded with the gazetteer and
vocabularies, then filled by ``generate_cases`` once and reused by later runs. Each section is a
module with ``run(*, cases: int, quick: bool) -> None``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Section name → module; other benchmarks add themselves here.
SECTIONS = {"api": "bench.api_bench", "search": "bench.search_bench", "ingest": "bench.ingest_bench"}
SEED = 42


def configure(cases: int) -> str:
    """Point Django at the benchmark database for ``cases`` and set production-like settings."""
    where = os.environ.get("DATABASE_URL")
    if not where:
        # BENCH_DIR lets a benchmark run on its own copy while another engineer's run uses the default.
        directory = Path(os.environ.get("BENCH_DIR", ROOT / "var" / "bench"))
        directory.mkdir(parents=True, exist_ok=True)
        where = f"sqlite:///{directory / f'bench-{cases}.sqlite3'}"
        os.environ["DATABASE_URL"] = where
    # Measure without DEBUG's query log; the test client speaks plain HTTP to "testserver".
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["API_ANON_THROTTLE_RATE"] = "none"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    import django

    django.setup()
    return where


def prepare(cases: int) -> None:
    """Migrate, seed and generate once; a database that already holds the cases is reused."""
    from django.core.management import call_command

    from cases.models import Case

    call_command("migrate", verbosity=0, interactive=False)
    generated = Case.objects.filter(public_id__startswith=f"gen-{SEED}-").count()
    if generated == cases:
        print(f"Reusing {cases:,} generated cases.")
        return
    from seeds.loader import load_all

    if not Case.objects.filter(public_id__startswith="gen-").exists():
        started = time.perf_counter()
        load_all(progress=False)
        print(f"Seeded gazetteer and vocabularies in {time.perf_counter() - started:.1f} s.")
    started = time.perf_counter()
    call_command("generate_cases", count=cases, seed=SEED, clear=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"Generated {cases:,} cases in {time.perf_counter() - started:.1f} s.")


def analyze() -> None:
    """Planner statistics, as a deployment keeps them after bulk loads (ANALYZE / PRAGMA optimize)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: 2000 cases, few repetitions")
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append", help="run only these sections")
    parser.add_argument("--cases", type=int, help="number of synthetic cases (default: BENCH_CASES or 100000)")
    args = parser.parse_args()
    quick = args.quick or os.environ.get("BENCH_QUICK", "") in {"1", "true", "yes"}
    cases = args.cases or (2000 if quick else int(os.environ.get("BENCH_CASES", "100000")))
    where = configure(cases)
    print(f"Benchmark database: {where}")
    prepare(cases)
    analyze()
    for name in args.only or list(SECTIONS):
        print()
        importlib.import_module(SECTIONS[name]).run(cases=cases, quick=quick)


if __name__ == "__main__":
    main()
