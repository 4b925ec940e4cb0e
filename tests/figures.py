"""Figures the reliability tests measure, printed as one table at the end of the run.

A test calls ``record(kind, tried, survived)`` with what it caused and what came
through (faults caused and survived, bad inputs tried and handled) before it
asserts they match; ``tests/conftest.py`` prints the table, and
``bench/reliability.py`` runs exactly the tests that feed it.
"""

from __future__ import annotations

from dataclasses import dataclass


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


def table() -> list[str]:
    """The figures, one line each."""
    width = max((len(kind) for kind in FIGURES), default=0)
    lines = [f"{'what':<{width}}  {'tried':>6}  {'survived':>8}  notes"]
    for kind, figure in FIGURES.items():
        lines.append(f"{kind:<{width}}  {figure.tried:>6}  {figure.survived:>8}  {figure.notes}")
    return lines
