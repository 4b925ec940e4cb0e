"""`newsdesk` with the model-free ``FakeEmbedder``: ``python -m tests.fakes.newsdesk index``.

For tests of what a build does when it is killed, its writes fail or its articles cannot be
read, where the model does not matter: the command is the real one, only the embedder differs,
so its runs spend their time reading and writing instead of loading and running the model.
"""

from __future__ import annotations

import sys

from bot import cli
from index import archive, quotes
from tests.fakes.embedder import CALIBRATION, IDENTITY, FakeEmbedder

archive.Embedder = lambda model, models_dir=None: FakeEmbedder()  # what every Archive makes
quotes.CALIBRATIONS[IDENTITY] = CALIBRATION  # its answers judged as the fake_embedder fixture's are

if __name__ == "__main__":
    sys.exit(cli.main())
