"""Uploads through the bot with hostile names: refused or saved under a safe name inside
data/articles/, and nothing is written anywhere else; a non-admin's upload writes nothing."""

from __future__ import annotations

from tests import figures
from tests.bot.conftest import ADMIN_ID
from tests.bot.test_admin import VILNIUS, text_of

UPLOADS = [  # (file name sent, what the admin is told)
    ("../../etc/passwd", "I could not add this file: only .txt"),
    ("/etc/cron.d/evil.txt", "Added evil.txt"),
    ("..\\..\\Windows\\win.md", "Added win.md"),
    ("a\x00b.txt", "Added ab.txt"),
    ("一" * 120 + ".txt", "Added " + "一" * 65 + ".txt"),
    ("../.bashrc", "I could not add this file: only .txt"),
    ("notes.txt.exe", "I could not add this file: only .txt"),
    ("empty.txt", "I could not add this file: the file is empty"),
]


def outside_articles(data_dir) -> set:
    articles, index = data_dir / "articles", data_dir / "index"
    root = data_dir.parent
    return {p for p in root.rglob("*") if not (p.is_relative_to(articles) or p.is_relative_to(index))}


async def test_hostile_upload_names(server, app, bot_settings):
    data = bot_settings.index.data_dir
    before, articles_before = outside_articles(data), set(bot_settings.index.articles_dir.iterdir())
    admin = server.user(ADMIN_ID, "Admin")
    wrong = []  # (name, what went wrong) of each upload not handled as it should be
    for number, (name, told) in enumerate(UPLOADS, start=1):
        content = b"" if name == "empty.txt" else VILNIUS.replace("Vilnius", f"Vilnius {number}").encode()
        server.document_message(admin, admin, content, name, "text/plain")
        replies = await server.wait_for_messages(admin, number, timeout=60)  # one at a time: each is indexed
        if not text_of(replies[-1]).startswith(told):
            wrong.append((name, text_of(replies[-1])))
        if outside_articles(data) != before:
            wrong.append((name, "wrote outside articles/"))
    mallory = server.user(44, "Mallory")
    articles_by_admin = set(bot_settings.index.articles_dir.iterdir())
    server.document_message(mallory, mallory, VILNIUS.encode(), "../../owned.txt", "text/plain")
    await server.wait_for_messages(mallory, 1, timeout=30)
    if outside_articles(data) != before or set(bot_settings.index.articles_dir.iterdir()) != articles_by_admin:
        wrong.append(("../../owned.txt", "a non-admin's upload was written"))
    added = {p.name for p in articles_by_admin - articles_before}
    figures.record("hostile upload names through the bot", len(UPLOADS) + 1, len(UPLOADS) + 1 - len({n for n, _ in wrong}))
    assert not wrong, wrong
    assert added == {"evil.txt", "win.md", "ab.txt", "一" * 65 + ".txt"}


async def test_a_document_without_file_size_is_added_or_refused_by_its_bytes(server, app, bot_settings):
    """``file_size`` is optional in the Bot API: the bot downloads the file and checks what it got."""
    admin = server.user(ADMIN_ID, "Admin")
    big = b"parola " * (5 * 1024 * 1024 // 7 + 1)
    sent = [
        ("vilnius.txt", VILNIUS.encode(), "Added vilnius.txt"),
        ("grande.txt", big, "I could not add this file: the file is 5.0 MB; the limit is 5 MB"),
        ("vuoto.txt", b"", "I could not add this file: the file is empty"),
    ]
    for number, (name, content, told) in enumerate(sent, start=1):
        server.document_message(admin, admin, content, name, "text/plain", with_size=False)
        replies = await server.wait_for_messages(admin, number, timeout=60)
        assert text_of(replies[-1]).startswith(told), (name, text_of(replies[-1]))
    assert {p.name for p in bot_settings.index.articles_dir.iterdir()} >= {"vilnius.txt"}
    assert not (bot_settings.index.articles_dir / "grande.txt").exists()
