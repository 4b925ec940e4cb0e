"""``index``'s public surface: the names in ``index.__all__`` are what the edges use, and all they use."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import index

ROOT = Path(__file__).resolve().parents[2]
EDGE_MODULES = ("cli",)  # bot.cli extends the `newsdesk` command line, an edge of its own


def imports_from_index(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every ``from index… import name`` in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "index"
        for alias in node.names
    ]


@pytest.mark.parametrize("name", index.__all__)
def test_every_public_name_resolves(name):
    assert getattr(index, name) is not None


@pytest.mark.parametrize("path", sorted((ROOT / "bot").glob("*.py")), ids=lambda path: path.name)
def test_the_bot_uses_only_the_public_surface(path):
    found = imports_from_index(path)
    assert all(module == "index" for module, _ in found), f"{path.name} reaches past the facade: {found}"
    assert {name for _, name in found} <= set(index.__all__) | set(EDGE_MODULES)


def test_every_public_name_is_used_by_an_edge_or_named_by_the_facade():
    """No dead names in ``__all__``: each is imported by the bot or the CLI, or is an error or
    record the facade's methods raise or return."""
    used = {name for path in [*ROOT.glob("bot/*.py"), *ROOT.glob("index/*cli.py")] for _, name in imports_from_index(path)}
    facade = (ROOT / "index" / "archive.py").read_text(encoding="utf-8")
    assert [name for name in index.__all__ if name not in used and name not in facade] == []


def test_importing_the_settings_loads_no_search_library():
    script = "import sys; from index import Settings, NewsdeskError; print(sorted({'faiss', 'torch', 'sqlite_utils'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_nothing_public_is_left_out_of_the_list():
    public = {name for name, value in vars(index).items() if not name.startswith("_") and not isinstance(value, type(index))}
    assert public <= set(index.__all__)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Library'"):
        index.Library  # noqa: B018
