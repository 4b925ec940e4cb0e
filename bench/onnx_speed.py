"""The ONNX backend of sentence-transformers against torch: speed, retrieval quality, token embeddings.

For multilingual-e5-small (the converted folder ``newsdesk model install`` writes) and, for
reference, the bundled all-MiniLM-L6-v2, three backends are compared in one run:

- ``torch``: the installed folder as the product loads it;
- ``onnx``: the same weights exported to ONNX by optimum (fp32), run by onnxruntime;
- ``onnx-int8``: that export with dynamic int8 quantisation
  (``export_dynamic_quantized_onnx_model``, ``--quantization``, default ``avx512_vnni``).

The exports are made once into ``bench/.work/onnx/<model>/`` (a copy of the model folder, ignored
by git; the installed folder is only read) and made again when the source folder changes.

Speed: passages per second encoding the 2,010 SQuAD-it paragraphs ("title. text", the model's
passage prompt, batch 64), and the p50 of one question encoded alone (query prompt) over
``--latency`` questions. The backends take turns in ``--rounds`` rounds (the order rotates each
round, and reverses every other round); each round encodes an interleaved share of the paragraphs
(every ``rounds``-th one), so the rounds together encode every paragraph once per backend and each
backend's rate is measured ``rounds`` times on the same texts as the others'. The table shows the
median of the rounds (the runs and the rate over all paragraphs follow it): the machine is shared,
so the load averages before and after are printed too.

Quality, in the same run: vector-only retrieval, exact cosine search over one vector per paragraph
(the vectors the speed rounds made), recall@1 and @5 of the gold paragraph for a fixed sample
(``calibrate.sample``) of ``--questions`` Italian questions and as many English ones; and the cosine
between each backend's paragraph vectors and torch's (mean, min).

Token embeddings (late chunking, ``Embedder.encode_sentences``): for each ONNX backend, whether
``encode(..., output_value=None)`` gives ``token_embeddings`` like torch (type, shape) and the
cosine of its sentence vectors to torch's on ``--sentences`` paragraphs.

Needs optimum and onnxruntime (not dependencies of Newsdesk), best in a separate virtualenv. optimum-onnx
0.1.0 wants transformers<4.58, so pip resolves sentence-transformers 5.x there (6.x wants transformers 5):
the figures compare the backends under those versions, which the report's first line names.

    python3 -m venv /work/onnx-venv && /work/onnx-venv/bin/pip install "torch==2.13.0"
    /work/onnx-venv/bin/pip install -e . "optimum[onnxruntime]" onnx
    /work/onnx-venv/bin/python bench/onnx_speed.py [--rounds N] [--questions N] [--latency N]
        [--paragraphs N] [--models e5,minilm] [--quantization avx512_vnni] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

import squad  # noqa: E402
from calibrate import sample  # noqa: E402
from corpora import MODELS_DIR, WORK  # noqa: E402
from index.config import DEFAULT_MODEL, E5_MODEL  # noqa: E402
from index.embedder import PASSAGE, QUERY, Embedder  # noqa: E402
from index.passages import split_sentences  # noqa: E402

try:
    import torch
except ImportError:  # the message below says what to install
    torch = None

EXPORTS = WORK / "onnx"
MODELS = {"e5": E5_MODEL, "minilm": DEFAULT_MODEL}
BACKENDS = ("torch", "onnx", "onnx-int8")
STAMP = "newsdesk-onnx-source.json"


def missing_packages() -> str | None:
    """The one-line reason this benchmark cannot run, or None."""
    if torch is None:
        return "bench/onnx_speed.py needs torch: pip install torch==2.13.0 (the CPU build)"
    try:
        import onnxruntime  # noqa: F401
        import optimum.onnxruntime  # noqa: F401
    except ImportError as error:
        return (f"bench/onnx_speed.py needs optimum and onnxruntime ({error.name or error} is missing): "
                'pip install "optimum[onnxruntime]" onnx, best in a separate virtualenv (see the docstring)')
    return None


# --- the exports -----------------------------------------------------------------------------


def _source_stamp(folder: Path) -> dict[str, list[int]]:
    return {str(p.relative_to(folder)): [p.stat().st_size, p.stat().st_mtime_ns]
            for p in sorted(folder.rglob("*")) if p.is_file()}


def exported(source: Path, name: str, quantization: str) -> tuple[Path, str]:
    """(a copy of ``source`` holding ``onnx/model.onnx`` and its int8 variant, the int8 file name).

    The copy lives in ``bench/.work/onnx/<name>``; ``source`` is only read."""
    from sentence_transformers import SentenceTransformer, export_dynamic_quantized_onnx_model

    folder = EXPORTS / name
    stamp = _source_stamp(source)
    stamp_file = folder / STAMP
    if not stamp_file.exists() or json.loads(stamp_file.read_text()) != stamp:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(source, folder, copy_function=shutil.copyfile)  # not the permissions: the copy is ours
        started = time.perf_counter()
        model = SentenceTransformer(str(folder), backend="onnx", device="cpu", local_files_only=True)
        model.save_pretrained(str(folder))
        stamp_file.write_text(json.dumps(stamp))
        print(f"{name}: exported to ONNX in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    int8 = f"onnx/model_qint8_{quantization}.onnx" if quantization != "avx2" else "onnx/model_quint8_avx2.onnx"
    if not (folder / int8).exists():
        model = SentenceTransformer(str(folder), backend="onnx", device="cpu", local_files_only=True)
        export_dynamic_quantized_onnx_model(model, quantization, str(folder))
        print(f"{name}: quantised ({quantization}) to {int8}", file=sys.stderr)
    return folder, int8


def embedders(model: str, quantization: str) -> dict[str, Embedder]:
    """One Embedder per backend for ``model``, each with its own loaded SentenceTransformer."""
    from sentence_transformers import SentenceTransformer

    torch_backend = Embedder(model, models_dir=MODELS_DIR)
    short = next(key for key, value in MODELS.items() if value == model)
    folder, int8 = exported(Path(torch_backend.location), short, quantization)
    out = {"torch": torch_backend}
    for backend, file_name in (("onnx", "onnx/model.onnx"), ("onnx-int8", int8)):
        embedder = Embedder(model, models_dir=MODELS_DIR)
        embedder._model = SentenceTransformer(str(folder), backend="onnx", device="cpu", local_files_only=True,
                                              model_kwargs={"file_name": file_name})
        out[backend] = embedder
    return out


# --- measurements ----------------------------------------------------------------------------


def time_passages(embedder: Embedder, texts: list[str]) -> tuple[float, np.ndarray]:
    started = time.perf_counter()
    vectors = embedder.encode(texts, kind=PASSAGE)
    return len(texts) / (time.perf_counter() - started), vectors


def question_p50_ms(embedder: Embedder, questions: list[str]) -> float:
    times = []
    for question in questions:
        started = time.perf_counter()
        embedder.encode_question(question)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def recall(scores: np.ndarray, golds: np.ndarray) -> dict[str, float]:
    top = np.argsort(-scores, axis=1)[:, :5]
    return {"R@1": float(np.mean(top[:, 0] == golds)), "R@5": float(np.mean((top == golds[:, None]).any(1)))}


def token_check(embedders: dict[str, Embedder], texts: list[str]) -> dict[str, str]:
    """What ``output_value=None`` gives under each backend, and the late-chunking sentence vectors
    (``Embedder.encode_sentences``, the product's path) of each ONNX backend against torch's.

    sentence-transformers 5.x (the newest that optimum-onnx's transformers<4.58 allows) indexes every
    output per text, the string ``modality`` too, so ``output_value=None`` fails for batches of more
    than four texts whatever the backend; the product's path is tried as it is (batch 64), then with
    batches of four, which that indexing survives."""
    spans = [split_sentences(text) for text in texts]
    prompt = embedders["torch"].prompt(PASSAGE) or None
    torch_out = embedders["torch"].model.encode(texts[:4], prompt=prompt, output_value=None)
    out, reference = {}, None
    for backend, embedder in embedders.items():
        notes = []
        try:
            embedder.encode_sentences(texts, spans)
            notes.append(f"encode_sentences (batch {embedder.batch_size}) works")
        except Exception as error:  # noqa: BLE001 - the finding is that it fails, and how
            notes.append(f"encode_sentences (batch {embedder.batch_size}) FAILS: {type(error).__name__}: {error}")
        size, embedder.batch_size = embedder.batch_size, 4
        try:
            sentences = embedder.encode_sentences(texts, spans)
        except Exception as error:  # noqa: BLE001
            out[backend] = "; ".join(notes + [f"batch 4 FAILS too: {type(error).__name__}: {error}"])
            continue
        finally:
            embedder.batch_size = size
        if backend == "torch":
            reference = sentences
            out[backend] = "; ".join(notes + ["batch 4 works"])
            continue
        outputs = embedder.model.encode(texts[:4], prompt=prompt, output_value=None)
        tokens = embedder.model.encode(texts[:1], prompt=prompt, output_value="token_embeddings")
        same_shape = all(o["token_embeddings"].shape == t["token_embeddings"].shape for o, t in zip(outputs, torch_out))
        token_cosines = [float(torch.nn.functional.cosine_similarity(o["token_embeddings"], t["token_embeddings"]).min())
                         for o, t in zip(outputs, torch_out)] if same_shape else [float("nan")]
        cosines = np.concatenate([(a * b).sum(1) for a, b in zip(sentences, reference)]) if reference else np.array([np.nan])
        out[backend] = "; ".join(notes + [
            f"output_value=None gives {sorted(outputs[0])}, token_embeddings a "
            f"{type(outputs[0]['token_embeddings']).__name__} {tuple(outputs[0]['token_embeddings'].shape)} "
            f"(shapes as torch's: {'yes' if same_shape else 'NO'}, lowest token cosine to torch {min(token_cosines):.4f})",
            f"output_value='token_embeddings' gives a {type(tokens[0]).__name__} {tuple(tokens[0].shape)}",
            f"batch 4: {len(cosines)} sentence vectors, cosine to torch's mean {cosines.mean():.5f} min {cosines.min():.5f}",
        ])
    return out


def measure(args: argparse.Namespace) -> dict:
    from importlib.metadata import version

    import onnxruntime
    import sentence_transformers

    paragraphs = squad.paragraphs()[: args.paragraphs]
    texts = [f"{p['title']}. {p['text']}" for p in paragraphs]
    index_of = {f"squad.jsonl#{p['id']}": i for i, p in enumerate(paragraphs)}
    chosen = {lang: [q for q in sample(questions, args.questions) if q.paragraph in index_of]
              for lang, questions in (("it", squad.italian_questions()), ("en", squad.english_questions()))}
    latency = [q.text for pair in zip(chosen["it"], chosen["en"]) for q in pair][: args.latency]
    run = {
        "versions": {"sentence-transformers": sentence_transformers.__version__, "onnxruntime": onnxruntime.__version__,
                     "optimum": version("optimum"), "optimum-onnx": version("optimum-onnx"),
                     "transformers": version("transformers"), "torch": torch.__version__},
        "torch_threads": torch.get_num_threads(), "cores": len(os.sched_getaffinity(0)),
        "load_before": os.getloadavg(), "paragraphs": len(texts), "rounds": args.rounds, "latency_questions": len(latency),
        "questions": {lang: len(qs) for lang, qs in chosen.items()}, "quantization": args.quantization,
        "models": {},
    }
    loaded = {name: embedders(MODELS[name], args.quantization) for name in args.models}
    for name, backends in loaded.items():
        for embedder in backends.values():  # warm up: first calls allocate
            embedder.encode(texts[:8])
            embedder.encode_question(latency[0])
    speeds = {(n, b): [] for n in loaded for b in BACKENDS}
    p50s = {(n, b): [] for n in loaded for b in BACKENDS}
    seconds = {(n, b): 0.0 for n in loaded for b in BACKENDS}
    vectors = {(n, b): np.zeros((len(texts), loaded[n][b].dimension), np.float32) for n in loaded for b in BACKENDS}
    order = [(n, b) for n in loaded for b in BACKENDS]
    for number in range(args.rounds):
        share = list(range(number, len(texts), args.rounds))  # an interleaved share: the rounds cover every paragraph
        turn = order[number % len(order):] + order[: number % len(order)]
        if number % 2:
            turn = turn[::-1]
        for name, backend in turn:
            embedder = loaded[name][backend]
            per_s, found = time_passages(embedder, [texts[i] for i in share])
            speeds[name, backend].append(per_s)
            seconds[name, backend] += len(share) / per_s
            vectors[name, backend][share] = found
            p50s[name, backend].append(question_p50_ms(embedder, latency))
            print(f"round {number + 1}: {name} {backend}: {per_s:.1f} passages/s ({len(share)}), "
                  f"question p50 {p50s[name, backend][-1]:.1f} ms; load {os.getloadavg()[0]:.1f}", file=sys.stderr)
    for name, backends in loaded.items():
        figures = run["models"][name] = {"token_embeddings": token_check(backends, texts[: args.sentences])}
        for backend, embedder in backends.items():
            matrix = vectors[name, backend]
            row = {"passages_per_s": statistics.median(speeds[name, backend]), "passages_per_s_runs": speeds[name, backend],
                   "passages_per_s_all": len(texts) / seconds[name, backend],
                   "question_p50_ms": statistics.median(p50s[name, backend]), "question_p50_ms_runs": p50s[name, backend]}
            for lang, questions in chosen.items():
                golds = np.array([index_of[q.paragraph] for q in questions])
                queries = embedder.encode([q.text for q in questions], kind=QUERY)
                row[lang] = recall(queries @ matrix.T, golds)
            cosine = (matrix * vectors[name, "torch"]).sum(1)
            row["cosine_to_torch"] = {"mean": float(cosine.mean()), "min": float(cosine.min())}
            figures[backend] = row
    run["load_after"] = os.getloadavg()
    return run


def report(run: dict) -> list[str]:
    versions = ", ".join(f"{k} {v}" for k, v in run["versions"].items())
    lines = [
        f"{versions}; {run['cores']} cores, torch threads {run['torch_threads']}, onnxruntime default threads; "
        f"int8 = dynamic quantisation '{run['quantization']}'",
        f"load average before {' '.join(f'{x:.2f}' for x in run['load_before'])}, after "
        f"{' '.join(f'{x:.2f}' for x in run['load_after'])} (shared machine: speeds are medians of the rounds)",
        f"speed: {run['paragraphs']} SQuAD-it paragraphs, batch 64, a 1/{run['rounds']} share per round; question p50 over {run['latency_questions']} "
        f"questions one at a time; quality: exact search, {run['questions']['it']} IT + {run['questions']['en']} EN questions",
        "",
        f"{'model':<7}{'backend':<11}{'passages/s':>11}{'q p50 ms':>10}{'IT R@1':>8}{'IT R@5':>8}{'EN R@1':>8}"
        f"{'EN R@5':>8}  cosine to torch (mean / min)",
    ]
    for name, figures in run["models"].items():
        for backend in BACKENDS:
            row = figures[backend]
            lines.append(
                f"{name:<7}{backend:<11}{row['passages_per_s']:>11.1f}{row['question_p50_ms']:>10.1f}"
                f"{row['it']['R@1']:>8.3f}{row['it']['R@5']:>8.3f}{row['en']['R@1']:>8.3f}{row['en']['R@5']:>8.3f}"
                f"  {row['cosine_to_torch']['mean']:.5f} / {row['cosine_to_torch']['min']:.5f}"
            )
    lines.append("")
    for name, figures in run["models"].items():
        for backend in BACKENDS:
            row = figures[backend]
            runs = ", ".join(f"{x:.1f}" for x in row["passages_per_s_runs"])
            p50 = ", ".join(f"{x:.1f}" for x in row["question_p50_ms_runs"])
            lines.append(f"runs {name} {backend}: passages/s {runs} (all paragraphs: {row['passages_per_s_all']:.1f}); "
                         f"question p50 ms {p50}")
    for name, figures in run["models"].items():
        for backend, verdict in figures["token_embeddings"].items():
            lines.append(f"token embeddings, {name} {backend}: {verdict}")
    for name, figures in run["models"].items():
        torch_row = figures["torch"]
        for backend in ("onnx", "onnx-int8"):
            row = figures[backend]
            worst = min(100 * (row[lang][k] - torch_row[lang][k]) for lang in ("it", "en") for k in ("R@1", "R@5"))
            lines.append(f"{name} {backend} against torch: speed x{row['passages_per_s'] / torch_row['passages_per_s']:.2f}, "
                         f"question p50 x{row['question_p50_ms'] / torch_row['question_p50_ms']:.2f}, worst recall change "
                         f"{worst:+.1f} points ({'within' if worst >= -0.5 else 'BEYOND'} half a point)")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="speed rounds, the backends alternating (at least 2)")
    parser.add_argument("--questions", type=int, default=1500, help="questions per language for recall")
    parser.add_argument("--latency", type=int, default=300, help="questions timed one at a time")
    parser.add_argument("--paragraphs", type=int, default=None, help="only the first N paragraphs (a quick try)")
    parser.add_argument("--sentences", type=int, default=64, help="paragraphs for the token-embedding check")
    parser.add_argument("--models", default="e5,minilm", help="comma-separated: e5, minilm")
    parser.add_argument("--quantization", default="avx512_vnni", choices=["arm64", "avx2", "avx512", "avx512_vnni"])
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    if unknown := [m for m in args.models if m not in MODELS]:
        parser.error(f"unknown model(s) {unknown}: choose among {sorted(MODELS)}")
    if reason := missing_packages():
        print(reason, file=sys.stderr)
        return 2
    run = measure(args)
    for line in report(run):
        print(line)
    if args.json:
        Path(args.json).write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
