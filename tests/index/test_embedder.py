"""Late-chunked sentence vectors: batched longest first, returned in the caller's order."""

from __future__ import annotations

import numpy as np

from index.config import load_settings
from index.embedder import Embedder

TEXTS = [
    "Minsk. Lukashenko e Putin si sono incontrati. Hanno firmato un accordo sul gas.",
    "Breve.",
    "Una frase molto più lunga delle altre, che parla di prestiti, di banche e di debito pubblico "
    "nella Bielorussia del 2020. Poi una seconda frase.",
    "Mosca. Il Cremlino ha risposto.",
    "Vilnius. L'opposizione si è riunita in esilio. Tichanovskaja ha parlato.",
]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for end in [i + 1 for i, ch in enumerate(text) if ch == "."] or [len(text)]:
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    return spans


def test_vectors_come_back_in_the_callers_order_whatever_the_batches(embedder):
    spans = [sentence_spans(t) for t in TEXTS]
    small = Embedder(embedder.identity, batch_size=2, models_dir=load_settings().models_dir)
    counted = []
    batched = small.encode_sentences(TEXTS, spans, progress=counted.append)
    one_by_one = [embedder.encode_sentences([t], [s])[0] for t, s in zip(TEXTS, spans)]
    assert counted == [2, 2, 1]
    for got, alone, text_spans in zip(batched, one_by_one, spans):
        assert got.shape == (len(text_spans), embedder.dimension) and got.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
        np.testing.assert_allclose(got, alone, atol=1e-4)  # padding never changes a vector


def test_a_sentence_vector_is_near_its_own_text(embedder):
    text = TEXTS[0]
    vectors = embedder.encode_sentences([text], [sentence_spans(text)])[0]
    gas = embedder.encode_one("accordo sul gas")
    assert int(np.argmax(vectors @ gas)) == 2


def test_nothing_to_encode(embedder):
    assert embedder.encode_sentences([], []) == []


def test_private_tokenizer_counts_and_offsets_as_the_models_own(embedder):
    from tests.conftest import SEEDS

    texts = [p for path in sorted(SEEDS.iterdir()) for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    texts += ["x " * 400, ""]  # one beyond the model's window, one empty
    tokenizer = embedder.model.tokenizer
    own = tokenizer(texts, add_special_tokens=False, truncation=False, verbose=False)["input_ids"]
    assert embedder.count_tokens(texts) == [len(ids) for ids in own]
    own = tokenizer(texts, return_offsets_mapping=True, truncation=True, max_length=embedder.max_tokens)["offset_mapping"]
    for mine, theirs in zip(embedder._token_offsets(texts), own):
        np.testing.assert_array_equal(np.array(mine), np.array(theirs))
    for mine, theirs, text in zip(embedder._offsets(texts), own, texts):  # pooled spans: the word, no space
        trimmed = [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in theirs]
        np.testing.assert_array_equal(mine, np.array([(s, e) if s < e else (0, 0) for s, e in trimmed]))


def test_a_question_is_encoded_on_one_core_and_the_threads_are_set_back(embedder, monkeypatch):
    import torch

    from index import embedder as embedder_module

    model, seen = embedder.model, []
    encode = model.encode
    monkeypatch.setattr(model, "encode", lambda *args, **kwargs: seen.append(torch.get_num_threads()) or encode(*args, **kwargs))
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        question = embedder.encode_question("Che cosa è stato concordato a Minsk?")
        passage = embedder.encode(["Che cosa è stato concordato a Minsk?"], kind=embedder_module.QUERY)[0]
        after = torch.get_num_threads()
    finally:
        torch.set_num_threads(before)
    assert seen == [embedder_module.QUESTION_THREADS, 2] and after == 2
    assert float(question @ passage) > 0.99999  # the same vector, whatever the cores
