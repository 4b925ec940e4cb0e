"""Reliability figures: faults caused and survived, bad inputs tried and handled, in one run.

Runs the tests that break things on purpose (SIGKILLed builds, damaged index files, full disks
and file-size limits, a read-only folder, the Bot API failing under the running bot, /reindex
under load, hostile questions, article files and uploads, the admin guard, the token in the
logs, the per-user limit) and prints what each caused and how much of it came through as it
should. The baseline is the issue's: every fault survived, every bad input handled, nothing lost.
Takes about 10 minutes on two busy cores.

    python bench/reliability.py [extra pytest arguments]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from tests import figures  # noqa: E402

TESTS = [
    "tests/index/test_killed_builds.py",
    "tests/index/test_interrupted.py",
    "tests/index/test_damaged_index.py",
    "tests/index/test_write_failures.py",
    "tests/index/test_bad_articles.py",
    "tests/index/test_intake.py",
    "tests/index/test_questions.py",
    "tests/index/test_fetcher.py",
    "tests/bot/test_api_faults.py",
    "tests/bot/test_delivery.py",
    "tests/bot/test_reindex_under_load.py",
    "tests/bot/test_load.py",
    "tests/bot/test_startup.py",
    "tests/bot/test_render.py",
    "tests/bot/test_bad_questions.py",
    "tests/bot/test_uploads.py",
    "tests/bot/test_guard.py",
    "tests/bot/test_authorization.py",
    "tests/bot/test_access.py",
    "tests/bot/test_lost_answers.py",
    "tests/bot/test_token.py",
    "tests/bot/test_limits.py",
    "tests/test_docker.py",
]


def main(extra: list[str]) -> int:
    code = pytest.main(["-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT), *[str(ROOT / t) for t in TESTS], *extra])
    lost = [kind for kind, figure in figures.FIGURES.items() if figure.survived != figure.tried]
    print("\nreliability: " + ("every fault survived, every bad input handled" if not lost and code == 0
                               else f"NOT ALL SURVIVED: {', '.join(lost) or 'see the failed tests'}"))
    print("baseline (the issue): survived == tried on every line; command: python bench/reliability.py")
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
