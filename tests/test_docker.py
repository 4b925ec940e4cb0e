"""The Docker image runs as a non-root user and writes only to its data volume (read from the
Dockerfile; skipped when there is none)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import PurePosixPath

import pytest

from tests.conftest import ROOT

DOCKERFILE = ROOT / "Dockerfile"
pytestmark = pytest.mark.skipif(not DOCKERFILE.is_file(), reason="no Dockerfile yet")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the final stage, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            if word.upper() == "FROM":
                found = []  # a new stage: only the last one is the image
            found.append((word.upper(), rest.strip()))
    return found


def values(name: str) -> list[str]:
    return [rest for word, rest in instructions() if word == name]


def environment() -> dict[str, str]:
    env = {}
    for rest in values("ENV"):
        parts = shlex.split(rest)
        if parts and "=" not in parts[0]:  # ENV NAME value
            env[parts[0]] = " ".join(parts[1:])
        else:
            env.update(part.split("=", 1) for part in parts)
    return env


def volumes() -> list[PurePosixPath]:
    found = []
    for rest in values("VOLUME"):
        paths = json.loads(rest) if rest.startswith("[") else rest.split()
        found += [PurePosixPath(p) for p in paths]
    return found


def inside_a_volume(path: str) -> bool:
    return any(PurePosixPath(path).is_relative_to(volume) for volume in volumes())


def test_runs_as_a_user_that_is_not_root():
    users = values("USER")
    assert users, "no USER: the image would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    created = " ".join(values("RUN"))
    uid = re.search(rf"(?:useradd|adduser)\b[^&;]*--uid\s+(\d+)[^&;]*\b{re.escape(user)}\b", created)
    assert uid is None or int(uid.group(1)) != 0


def test_writes_only_to_the_data_volume():
    env = environment()
    assert volumes(), "no VOLUME for the data"
    assert inside_a_volume(env.get("NEWSDESK_DATA_DIR", "/app/data"))
    for name in ("NEWSDESK_INDEX_DIR", "HF_HOME", "TRANSFORMERS_CACHE", "SENTENCE_TRANSFORMERS_HOME"):
        if name in env:
            assert inside_a_volume(env[name]), f"{name} writes outside the data volume"
    assert env.get("PYTHONDONTWRITEBYTECODE") == "1"  # no .pyc written beside the code
    for rest in values("RUN"):
        for owned in re.findall(r"chown\s+(?:-R\s+)?\S+\s+(\S+)", rest):
            assert inside_a_volume(owned), f"{owned} is made writable outside the data volume"
        assert "777" not in rest


def test_starts_the_bot():
    assert "newsdesk" in values("CMD")[-1] and "bot" in values("CMD")[-1]
