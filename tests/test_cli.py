"""The ``newsdesk`` command: index, stats, ask (text, JSON, batch) and its error messages."""

from __future__ import annotations

import io
import json
import os
import random
import sqlite3
import subprocess
import sys
import time

import pytest

from bot.cli import main
from index import archive, snapshot
from tests.index.runs import ROOT


def use(monkeypatch, settings):
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("NEWSDESK_INDEX_DIR", raising=False)
    monkeypatch.delenv("NEWSDESK_MODEL", raising=False)
    return settings


@pytest.fixture
def env(settings, monkeypatch, embedder):
    """A data folder with articles and no index yet."""
    return use(monkeypatch, settings)


@pytest.fixture
def indexed(built, monkeypatch, embedder):
    """A data folder with the seed archive already indexed."""
    return use(monkeypatch, built)


@pytest.fixture
def fake_indexed(fake_built, fake_embedder, monkeypatch):
    """``indexed`` by the model-free fake embedder, which `newsdesk` then uses too: for commands whose
    behaviour does not depend on what the vectors mean (as ``python -m tests.fakes.newsdesk``)."""
    monkeypatch.setattr(archive, "Embedder", lambda model, models_dir=None: fake_embedder)
    return use(monkeypatch, fake_built)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_index_then_no_op_then_stats(env, capsys):
    code, out, _ = run(capsys, "index")
    assert code == 0 and out.startswith("added 5, updated 0, removed 0, unchanged 0 articles;")
    code, out, _ = run(capsys, "index")
    assert code == 0 and out.startswith("added 0, updated 0, removed 0, unchanged 5 articles; 0 passages")
    code, out, _ = run(capsys, "stats")
    assert code == 0
    assert "articles:  5 (it 5)" in out and "2020-09 to 2022-12-20" in out and "multilingual-e5-small" in out


def test_full_rebuild(fake_indexed, capsys):
    code, out, _ = run(capsys, "index", "--full")
    assert code == 0 and "added 5" in out and "(full rebuild)" in out


def test_ask_json_shape(indexed, capsys):
    code, out, _ = run(capsys, "ask", "What was agreed in Minsk in December 2022?", "--json", "-k", "2")
    response = json.loads(out)
    assert code == 0 and set(response) >= {"question", "no_answer", "answers"}
    assert response["no_answer"] is False and len(response["answers"]) == 2
    for answer in response["answers"]:
        assert set(answer) >= {"article_id", "title", "date", "source", "quote", "passage", "score", "confidence", "uncertain"}
        assert answer["quote"] in answer["passage"]
        assert isinstance(answer["score"], float) and isinstance(answer["uncertain"], bool)
        assert 0 <= answer["confidence"] <= 1
    assert 0 < response["relatedness"] <= 1


def test_ask_for_people(indexed, capsys):
    code, out, _ = run(capsys, "ask", "Chi è Dmitry Peskov?")
    assert code == 0 and out.startswith("Q: Chi è Dmitry Peskov?") and "1. " in out


def test_an_uncertain_answer_has_a_caveat_for_people():
    from index.cli import format_response
    from index.records import Answer, Response

    sure = Answer("a.txt", "Sure", "2022-12", "a.txt", "Quote one.", "Quote one.", 2.0, confidence=0.9)
    unsure = Answer("b.txt", "Unsure", None, "b.txt", "Quote two.", "Quote two.", 1.0, confidence=0.2, uncertain=True)
    out = format_response(Response("q?", no_answer=False, answers=(sure, unsure)))
    assert out.count("(not sure this answers it)") == 1
    assert out.index("Unsure") < out.index("(not sure this answers it)") < out.index("Quote two.")


def test_batch_reads_lines_and_writes_json_lines(indexed, capsys, monkeypatch):
    lines = "Chi ha incontrato Lavrov?\n\n \t\nWhat did Peskov say?\n\u3000\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    code, out, err = run(capsys, "ask", "--batch", "-")
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["line"], r["question"]) for r in records] == [(1, "Chi ha incontrato Lavrov?"), (4, "What did Peskov say?")]
    assert all("answers" in r and "error" not in r for r in records)
    assert err == "newsdesk: skipped 3 blank lines\n"
    assert code == 0  # a blank line is no failed question


@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_empty_question_is_an_error(indexed, capsys, question):
    code, out, err = run(capsys, "ask", question)
    assert code == 1 and out == "" and "question is empty" in err and "Traceback" not in err


def test_missing_index_says_how_to_build_it(env, capsys):
    code, _, err = run(capsys, "ask", "Chi è Dmitry Peskov?")
    assert code == 1 and "newsdesk index" in err


def test_missing_batch_file(indexed, capsys, tmp_path):
    code, _, err = run(capsys, "ask", "--batch", str(tmp_path / "nope.txt"))
    assert code == 1 and "cannot read" in err


def downgrade_to_schema_3(index_dir) -> None:
    """Make the live snapshot one that Newsdesk built before updates in place (schema 3)."""
    conn = sqlite3.connect(snapshot.store_path(snapshot.current(index_dir)))
    with conn:
        conn.executescript("DROP TABLE segments; DROP TABLE dropped; PRAGMA user_version = 3;")
    conn.close()


def test_an_index_of_the_previous_schema_is_rebuilt_whole(fake_indexed, capsys):
    downgrade_to_schema_3(fake_indexed.index_dir)
    code, _, err = run(capsys, "ask", "Chi è Dmitry Peskov?")
    assert code == 1 and "another version of Newsdesk" in err and "newsdesk index" in err
    code, out, _ = run(capsys, "index")
    assert code == 0 and out.startswith("added 5, updated 0, removed 0, unchanged 0 articles;") and "(full rebuild)" in out
    code, out, _ = run(capsys, "ask", "Chi è Dmitry Peskov?")
    assert code == 0 and out.startswith("Q: Chi è Dmitry Peskov?")


# --- batches of bytes, as a shell pipes them: a real process, real bytes -------------------
# The process is `newsdesk` with the fake embedder (tests/fakes/newsdesk.py): what is tested is how
# it reads, decodes and writes lines, which does not depend on the model, and loading the real one
# would cost each run some ten seconds of CPU.

GOOD = (b"Chi ha incontrato Lavrov a Minsk?", b"What did Peskov say?")


def newsdesk_batch(settings, data: bytes, tmp_path, source: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``newsdesk ask --batch`` fed ``data`` on standard input or in a file."""
    environ = {**os.environ, "NEWSDESK_DATA_DIR": str(settings.data_dir)}
    environ.pop("NEWSDESK_INDEX_DIR", None)
    target = "-"
    if source == "file":
        target = str(tmp_path / "questions.txt")
        (tmp_path / "questions.txt").write_bytes(data)
    return subprocess.run(
        [sys.executable, "-m", "tests.fakes.newsdesk", "ask", "--batch", target], env=environ, cwd=ROOT, timeout=timeout,
        input=data if source == "stdin" else b"", capture_output=True,
    )


def log_free(stderr: bytes) -> list[str]:
    return [line for line in stderr.decode().splitlines() if not line.startswith("20")]  # log lines carry a date


@pytest.mark.parametrize("source", ["stdin", "file"])
def test_batch_of_random_bytes_errs_per_line_and_answers_the_rest(fake_built, tmp_path, source):
    noise = random.Random(11).randbytes(8192)
    data = GOOD[0] + b"\n" + noise + b"\n" + GOOD[1] + b"\n"
    lines = data.split(b"\n")[:-1]
    result = newsdesk_batch(fake_built, data, tmp_path, source)
    assert result.returncode == 1, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [r["line"] for r in records] == [n for n, raw in enumerate(lines, start=1) if raw.strip()]
    assert records[0]["question"] == GOOD[0].decode() and records[0]["answers"]
    assert records[-1]["question"] == GOOD[1].decode() and "answers" in records[-1]
    failed = [r for r in records if "error" in r]
    assert failed and all("UTF-8" in r["error"] for r in failed)
    for record in records:
        if "error" not in record:
            lines[record["line"] - 1].decode("utf-8")  # only lines that decode were asked
    assert any(f"{len(failed)} of {len(records)}" in line for line in log_free(result.stderr))


def test_ten_megabytes_of_blank_lines_say_so_in_one_line(fake_built, tmp_path):
    data = b"\n" * 5_000_000 + b" \t\r\n" * 1_250_000 + GOOD[1] + b"\n"  # 10 MB
    started = time.monotonic()
    result = newsdesk_batch(fake_built, data, tmp_path, "stdin")
    assert time.monotonic() - started < 60
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [(r["line"], r["question"]) for r in records] == [(6_250_001, GOOD[1].decode())]
    assert log_free(result.stderr) == ["newsdesk: skipped 6,250,000 blank lines"]


def test_output_cut_short_by_its_reader_ends_quietly(fake_built, tmp_path):
    """`newsdesk ask --batch ... | head -1`: no traceback when the reader leaves."""
    questions = "\n".join(["Cosa è stato concordato a Minsk?"] * 40) + "\n"
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(fake_built.data_dir), "PYTHONPATH": str(ROOT)}
    env.pop("NEWSDESK_INDEX_DIR", None)
    pipeline = subprocess.Popen([sys.executable, "-m", "tests.fakes.newsdesk", "ask", "--batch", "-"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    pipeline.stdin.write(questions.encode())
    pipeline.stdin.close()
    pipeline.stdout.readline()
    pipeline.stdout.close()  # the reader leaves after one line
    pipeline.wait(timeout=120)
    with pipeline.stderr:
        assert b"Traceback" not in pipeline.stderr.read()
