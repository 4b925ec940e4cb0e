"""Plain frozen records that cross the layers of Newsdesk.

The bot and the CLI only ever see these: no SQL rows, FAISS ids or arrays.
JSON output is ``dataclasses.asdict`` of a record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One cleaned article, ready to be split into passages."""

    id: str  # stable: the file's path under the articles folder, plus "#n" inside .json/.jsonl
    path: str  # the file it came from, relative to the articles folder (POSIX separators)
    title: str
    text: str  # cleaned body: paragraphs separated by blank lines
    date: str | None  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    source: str  # URL if known, else the file name
    language: str  # "it", "en" or "und"
    content_hash: str
    date_origin: str = ""  # where ``date`` came from: "metadata" (the file's own), "feed", "text"; "" when undated


@dataclass(frozen=True)
class ArticleView:
    """An article as the archive holds it, or as it would read it (``newsdesk show``); or why it cannot be shown."""

    file: str  # the file as given, or the indexed article's file
    article_id: str = ""
    title: str = ""
    date: str | None = None
    date_origin: str = ""  # as ``Article.date_origin``
    language: str = ""
    source: str = ""
    text: str = ""
    passages: tuple[str, ...] = ()
    indexed: bool = False  # held by the live index, unchanged
    error: str | None = None  # why the file or id cannot be shown; the other fields are then empty


@dataclass(frozen=True)
class Passage:
    """A run of an article's paragraphs, with the offsets of its sentences."""

    article_id: str
    position: int  # 0-based order inside the article
    text: str
    sentences: tuple[tuple[int, int], ...]  # (start, end) offsets into ``text``

    def sentence_texts(self) -> list[str]:
        return [self.text[start:end] for start, end in self.sentences]


@dataclass(frozen=True)
class Period:
    """A span of days a question asks about, inclusive at both ends."""

    start: dt.date
    end: dt.date
    precision: str  # "year", "month", "day" or "range"
    text: str = ""  # the words of the question that named it
    span: tuple[int, int] = (0, 0)  # where those words stand in the question


@dataclass(frozen=True)
class Answer:
    """One quoted passage answering a question."""

    article_id: str
    title: str
    date: str | None
    source: str
    quote: str
    passage: str
    score: float  # the ranking score: fused keyword and vector evidence, plus the date's boost
    confidence: float = 0.0  # how likely this passage answers the question (0 to 1), calibrated on SQuAD-it
    uncertain: bool = False  # related to the question, but less likely than not to answer it: shown with a caveat


@dataclass(frozen=True)
class Response:
    """Everything the archive says to one question: its answers in ranking order (best first),
    or ``no_answer`` when the best-ranked passage is unrelated to the question."""

    question: str
    no_answer: bool
    answers: tuple[Answer, ...] = ()
    language: str = "en"  # the question's language ("it", "en", "fr"…): replies use it where there are messages in it, else English
    period: str | None = None  # the period the question named, e.g. "2022-12"
    relatedness: float = 0.0  # how likely the question's topic is in the archive, judged on the best-ranked
    # passage (0 to 1): below the calibrated bar, "no answer"


@dataclass(frozen=True)
class BuildReport:
    """What one run of the indexer did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: tuple[str, ...] = ()  # files skipped, each with the reason
    passages: int = 0  # passages embedded by this run
    total_articles: int = 0
    total_passages: int = 0
    seconds: float = 0.0
    full: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class Stats:
    """What an index holds."""

    articles: int
    passages: int
    first_date: str | None
    last_date: str | None
    model: str
    dimension: int
    built_at: str  # ISO 8601, UTC
    vector_index: str  # e.g. "flat" or "ivf1024"
    sizes: dict[str, int] = field(default_factory=dict)  # file name -> bytes
    languages: dict[str, int] = field(default_factory=dict)  # language -> articles
    model_location: str = ""  # the folder (or hub name) the configured model loads from


@dataclass(frozen=True)
class Progress:
    """A build's progress, reported to a callback as it goes."""

    stage: str  # "read" (counts article files) or "embed" (counts passages)
    done: int
    total: int


@dataclass(frozen=True)
class StoredPassage:
    """A passage as the store holds it, with its article's details (for ranking and quoting)."""

    id: int
    article_id: str
    position: int
    text: str
    sentences: tuple[tuple[int, int], ...]
    title: str
    date: str | None
    source: str
    language: str


@dataclass(frozen=True)
class LinkOutcome:
    """What became of one link given to ``newsdesk add``, the bot, or found in a feed."""

    url: str  # as given
    status: str  # "added", "already" (same URL or same content) or "failed"
    reason: str = ""  # for "already": what it duplicates; for "failed": why
    title: str = ""
    source: str = ""  # the URL the page was saved under (after redirects)
    path: str = ""  # the saved file, relative to the articles folder
    transient: bool = False  # a failure worth trying again later (timeout, 5xx…)


@dataclass(frozen=True)
class LinkReport:
    """What adding some links did: one outcome per link, and the one re-index that followed."""

    outcomes: tuple[LinkOutcome, ...] = ()
    build: BuildReport | None = None  # None when nothing was added, or a re-index was already running
    busy: bool = False  # pages were saved but another re-index was running: the next one indexes them

    def of(self, status: str) -> tuple[LinkOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.status == status)


@dataclass(frozen=True)
class FeedInfo:
    """One subscribed feed, as ``newsdesk feeds list`` and ``/feeds`` show it."""

    url: str
    title: str
    items: int  # items in the feed when it was last read
    added: str  # ISO 8601, UTC
    last_success: str | None = None
    last_error: str | None = None  # the last round's error; None once a round succeeds
    last_error_at: str | None = None


@dataclass(frozen=True)
class FeedPoll:
    """What one poll round did with one feed."""

    url: str
    title: str
    status: str  # "read", "unchanged" (304) or "failed"
    items: int = 0  # items in the feed
    new: int = 0  # items not seen before, fetched this round
    broken: int = 0  # items skipped for want of a usable link
    error: str = ""


@dataclass(frozen=True)
class PollReport:
    """One poll round: each feed, the new items fetched, and the one re-index."""

    feeds: tuple[FeedPoll, ...] = ()
    links: LinkReport = field(default_factory=LinkReport)


@dataclass(frozen=True)
class FileRecord:
    """An article file as the index last read it: its content hash, size, modification and change
    times (-1 when too recent to vouch for the content, see ``plan``)."""

    digest: str
    size: int
    mtime_ns: int
    ctime_ns: int

    def same_stat(self, status) -> bool:
        """Whether ``os.stat`` says the file is as recorded (a chmod changes its change time)."""
        return (self.size, self.mtime_ns, self.ctime_ns) == (status.st_size, status.st_mtime_ns, status.st_ctime_ns)


@dataclass(frozen=True)
class Segment:
    """A vector segment file of an index, as the store records it."""

    id: int
    file: str  # its name in the index's segments folder
    kind: str  # the FAISS index type, e.g. "flat" or "ivf1024"
    vectors: int  # vectors written in it (some may be dropped since)
    first_id: int  # the lowest and highest vector id it holds: segments hold disjoint runs of ids
    last_id: int
    bytes: int
    blake2b: str
