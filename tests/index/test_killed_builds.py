"""`newsdesk index` killed with SIGKILL, again and again: the index always loads and answers,
as before the update or as after it (never a mix), and the next run completes.

Three ways to kill: at random moments of `newsdesk index` runs over a growing archive (updates
in place; seeded delays, half spread over the whole build and half over its last fifth, measured
from the moment it holds the build lock; the command runs with the fake embedder, so the kills land in its writes rather than in
loading and running the model); at every step of an update in place (a process that kills itself just
before its Nth write step: removing, inserting, writing and syncing the new segment, recording
it, the manifest, the merge after the commit); and at every file-system step of publishing a
whole rebuild (just before its Nth fsync, rename, replace, unlink or rmtree). No model is
involved in any of them: the indexes are built with the fake embedder.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from index import snapshot
from index.build import build_index
from index.config import Settings
from index.opened import OpenedSnapshot
from tests import figures
from tests.index.runs import (
    ROOT,
    add_articles,
    answers,
    generation,
    newsdesk,
    wait_for_build,
)

SEED = 20221220
RANDOM_KILLS = 20
ARTICLES_PER_ROUND = 4  # a growing archive: every run has work to do
MAX_ROUNDS = 32  # runs that finish before their kill are redrawn, within this bound


def test_killed_at_random_moments(fake_built, fake_embedder):
    settings, embedder = fake_built, fake_embedder
    window = _calibrate(settings)
    rng = random.Random(SEED)
    # Half the kills anywhere in the run, half in its last fifth, where it writes (the start is
    # spent reading the articles and identifying their language); as shares of the run's length.
    late = spread(rng, RANDOM_KILLS - RANDOM_KILLS // 2, 0.2)
    shares = spread(rng, RANDOM_KILLS // 2, 1.0) + [0.8 + share for share in late]
    landed: Counter[str] = Counter()
    rounds, lost = 0, []
    while sum(landed.values()) - landed["finished first"] < RANDOM_KILLS and rounds < MAX_ROUNDS:
        rounds += 1
        share = shares.pop() if shares else rng.uniform(0, 0.8)
        phase, problem, finished_after = _kill_once(settings, embedder, rounds, share * window)
        landed[phase] += 1
        lost += [problem] if problem else []
        # A run that beat its kill was shorter than the calibrated one (the machine's load
        # changed): the next delays are shares of a shorter length, so they still land within the
        # runs; by a quarter at most, so one quick run does not pull every later kill early.
        window = max(finished_after, 0.75 * window) if finished_after else window
    kills = sum(landed.values()) - landed["finished first"]
    report = build_index(settings, embedder)  # the next run completes
    unfinished = _incomplete(settings, embedder)
    notes = ", ".join(f"{phase} {count}" for phase, count in sorted(landed.items()))
    survived = kills - len(lost) if not unfinished else 0  # none counts if the archive cannot be completed
    figures.record("SIGKILL at random moments of `newsdesk index`", kills, survived, notes)
    assert not lost and not unfinished, lost + unfinished
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
    process = newsdesk(settings, "index", fake=True)
    assert wait_for_build(settings, process), process.communicate()
    appeared = time.monotonic()
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return time.monotonic() - appeared


def _kill_once(settings: Settings, embedder, number: int, delay: float) -> tuple[str, str | None, float | None]:
    """Grow the archive, start `newsdesk index`, SIGKILL it after ``delay``; (where it was stopped,
    what was wrong with the index it left or None, how long it ran when it finished before the kill)."""
    add_articles(settings, ARTICLES_PER_ROUND, prefix=f"r{number:02d}-")
    live, committed = snapshot.current(settings.index_dir).name, generation(settings)
    before = answers(settings, embedder)
    process = newsdesk(settings, "index", fake=True)
    if not wait_for_build(settings, process):
        process.communicate()
        return "finished first", None, None
    appeared = time.monotonic()
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        pass
    else:
        process.communicate()
        return "finished first", None, time.monotonic() - appeared
    process.kill()
    process.communicate()
    phase = phase_of(settings, live, committed)
    if phase.startswith("before the commit"):
        held = answers(settings, embedder) == before
        return phase, None if held else f"killed {phase}: the previous index answers differently", None
    held = OpenedSnapshot.open(settings, embedder).stats().articles == _article_count(settings)  # committed: whole
    return phase, None if held else f"killed {phase}: the new index lacks articles", None


def phase_of(settings: Settings, live_before: str, generation_before: int) -> str:
    """Where a killed update was, judged by what it left on disk."""
    if snapshot.current(settings.index_dir).name != live_before:
        return "after the swap (a whole rebuild)"
    if generation(settings) != generation_before:
        return "after the commit"
    folder = snapshot.current(settings.index_dir) / "segments"
    if list(folder.glob(".seg-*.tmp")):
        return "before the commit: writing the segment"
    if _unrecorded_segments(settings):
        return "before the commit: segment written"
    return "before the commit: reading or embedding"


def _segment_files(settings: Settings) -> tuple[set[str], set[str]]:
    """(the segment files the live database records, the files in its segments folder)."""
    path = snapshot.store_path(snapshot.current(settings.index_dir))
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        named = {row[0] for row in conn.execute("SELECT file FROM segments")}
    finally:
        conn.close()
    return named, {p.name for p in (path.parent / "segments").iterdir()}


def _unrecorded_segments(settings: Settings) -> list[str]:
    named, on_disk = _segment_files(settings)
    return [name for name in on_disk if name.startswith("seg-") and name not in named]


def _article_count(settings: Settings) -> int:
    return sum(1 for p in settings.articles_dir.rglob("*") if p.is_file())


def _incomplete(settings: Settings, embedder) -> list[str]:
    """What keeps the index from being complete (every article indexed, nothing left over by the
    killed runs); nothing when it is."""
    index_dir = settings.index_dir
    live = snapshot.current(index_dir).name
    snapshots = list(index_dir.glob(snapshot.SNAPSHOT_PREFIX + "*"))
    checks = {
        "articles missing": OpenedSnapshot.open(settings, embedder).stats().articles != _article_count(settings),
        "a workspace left": bool(list(index_dir.glob(snapshot.WORK_PREFIX + "*"))),
        "a snapshot newer than the live one": any(p.name > live for p in snapshots),
        "old snapshots not pruned": len(snapshots) > snapshot.KEEP_SNAPSHOTS,
    }
    return [problem for problem, found in checks.items() if found]


KILLING = """
steps = []

def killing(name, function):
    \"\"\"``function``, counted as a step; the process kills itself before step ``kill_before``.\"\"\"
    def step(*args, **kwargs):
        steps.append(name)
        if len(steps) == kill_before:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)
    return step
"""

# --- killed at each step of an update in place ------------------------------------------------

UPDATE_KILLER = """
import os, signal, sys
from pathlib import Path
from index import checksums, segments
from index.build import build_index
from index.build import Build
from index.config import Settings
from index.store import Store
from index.vectors import VectorIndex
from tests.fakes.embedder import FakeEmbedder

data, kill_before = Path(sys.argv[1]), int(sys.argv[2])
""" + KILLING + """

for owner, name in [(Store, "remove_articles"), (Store, "drop_vectors"), (Store, "add_articles"),
                    (VectorIndex, "save"), (Store, "add_segment"), (Store, "update_files"),
                    (Store, "write_manifest"), (Build, "merge")]:
    setattr(owner, name, killing(name, getattr(owner, name)))
checksums.fsync_file = killing("fsync", checksums.fsync_file)
segments.os.replace = killing("replace", segments.os.replace)
build_index(Settings.for_data_dir(data), FakeEmbedder())
print(" ".join(steps))
"""


@pytest.fixture(scope="module")
def to_update(indexed_seeds, tmp_path_factory, fake_embedder):
    """The seed index, one article changed and one removed, three added: (data folder, answers before)."""
    data = tmp_path_factory.mktemp("update") / "data"
    shutil.copytree(indexed_seeds(fake_embedder), data)
    settings = Settings.for_data_dir(data)
    before = answers(settings, fake_embedder)
    files = sorted(settings.articles_dir.glob("*.txt"))
    files[0].unlink()
    files[1].write_text(files[1].read_text() + "\n\nUn paragrafo aggiunto in seguito, con altre notizie da Minsk.\n")
    add_articles(settings, 3)
    return data, before


def test_killed_at_every_step_of_an_update(to_update, tmp_path, fake_embedder):
    data, before = to_update
    steps, outcomes, lost = None, Counter(), []
    kill_before = 0
    while steps is None:
        kill_before += 1
        where = tmp_path / f"k{kill_before}" / "data"
        shutil.copytree(data, where)
        settings = Settings.for_data_dir(where)
        done = subprocess.run([sys.executable, "-c", UPDATE_KILLER, str(where), str(kill_before)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        if done.returncode == 0:  # no step left to kill before: it completed
            steps = done.stdout.split()
            after = answers(settings, fake_embedder)
            break
        committed = generation(settings) > 1
        outcomes["update committed" if committed else "previous state live"] += 1
        problems = [] if done.returncode == -9 else [f"not killed: {done.stderr}"]
        if not committed:
            problems += [] if answers(settings, fake_embedder) == before else ["the index answers differently"]
        build_index(settings, fake_embedder)  # the next run completes
        problems += _incomplete(settings, fake_embedder)
        problems += _unrecorded_or_missing(settings)
        lost += [(kill_before, problems)] if problems else []
    kills = kill_before - 1
    completed = [answers(Settings.for_data_dir(tmp_path / f"k{n}" / "data"), fake_embedder) for n in range(1, kill_before)]
    lost += [(n + 1, ["the completed index answers differently"]) for n, got in enumerate(completed) if got != after]
    failed = {n for n, _ in lost}
    figures.record("SIGKILL at each step of an update in place", kills, kills - len(failed),
                   ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    assert not lost, lost
    assert "write_manifest" in steps and "replace" in steps and steps[-1] == "merge", steps
    assert outcomes["previous state live"] and outcomes["update committed"], outcomes


def _unrecorded_or_missing(settings: Settings) -> list[str]:
    """Segment files the next build should have cleared, or recorded ones that are missing."""
    named, on_disk = _segment_files(settings)
    extra, missing = sorted(on_disk - named), sorted(named - on_disk)
    return ([f"segment files left: {extra}"] if extra else []) + ([f"segment files missing: {missing}"] if missing else [])


# --- killed at each step of publishing ------------------------------------------------------

KILLER = """
import os, shutil, signal, sys
from pathlib import Path
from index import snapshot

index_dir, workspace, kill_before = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
""" + KILLING + """

for name in ("fsync", "rename", "replace", "unlink"):
    setattr(os, name, killing(name, getattr(os, name)))
shutil.rmtree = killing("rmtree", shutil.rmtree)
snapshot.publish(index_dir, workspace)
print(" ".join(steps))
"""


@pytest.fixture(scope="module")
def two_snapshots(indexed_seeds, tmp_path_factory, fake_embedder):
    """An index whose live snapshot has extra articles over the one before: (data folder, answers before, after)."""
    data = tmp_path_factory.mktemp("two") / "data"
    shutil.copytree(indexed_seeds(fake_embedder), data)
    settings = Settings.for_data_dir(data)
    before = answers(settings, fake_embedder)
    add_articles(settings, 3)
    build_index(settings, fake_embedder, full=True)  # a whole rebuild: a second snapshot
    return data, before, answers(settings, fake_embedder)


def test_killed_at_every_step_of_publishing(two_snapshots, tmp_path, fake_embedder):
    data, before, after = two_snapshots
    steps, outcomes, lost = None, Counter(), []
    kill_before = 0
    while steps is None:
        kill_before += 1
        settings = _about_to_publish(data, tmp_path / f"k{kill_before}")
        done = _publish_killed(settings.index_dir, kill_before)
        if done.returncode == 0:  # no step left to kill before: it completed
            steps = done.stdout.split()
            break
        swapped = snapshot.current(settings.index_dir).name != "snap-00000001"
        outcomes["new index live" if swapped else "previous index live"] += 1
        problems = [] if done.returncode == -9 else [f"not killed: {done.stderr}"]
        problems += [] if answers(settings, fake_embedder) == (after if swapped else before) else ["the live index answers differently"]
        build_index(settings, fake_embedder)  # the next run completes
        problems += _incomplete(settings, fake_embedder)
        problems += [] if answers(settings, fake_embedder) == after else ["the completed index answers differently"]
        lost += [f"killed before step {kill_before}: {'; '.join(problems)}"] if problems else []
    kills = kill_before - 1
    figures.record("SIGKILL at each step of publishing", kills, kills - len(lost),
                   ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    assert not lost, lost
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
