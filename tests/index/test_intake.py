"""Uploads: hostile names are refused or safely renamed, wrong types and sizes refused, and
nothing is ever written outside the articles folder."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from index import intake
from index.errors import UploadError
from tests import figures

ARTICLE = (
    "Vertice a Vilnius sulla difesa del Baltico\n\n"
    "I ministri della Difesa di Lituania, Lettonia ed Estonia si sono incontrati a Vilnius "
    "e hanno deciso di acquistare insieme sistemi di difesa aerea."
).encode()

NAMES = [  # (name as the upload gave it, the name it is saved under; None: refused)
    ("../../etc/passwd", None),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("/etc/cron.d/evil.txt", "evil.txt"),
    ("..\\..\\Windows\\win.md", "win.md"),
    ("C:\\Users\\anna\\nota.TXT", "nota.txt"),
    ("a/../../b.txt", "b.txt"),
    ("a\x00b.txt", "ab.txt"),
    ("evil.txt\x00.pdf", None),
    ("name\n\r\t.txt", "name.txt"),
    ("\u202etxt.exe", None),
    ("ｅｖｉｌ／ｐａｔｈ.txt", "path.txt"),  # full-width solidus: a slash after NFKC
    ("%2e%2e%2fx.txt", "2e_2e_2fx.txt"),
    (".bashrc.txt", "bashrc.txt"),
    ("..", None),
    (".", None),
    ("", None),
    ("   .txt", None),
    ("x" * 300 + ".txt", "x" * 96 + ".txt"),
    ("一" * 120 + ".md", "一" * 65 + ".md"),
    ("-rf .txt", "rf_.txt"),
    ("report.pdf", None),
    ("run.sh", None),
    ("article", None),
]


def files_outside(root: Path, articles: Path) -> set[Path]:
    return {p for p in root.rglob("*") if not p.is_relative_to(articles)}


@pytest.mark.parametrize("name, saved", NAMES, ids=[repr(n)[:40] for n, _ in NAMES])
def test_hostile_names_are_refused_or_renamed_inside_articles(tmp_path, name, saved):
    articles = tmp_path / "data" / "articles"
    articles.mkdir(parents=True)
    before = files_outside(tmp_path, articles)
    with figures.trial("hostile upload names"):
        if saved is None:
            with pytest.raises(UploadError):
                intake.save_article(articles, name, ARTICLE)
        else:
            path = intake.save_article(articles, name, ARTICLE)
            assert path == articles.resolve() / saved and path.read_bytes() == ARTICLE
        assert files_outside(tmp_path, articles) == before
        assert not [p for p in articles.iterdir() if p.name.startswith(".")]  # no staging file left


CONTENTS = [  # (name, content, reason given)
    ("big.txt", b"parola " * (intake.MAX_UPLOAD_BYTES // 7 + 1), "the limit is 5 MB"),
    ("empty.txt", b"", "the file is empty"),
    ("binary.txt", bytes(range(256)) * 40, "binary file"),
    ("elf.md", b"\x7fELF\x02\x01\x01" + bytes(2000), "binary file"),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("bad.json", b'{"title": "x", "text": "abc', "malformed JSON"),
    ("no_text.json", b'{"title": "x"}', "no article text found"),
    ("scripts.html", b"<script>alert(1)</script>", "no article text found"),
    ("utf16.txt", "Il governo ha annunciato nuove misure economiche.".encode("utf-16-le") * 10, "binary file"),  # no BOM
]


@pytest.mark.parametrize("name, content, reason", CONTENTS, ids=[c[0] for c in CONTENTS])
def test_wrong_contents_and_sizes_are_refused(tmp_path, name, content, reason):
    articles = tmp_path / "articles"
    with figures.trial("refused upload contents and sizes"):
        with pytest.raises(UploadError, match=reason):
            intake.save_article(articles, name, content)
        assert not articles.exists() or list(articles.iterdir()) == []


@pytest.mark.parametrize("name, content", [
    ("sjis.txt", "東京都の知事が説明した。".encode("shift_jis") * 10),
    ("praha.txt", "Vláda schválila rozpočet. Ministr financí řekl, že největší část výdajů půjde na důchody.".encode("cp1250")),
])
def test_uploads_in_other_encodings_are_accepted_as_they_are(tmp_path, name, content):
    path = intake.save_article(tmp_path / "articles", name, content)
    assert path.read_bytes() == content


def test_same_name_other_content_is_renamed_same_content_reused(tmp_path):
    articles = tmp_path / "articles"
    first = intake.save_article(articles, "nota.txt", ARTICLE)
    again = intake.save_article(articles, "nota.txt", ARTICLE)
    other = intake.save_article(articles, "nota.txt", ARTICLE + b" Altro.")
    assert first == again and other.name == "nota-2.txt"


def test_a_symlink_out_of_articles_is_not_written_through(tmp_path):
    articles, outside = tmp_path / "articles", tmp_path / "outside.txt"
    articles.mkdir()
    outside.write_text("untouched")
    (articles / "nota.txt").symlink_to(outside)
    with pytest.raises(UploadError, match="unsafe file name"):
        intake.save_article(articles, "nota.txt", ARTICLE)
    assert outside.read_text() == "untouched"


NAME_PARTS = st.sampled_from(["..", ".", "/", "\\", "\x00", "\n", "~", " ", "txt", ".txt", ".md", "a", "é", "一", "😀", "\u202e", "%2f"])


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.text(max_size=300), st.lists(NAME_PARTS, max_size=40).map("".join)))
def test_any_name_is_refused_or_saved_inside_articles(name):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        articles = root / "data" / "articles"
        with figures.trial("generated upload names"):
            try:
                path = intake.save_article(articles, name, ARTICLE)
            except UploadError:
                path = None
            if path is not None:
                assert path.parent == articles.resolve() and not path.name.startswith(".")
                assert len(path.name.encode()) <= 255 and path.suffix in intake.UPLOAD_SUFFIXES
            assert files_outside(root, articles) <= {root / "data"}


def test_an_upload_of_unknown_size_is_checked_by_its_bytes(tmp_path):
    """Telegram's ``file_size`` is optional: without it the check before the download is by name only."""
    assert intake.check_upload("nota.txt", None) == "nota.txt"
    with pytest.raises(UploadError, match="only .txt"):
        intake.check_upload("nota.exe", None)
    articles = tmp_path / "articles"
    with pytest.raises(UploadError, match="the limit is 5 MB"):  # what was downloaded is checked again
        intake.save_article(articles, "big.txt", b"parola " * (intake.MAX_UPLOAD_BYTES // 7 + 1))
    with pytest.raises(UploadError, match="the file is empty"):
        intake.save_article(articles, "empty.txt", b"")
    assert intake.save_article(articles, "nota.txt", ARTICLE).read_bytes() == ARTICLE


@pytest.mark.parametrize("size, reason", [(0, "the file is empty"), (intake.MAX_UPLOAD_BYTES + 1, "the limit is 5 MB")])
def test_a_known_size_is_checked_before_the_download(size, reason):
    with pytest.raises(UploadError, match=reason):
        intake.check_upload("nota.txt", size)
