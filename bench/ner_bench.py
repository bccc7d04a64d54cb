"""Extraction speed with the NER model: a fresh process to its first extraction, and a 13k-character page warm.

Run from the project root: ``DEBUG=1 .venv/bin/python bench/ner_bench.py`` (the gazetteer must be
loaded: ``manage.py load_seeds``). Prints medians; never part of CI.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "seeds" / "pages" / "000_b02ca641ce48e5ea.txt"

_FIRST = """
import time
t0 = time.perf_counter()
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
django.setup()
t1 = time.perf_counter()
from cases.extraction.segmenter import posseg
posseg()
t2 = time.perf_counter()
from cases.extraction.gazetteer import get_gazetteer
get_gazetteer()
t3 = time.perf_counter()
from cases.extraction import ner
ner.model()
t4 = time.perf_counter()
from cases.extraction.extract import extract
extract("湖南长沙县黄花镇桐木坡村党总支书记易红霞说，村里召开屋场会96场。本报记者 谭 志刚")
t5 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t5 - t0)
"""


def run(*, cases: int = 0, quick: bool = False) -> None:
    from cases.extraction import ner
    from cases.extraction.extract import extract

    fresh = []
    for _ in range(1 if quick else 3):
        out = subprocess.run([sys.executable, "-c", _FIRST], cwd=ROOT, capture_output=True, text=True, check=True)
        fresh.append([float(x) for x in out.stdout.strip().splitlines()[-1].split()])
    parts = [statistics.median(column) for column in zip(*fresh, strict=True)]
    print(
        f"ner: fresh process to first extraction: median {parts[5]:.2f} s (Django {parts[0]:.2f}, jieba POS "
        f"{parts[1]:.2f}, gazetteer automaton {parts[2]:.2f}, LAC model {parts[3]:.2f}, "
        f"first extraction {parts[4]:.2f})"
    )
    page = "\n\n".join([PAGE.read_text(encoding="utf-8")] * 3)
    extract(page[:500])
    timings, ner_only = [], []
    for i in range(3 if quick else 5):
        variant = f"{page}\n\n第{i}篇:某某社区收集居民意见{i}条。"  # defeats the per-text token cache
        t = time.perf_counter()
        ner.tokens(variant + "。")
        ner_only.append(time.perf_counter() - t)
        t = time.perf_counter()
        extract(variant)
        timings.append(time.perf_counter() - t)
    print(f"ner: LAC tagging of a {len(page):,}-character page: median {statistics.median(ner_only):.2f} s")
    print(f"ner: extract one {len(page):,}-character page, warm: median {statistics.median(timings):.2f} s")


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    django.setup()
    run()
