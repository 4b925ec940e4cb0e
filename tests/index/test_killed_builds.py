"""`newsdesk index` killed with SIGKILL, again and again: the previous index always loads and
answers as before, and the next run completes.

Two ways to kill: at random moments of real `newsdesk index` runs over a growing archive
(seeded delays spread over the whole build, measured from the workspace's appearance), and
at every file-system step of publishing a snapshot, where the commit happens (a process that
kills itself just before its Nth fsync, rename, replace, unlink or rmtree).
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from index import snapshot
from index.archive import Archive, build_index
from index.config import Settings
from tests import figures
from tests.index.runs import ROOT, add_articles, answers, newsdesk, wait_for_workspace, workspaces

SEED = 20221220
RANDOM_KILLS = 20
ARTICLES_PER_ROUND = 4  # a growing archive: every run has work to do
MAX_ROUNDS = 32  # runs that finish before their kill are redrawn, within this bound


def test_killed_at_random_moments(built, embedder):
    settings = built
    window = _calibrate(settings)
    rng = random.Random(SEED)
    delays = spread(rng, RANDOM_KILLS, window)
    landed: Counter[str] = Counter()
    rounds = 0
    while sum(landed.values()) - landed["finished first"] < RANDOM_KILLS and rounds < MAX_ROUNDS:
        rounds += 1
        delay = delays.pop() if delays else rng.uniform(0, 0.8 * window)
        landed[_kill_once(settings, embedder, rounds, delay)] += 1
    kills = sum(landed.values()) - landed["finished first"]
    report = build_index(settings, embedder)  # the next run completes
    _assert_complete(settings, embedder)
    notes = ", ".join(f"{phase} {count}" for phase, count in sorted(landed.items()))
    figures.record("SIGKILL at random moments of `newsdesk index`", kills, kills, notes)
    assert kills >= RANDOM_KILLS, landed
    assert report.total_articles == _article_count(settings)


def spread(rng: random.Random, count: int, window: float) -> list[float]:
    """``count`` delays in [0, window], one in each of ``count`` equal slices, shuffled."""
    slices = [(window * i / count, window * (i + 1) / count) for i in range(count)]
    delays = [rng.uniform(start, end) for start, end in slices]
    rng.shuffle(delays)
    return delays


def _calibrate(settings: Settings) -> float:
    """Seconds from the workspace's appearance to the end of one uninterrupted run."""
    add_articles(settings, ARTICLES_PER_ROUND, prefix="r00-")
    process = newsdesk(settings, "index")
    assert wait_for_workspace(settings, process), process.communicate()
    appeared = time.monotonic()
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return time.monotonic() - appeared


def _kill_once(settings: Settings, embedder, number: int, delay: float) -> str:
    """Grow the archive, start `newsdesk index`, SIGKILL it after ``delay``; where it was stopped."""
    add_articles(settings, ARTICLES_PER_ROUND, prefix=f"r{number:02d}-")
    live = snapshot.current(settings.index_dir).name
    before = answers(settings, embedder)
    stale = workspaces(settings)
    process = newsdesk(settings, "index")
    if not wait_for_workspace(settings, process, stale=stale):
        process.communicate()
        return "finished first"
    time.sleep(delay)
    if process.poll() is not None:
        return "finished first"
    process.kill()
    process.communicate()
    phase = phase_of(settings.index_dir, live)
    if snapshot.current(settings.index_dir).name == live:
        assert answers(settings, embedder) == before, f"killed {phase}: the previous index answers differently"
    else:  # killed after the swap: the new snapshot is whole
        assert Archive.open(settings, embedder).stats().articles == _article_count(settings)
    return phase


def phase_of(index_dir: Path, live_before: str) -> str:
    """Where a killed build was, judged by what it left on disk."""
    if snapshot.current(index_dir).name != live_before:
        return "after the swap"
    if any(p.name > live_before for p in index_dir.glob(snapshot.SNAPSHOT_PREFIX + "*")):
        return "between rename and swap"
    work = next(index_dir.glob(snapshot.WORK_PREFIX + "*"), None)
    if work is None:
        return "before the workspace"
    if (work / snapshot.MANIFEST_FILE).exists():
        return "manifest written"
    if (work / snapshot.VECTORS_FILE).exists():
        return "writing vectors"
    if (work / f"{snapshot.STORE_FILE}-journal").exists():
        return "in a database write"
    return "loading the model or embedding"


def _article_count(settings: Settings) -> int:
    return sum(1 for p in settings.articles_dir.rglob("*") if p.is_file())


def _assert_complete(settings: Settings, embedder) -> None:
    """Everything indexed, nothing left over by the killed runs."""
    index_dir = settings.index_dir
    live = snapshot.current(index_dir).name
    assert Archive.open(settings, embedder).stats().articles == _article_count(settings)
    assert not list(index_dir.glob(snapshot.WORK_PREFIX + "*"))
    assert not [p for p in index_dir.glob(snapshot.SNAPSHOT_PREFIX + "*") if p.name > live]
    assert len(list(index_dir.glob(snapshot.SNAPSHOT_PREFIX + "*"))) <= snapshot.KEEP_SNAPSHOTS


# --- killed at each step of publishing ------------------------------------------------------

KILLER = """
import os, shutil, signal, sys
from pathlib import Path
from index import snapshot

index_dir, workspace, kill_before = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
steps = []

def killing(name, function):
    def step(*args, **kwargs):
        steps.append(name)
        if len(steps) == kill_before:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)
    return step

for name in ("fsync", "rename", "replace", "unlink"):
    setattr(os, name, killing(name, getattr(os, name)))
shutil.rmtree = killing("rmtree", shutil.rmtree)
snapshot.publish(index_dir, workspace)
print(" ".join(steps))
"""


@pytest.fixture(scope="module")
def two_snapshots(seed_data, tmp_path_factory, embedder):
    """An index whose live snapshot has extra articles over the one before: (data folder, answers before, after)."""
    data = tmp_path_factory.mktemp("two") / "data"
    shutil.copytree(seed_data, data)
    settings = Settings.for_data_dir(data)
    before = answers(settings, embedder)
    add_articles(settings, 3)
    build_index(settings, embedder)
    return data, before, answers(settings, embedder)


def test_killed_at_every_step_of_publishing(two_snapshots, tmp_path, embedder):
    data, before, after = two_snapshots
    steps, outcomes = None, Counter()
    kill_before = 0
    while steps is None:
        kill_before += 1
        settings = _about_to_publish(data, tmp_path / f"k{kill_before}")
        done = _publish_killed(settings.index_dir, kill_before)
        if done.returncode == 0:  # no step left to kill before: it completed
            steps = done.stdout.split()
            break
        assert done.returncode == -9, done.stderr
        swapped = snapshot.current(settings.index_dir).name != "snap-00000001"
        assert answers(settings, embedder) == (after if swapped else before)
        outcomes["new index live" if swapped else "previous index live"] += 1
        build_index(settings, embedder)  # the next run completes
        _assert_complete(settings, embedder)
        assert answers(settings, embedder) == after
    kills = kill_before - 1
    figures.record("SIGKILL at each step of publishing", kills, sum(outcomes.values()),
                   ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    assert kills == len(steps) >= 6 and "rename" in steps and "replace" in steps


def _about_to_publish(data: Path, where: Path) -> Settings:
    """A copy of ``data`` as a build leaves it just before publishing: its live snapshot back in a workspace."""
    shutil.copytree(data, where)
    index_dir = where / "index"
    newest = snapshot.current(index_dir)
    older = sorted(p.name for p in index_dir.glob(snapshot.SNAPSHOT_PREFIX + "*") if p != newest)[-1]
    newest.rename(index_dir / "work-killed")
    (index_dir / snapshot.CURRENT).write_text(older + "\n")
    (index_dir / older).rename(index_dir / "snap-00000001")  # a fixed name, to tell which one is live
    (index_dir / snapshot.CURRENT).write_text("snap-00000001\n")
    return Settings.for_data_dir(where)


def _publish_killed(index_dir: Path, kill_before: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", KILLER, str(index_dir), str(index_dir / "work-killed"), str(kill_before)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
