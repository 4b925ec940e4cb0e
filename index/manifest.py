"""The manifest: what built an index and what it holds, kept in the store's ``meta`` table.

It is written once per update, in the same transaction as the passages it counts,
so a reader never sees a manifest that disagrees with the data. ``generation`` goes
up by one with every committed update: an open archive compares it with the one it
loaded to know that it must catch up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import MISSING, dataclass, fields, replace

from index.errors import IndexCorruptError, ModelMismatchError


@dataclass(frozen=True)
class Manifest:
    """One index's identity (model, formats) and its counts at one generation."""

    model: str
    dimension: int
    schema: int
    pipeline: str  # assembly.PIPELINE_VERSION: how articles are read and split
    generation: int = 0
    articles: int = 0
    passages: int = 0
    vectors: int = 0
    built_at: str = ""  # ISO 8601, UTC: when the last update was committed

    def to_meta(self) -> dict[str, str]:
        """The manifest as the ``meta`` table's key/value rows."""
        return {field.name: str(getattr(self, field.name)) for field in fields(self)}

    @classmethod
    def from_meta(cls, meta: dict[str, str]) -> "Manifest":
        """The manifest the ``meta`` table holds; ``IndexCorruptError`` when a value is missing or malformed."""
        values: dict[str, object] = {}
        for field in fields(cls):
            if field.name not in meta:
                if field.default is MISSING:
                    raise IndexCorruptError(f"the index records no {field.name}")
                continue
            values[field.name] = _parse(field.name, meta[field.name], field.type)
        return cls(**values)  # type: ignore[arg-type]

    def updated(self, articles: int, passages: int, vectors: int) -> "Manifest":
        """The manifest of the next generation, holding these counts."""
        return replace(
            self, generation=self.generation + 1, articles=articles, passages=passages, vectors=vectors,
            built_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        )

    def check_model(self, identity: str) -> None:
        """Raise ``ModelMismatchError`` unless the index was built by the model ``identity``."""
        if self.model != identity:
            raise ModelMismatchError(
                f"the index was built with the model {self.model!r} but {identity!r} "
                "is configured: rebuild it with `newsdesk index --full` (or set NEWSDESK_MODEL back)"
            )

    def same_version(self, schema: int, pipeline: str) -> bool:
        return (self.schema, self.pipeline) == (schema, pipeline)


def _parse(name: str, text: str, kind: object) -> object:
    if kind in (int, "int"):
        try:
            return int(text)
        except ValueError:
            raise IndexCorruptError(f"the index's {name} is not a number ({text[:40]!r})") from None
    return text
