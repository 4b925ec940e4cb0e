"""Vector segments: the FAISS files of an index, written once each, so that updates only add.

Layout, inside an index snapshot folder::

    segments/seg-<id>.faiss    one FAISS index each, never rewritten

An update writes its new vectors as one new segment (``write``: a temporary name, synced,
then renamed) and records it in the store, with its size and checksum, in the same
transaction as its passages; vectors of deleted passages are recorded as dropped and left
out of every search. Segments hold disjoint, increasing runs of vector ids (passage ids
only grow), so merging neighbours keeps that true. When small segments pile up, or a
segment has lost a large share of its vectors, ``merge_plan`` picks a run of neighbours
to rewrite as one, from the exact vectors the store keeps. A segment file no row names
(left by a killed update, or merged away) is deleted by the next update
(``clear_unrecorded``), not at once: a reader may be about to load it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index import checksums
from index.errors import IndexCorruptError
from index.records import Segment
from index.vectors import Exclusion, Hits, VectorIndex

logger = logging.getLogger(__name__)

FOLDER = "segments"
MERGE_FACTOR = 4  # a segment joins a merge of the newer ones while it holds at most 4x their vectors
MERGE_AT = 4  # this many segments of comparable size are merged into one (each vector is rewritten O(log n) times)
DROPPED_SHARE = 0.25  # a segment that lost this share of its vectors is rewritten without them


@dataclass(frozen=True)
class Vectors:
    """The searchable vectors of an index at one state: its segments, less the dropped ids."""

    segments: tuple[tuple[Segment, VectorIndex], ...]
    dropped: np.ndarray  # sorted
    dimension: int
    _exclusions: tuple[Exclusion | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        exclusions = tuple(_exclusion(segment, self.dropped) for segment, _ in self.segments)
        object.__setattr__(self, "_exclusions", exclusions)  # prepared once: searches share them

    @property
    def size(self) -> int:
        return sum(index.size for _, index in self.segments) - len(self.dropped)

    @property
    def approximate_scores(self) -> bool:
        """True when a segment's scores are estimates from compressed codes (see ``vectors``)."""
        return any(index.approximate_scores for _, index in self.segments)

    @property
    def kind(self) -> str:
        """The segments' FAISS index types, e.g. "ivf2048 + 3 flat"."""
        kinds = [index.kind for _, index in self.segments]
        if not kinds:
            return "flat"
        rest = len(kinds) - 1
        return kinds[0] if not rest else f"{kinds[0]} + {rest} {'segment' if rest == 1 else 'segments'}"

    def search(self, query: np.ndarray, k: int) -> Hits:
        """The ``k`` nearest vectors over every segment, best first."""
        found = [
            index.search(query, k, exclude)
            for (_, index), exclude in zip(self.segments, self._exclusions)
        ]
        if len(found) == 1:
            return found[0]
        ids = np.concatenate([hits.ids for hits in found]) if found else np.zeros(0, np.int64)
        scores = np.concatenate([hits.scores for hits in found]) if found else np.zeros(0, np.float32)
        order = np.argsort(-scores, kind="stable")[:k]
        return Hits(ids[order], scores[order])

    def ids(self) -> np.ndarray:
        """Every id searched, sorted."""
        held = [index.ids() for _, index in self.segments]
        every = np.concatenate(held) if held else np.zeros(0, np.int64)
        return np.sort(np.setdiff1d(every, self.dropped, assume_unique=True))


def _exclusion(segment: Segment, dropped: np.ndarray) -> Exclusion | None:
    """The dropped ids that fall in ``segment``'s run, prepared for FAISS (None when there are none)."""
    run = dropped[np.searchsorted(dropped, segment.first_id) : np.searchsorted(dropped, segment.last_id, "right")]
    return Exclusion(run) if len(run) else None


def load(
    folder: Path, records: Sequence[Segment], dropped: np.ndarray, dimension: int,
    loaded: dict[int, VectorIndex] | None = None,
) -> Vectors:
    """The segments ``records`` name, checked against their recorded size and checksum; those in
    ``loaded`` (by segment id) are taken from there, already checked."""
    loaded = loaded or {}
    segments = tuple((record, loaded.get(record.id) or _load_one(folder, record)) for record in records)
    for record, index in segments:
        if index.size != record.vectors or index.dimension != dimension:
            raise IndexCorruptError(
                f"the vector segment {record.file} holds {index.size} vectors of {index.dimension} dimensions, "
                f"the database says {record.vectors} of {dimension}: the files are out of step"
            )
    return Vectors(segments, np.asarray(dropped, dtype=np.int64), dimension)


def _load_one(folder: Path, record: Segment) -> VectorIndex:
    check_file(folder, record)
    return VectorIndex.load(folder / FOLDER / record.file)


def check_file(folder: Path, record: Segment) -> None:
    """Raise ``IndexCorruptError`` unless the segment's file is there, of its recorded size and checksum."""
    path = folder / FOLDER / record.file
    if not path.is_file():
        raise IndexCorruptError(f"the vector segment {record.file} is missing")
    checksums.check(path, f"the vector segment {record.file}", record.bytes, record.blake2b)


def write(folder: Path, segment_id: int, ids: np.ndarray, vectors: np.ndarray, dimension: int) -> Segment:
    """Write the vectors (ids increasing) as the segment ``segment_id``, synced to disk; its record."""
    index = VectorIndex.build(ids, vectors, dimension)
    directory = folder / FOLDER
    directory.mkdir(exist_ok=True)
    name = f"seg-{segment_id:08d}.faiss"
    temporary = directory / f".{name}.tmp"
    try:
        index.save(temporary)
        checksums.fsync_file(temporary)
        os.replace(temporary, directory / name)
        checksums.fsync_dir(directory)
    finally:
        temporary.unlink(missing_ok=True)
    size, digest = checksums.size_and_digest(directory / name)
    return Segment(segment_id, name, index.kind, len(ids), int(ids[0]), int(ids[-1]), size, digest)


def next_id(folder: Path, records: Sequence[Segment]) -> int:
    """An id no segment, recorded or left on disk, has."""
    on_disk = [_number(p.name) for p in (folder / FOLDER).glob("seg-*.faiss")]
    return max([r.id for r in records] + [n for n in on_disk if n is not None], default=0) + 1


def _number(name: str) -> int | None:
    digits = name.removeprefix("seg-").removesuffix(".faiss")
    return int(digits) if digits.isdigit() else None


def clear_unrecorded(folder: Path, records: Sequence[Segment]) -> None:
    """Delete the segment files no record names (and temporary files of killed writes)."""
    directory = folder / FOLDER
    if not directory.is_dir():
        return
    named = {record.file for record in records}
    for path in directory.iterdir():
        if path.name not in named:
            path.unlink(missing_ok=True)


def merge_plan(records: Sequence[Segment], dropped: np.ndarray) -> list[Segment]:
    """The run of neighbouring segments worth rewriting as one now, or [] when none is.

    From the newest backwards, a segment joins while it holds at most ``MERGE_FACTOR`` times
    the vectors of the newer ones gathered: a merge is due when ``MERGE_AT`` of them gather.
    A segment that lost ``DROPPED_SHARE`` of its vectors is rewritten, with its newer neighbours
    when they are few.
    """
    lost = [dropped_in(record, dropped) for record in records]
    for position, record in enumerate(records):
        if record.vectors and lost[position] >= DROPPED_SHARE * record.vectors:
            return list(records[position:]) if len(records) - position <= MERGE_AT else [record]
    run: list[Segment] = []
    gathered = 0
    for record, gone in zip(reversed(records), reversed(lost)):
        if run and record.vectors > MERGE_FACTOR * gathered:
            break
        run.insert(0, record)
        gathered += record.vectors - gone
    return run if len(run) >= MERGE_AT else []


def dropped_in(record: Segment, dropped: np.ndarray) -> int:
    """How many of the (sorted) ``dropped`` ids fall in the segment's run."""
    return int(np.searchsorted(dropped, record.last_id, "right") - np.searchsorted(dropped, record.first_id))
