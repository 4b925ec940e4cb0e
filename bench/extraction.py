"""Article extraction: our article reader beside trafilatura, on the same pages in the same run.

Reads the extraction set in ``../shared/bench/extraction/`` (181 real pages, ``html/<id>.html.gz``,
and ``ground-truth.json`` with each page's true ``articleBody``; read-only, nothing is copied into
the project). Each page is written to a temporary ``.html`` file and read by ``readers.read_file``,
exactly as a saved article file is read; trafilatura's ``extract()`` reads the same page with its
defaults. Scoring is the set's own (its ``evaluate.py``, which reproduces the README's figures):
the extracted text and the true body are split into word tokens (``\\w+``, case kept), the tokens
into overlapping 4-token shingles; precision and recall are computed over the shingles' multisets
per page and averaged over the pages (precision over the pages where something was extracted), and
F1 is the harmonic mean of the two means. Ours is the article's text (the true bodies leave the
title out). Also printed: the pages where our reader loses most recall, each with a few of the words
it lost, to guide general rules (not per-page ones).

    python bench/extraction.py [--worst N] [--json FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import statistics
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index import readers  # noqa: E402
from index.errors import ArticleError  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench" / "extraction"
BASELINE = {"trafilatura": (0.928, 0.978, 0.953), "ours": (0.950, 0.969, 0.959)}  # the set's README, 2026-12-01
TARGET_F1 = 0.96
SHINGLE = 4  # tokens per shingle, as the set's evaluate.py
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Score:
    precision: float | None  # None when nothing was extracted (left out of the precision mean)
    recall: float


@dataclass(frozen=True)
class Page:
    id: str
    html: bytes
    truth: str


def pages() -> list[Page]:
    truth = json.loads((SHARED / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page(page_id, gzip.decompress((SHARED / "html" / f"{page_id}.html.gz").read_bytes()), item.get("articleBody") or "")
        for page_id, item in sorted(truth.items())
    ]


def shingles(text: str) -> Counter:
    """The multiset of overlapping ``SHINGLE``-token runs of ``text`` (one run when it is shorter)."""
    words = _TOKEN.findall(text or "")
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1)) if words[i : i + SHINGLE])


def score(predicted: str, truth: str) -> Score:
    """Precision and recall of the predicted shingles against the true ones."""
    got, want = shingles(predicted), shingles(truth)
    common = sum((got & want).values())
    extracted, true = sum(got.values()), sum(want.values())
    if extracted == true == common:  # both empty, or identical
        return Score(1.0, 1.0)
    return Score(common / extracted if extracted else None, common / true if true else 0.0)


@dataclass(frozen=True)
class Means:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        return 2 * self.precision * self.recall / (self.precision + self.recall)


def mean(scores: list[Score]) -> Means:
    return Means(
        statistics.mean(s.precision for s in scores if s.precision is not None), statistics.mean(s.recall for s in scores)
    )


def ours(page: Page, folder: Path) -> str:
    """The page read as a saved ``.html`` article: the text the index stores (without its title)."""
    path = folder / f"{page.id}.html"
    path.write_bytes(page.html)
    try:
        articles = readers.read_file(path, folder)
    except ArticleError:
        return ""
    finally:
        path.unlink()
    return "\n\n".join(article.text for article in articles)


def theirs(page: Page) -> str:
    import trafilatura

    return trafilatura.extract(page.html.decode("utf-8")) or ""


def lost_words(predicted: str, truth: str, count: int = 8) -> list[str]:
    """A few of the true words the prediction misses, most frequent first."""
    missing = Counter(_TOKEN.findall(truth)) - Counter(_TOKEN.findall(predicted))
    return [word for word, _ in missing.most_common(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worst", type=int, default=12, help="pages where ours loses most recall")
    parser.add_argument("--json", type=Path, help="write the per-page scores here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for page in pages():
            mine, other = ours(page, Path(folder)), theirs(page)
            results[page.id] = (score(mine, page.truth), score(other, page.truth), lost_words(mine, page.truth))
    report(results, args.worst)
    if args.json:
        per_page = {k: {"ours": asdict(a), "trafilatura": asdict(b), "lost": lost} for k, (a, b, lost) in results.items()}
        args.json.write_text(json.dumps(per_page, indent=1))


def report(results: dict, worst: int) -> None:
    ours_mean, theirs_mean = mean([r[0] for r in results.values()]), mean([r[1] for r in results.values()])
    print(f"{len(results)} pages of {SHARED}")
    print(f"{'extractor':<14} {'precision':>9} {'recall':>7} {'F1':>6}   baseline (README) P / R / F1")
    for name, value in (("ours", ours_mean), ("trafilatura", theirs_mean)):
        base = " / ".join(f"{x:.3f}" for x in BASELINE[name])
        print(f"{name:<14} {value.precision:9.3f} {value.recall:7.3f} {value.f1:6.3f}   {base}")
    met = ours_mean.f1 >= TARGET_F1 and ours_mean.recall >= theirs_mean.recall
    print(f"target: F1 >= {TARGET_F1} and recall >= trafilatura's: {'met' if met else 'not met'}")
    print("\npages where ours loses most recall (recall ours / trafilatura, lost words):")
    by_loss = sorted(results.items(), key=lambda item: item[1][0].recall - item[1][1].recall)
    for page_id, (mine, other, lost) in by_loss[:worst]:
        print(f"  {page_id[:12]}  {mine.recall:.3f} / {other.recall:.3f}  {' '.join(lost)}")


if __name__ == "__main__":
    main()
