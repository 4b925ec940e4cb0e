"""Quality of what users are shown: the answers of ``newsdesk ask --batch - --json -k 5``, on SQuAD-it.

The 2,010 Italian paragraphs are indexed as articles with the shipped pipeline (built once per model
in ``bench/.work/``); a fixed random sample of the Italian questions and of the English originals is
piped through the real command line in a subprocess, and what comes back is scored: recall@1 and @5
of the gold paragraph among the answers returned, the share answered "no answer", the share of
answers flagged uncertain, and how often the first quote holds a gold answer text. Beside it, in the
same run, two baselines over the same paragraphs and questions:

- FTS5 only: a plain SQLite FTS5 table of the paragraphs (unicode61, diacritics removed), bm25,
  the question's words OR-ed;
- vector only: the same model, exact search over one vector per paragraph ("title. text"), the
  questions with the model's query prompt when it has one.

Then the refusal trade-off: a second archive without every 8th Wikipedia article (topics
``t % 8 == 0``; ``bench/calibrate.py`` fits on another split); the answerable questions of the
sample and every question of a held-out topic, both languages, through the same command. For each
bar on the response's ``relatedness`` it prints the false refusals (answerable refused) against the
unanswerable refused, and marks the shipped operating point with what the command really did.

    python bench/shown.py [--model NAME] [--sample N] [--held-out N] [--no-refusal | --no-quality]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpora  # noqa: E402
import squad  # noqa: E402
from calibrate import sample  # noqa: E402

from index.answering import calibration_of  # noqa: E402
from index.config import DEFAULT_MODEL, Settings  # noqa: E402
from index.embedder import Embedder  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
K = 5
EVERY, OFFSET = 8, 0
TARGETS = {"it": {"R@1": 0.77, "R@5": 0.93}, "en": {"R@1": 0.62, "R@5": 0.86}}
REFUSAL_TARGETS = {"false refusals": 0.05, "unanswerable refused": 0.80}
BARS = np.round(np.arange(0.05, 0.951, 0.05), 2)


# --- the shipped command line ----------------------------------------------------------------


def ask_cli(settings: Settings, questions: Iterable[str], k: int = K) -> list[dict]:
    """The JSON lines ``newsdesk ask --batch - --json -k`` prints, one per question."""
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(settings.data_dir), "NEWSDESK_INDEX_DIR": str(settings.index_dir),
           "NEWSDESK_MODEL": settings.model, "NEWSDESK_MODELS_DIR": str(settings.models_dir), "PYTHONPATH": str(ROOT)}
    lines = "".join(" ".join(q.split()) + "\n" for q in questions)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--batch", "-", "--json", "-k", str(k)],
        input=lines, capture_output=True, text=True, env=env, cwd=ROOT, check=False,
    )
    records = [json.loads(line) for line in done.stdout.splitlines()]
    if len(records) != lines.count("\n"):
        raise RuntimeError(f"newsdesk ask gave {len(records)} lines for {lines.count(chr(10))}: {done.stderr[-2000:]}")
    return records


def shown_articles(record: dict) -> list[str]:
    return list(dict.fromkeys(a["article_id"] for a in record.get("answers", [])))


# --- baselines -------------------------------------------------------------------------------


class Fts5Baseline:
    """A plain SQLite FTS5 table of the paragraphs: bm25, the question's words OR-ed."""

    def __init__(self, paragraphs: list[dict]):
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE p USING fts5(id UNINDEXED, text, tokenize='unicode61 remove_diacritics 2')")
        self.db.executemany("INSERT INTO p VALUES (?, ?)", [(f"squad.jsonl#{p['id']}", p["text"]) for p in paragraphs])

    def search(self, question: str, k: int = K) -> list[str]:
        words = re.findall(r"\w+", question)
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        return [row[0] for row in self.db.execute("SELECT id FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT ?", (match, k))]


class VectorBaseline:
    """The same model, exact search over one vector per paragraph (cached per model)."""

    def __init__(self, embedder: Embedder, paragraphs: list[dict]):
        self.embedder = embedder
        self.ids = [f"squad.jsonl#{p['id']}" for p in paragraphs]
        cache = corpora.WORK / f"paragraph-vectors{corpora.model_slug(embedder.identity)}.npy"
        if cache.exists():
            self.matrix = np.load(cache)
        else:
            self.matrix = self._encode([f"{p['title']}. {p['text']}" for p in paragraphs], "passage")
            np.save(cache, self.matrix)

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        model = self.embedder.model
        prompts = getattr(model, "prompts", None) or {}
        named = {"prompt_name": prompt} if prompt in prompts else {}
        return np.asarray(model.encode(texts, batch_size=32, normalize_embeddings=True, **named), dtype=np.float32)

    def search_all(self, questions: list[str], k: int = K) -> list[list[str]]:
        scores = self._encode(questions, "query") @ self.matrix.T
        return [[self.ids[i] for i in np.argsort(-row)[:k]] for row in scores]


# --- scoring ---------------------------------------------------------------------------------


def recall(rankings: list[list[str]], golds: list[str], k: int) -> float:
    return sum(gold in ranking[:k] for ranking, gold in zip(rankings, golds)) / len(golds)


def quality(embedder: Embedder, settings: Settings, per_language: int) -> None:
    paragraphs = squad.paragraphs()
    fts, vectors = Fts5Baseline(paragraphs), VectorBaseline(embedder, paragraphs)
    for name, language, questions in (
        ("Italian questions", "it", squad.italian_questions()),
        ("English questions over the Italian paragraphs", "en", squad.english_questions()),
    ):
        chosen = sample(questions, per_language)
        started = time.perf_counter()
        records = ask_cli(settings, [q.text for q in chosen])
        seconds = time.perf_counter() - started
        golds = [q.paragraph for q in chosen]
        shown = [shown_articles(r) for r in records]
        table = {
            f"newsdesk ask -k {K} (shown)": shown,
            "FTS5 only (bm25, words OR-ed)": [fts.search(q.text) for q in chosen],
            "vector only (exact, same model)": vectors.search_all([q.text for q in chosen]),
        }
        print(f"\n{name}: {len(chosen)} (sample of {len(questions)}), newsdesk {1000 * seconds / len(chosen):.0f} ms each "
              "(one process, model load included)")
        print(f"  {'method':<34}{'R@1':>7}{'R@5':>7}")
        for method, rankings in table.items():
            print(f"  {method:<34}{recall(rankings, golds, 1):>7.3f}{recall(rankings, golds, 5):>7.3f}")
        report_shown(language, chosen, records, table)


def report_shown(language: str, chosen: list[squad.Question], records: list[dict], table: dict) -> None:
    golds = [q.paragraph for q in chosen]
    shown = next(iter(table.values()))
    r1, r5 = recall(shown, golds, 1), recall(shown, golds, 5)
    counts = [len(r.get("answers", [])) for r in records]
    answers = [a for r in records for a in r.get("answers", [])]
    first_quote = [bool(r.get("answers")) and squad.holds_answer(r["answers"][0]["quote"], q.answers) for q, r in zip(chosen, records)]
    first_right = [bool(s) and s[0] == g for s, g in zip(shown, golds)]
    uncertain_first = [r["answers"][0]["uncertain"] for r in records if r.get("answers")]
    right_uncertain = [r["answers"][0]["uncertain"] for r, ok in zip(records, first_right) if ok]
    wrong_uncertain = [r["answers"][0]["uncertain"] for r, ok in zip(records, first_right) if r.get("answers") and not ok]
    print(f"  no answer: {np.mean([r.get('no_answer', True) for r in records]):.3f}; answers per question: "
          f"mean {np.mean(counts):.2f}, 5 answers {np.mean([c == K for c in counts]):.3f}; "
          f"uncertain: {np.mean([a['uncertain'] for a in answers]) if answers else 0:.3f} of answers")
    print(f"  first answer uncertain: {np.mean(uncertain_first):.3f} of answered; {_share(right_uncertain)} when it is the gold "
          f"paragraph, {_share(wrong_uncertain)} when it is not")
    right_quotes = [fq for fq, ok in zip(first_quote, first_right) if ok]
    print(f"  first quote holds a gold answer: {np.mean(first_quote):.3f} of questions, {_share(right_quotes)} when the "
          f"first answer is the gold paragraph")
    baselines = [m for m in table if "shown" not in m]
    above = all(r5 > recall(table[m], golds, 5) and r1 > recall(table[m], golds, 1) for m in baselines)
    targets = ", ".join(f"{m} {v:.3f} {'>=' if v >= t else '<'} {t}" for (m, t), v in zip(TARGETS[language].items(), (r1, r5)))
    print(f"  targets: {targets}; above both baselines on R@1 and R@5: {'yes' if above else 'NO'}")


def _share(flags: list[bool]) -> str:
    return f"{np.mean(flags):.3f}" if flags else "-"


# --- the refusal trade-off -------------------------------------------------------------------


def refusals(embedder: Embedder, per_language: int, held_out: int | None = None) -> None:
    settings = corpora.held_out_archive(embedder, EVERY, OFFSET)
    calibration = calibration_of(embedder.identity)
    held = lambda q: squad.topic_number(q.paragraph) % EVERY == OFFSET  # noqa: E731
    print(f"\nrefusal trade-off: archive without the {EVERY}th topics (t % {EVERY} == {OFFSET}), `ask -k {K}`")
    for name, language, questions in (("Italian", "it", squad.italian_questions()), ("English", "en", squad.english_questions())):
        answerable = [q for q in sample(questions, per_language) if not held(q)]
        unanswerable = sample([q for q in questions if held(q)], held_out)
        records = ask_cli(settings, [q.text for q in answerable + unanswerable])
        yes, no = records[: len(answerable)], records[len(answerable) :]
        related_yes = np.array([r["relatedness"] for r in yes])
        related_no = np.array([r["relatedness"] for r in no])
        shipped = calibration[language].related_bar  # the bar of the questions' language (most are told right)
        print(f"\n  {name}: {len(answerable)} answerable (of the sample), {len(unanswerable)} of held-out topics "
              f"({'all' if held_out is None else 'a sample'})")
        print(f"  {'bar':>6}{'false refusals':>16}{'unanswerable refused':>22}")
        for bar in sorted(set(BARS.tolist()) | {shipped}):
            mark = "  <- shipped" if bar == shipped else ""
            print(f"  {bar:>6.2f}{np.mean(related_yes < bar):>16.3f}{np.mean(related_no < bar):>22.3f}{mark}")
        false = np.mean([r["no_answer"] for r in yes])
        refused = np.mean([r["no_answer"] for r in no])
        ok = false <= REFUSAL_TARGETS["false refusals"] and refused >= REFUSAL_TARGETS["unanswerable refused"]
        by_language = {lang: (np.mean([r["no_answer"] for r in yes if r["language"] == lang] or [0]),
                              np.mean([r["no_answer"] for r in no if r["language"] == lang] or [0])) for lang in ("it", "en")}
        print(f"  as shipped (what the command did): false refusals {false:.3f} (target <= 0.05), unanswerable refused "
              f"{refused:.3f} (target >= 0.80): {'met' if ok else 'NOT met'}")
        print("  by detected language: " + "; ".join(f"{lang} {f:.3f} / {u:.3f}" for lang, (f, u) in by_language.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--sample", type=int, default=1500, help="questions per language (default 1500)")
    parser.add_argument("--held-out", type=int, help="questions of held-out topics per language (default: all)")
    parser.add_argument("--no-refusal", action="store_true", help="skip the refusal trade-off")
    parser.add_argument("--no-quality", action="store_true", help="only the refusal trade-off")
    args = parser.parse_args()
    embedder = Embedder(args.model, models_dir=corpora.MODELS_DIR)
    settings = corpora.squad_archive(embedder)
    print(f"model {embedder.identity}; SQuAD-it archive in {settings.data_dir}")
    if not args.no_quality:
        quality(embedder, settings, args.sample)
    if not args.no_refusal:
        refusals(embedder, args.sample, args.held_out)


if __name__ == "__main__":
    main()
