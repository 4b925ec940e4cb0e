"""The ``newsdesk`` command: index, stats, ask (text, JSON, batch) and its error messages."""

from __future__ import annotations

import io
import json

import pytest

from bot.cli import main


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
    assert "articles:  5 (it 5)" in out and "2020-09 to 2022-12-20" in out and "all-MiniLM-L6-v2" in out


def test_full_rebuild(indexed, capsys):
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
    monkeypatch.setattr("sys.stdin", io.StringIO("Chi ha incontrato Lavrov?\n\nWhat did Peskov say?\n"))
    code, out, _ = run(capsys, "ask", "--batch", "-")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["question"] for r in records] == ["Chi ha incontrato Lavrov?", "", "What did Peskov say?"]
    assert "error" in records[1] and "answers" in records[2]
    assert code == 1  # one line was an empty question


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
