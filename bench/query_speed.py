"""Query speed: `Archive.ask` against a bare `model.encode(question)` + FAISS search, side by side.

On the seed archive, on SQuAD-it (2,010 paragraphs as articles) and on an archive of SQuAD-it
repeated 25 times (about 76,000 passages with e5, 104,000 with MiniLM), over the same questions
(300+ SQuAD questions, Italian and English): latency
p50 and p99 of a full `ask` (both searches, fusion, dates, quotes) and of the bare baseline (encode
the question, search an exact FAISS index of the same vectors). Target: p50 within 1.5x of the
bare figure (issue 10; 1.3x before). Also the recall of the vector index the archive chose (exact or IVF) against exact
search.

    python bench/query_speed.py [--model NAME] [--questions N] [--copies N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpora  # noqa: E402
import faiss  # noqa: E402
import numpy as np  # noqa: E402
import squad  # noqa: E402

from index.config import DEFAULT_MODEL  # noqa: E402
from index.embedder import QUERY, Embedder  # noqa: E402
from index.opened import OpenedSnapshot  # noqa: E402

RECALL_AT = 10
BARE_HITS = 500  # as many sentence hits as the archive's own vector search asks for


def questions(count: int) -> list[str]:
    italian, english = squad.italian_questions(), squad.english_questions()
    step_it, step_en = max(1, len(italian) // (count // 2)), max(1, len(english) // (count - count // 2))
    return [q.text for q in italian[::step_it][: count // 2]] + [q.text for q in english[::step_en][: count - count // 2]]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def exact_index(archive: OpenedSnapshot) -> faiss.Index:
    """An exact inner-product index over the archive's own stored vectors."""
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(archive.vectors.dimension))
    for ids, matrix in archive.store.vectors(archive.vectors.dimension):
        index.add_with_ids(np.ascontiguousarray(matrix), ids)
    return index


def time_ask(archive: OpenedSnapshot, texts: list[str]) -> list[float]:
    times = []
    for text in texts:
        started = time.perf_counter()
        archive.ask(text, k=3)
        times.append((time.perf_counter() - started) * 1000)
    return times


def time_bare(embedder: Embedder, index: faiss.Index, texts: list[str]) -> list[float]:
    model, prompt = embedder.model, embedder.prompt(QUERY) or None  # the model's query prompt, as ask reads it
    times = []
    for text in texts:
        started = time.perf_counter()
        vector = model.encode([text], prompt=prompt, normalize_embeddings=True, convert_to_numpy=True)
        index.search(np.ascontiguousarray(vector, dtype=np.float32), BARE_HITS)
        times.append((time.perf_counter() - started) * 1000)
    return times


def vector_recall(archive: OpenedSnapshot, exact: faiss.Index, embedder: Embedder, texts: list[str]) -> float:
    """Share of the exact top-10 that the archive's own vector index returns."""
    found = 0
    for text in texts:
        vector = embedder.encode_question(text)
        truth = set(exact.search(vector.reshape(1, -1), RECALL_AT)[1][0].tolist())
        found += len(truth & set(archive.vectors.search(vector, RECALL_AT).ids.tolist()))
    return found / (RECALL_AT * len(texts))


def measure(name: str, archive: OpenedSnapshot, embedder: Embedder, texts: list[str]) -> None:
    exact = exact_index(archive)
    time_ask(archive, texts[:20])  # warm caches on both paths
    time_bare(embedder, exact, texts[:20])
    ours, bare = [], []
    for start in range(0, len(texts), 50):  # interleave, so both see the same machine load
        ours += time_ask(archive, texts[start : start + 50])
        bare += time_bare(embedder, exact, texts[start : start + 50])
    recall = vector_recall(archive, exact, embedder, texts[:200])
    p50, bare50 = statistics.median(ours), statistics.median(bare)
    passages = archive.stats().passages
    print(f"{name}: {passages:,} passages ({archive.vectors.size:,} sentence vectors), "
          f"vector index {archive.vectors.kind}, {len(texts)} questions")
    print(f"  {'':<22}{'newsdesk ask':>14}{'bare encode+faiss':>20}")
    print(f"  {'p50 latency, ms':<22}{p50:>14.1f}{bare50:>20.1f}   ratio {p50 / bare50:.2f} (target <= 1.50)")
    print(f"  {'p99 latency, ms':<22}{percentile(ours, 0.99):>14.1f}{percentile(bare, 0.99):>20.1f}")
    print(f"  {'vector recall@10 vs exact':<22}{recall:>14.3f}{1.0:>20.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--questions", type=int, default=400)
    parser.add_argument("--copies", type=int, default=25, help="SQuAD-it repeated this many times (0: the seed archive only)")
    args = parser.parse_args()
    embedder = Embedder(args.model, models_dir=corpora.MODELS_DIR)
    embedder.encode(["warm up"])
    texts = questions(args.questions)
    measure("seed archive", OpenedSnapshot.open(corpora.seed_archive(embedder), embedder), embedder, texts)
    measure("SQuAD-it", OpenedSnapshot.open(corpora.squad_archive(embedder), embedder), embedder, texts)
    if args.copies:
        big = corpora.repeated_archive(embedder, copies=args.copies)
        measure(f"SQuAD-it x{args.copies}", OpenedSnapshot.open(big, embedder), embedder, texts)


if __name__ == "__main__":
    main()
