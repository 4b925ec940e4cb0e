"""Scale: archives of about 100k, 300k and 1M passages, each measured the same way in one run (issue 14).

The archives are SQuAD-it recombined (``scale_corpus``: the original paragraphs, then news articles
whose paragraphs are new combinations of a topic's sentences) with real vectors varied. For each
size: disk size and bytes per passage; time to open; RSS while serving (a fresh process that
opens the archive with the real model and asks every question); ``ask`` p50 and p99 over the
questions (real SQuAD-it questions, Italian and English, encoded by the real model); the keyword
search's p50 and p99 alone; vector recall@10 against an exact search of the archive's own vectors;
and the time, the bytes written and the disk size change of adding 10 and 1,000 new articles and
of removing 10 (then the 1,000 too, which restores the archive). Then a table: a column per size,
each figure with its growth from the smallest size, and the issue's targets beside the largest.

Archives are kept in ``bench/.work/scale-<size>/`` and reused while their articles are unchanged.
Builds use ``scale_corpus.RecombiningEmbedder`` (no model pass per passage); its time is reported
as the build's embedding time, which the issue's update targets exclude.

    python bench/scale.py [--sizes 100000,300000,1000000] [--questions 300] [--budgets all,25000] [--drop] [--report]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpora  # noqa: E402
import numpy as np  # noqa: E402
import squad  # noqa: E402
from scale_corpus import UPDATE_SEED, ArticleStream, RecombiningEmbedder, Topics  # noqa: E402
from scale_report import table  # noqa: E402

from index import answering, keyword_search, segments  # noqa: E402
from index.build import build_index
from index.config import DEFAULT_MODEL, Settings  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.opened import OpenedSnapshot  # noqa: E402
from index.passages import passage_budget  # noqa: E402

DEFAULT_SIZES = (100_000, 300_000, 1_000_000)
STEP_LIMIT = 400_000  # a new archive larger than this is built in two steps (see ``step_targets``)
FIRST_STEP_SHARE = 0.55
WARM_UP = 20
RECALL_AT = 10
SMALL_UPDATES = 10  # additions of 10 articles in a row, for the bytes they write on average
UPDATE_FILES = {"add10": ("update-10.jsonl", 10), "add1000": ("update-1000.jsonl", 1000)}
BUILT_FILE, RESULTS_FILE = "built.json", "results.json"
BUDGETS = (None, 25_000)  # keyword postings budgets measured beside the shipped one (None: every term)


def archive_root(size: int) -> Path:
    return corpora.WORK / f"scale-{size}"


def settings_for(root: Path, model: str = DEFAULT_MODEL) -> Settings:
    return Settings.for_data_dir(root, model=model, models_dir=corpora.MODELS_DIR)


def sentence_cache(model: str) -> Path:
    """Where the base sentences' real vectors are kept (the model is not loaded to name it)."""
    identity = Embedder(model, models_dir=corpora.MODELS_DIR).identity
    return corpora.WORK / f"scale-sentences{corpora.model_slug(identity)}"


# --- building -----------------------------------------------------------------------------


def step_targets(size: int, limit: int = STEP_LIMIT) -> list[int]:
    """The passages after each build of a new archive. Today's build holds every vector of the
    archive in memory two or three times over; in two steps the second adds less than the first
    held, so the IVF index is extended rather than retrained (past twice its trained size)."""
    return [size] if size <= limit else [int(size * FIRST_STEP_SHARE), size]


def fingerprint(topics: Topics, size: int) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for item in ArticleStream(topics).files(size):
        digest.update(item.name.encode() + b"\0" + item.text.encode("utf-8"))
    return digest.hexdigest()


def prepare(size: int, topics: Topics, embedder: RecombiningEmbedder, limit: int) -> dict:
    """The archive of ``size`` passages, built unless it is complete; what its build took."""
    root = archive_root(size)
    settings = settings_for(root, embedder.identity)
    wanted = fingerprint(topics, size)
    built = _read_json(root / BUILT_FILE)
    stale = _remove_stale(settings.articles_dir, keep=set())  # update files a stopped run left
    if built.get("fingerprint") == wanted and not stale and (settings.index_dir / "CURRENT").exists():
        print(f"scale-{size}: archive complete (built in {built['seconds']:,.0f} s), reused")
        return built
    embedder.prime(topics.distinct_sentences())
    steps = step_targets(size, limit) if not settings.index_dir.exists() else [size]
    built = {"fingerprint": wanted, "seconds": 0.0, "embed_seconds": 0.0, "steps": []}
    embedder.reset_counters()
    writer = ArticleWriter(ArticleStream(topics).files(size), settings.articles_dir)
    for target in steps:
        writer.write_until(target)
        _remove_stale(settings.articles_dir, keep=writer.names)
        report = build_index(settings, embedder)
        built["seconds"] += report.seconds
        built["steps"].append({"passages": report.total_passages, "seconds": report.seconds})
        print(f"scale-{size}: built {report.total_passages:,} passages ({writer.estimated:,.0f} estimated) "
              f"in {report.seconds:,.0f} s", flush=True)
    built["embed_seconds"], built["encoded_sentences"] = round(embedder.seconds, 1), embedder.encoded
    embedder.save()
    (root / BUILT_FILE).write_text(json.dumps(built, indent=1))
    return built


class ArticleWriter:
    """Writes a stream's files into the articles folder, a build step at a time (unchanged files are left alone)."""

    def __init__(self, files, folder: Path):
        self._files = iter(files)
        self.folder = folder
        self.names: set[str] = set()
        self.estimated = 0.0

    def write_until(self, target: int) -> None:
        """Write files until ``target`` passages (estimated) are written, or the stream ends."""
        self.folder.mkdir(parents=True, exist_ok=True)
        while self.estimated < target and (item := next(self._files, None)) is not None:
            self.names.add(item.name)
            path = self.folder / item.name
            if not path.exists() or path.read_text(encoding="utf-8") != item.text:
                path.write_text(item.text, encoding="utf-8")
            self.estimated += item.passages


def _remove_stale(folder: Path, keep: set[str]) -> list[str]:
    """Remove the update files (and, when ``keep`` is given, every file not in it); their names."""
    if not folder.is_dir():
        return []
    stale = [p for p in folder.iterdir() if p.name.startswith("update-") or (keep and p.name not in keep)]
    for path in stale:
        path.unlink()
    return [p.name for p in stale]


# --- serving (in a fresh process) -------------------------------------------------------------


def questions(count: int) -> list[squad.Question]:
    """Half Italian, half English questions, spread over SQuAD-it."""
    italian, english = squad.italian_questions(), squad.english_questions()
    half = count // 2
    picked_it = italian[:: max(1, len(italian) // half)][:half]
    picked_en = english[:: max(1, len(english) // (count - half))][: count - half]
    return picked_it + picked_en


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def memory(field: str) -> int:
    """A field of /proc/self/status ("VmRSS", "VmHWM"), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def serve(root: Path, count: int, budgets: tuple[int, ...] = BUDGETS) -> dict:
    """Open the archive with the real model, ask every question; the figures (run in a fresh process).

    The keyword side is measured several ways on the same questions in this process: with the
    shipped postings budget, as ``ask`` runs it, and with each of ``budgets`` (None: every term in
    FTS5); each with its ``ask`` times and how often the five answers hold the gold paragraph and
    a gold answer's text. The keyword times are FTS5's step (``Answerer.keyword_search``); the
    terms it leaves out are scored inside ``ask``."""
    embedder = Embedder(DEFAULT_MODEL, models_dir=corpora.MODELS_DIR)
    embedder.encode_question("warm up")
    rss_model = memory("VmRSS")
    started = time.perf_counter()
    archive = OpenedSnapshot.open(settings_for(root, embedder.identity), embedder)
    open_seconds = time.perf_counter() - started
    asked = questions(count)
    texts = [q.text for q in asked]
    for text in texts[:WARM_UP]:
        archive.ask(text, k=5)
    answerer, today = archive.answerer, dt.date.today()
    shipped = answerer.settings
    figures = {}
    for prefix, budget in (("", shipped.keyword_postings), *((f"budget{b}_" if b else "unbounded_", b) for b in budgets)):
        answerer.settings = dataclasses.replace(shipped, keyword_postings=budget)
        keyword_ms = [_timed(answerer.keyword_search, answerer.read(text, today)) for text in texts]
        ask_ms, paragraphs, answer_texts = _asked(archive, asked)
        figures |= {f"{prefix}keyword_p50": statistics.median(keyword_ms), f"{prefix}keyword_p99": percentile(keyword_ms, 0.99),
                    f"{prefix}ask_p50": statistics.median(ask_ms), f"{prefix}ask_p99": percentile(ask_ms, 0.99),
                    f"{prefix}answer_recall_at_5": paragraphs / len(asked), f"{prefix}answer_text_at_5": answer_texts / len(asked)}
    answerer.settings = shipped
    with timed_steps() as steps:  # where ask's time goes, in one more pass
        for text in texts:
            archive.ask(text, k=5)
    figures |= {f"step_{name}_p50": statistics.median(times) for name, times in steps.items()}
    encode_ms = [_timed(embedder.encode_question, text) for text in texts]  # the model's share, on this machine now
    rss_serving, rss_peak, stats = memory("VmRSS"), memory("VmHWM"), archive.stats()
    figures |= {
        "passages": stats.passages, "articles": stats.articles, "vector_index": stats.vector_index,
        "sentence_vectors": archive.answerer.vectors.size, "open_seconds": open_seconds,
        "rss_model": rss_model, "rss_serving": rss_serving, "rss_peak": rss_peak,
        "rss_per_passage": (rss_serving - rss_model) / stats.passages,
        "encode_p50": statistics.median(encode_ms), "budgets": [b for b in budgets if b],
        "recall_at_10": vector_recall(archive, embedder, texts),
        "questions": len(asked),
    }
    archive.close()
    return figures


def _asked(archive: OpenedSnapshot, asked: list[squad.Question]) -> tuple[list[float], int, int]:
    """(each question's ``ask`` time in ms, how many of the questions' gold paragraphs were among
    the five answers shown, how many questions had a gold answer's text in one of them)."""
    times, paragraphs, answer_texts = [], 0, 0
    for question in asked:
        started = time.perf_counter()
        response = archive.ask(question.text, k=5)
        times.append((time.perf_counter() - started) * 1000)
        paragraphs += question.paragraph in {answer.article_id for answer in response.answers}
        answer_texts += any(squad.holds_answer(answer.passage, question.answers) for answer in response.answers)
    return times, paragraphs, answer_texts


# ask's steps, timed by wrapping them: (owner, attribute, name); the keyword side runs in its own
# thread, beside the encoding and the vector search.
STEPS = (
    (Embedder, "encode_question", "encoding"),
    (segments.Vectors, "search", "faiss"),
    (answering.Answerer, "_keyword_side", "keyword_side"),
    (answering.Answerer, "_rescored", "rescoring"),
    (answering.Answerer, "shortlist", "shortlist"),
)


@contextlib.contextmanager
def timed_steps():
    """While inside, the ``STEPS`` record each call's time in ms (name -> times), and so does the
    second keyword step (``keyword_search.complete`` on the asking thread, "completion")."""
    steps: dict[str, list[float]] = {}
    asking = threading.current_thread()

    def timing(function, name):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                if name != "completion" or threading.current_thread() is asking:
                    steps.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return timed

    patches = [(owner, attribute, getattr(owner, attribute), name) for owner, attribute, name in STEPS]
    patches.append((keyword_search, "complete", keyword_search.complete, "completion"))
    try:
        for owner, attribute, function, name in patches:
            setattr(owner, attribute, timing(function, name))
        yield steps
    finally:
        for owner, attribute, function, _ in patches:
            setattr(owner, attribute, function)


def _timed(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def vector_recall(archive: OpenedSnapshot, embedder: Embedder, texts: list[str]) -> float:
    """Share of the exact top-10 (numpy over every stored vector) that the archive's vector search
    returns as ``ask`` uses it: when the index's scores are estimates (compressed codes), ``ask``
    takes ``rescored_passages`` passages' worth of hits and re-scores them exactly, and so does this."""
    queries = np.stack([embedder.encode_question(text) for text in texts])
    dimension = archive.stats().dimension
    truth = exact_top(archive.store.vectors(dimension), queries, RECALL_AT)
    vectors, settings = archive.answerer.vectors, archive.answerer.settings
    depth = settings.rescored_passages * settings.sentences_per_passage if vectors.approximate_scores else RECALL_AT
    found = 0
    for query, exact in zip(queries, truth):
        ids = vectors.search(query, depth).ids
        if vectors.approximate_scores:
            exact_scores = archive.store.vectors_of(ids, dimension) @ query
            ids = ids[np.argsort(-exact_scores)[:RECALL_AT]]
        found += len(set(exact.tolist()) & set(ids.tolist()))
    return found / truth.size


def exact_top(batches, queries: np.ndarray, k: int) -> np.ndarray:
    """The ids of each query's ``k`` best vectors by inner product, over (ids, matrix) batches, one batch in memory."""
    best = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_ids = np.full((len(queries), k), -1, dtype=np.int64)
    for ids, matrix in batches:
        scores = np.hstack([best, queries @ matrix.T])
        held = np.hstack([best_ids, np.broadcast_to(ids, (len(queries), len(ids)))])
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        best, best_ids = np.take_along_axis(scores, top, 1), np.take_along_axis(held, top, 1)
    return best_ids


def serve_in_subprocess(root: Path, count: int, budgets: tuple[int, ...]) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", str(root), "--questions", str(count),
               "--budgets", ",".join(str(b or "all") for b in budgets)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"serving {root} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- updates ----------------------------------------------------------------------------------


def io_counters() -> dict[str, int]:
    pairs = (line.split(":") for line in Path("/proc/self/io").read_text().splitlines())
    return {key.strip(): int(value) for key, value in pairs}


def disk_size(folder: Path) -> int:
    """Every file under ``folder``, whatever its name."""
    total = 0
    for parent, _, files in os.walk(folder):
        total += sum((Path(parent) / name).lstat().st_size for name in files)
    return total


def measure_update(name: str, settings: Settings, embedder: RecombiningEmbedder, change) -> dict:
    """Make ``change`` to the articles folder, bring the index up to date; what that took and wrote."""
    text_bytes = change()
    embedder.reset_counters()
    io_before, disk_before = io_counters(), disk_size(settings.index_dir)
    started = time.perf_counter()
    report = build_index(settings, embedder)
    seconds = time.perf_counter() - started
    io_after = io_counters()
    write_bytes = io_after["write_bytes"] - io_before["write_bytes"]
    own = text_bytes + embedder.sentences * embedder.dimension * 4  # the new passages' text and float32 vectors
    figures = {
        "seconds": seconds, "embed_seconds": embedder.seconds, "beyond_seconds": seconds - embedder.seconds,
        "write_bytes": write_bytes, "wchar": io_after["wchar"] - io_before["wchar"],
        "disk_change": disk_size(settings.index_dir) - disk_before, "passages": report.passages,
        "ratio": write_bytes / own if text_bytes else None,
        "text_ratio": write_bytes / text_bytes if text_bytes else None,
    }
    print(f"  {name}: {seconds:.1f} s, {write_bytes / 1e6:,.1f} MB written ({report.added} added, {report.removed} removed)")
    return {f"{name}_{key}": value for key, value in figures.items()}


def measure_updates(settings: Settings, topics: Topics, embedder: RecombiningEmbedder) -> dict:
    """Add 10 articles, add 1,000, remove the 10, remove the 1,000, then add 10 ``SMALL_UPDATES``
    times and remove them (the archive is as before)."""
    stream = ArticleStream(topics, seed=UPDATE_SEED)
    folder = settings.articles_dir
    # The model's tokenizer is loaded before the clock starts, by the call a build makes to size
    # its passages: the first build of a process would otherwise count loading it as its own time.
    passage_budget(embedder, "warm up")

    def add(file_name: str, count: int):
        def change() -> int:
            text = "".join(json.dumps(stream.article(), ensure_ascii=False) + "\n" for _ in range(count))
            (folder / file_name).write_text(text, encoding="utf-8")
            return len(text.encode("utf-8"))
        return change

    def remove(file_name: str):
        return lambda: (folder / file_name).unlink() or 0

    figures = {}
    figures |= measure_update("add10", settings, embedder, add(*UPDATE_FILES["add10"]))
    figures |= measure_update("add1000", settings, embedder, add(*UPDATE_FILES["add1000"]))
    figures |= measure_update("remove10", settings, embedder, remove(UPDATE_FILES["add10"][0]))
    figures |= measure_update("restore", settings, embedder, remove(UPDATE_FILES["add1000"][0]))
    # One small update says little about the bytes written: FTS5 merges its segments every few
    # writes, and the update that triggers a merge writes the merged segments. So 10 articles are
    # added ``SMALL_UPDATES`` times in a row, then removed.
    runs = [measure_update("again10", settings, embedder, add(f"again-{n:02d}.jsonl", 10)) for n in range(SMALL_UPDATES)]
    ratios = [run["again10_ratio"] for run in runs]
    figures |= {"again10_ratio_mean": statistics.mean(ratios), "again10_ratio_min": min(ratios),
                "again10_ratio_max": max(ratios), "again10_beyond_max": max(run["again10_beyond_seconds"] for run in runs)}
    for n in range(SMALL_UPDATES):
        (folder / f"again-{n:02d}.jsonl").unlink()
    measure_update("restore again", settings, embedder, lambda: 0)
    return figures


# --- the run ----------------------------------------------------------------------------------


def measure_size(size: int, topics: Topics, embedder: RecombiningEmbedder, args) -> dict:
    load_before = os.getloadavg()[0]
    built = prepare(size, topics, embedder, args.step)
    root = archive_root(size)
    settings = settings_for(root, embedder.identity)
    print(f"scale-{size}: serving {args.questions} questions in a fresh process")
    figures = serve_in_subprocess(root, args.questions, args.budgets)
    figures |= {"build_seconds": built["seconds"], "disk_before_updates": disk_size(settings.index_dir)}
    figures["build_passages_per_second"] = figures["passages"] / built["seconds"] if built["seconds"] else None
    print(f"scale-{size}: updates")
    figures |= measure_updates(settings, topics, embedder)
    figures["disk_bytes"] = disk_size(settings.index_dir)  # after updates: what the folder keeps between them
    figures["disk_per_passage"] = figures["disk_bytes"] / figures["passages"]
    figures["load_average"] = (load_before + os.getloadavg()[0]) / 2
    (root / RESULTS_FILE).write_text(json.dumps(figures, indent=1))
    if args.drop:
        shutil.rmtree(root / "index")
        (root / BUILT_FILE).unlink()
    return figures


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="passages per archive, comma-separated")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--step", type=int, default=STEP_LIMIT, help="a new archive above this many passages is built in two steps")
    parser.add_argument("--drop", action="store_true", help="delete each archive's index once measured (saves disk)")
    parser.add_argument("--report", action="store_true", help="print the table of the figures saved by earlier runs")
    parser.add_argument("--budgets", type=lambda text: tuple(None if b == "all" else int(b) for b in text.split(",") if b),
                        default=BUDGETS, help="keyword postings budgets measured beside the shipped one, comma-separated; "
                        "all: every term (default all,25000)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the fresh process that measures serving
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.serve:
        print(json.dumps(serve(args.serve, args.questions, args.budgets)))
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.report:
        results = {s: _read_json(archive_root(s) / RESULTS_FILE) for s in sizes}
        results = {s: r for s, r in results.items() if r}
    else:
        topics = Topics.load()
        embedder = RecombiningEmbedder(DEFAULT_MODEL, corpora.MODELS_DIR, sentence_cache(DEFAULT_MODEL))
        results = {size: measure_size(size, topics, embedder, args) for size in sizes}
    print()
    print("\n".join(table(results)))
    loads = ", ".join(f"{s:,}: {r.get('load_average', 0):.1f}" for s, r in results.items())
    print(f"load average of the 2-core machine while measuring ({loads}); timings on a loaded machine are noisy")


if __name__ == "__main__":
    main()
