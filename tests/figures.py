"""Figures the reliability tests measure, printed as one table at the end of the run.

A test calls ``record(kind, tried, survived)`` with what it caused and what came
through (faults caused and survived, bad inputs tried and handled), both counted
from what it observed, before it asserts they match: a failing run still reports
its true figure. A test of one fault or one input runs its checks inside
``trial(kind)``, which records that try as survived only if every check passed.
``tests/conftest.py`` prints the table (under pytest-xdist, after merging what each worker
counted: ``exported`` and ``merge``), and ``bench/reliability.py`` runs exactly
the tests that feed it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass
class Figure:
    tried: int = 0
    survived: int = 0
    notes: str = ""


FIGURES: dict[str, Figure] = {}


def record(kind: str, tried: int, survived: int, notes: str = "") -> None:
    """Add ``tried`` faults or inputs of ``kind``, of which ``survived`` came through as they should."""
    figure = FIGURES.setdefault(kind, Figure())
    figure.tried += tried
    figure.survived += survived
    if notes and notes not in figure.notes.split("; "):
        figure.notes = f"{figure.notes}; {notes}" if figure.notes else notes


@contextlib.contextmanager
def trial(kind: str, notes: str = "") -> Iterator[None]:
    """One fault or input of ``kind``: survived if the block's checks pass, not survived (and the
    failure raised on) if one fails."""
    try:
        yield
    except (Exception, pytest.fail.Exception):  # a skip (another BaseException) is not a try
        record(kind, 1, 0, notes)
        raise
    record(kind, 1, 1, notes)


def table() -> list[str]:
    """The figures, one line each."""
    width = max((len(kind) for kind in FIGURES), default=0)
    lines = [f"{'what':<{width}}  {'tried':>6}  {'survived':>8}  notes"]
    for kind, figure in FIGURES.items():
        lines.append(f"{kind:<{width}}  {figure.tried:>6}  {figure.survived:>8}  {figure.notes}")
    return lines


def exported() -> dict[str, list]:
    """The figures as plain data (a pytest-xdist worker sends them to the controller)."""
    return {kind: [f.tried, f.survived, f.notes] for kind, f in FIGURES.items()}


def merge(figures: dict[str, list]) -> None:
    """Add a worker's ``exported`` figures to this process's."""
    for kind, (tried, survived, notes) in figures.items():
        for note in filter(None, notes.split("; ")):
            record(kind, 0, 0, note)
        record(kind, tried, survived)
