"""Vectors that fit: RAM, build time, speed and recall of each vector index type, 300k to 3M vectors.

For each size (about 100k, 300k and 1M passages of ~3 sentence vectors), in one run, each type of
``index.vectors`` built through its own code: ``flat`` (exact, the baseline), ``ivf`` (inverted file
of full vectors) and ``ivfpq`` (product-quantized codes, what ``family_for`` chooses above
``COMPRESS_LIMIT``), the last without and with exact re-scoring as ``Answerer.search`` does it:
bytes a vector (the serialized index, and the growth of anonymous RSS when a fresh process loads it),
train and add time, search p50/p99 for one question, and recall@10 (and @100, the list fusion reads)
of passages against exact search. How deep re-scoring must go is printed beside it.

Vectors: ``varied_vectors`` (real e5 sentence vectors of SQuAD-it mixed into millions that spread like
them; the nearest-neighbour cosines of both are printed first). Questions: real SQuAD-it question
vectors (Italian and English). Each type is measured in a child process, so one's memory does not
hide another's. The figures of re-scoring read the exact vectors from memory; the store read that
``Answerer`` adds is timed apart, on the SQuAD-it store.

    python bench/compression.py [--sizes 300000,1000000,3000000] [--questions 400] [--ivf-up-to N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpora  # noqa: E402
import numpy as np  # noqa: E402
import varied_vectors  # noqa: E402

from index.answering import RetrievalSettings  # noqa: E402
from index.vectors import COMPRESSED, FLAT, IVF, VectorIndex  # noqa: E402

SLOTS = varied_vectors.SENTENCE_SLOTS
TRUTH_HITS = 500  # exact sentence hits kept per question: enough for its 100 best passages
BATCH = 100_000
DEPTHS = (100, 200, 300, 500)  # passages re-scored, for the curve
SETTINGS = RetrievalSettings()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300000,1000000,3000000")
    parser.add_argument("--questions", type=int, default=400)
    parser.add_argument("--ivf-up-to", type=int, default=1_000_000,
                        help="build IVF-flat only up to this size (its k-means at 3M takes most of an hour here)")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "FAMILY", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child[0], args.child[1], int(args.child[2]), max(int(s) for s in args.sizes.split(",")), args.questions)
    sizes = [int(s) for s in args.sizes.split(",")]
    real = varied_vectors.real_set(args.questions)
    ids, matrix = varied_vectors.varied_file(real, max(sizes))
    print(f"faiss threads: {faiss_threads()}")
    print_spread(real, ids, matrix, sizes)
    print_store_read()
    for size in sizes:
        measure_size(size, max(sizes), args.questions, args.ivf_up_to)


# --- the parent: spread, truth, one child per type ---------------------------------------------


def print_spread(real, ids, matrix, sizes) -> None:
    same_size = varied_vectors.Varied(real).chunk(0, passages=len(np.unique(real.ids // SLOTS)))
    rows = [("real SQuAD-it sentence vectors", real.ids, real.vectors), ("varied, the same number", *same_size)]
    rows += [(f"varied, {size:,}", ids[: _end(ids, size)], matrix[: _end(ids, size)]) for size in sizes]
    print("Nearest-neighbour cosine of 1,000 sampled vectors, quantiles 10% / 50% / 90%")
    print(f"  {'':<42}{'own passage':>22}{'other passages':>24}")
    for name, row_ids, row_vectors in rows:
        same, other = varied_vectors.neighbour_cosines(row_ids, row_vectors)
        print(f"  {name + f' ({len(row_ids):,})':<42}{_quantiles(same):>22}{_quantiles(other):>24}")
    top = np.sort(real.questions @ real.vectors.T, axis=1)[:, -1]
    print(f"  a question's best cosine among the real vectors: {_quantiles(np.quantile(top, [0.1, 0.5, 0.9]))}")


def print_store_read() -> None:
    """What re-scoring adds in ``Answerer``: one read of the candidates' vectors from SQLite."""
    from index.embedder import Embedder
    from index.opened import OpenedSnapshot

    embedder = Embedder(models_dir=corpora.MODELS_DIR)  # its model is not loaded: nothing is encoded
    store = OpenedSnapshot.open(corpora.squad_archive(embedder), embedder).store
    held = np.array(sorted(store.catalog()[0]))
    passages, rng = len(held), np.random.default_rng(0)
    print(f"Store read of the candidates' sentence vectors (SQuAD-it store, {passages:,} passages), ms")
    for count in (SETTINGS.candidates, SETTINGS.rescored_passages + SETTINGS.candidates):
        times = []
        for _ in range(50):
            chosen = rng.choice(held, count, replace=False)
            started = time.perf_counter()
            store.sentence_vectors(chosen.tolist(), 384)
            times.append((time.perf_counter() - started) * 1000)
        print(f"  {count} passages: p50 {statistics.median(times):.1f}, p99 {percentile(times, 0.99):.1f}")


def measure_size(size: int, made: int, questions: int, ivf_up_to: int) -> None:
    real = varied_vectors.real_set(questions)
    ids, matrix = varied_vectors.varied_file(real, size, made)
    started = time.perf_counter()
    truth = exact_truth(ids, matrix, real.questions)
    np.save(_truth_path(size), truth)
    print(f"\n{len(ids):,} vectors, {len(np.unique(ids // SLOTS)):,} passages, {questions} questions "
          f"(exact truth in {time.perf_counter() - started:.0f} s)")
    print(f"  {'index':<24}{'B/vector file':>14}{'B/vector RSS':>13}{'MB RSS':>8}{'train s':>9}{'add s':>8}"
          f"{'p50 ms':>8}{'p99 ms':>8}{'recall@10':>10}{'@100':>7}")
    for family in (FLAT, IVF, COMPRESSED):
        if family == IVF and size > ivf_up_to:
            print(f"  {'ivf (not built)':<24}{'1544':>14}   (4 * sqrt(n) lists: k-means beyond --ivf-up-to; its RAM is the flat one's)")
            continue
        built = run_child("build", family, size, made, questions)
        loaded = run_child("load", family, size, made, questions)
        for row in built["rows"]:
            print(f"  {row['name']:<24}{built['file_bytes'] / len(ids):>14.1f}{loaded['rss'] / len(ids):>13.1f}"
                  f"{loaded['rss'] / 2**20:>8.0f}{built['train']:>9.1f}{built['add']:>8.1f}"
                  f"{row['p50']:>8.2f}{row['p99']:>8.2f}{row['recall10']:>10.3f}{row['recall100']:>7.3f}")
        if family == COMPRESSED:
            print("  re-scoring depth (passages re-scored exactly): recall@10 / @100")
            print("    " + "   ".join(f"{depth}: {a:.3f} / {b:.3f}" for depth, (a, b) in built["depths"].items()))
    _truth_path(size).unlink()


def exact_truth(ids: np.ndarray, matrix: np.ndarray, questions: np.ndarray) -> np.ndarray:
    """The ``TRUTH_HITS`` best sentence ids of each question by exact inner product, best first."""
    best_scores = np.full((len(questions), 0), -2.0, np.float32)
    best_ids = np.zeros((len(questions), 0), np.int64)
    for start in range(0, len(ids), BATCH):
        scores = np.hstack([best_scores, questions @ np.asarray(matrix[start : start + BATCH]).T])
        held = np.hstack([best_ids, np.broadcast_to(ids[start : start + BATCH], (len(questions), len(ids[start : start + BATCH])))])
        keep = np.argpartition(-scores, min(TRUTH_HITS, scores.shape[1] - 1), axis=1)[:, :TRUTH_HITS]
        best_scores, best_ids = np.take_along_axis(scores, keep, 1), np.take_along_axis(held, keep, 1)
    order = np.argsort(-best_scores, axis=1)
    return np.take_along_axis(best_ids, order, 1)


def run_child(mode: str, family: str, size: int, made: int, questions: int) -> dict:
    command = [sys.executable, __file__, "--questions", str(questions), "--sizes", str(made), "--child", mode, family, str(size)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{mode} {family} {size} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- a child: one type at one size ----------------------------------------------------------------


def child(mode: str, family: str, size: int, made: int, questions: int) -> None:
    path = corpora.WORK / f"compression-{family}-{size}.faiss"
    if mode == "load":
        before = anonymous_rss()
        index = VectorIndex.load(path)
        print(json.dumps({"rss": anonymous_rss() - before, "size": index.size}))
        path.unlink()
        return
    real = varied_vectors.real_set(questions)
    ids, matrix = varied_vectors.varied_file(real, size, made)
    started = time.perf_counter()
    index = VectorIndex.trained(len(ids), lambda rows: np.asarray(matrix[rows]), matrix.shape[1], family)
    trained = time.perf_counter()
    for start in range(0, len(ids), BATCH):
        index.add(ids[start : start + BATCH], np.asarray(matrix[start : start + BATCH]))
    added = time.perf_counter()
    index.save(path)
    truth = [best_passages(row, SETTINGS.candidates) for row in np.load(_truth_path(size))]
    exact = Rescorer(ids, matrix)
    rows = [search_row(index.kind, index, real.questions, truth, exact, rescore=False)]
    depths = {}
    if index.approximate_scores:
        rows.append(search_row(index.kind + " + re-scoring", index, real.questions, truth, exact, rescore=True))
        depths = depth_curve(index, real.questions, truth, exact)
    print(json.dumps({"train": trained - started, "add": added - trained, "file_bytes": path.stat().st_size,
                      "rows": rows, "depths": depths}))


class Rescorer:
    """Exact best-sentence cosines of passages, from the vectors (as ``Answerer._cosines`` from the store)."""

    def __init__(self, ids: np.ndarray, matrix: np.ndarray):
        passages = ids // SLOTS
        self.starts = np.flatnonzero(np.r_[True, passages[1:] != passages[:-1]])
        self.ends = np.r_[self.starts[1:], len(ids)]
        self.first = int(passages[0])
        self.matrix = matrix

    def best(self, query: np.ndarray, passages: list[int], keep: int) -> list[int]:
        chosen = np.array(passages, dtype=np.int64) - self.first
        lengths = self.ends[chosen] - self.starts[chosen]
        rows = np.repeat(self.starts[chosen] - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        order = np.argsort(rows)  # the file read in order
        cosines = np.empty(len(rows), np.float32)
        cosines[order] = np.asarray(self.matrix[rows[order]]) @ query
        best = np.maximum.reduceat(cosines, np.cumsum(lengths) - lengths)
        ranked = sorted(range(len(passages)), key=lambda i: (-best[i], passages[i]))
        return [passages[i] for i in ranked[:keep]]


def search_row(name, index, questions, truth, exact: Rescorer, rescore: bool) -> dict:
    """One way of searching, timed per question, with its recall of the exact passages."""
    depth = SETTINGS.rescored_passages if rescore else SETTINGS.candidates
    times, found10, found100 = [], 0, 0
    for number, query in enumerate(questions):
        started = time.perf_counter()
        hits = index.search(query, depth * SETTINGS.sentences_per_passage)
        passages = best_passages(hits.ids, depth)
        if rescore:
            passages = exact.best(query, passages, SETTINGS.candidates)
        times.append((time.perf_counter() - started) * 1000)
        found10 += len(set(passages[:10]) & set(truth[number][:10]))
        found100 += len(set(passages[:100]) & set(truth[number][:100]))
    return {"name": name, "p50": statistics.median(times), "p99": percentile(times, 0.99),
            "recall10": found10 / (10 * len(questions)), "recall100": found100 / (100 * len(questions))}


def depth_curve(index, questions, truth, exact: Rescorer) -> dict[int, tuple[float, float]]:
    deepest = max(DEPTHS)
    found = {depth: [0, 0] for depth in DEPTHS}
    for number, query in enumerate(questions):
        ranked = best_passages(index.search(query, deepest * SETTINGS.sentences_per_passage).ids, deepest)
        for depth in DEPTHS:
            kept = exact.best(query, ranked[:depth], SETTINGS.candidates)
            found[depth][0] += len(set(kept[:10]) & set(truth[number][:10]))
            found[depth][1] += len(set(kept) & set(truth[number][:100]))
    return {depth: (a / (10 * len(questions)), b / (100 * len(questions))) for depth, (a, b) in found.items()}


# --- small helpers ---------------------------------------------------------------------------------


def best_passages(sentence_ids: np.ndarray, limit: int) -> list[int]:
    """The passages of sentence hits sorted best first, each once, the first ``limit``."""
    seen: dict[int, None] = {}
    for passage in (np.asarray(sentence_ids) // SLOTS).tolist():
        seen.setdefault(passage, None)
        if len(seen) == limit:
            break
    return list(seen)


def anonymous_rss() -> int:
    """Anonymous resident memory (bytes): what the index holds, not the mapped vector file's pages."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no RssAnon in /proc/self/status")


def faiss_threads() -> int:
    import faiss  # only to report how many threads it uses (OMP_NUM_THREADS)

    return faiss.omp_get_max_threads()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _quantiles(values) -> str:
    return " / ".join(f"{v:.3f}" for v in values)


def _end(ids: np.ndarray, size: int) -> int:
    return varied_vectors._passage_end(ids, size)


def _truth_path(size: int) -> Path:
    return corpora.WORK / f"compression-truth-{size}.npy"


if __name__ == "__main__":
    main()
