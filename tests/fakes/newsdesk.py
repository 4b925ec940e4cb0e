"""`newsdesk` with the model-free ``FakeEmbedder``: ``python -m tests.fakes.newsdesk index``.

For tests of what a build does to the disk when it is killed or its writes fail, where the model
does not matter: the command is the real one, only the embedder differs, so its runs spend their
time writing instead of loading and running the model.
"""

from __future__ import annotations

import sys

from bot import cli
from index import archive
from tests.fakes.embedder import FakeEmbedder

archive.Embedder = lambda model, models_dir=None: FakeEmbedder()  # what every Archive makes

if __name__ == "__main__":
    sys.exit(cli.main())
