"""The scale benchmark's table: a column per archive size, each figure with its growth from the smallest.

Pure: results in (a dict of figures per size), lines of text out. The issue's targets (at 1M
passages) are printed beside the largest size's column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MB = 1_000_000


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    digits: int = 1
    scale: float = 1.0  # the stored value is divided by this before printing
    target: str = ""  # the target at 1M passages
    grows: bool = True  # print the growth factor from the smallest size


def keyword_figures(prefix: str, label: str) -> tuple[Figure, ...]:
    """The figures of the keyword side run another way (``unbounded_``, ``budget25000_``)."""
    return (
        Figure(f"{prefix}keyword_p50", f"{label}: keyword p50, ms", 1),
        Figure(f"{prefix}keyword_p99", "  keyword p99, ms", 1),
        Figure(f"{prefix}ask_p50", "  ask p50, ms", 1),
        Figure(f"{prefix}ask_p99", "  ask p99, ms", 1),
        Figure(f"{prefix}answer_recall_at_5", "  gold paragraph among the 5 answers", 3, grows=False),
        Figure(f"{prefix}answer_text_at_5", "  a gold answer's text among them", 3, grows=False),
    )


FIGURES = (
    Figure("passages", "passages", 0, grows=True),
    Figure("articles", "articles", 0),
    Figure("sentence_vectors", "sentence vectors", 0),
    Figure("vector_index", "vector index", grows=False),
    Figure("build_seconds", "build, s (articles to index, all steps)", 0),
    Figure("build_passages_per_second", "  passages per second of build", 0),
    Figure("disk_before_updates", "disk (all under index/) as built, MB", 0, MB),
    Figure("disk_bytes", "disk after the updates below, MB", 0, MB),
    Figure("disk_per_passage", "  bytes per passage", 0),
    Figure("open_seconds", "open, s (model already loaded)", 2),
    Figure("rss_serving", "RSS while serving (VmRSS), MB", 0, MB, "<= 2,000"),
    Figure("rss_peak", "  peak (VmHWM), MB", 0, MB),
    Figure("rss_model", "  of which the model alone, MB", 0, MB, grows=False),
    Figure("rss_per_passage", "  archive's bytes per passage", 0),
    Figure("ask_p50", "ask p50, ms (model included)", 1, target="<= 60"),
    Figure("ask_p99", "ask p99, ms", 1, target="<= 250"),
    Figure("encode_p50", "  the question's encoding alone, p50, ms", 1),
    Figure("step_encoding_p50", "  inside ask, medians: the encoding, ms", 1),
    Figure("step_faiss_p50", "    the vector search (every segment), ms", 1),
    Figure("step_keyword_side_p50", "    the keyword side (its thread, beside them), ms", 1),
    Figure("step_rescoring_p50", "    re-scoring the candidates exactly, ms", 1),
    Figure("step_completion_p50", "    the second keyword step, ms", 1),
    Figure("step_shortlist_p50", "    the shortlist and its quotes, ms", 1),
    Figure("keyword_p50", "keyword search p50, ms (postings bounded, as ask)", 1),
    Figure("keyword_p99", "keyword search p99, ms (postings bounded, as ask)", 1),
    Figure("answer_recall_at_5", "gold paragraph among ask's 5 answers", 3, grows=False),
    Figure("answer_text_at_5", "a gold answer's text among ask's 5 answers", 3, grows=False),
    *keyword_figures("unbounded_", "every term searched (no bound)"),
    Figure("recall_at_10", "vector recall@10 vs exact", 3, target=">= 0.95", grows=False),
    Figure("load_average", "load average while measuring (2 cores)", 1, grows=False),
)


def update_figures(name: str, label: str, targets: dict[str, str]) -> tuple[Figure, ...]:
    """The figures of one update (``add10``, ``add1000``, ``remove10``, ``restore``)."""
    return (
        Figure(f"{name}_seconds", f"{label}: build, s", 2),
        Figure(f"{name}_embed_seconds", "  of which embedding, s (fake vectors)", 2, grows=False),
        Figure(f"{name}_beyond_seconds", "  beyond embedding, s", 2, target=targets.get("seconds", "")),
        Figure(f"{name}_write_bytes", "  bytes written (write_bytes), MB", 1, MB),
        Figure(f"{name}_wchar", "  bytes written (wchar), MB", 1, MB),
        Figure(f"{name}_disk_change", "  disk size change, MB", 1, MB, grows=False),
        Figure(f"{name}_passages", "  passages embedded", 0, grows=False),
        Figure(f"{name}_ratio", "  write_bytes / new passages' text+vectors", 0, target=targets.get("ratio", "")),
        Figure(f"{name}_text_ratio", "  write_bytes / new articles' text", 0),
    )


UPDATES = (
    update_figures("add10", "add 10 articles", {"seconds": "<= 10", "ratio": "<= 20"}),
    update_figures("add1000", "add 1,000 articles", {}),
    update_figures("remove10", "remove 10 articles", {"seconds": "<= 10"}),
    update_figures("restore", "remove the 1,000 (restores the archive)", {}),
    (
        Figure("again10_ratio_mean", "add 10 articles, 10 times in a row: bytes ratio, mean", 0, target="<= 20"),
        Figure("again10_ratio_min", "  the least of the 10", 0),
        Figure("again10_ratio_max", "  the most of the 10", 0),
        Figure("again10_beyond_max", "  the longest, s beyond embedding", 2, target="<= 10"),
    ),
)


def table(results: dict[int, dict[str, object]]) -> list[str]:
    """The figures of every size, smallest first, with the growth from the smallest and the targets."""
    sizes = sorted(results)
    first = results[sizes[0]]
    label_width, width = 44, 20
    head = f"{'':<{label_width}}" + "".join(f"{_size_name(s):>{width}}" for s in sizes) + f"{'target (1M)':>{width}}"
    lines = [head]
    budgets = sorted({b for size in sizes for b in results[size].get("budgets", ())}, reverse=True)
    compared = tuple(keyword_figures(f"budget{b}_", f"{b:,} postings at most") for b in budgets)
    for figures in (FIGURES, *compared, *UPDATES):
        for figure in figures:
            if not any(figure.key in results[s] for s in sizes):
                continue
            cells = [_cell(figure, results[s].get(figure.key), first.get(figure.key), s == sizes[0]) for s in sizes]
            lines.append(f"{figure.label:<{label_width}}" + "".join(f"{c:>{width}}" for c in cells) + f"{figure.target:>{width}}")
    lines.append("(×n: the figure divided by the smallest size's; sizes are the passages asked for)")
    return lines


def _cell(figure: Figure, value: object, smallest: object, is_first: bool) -> str:
    if value is None:
        return "-"
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    text = f"{value / figure.scale:,.{figure.digits}f}"
    if figure.grows and not is_first:
        text += f" {growth(value, smallest)}"
    return text


def growth(value: float, smallest: object) -> str:
    """"×2.9": how many times the smallest size's value; "" when that is zero or missing."""
    if not isinstance(smallest, (int, float)) or smallest == 0 or not math.isfinite(value / smallest):
        return "     "
    return f"×{value / smallest:<4.1f}"


def _size_name(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    return f"{size // 1000}k" if size % 1000 == 0 else f"{size:,}"
