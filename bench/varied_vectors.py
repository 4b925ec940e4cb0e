"""Real e5 sentence vectors of SQuAD-it, and millions of varied ones that spread like them (bench only).

The real set: every sentence vector of the SQuAD-it archive (about 10,000 of 4,161 passages, 48
Wikipedia topics) and the vectors of a few hundred SQuAD-it questions, computed once and kept in
``bench/.work/``.

The varied set: each synthetic passage takes one topic and 2 to 4 real passages of it, mixed with
near-even weights (Dirichlet(3)); its 2 to 4 sentences walk those passages in step, so sentences of one
passage stay as alike as late chunking makes real ones. Mixing is done on the residuals from the
topic's mean (e5 puts every vector within a narrow cone: averaging raw vectors would pull them toward
the centre), each residual rescaled to the length of the real ones it mixes, plus isotropic noise of
0.3 of that length. Noisy copies of a few thousand vectors would instead make tight clusters of
near-duplicates, unrealistically hard or easy for product quantization; ``neighbour_cosines`` prints
how the two sets compare so a reader can judge.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpora  # noqa: E402

SENTENCE_SLOTS = 1024  # as index.store: a sentence vector's id is passage id * 1024 + its sentence
MIX_CONCENTRATION = 3.0
NOISE = 0.3
CHUNK_PASSAGES = 20_000


@dataclass(frozen=True)
class RealSet:
    ids: np.ndarray  # sentence vector ids, in id order
    vectors: np.ndarray  # float32, normalized
    topics: np.ndarray  # the Wikipedia article of each vector's passage
    questions: np.ndarray  # question vectors, one row each


def real_set(questions: int = 400) -> RealSet:
    """The SQuAD-it archive's sentence vectors and ``questions`` question vectors (cached)."""
    path = corpora.WORK / f"compression-real-{questions}.npz"
    if not path.exists():
        np.savez(path, **_read_real(questions))
    data = np.load(path)
    return RealSet(data["ids"], data["vectors"], data["topics"], data["questions"])


def _read_real(questions: int) -> dict[str, np.ndarray]:
    import query_speed
    import squad

    from index.embedder import Embedder
    from index.opened import OpenedSnapshot
    from index.store import passage_of

    embedder = Embedder(models_dir=corpora.MODELS_DIR)
    archive = OpenedSnapshot.open(corpora.squad_archive(embedder), embedder)
    parts = list(archive.store.vectors(archive.vectors.dimension))
    ids = np.concatenate([p[0] for p in parts])
    topics = np.array([squad.topic_number(archive.answerer.article_of[int(p)]) for p in passage_of(ids)])
    asked = np.vstack([embedder.encode_question(text) for text in query_speed.questions(questions)])
    return {"ids": ids, "vectors": np.vstack([p[1] for p in parts]), "topics": topics, "questions": asked}


class Varied:
    """Synthetic passages mixed from the real set's (see the module's docstring), made chunk by chunk."""

    def __init__(self, real: RealSet, seed: int = 0):
        passages = real.ids // SENTENCE_SLOTS
        self.starts = np.flatnonzero(np.r_[True, passages[1:] != passages[:-1]])
        self.lengths = np.diff(np.r_[self.starts, len(passages)])
        topic_of_passage = real.topics[self.starts]
        self.topics = np.unique(topic_of_passage)
        self.members = [np.flatnonzero(topic_of_passage == t) for t in self.topics]
        self.sizes = np.array([len(m) for m in self.members])
        self.offsets = np.cumsum(self.sizes) - self.sizes
        self.flat_members = np.concatenate(self.members)
        self.weights = self.sizes / len(self.starts)
        means = np.stack([real.vectors[np.isin(real.topics, t)].mean(0) for t in self.topics])
        self.means = means[np.searchsorted(self.topics, real.topics)]
        self.topic_mean = means
        self.residuals = real.vectors - self.means
        self.seed = seed

    def chunk(self, number: int, passages: int = CHUNK_PASSAGES) -> tuple[np.ndarray, np.ndarray]:
        """(sentence ids, normalized float32 vectors) of passages ``number * passages`` onwards."""
        rng = np.random.default_rng([self.seed, number])
        topic = rng.choice(len(self.topics), size=passages, p=self.weights)
        picks = (rng.random((passages, 4)) * self.sizes[topic, None]).astype(int)  # 4 real passages of the topic
        bases = self.flat_members[self.offsets[topic, None] + picks]
        used = rng.integers(2, 5, size=passages)  # of which 2 to 4 are mixed
        mix = rng.gamma(MIX_CONCENTRATION, size=(passages, 4)) * (np.arange(4) < used[:, None])
        mix /= mix.sum(1, keepdims=True)
        sentences = rng.integers(2, 5, size=passages)
        owner = np.repeat(np.arange(passages), sentences)
        step = np.arange(len(owner)) - np.repeat(np.cumsum(sentences) - sentences, sentences)
        rows = self.starts[bases[owner]] + (step[:, None] * self.lengths[bases[owner]]) // sentences[owner, None]
        weights = mix[owner]
        residual = np.zeros((len(owner), self.residuals.shape[1]), np.float32)
        length = np.zeros(len(owner), np.float32)
        for k in range(4):
            part = self.residuals[rows[:, k]]
            residual += weights[:, k, None] * part
            length += weights[:, k] * np.linalg.norm(part, axis=1)
        residual *= (length / np.linalg.norm(residual, axis=1))[:, None]
        residual += rng.standard_normal(residual.shape, dtype=np.float32) * (NOISE * length / np.sqrt(residual.shape[1]))[:, None]
        vectors = self.topic_mean[topic[owner]] + residual
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids = (number * passages + owner) * SENTENCE_SLOTS + step
        return ids.astype(np.int64), vectors.astype(np.float32)


def varied_file(real: RealSet, count: int, made: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(ids, memory-mapped vectors) of about ``count`` varied vectors (whole passages): the beginning
    of a set of ``made`` (default ``count``) written once to ``bench/.work/``."""
    made = made or count
    path = corpora.WORK / f"compression-varied-{made}.f32"
    ids_path = path.with_suffix(".ids.npy")
    if not ids_path.exists():
        varied, chunks = Varied(real), []
        with open(path, "wb") as stream:
            while sum(map(len, chunks)) < made:
                ids, vectors = varied.chunk(len(chunks))
                stream.write(vectors.tobytes())
                chunks.append(ids)
        np.save(ids_path, np.concatenate(chunks))
    ids = np.load(ids_path)
    vectors = np.memmap(path, dtype=np.float32, mode="r", shape=(len(ids), real.vectors.shape[1]))
    end = _passage_end(ids, count)
    return ids[:end], vectors[:end]


def _passage_end(ids: np.ndarray, count: int) -> int:
    """The first row at or after ``count`` where a new passage begins (sets end on whole passages)."""
    if count >= len(ids):
        return len(ids)
    passages = ids // SENTENCE_SLOTS
    return int(count + np.argmax(passages[count:] != passages[count - 1]))


def neighbour_cosines(ids: np.ndarray, vectors: np.ndarray, sample: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles (10%, 50%, 90%) of each sampled vector's nearest-neighbour cosine: within its own
    passage, and among other passages'."""
    rows = np.sort(np.random.default_rng(1).choice(len(ids), min(sample, len(ids)), replace=False))
    probe, owner = np.asarray(vectors[rows]), ids[rows] // SENTENCE_SLOTS
    same, other = np.full(len(rows), -1.0), np.full(len(rows), -1.0)
    for start in range(0, len(ids), 200_000):
        block = np.asarray(vectors[start : start + 200_000])
        scores = probe @ block.T
        scores[rows[:, None] == np.arange(start, start + len(block))[None, :]] = -1
        mine = owner[:, None] == (ids[start : start + len(block)] // SENTENCE_SLOTS)[None, :]
        same = np.maximum(same, np.where(mine, scores, -1).max(1))
        other = np.maximum(other, np.where(mine, -1, scores).max(1))
    quantiles = [0.1, 0.5, 0.9]
    return np.quantile(same[same > -1], quantiles), np.quantile(other, quantiles)
