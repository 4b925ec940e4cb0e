"""Build speed: a full `newsdesk index` against a bare `model.encode` of the same passages.

On the 2,010 Italian paragraphs of SQuAD-it as articles, in one run:
- full-build passages per second vs. a bare `model.encode` of the very same passage texts
  (target: at least 0.9 of it);
- the time of a no-op `newsdesk index` on the unchanged corpus, as a command (target: under 3 s);
- peak memory (RSS) of the build and of the no-op command.
The build and the bare encode are timed twice, in alternating order, unless --rounds says otherwise.

    python bench/build_speed.py [--keep DIR] [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import squad  # noqa: E402

from index.build import build_index  # noqa: E402
from index.config import DEFAULT_MODEL, Settings, load_settings  # noqa: E402
from index.embedder import PASSAGE, Embedder  # noqa: E402
from index.passages import embedding_text  # noqa: E402
from index.snapshot import current, store_path  # noqa: E402
from index.store import Store  # noqa: E402

MODELS_DIR = load_settings().models_dir
NO_OP_RUNS = 5
# A forked child's peak RSS starts at its parent's, so the command's own peak is read by a small
# launcher process, not by this one (which holds the model).
PEAK_OF_COMMAND = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kilobytes


def passage_texts(settings: Settings) -> list[str]:
    """The texts the build embedded, in passage order, read back from the store."""
    store = Store(store_path(current(settings.index_dir)))
    rows = store.db.execute(
        "SELECT a.title, p.text FROM passages p JOIN articles a ON a.id = p.article_id ORDER BY p.id"
    ).fetchall()
    return [embedding_text(title, text) for title, text in rows]


def warm_up(embedder: Embedder, settings: Settings) -> None:
    """Run the model once over every padded length first: torch builds its CPU kernels per input
    shape, and whichever of the two timed runs came first would pay for all of them."""
    texts = [f"{p['title']}. {p['text']}" for p in squad.paragraphs()]
    by_length = {}
    for text, length in zip(texts, embedder.count_tokens(texts)):
        by_length.setdefault(min(length, embedder.max_tokens), text)
    embedder.model.encode(list(by_length.values()), batch_size=1)


def time_no_op(settings: Settings) -> tuple[list[float], float]:
    """Seconds of each no-op run, and the peak RSS (MB) of one more."""
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(settings.data_dir), "NEWSDESK_MODEL": settings.model,
           "NEWSDESK_MODELS_DIR": str(settings.models_dir)}
    command = [str(Path(sys.executable).with_name("newsdesk")), "index"]
    times = []
    for _ in range(NO_OP_RUNS):
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - started)
        assert "added 0, updated 0, removed 0" in done.stdout, done.stdout
    launched = subprocess.run(
        [sys.executable, "-c", PEAK_OF_COMMAND, *command], env=env, capture_output=True, text=True, check=True
    )
    return times, int(launched.stdout) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--rounds", type=int, default=2, help="timed builds and bare encodes (default 2)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    settings = Settings.for_data_dir(root / "data", model=args.model, models_dir=MODELS_DIR)
    squad.write_articles(settings.articles_dir)

    embedder = Embedder(args.model, models_dir=MODELS_DIR)
    warm_up(embedder, settings)
    base_rss = peak_rss_mb()

    reports = []

    def timed_build() -> float:
        started = time.perf_counter()
        reports.append(build_index(settings, embedder, full=True))
        return time.perf_counter() - started

    def timed_bare() -> float:
        started = time.perf_counter()
        embedder.model.encode(texts, prompt=embedder.prompt(PASSAGE) or None, batch_size=embedder.batch_size,
                              normalize_embeddings=True)
        return time.perf_counter() - started

    # Rounds alternate the order (build, bare, bare, build, ...): a machine that drifts faster or
    # slower during the run then weighs on both sides alike.
    build_times = [timed_build()]
    texts = passage_texts(settings)
    bare_times = [timed_bare()]
    for round_ in range(1, args.rounds):
        first, second = (timed_bare, timed_build) if round_ % 2 else (timed_build, timed_bare)
        for step in (first, second):
            (bare_times if step is timed_bare else build_times).append(step())
    build_rss = peak_rss_mb()

    no_op, no_op_rss = time_no_op(settings)
    build_seconds, bare_seconds = sum(build_times), sum(bare_times)
    build_pps, bare_pps = len(texts) * args.rounds / build_seconds, len(texts) * args.rounds / bare_seconds
    print(f"corpus: {reports[-1].total_articles} articles (SQuAD-it paragraphs), {len(texts)} passages; "
          f"{os.cpu_count()} cores; model {embedder.identity}; {args.rounds} rounds")
    print(f"{'measure':<34}{'newsdesk':>14}{'baseline':>14}   target")
    print(f"{'full build, passages/s':<34}{build_pps:>14.1f}{bare_pps:>14.1f}   bare model.encode of the same passages")
    print(f"{'  ratio to bare encode':<34}{build_pps / bare_pps:>14.2f}{1.0:>14.2f}   >= 0.90")
    print(f"{'  seconds per round':<34}{', '.join(f'{t:.1f}' for t in build_times):>14}"
          f"{', '.join(f'{t:.1f}' for t in bare_times):>14}")
    print(f"{'no-op `newsdesk index`, s (median)':<34}{statistics.median(no_op):>14.2f}{'':>14}   < 3 s "
          f"(runs: {', '.join(f'{t:.2f}' for t in no_op)})")
    print(f"{'peak RSS of the build, MB':<34}{build_rss:>14.0f}{base_rss:>14.0f}   baseline: model loaded, before the build")
    print(f"{'peak RSS of no-op command, MB':<34}{no_op_rss:>14.0f}")


if __name__ == "__main__":
    main()
