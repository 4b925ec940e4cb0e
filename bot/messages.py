"""Every user-facing string of the bot, in English and Italian (but the commands' own
descriptions, which are in their table, ``bot.commands``).

``text(key, language, **values)`` returns the string in the language ("it" or
anything else for English); ``fill`` fills a template of the same kind (a command's).
Strings that are sent with HTML parse mode are already valid Telegram HTML; values put
into them must be escaped by the caller.
"""

from __future__ import annotations

from index import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES

ENGLISH = "en"
ITALIAN = "it"

EXAMPLES = {
    ENGLISH: ("What was agreed in Minsk in December 2022?", "Who did Lavrov meet in Minsk?"),
    ITALIAN: ("Cosa è stato concordato a Minsk a dicembre 2022?", "Chi ha incontrato Lavrov a Minsk?"),
}

STRINGS: dict[str, dict[str, str]] = {
    "start": {
        ENGLISH: (
            "Hello! I answer questions about the newsroom's articles by quoting them, with their sources.\n\n"
            "Ask me anything, for example:\n• {example1}\n• {example2}\n\n/help tells how to ask in groups and inline."
        ),
        ITALIAN: (
            "Ciao! Rispondo alle domande sugli articoli della redazione citandoli, con le loro fonti.\n\n"
            "Chiedimi qualcosa, per esempio:\n• {example1}\n• {example2}\n\n/help spiega come chiedere nei gruppi e inline."
        ),
    },
    "help": {
        ENGLISH: (
            "<b>How to ask</b>\n"
            "• In this chat: just write your question, in English or Italian.\n"
            "• In a group: <code>/ask your question</code>, mention @{bot}, or reply to one of my messages.\n"
            "• In any chat: type <code>@{bot} your question</code> and pick an answer to send.\n\n"
            "Every answer is a quote from an article, with its title, date and source. "
            "Name a period (\"in December 2022\", \"last year\") to prefer articles from it. "
            "<b>More</b> brings the next answers."
        ),
        ITALIAN: (
            "<b>Come chiedere</b>\n"
            "• In questa chat: scrivi la domanda, in italiano o in inglese.\n"
            "• In un gruppo: <code>/ask la tua domanda</code>, menziona @{bot} o rispondi a un mio messaggio.\n"
            "• In qualsiasi chat: scrivi <code>@{bot} la tua domanda</code> e scegli la risposta da inviare.\n\n"
            "Ogni risposta è una citazione da un articolo, con titolo, data e fonte. "
            "Indica un periodo (\"a dicembre 2022\", \"l'anno scorso\") per preferire gli articoli di allora. "
            "<b>Altre</b> mostra le risposte successive."
        ),
    },
    "help_admins": {ENGLISH: "<b>For admins</b>", ITALIAN: "<b>Per gli amministratori</b>"},
    "admins_mark": {ENGLISH: "admins", ITALIAN: "amministratori"},
    "ask_usage": {
        ENGLISH: "Write your question after the command, for example: /ask {example1}",
        ITALIAN: "Scrivi la domanda dopo il comando, per esempio: /ask {example1}",
    },
    "no_answer": {
        ENGLISH: "The archive holds no answer to this question.",
        ITALIAN: "L'archivio non contiene una risposta a questa domanda.",
    },
    "no_more": {
        ENGLISH: "There are no more answers in the archive.",
        ITALIAN: "Non ci sono altre risposte nell'archivio.",
    },
    "more_expired": {
        ENGLISH: "This question is too old: please ask it again.",
        ITALIAN: "Questa domanda è troppo vecchia: ripetila, per favore.",
    },
    "uncertain": {
        ENGLISH: "Not sure this answers it:",
        ITALIAN: "Non sono sicuro che risponda:",
    },
    "more_button": {ENGLISH: "More", ITALIAN: "Altre"},
    "undated": {ENGLISH: "undated", ITALIAN: "senza data"},
    "period_note": {
        ENGLISH: "Articles from {period} first.",
        ITALIAN: "Prima gli articoli di {period}.",
    },
    "error": {
        ENGLISH: "Sorry, something went wrong while answering. Please try again in a moment.",
        ITALIAN: "Scusa, qualcosa è andato storto. Riprova tra un momento.",
    },
    "too_many": {
        ENGLISH: "You are asking very quickly: please wait {seconds} s before the next question.",
        ITALIAN: "Stai chiedendo molto in fretta: aspetta {seconds} s prima della prossima domanda.",
    },
    "not_allowed": {
        ENGLISH: "Sorry, this bot answers only the newsroom's staff.",
        ITALIAN: "Spiacente, questo bot risponde solo alla redazione.",
    },
    "leaving_group": {
        ENGLISH: "This bot serves only its newsroom's groups, so it is leaving this one.",
        ITALIAN: "Questo bot serve solo i gruppi della sua redazione: lascia questo gruppo.",
    },
    "access_open": {ENGLISH: "open to everyone", ITALIAN: "aperto a tutti"},
    "access_closed": {
        ENGLISH: "newsroom only ({users} listed users, {groups} listed groups, and the admins)",
        ITALIAN: "solo redazione ({users} utenti e {groups} gruppi elencati, più gli amministratori)",
    },
    "not_admin": {
        ENGLISH: "Sorry, only the newsroom's admins can do that.",
        ITALIAN: "Spiacente, solo gli amministratori della redazione possono farlo.",
    },
    "reindex_started": {
        ENGLISH: "Re-indexing the archive…",
        ITALIAN: "Aggiorno l'indice dell'archivio…",
    },
    "progress_read": {
        ENGLISH: "Re-indexing: read {done} of {total} files…",
        ITALIAN: "Aggiornamento dell'indice: letti {done} di {total} file…",
    },
    "progress_embed": {
        ENGLISH: "Re-indexing: indexed {done} of {total} passages…",
        ITALIAN: "Aggiornamento dell'indice: indicizzati {done} di {total} passaggi…",
    },
    "reindex_done": {
        ENGLISH: "Re-index done in {seconds:.1f} s: {added} added, {updated} updated, {removed} removed, {unchanged} unchanged. "
        "The archive holds {articles} articles.",
        ITALIAN: "Indice aggiornato in {seconds:.1f} s: {added} aggiunti, {updated} aggiornati, {removed} rimossi, "
        "{unchanged} invariati. L'archivio contiene {articles} articoli.",
    },
    "reindex_skipped": {
        ENGLISH: "Skipped: {files}",
        ITALIAN: "Saltati: {files}",
    },
    "reindex_running": {
        ENGLISH: "A re-index is already running: it will be done shortly.",
        ITALIAN: "Un aggiornamento dell'indice è già in corso: finirà a breve.",
    },
    "reindex_failed": {
        ENGLISH: "The re-index failed: {reason}. The archive still answers from the previous index.",
        ITALIAN: "L'aggiornamento dell'indice non è riuscito: {reason}. L'archivio risponde ancora dall'indice precedente.",
    },
    "added": {
        ENGLISH: "Added {name} to the archive: {articles} article(s), now answerable.",
        ITALIAN: "Ho aggiunto {name} all'archivio: {articles} articolo/i, ora consultabili.",
    },
    "added_unchanged": {
        ENGLISH: "{name} is already in the archive, unchanged.",
        ITALIAN: "{name} è già nell'archivio, invariato.",
    },
    "upload_cap": {
        ENGLISH: "I could not add this file: you have added {used} MB of articles in the last 24 hours and "
        "the daily limit is {limit} MB. Try again later, or put the files in the articles folder and /reindex.",
        ITALIAN: "Non ho potuto aggiungere questo file: nelle ultime 24 ore hai aggiunto {used} MB di articoli e "
        "il limite giornaliero è {limit} MB. Riprova più tardi, o metti i file nella cartella degli articoli e usa /reindex.",
    },
    "upload_refused": {
        ENGLISH: "I could not add this file: {reason}.",
        ITALIAN: "Non ho potuto aggiungere questo file: {reason}.",
    },
    "add_usage": {
        ENGLISH: "Reply /add to a document ({file_types}, up to {upload_mb} MB), or just send me the document. "
        "To add web pages: /add followed by their links, or /add in reply to a message with links.",
        ITALIAN: "Rispondi /add a un documento ({file_types}, fino a {upload_mb} MB), o inviami direttamente il documento. "
        "Per aggiungere pagine web: /add seguito dai link, o /add in risposta a un messaggio con dei link.",
    },
    "links_fetching": {
        ENGLISH: "Fetching {count} link(s)…",
        ITALIAN: "Scarico {count} link…",
    },
    "links_added": {
        ENGLISH: "Added {count} page(s) to the archive, now answerable:",
        ITALIAN: "Ho aggiunto {count} pagina/e all'archivio, ora consultabili:",
    },
    "links_saved_busy": {
        ENGLISH: "Saved {count} page(s), but a re-index is already running: they will be answerable after the next re-index (/reindex).",
        ITALIAN: "Ho salvato {count} pagina/e, ma un aggiornamento dell'indice è già in corso: saranno consultabili dopo il prossimo (/reindex).",
    },
    "links_already": {
        ENGLISH: "Already in the archive ({count}):",
        ITALIAN: "Già nell'archivio ({count}):",
    },
    "links_failed": {
        ENGLISH: "Could not add ({count}):",
        ITALIAN: "Non aggiunti ({count}):",
    },
    "links_too_many": {
        ENGLISH: "At most {limit} links at a time: {skipped} more were not fetched.",
        ITALIAN: "Al massimo {limit} link alla volta: altri {skipped} non sono stati scaricati.",
    },
    "link_same_url": {ENGLISH: "same URL", ITALIAN: "stesso indirizzo"},
    "link_same_content": {ENGLISH: "same article under another URL", ITALIAN: "stesso articolo a un altro indirizzo"},
    "feeds_usage": {
        ENGLISH: "/feeds lists the feeds followed; /feeds add URL follows one, /feeds remove URL stops, /feeds poll reads them now.",
        ITALIAN: "/feeds elenca i feed seguiti; /feeds add URL ne segue uno, /feeds remove URL smette, /feeds poll li legge subito.",
    },
    "feeds_none": {
        ENGLISH: "No feeds are followed. /feeds add URL follows an RSS or Atom feed.",
        ITALIAN: "Nessun feed seguito. /feeds add URL segue un feed RSS o Atom.",
    },
    "feeds_heading": {ENGLISH: "Feeds followed: {count}", ITALIAN: "Feed seguiti: {count}"},
    "feed_state": {
        ENGLISH: "{items} items · last read {success}",
        ITALIAN: "{items} elementi · ultima lettura {success}",
    },
    "feed_error": {
        ENGLISH: "last error {when}: {reason}",
        ITALIAN: "ultimo errore {when}: {reason}",
    },
    "never_polled": {ENGLISH: "never", ITALIAN: "mai"},
    "feed_added": {
        ENGLISH: "Following {title} ({items} items): its new articles are added every {minutes} minutes.",
        ITALIAN: "Seguo {title} ({items} elementi): i nuovi articoli sono aggiunti ogni {minutes} minuti.",
    },
    "feed_added_manual": {
        ENGLISH: "Following {title} ({items} items): /feeds poll adds its new articles (the bot does not poll on its own: NEWSDESK_FEED_MINUTES is 0).",
        ITALIAN: "Seguo {title} ({items} elementi): /feeds poll aggiunge i nuovi articoli (il bot non li legge da sé: NEWSDESK_FEED_MINUTES è 0).",
    },
    "feed_removed": {
        ENGLISH: "Stopped following {title}; its articles stay in the archive.",
        ITALIAN: "Non seguo più {title}; i suoi articoli restano nell'archivio.",
    },
    "feed_refused": {
        ENGLISH: "I could not do that: {reason}.",
        ITALIAN: "Non ho potuto farlo: {reason}.",
    },
    "feeds_polling": {ENGLISH: "Reading the feeds…", ITALIAN: "Leggo i feed…"},
    "feeds_polled": {ENGLISH: "The feeds were read.", ITALIAN: "Ho letto i feed."},
    "feed_read": {ENGLISH: "{items} items, {new} new", ITALIAN: "{items} elementi, {new} nuovi"},
    "feed_unchanged": {ENGLISH: "unchanged", ITALIAN: "invariato"},
    "stats": {
        ENGLISH: "<b>Archive</b>\nArticles: {articles}\nPassages: {passages}\nDates: {dates}\n"
        "Last re-index: {last}\nModel: {model}\nAccess: {access}",
        ITALIAN: "<b>Archivio</b>\nArticoli: {articles}\nPassaggi: {passages}\nDate: {dates}\n"
        "Ultimo aggiornamento: {last}\nModello: {model}\nAccesso: {access}",
    },
    "no_dates": {ENGLISH: "no dated articles", ITALIAN: "nessun articolo datato"},
    "never": {ENGLISH: "not since the bot started", ITALIAN: "non da quando il bot è partito"},
    "inline_hint": {
        ENGLISH: "Type a question about the archive",
        ITALIAN: "Scrivi una domanda sull'archivio",
    },
    "inline_no_answer": {
        ENGLISH: "No answer in the archive",
        ITALIAN: "Nessuna risposta nell'archivio",
    },
}


def language_of(code: str | None) -> str:
    """Our language for a Telegram ``language_code`` ("it-IT" → "it"; anything else English)."""
    return ITALIAN if (code or "").lower().startswith("it") else ENGLISH


def user_language(user) -> str:
    """The language to speak to a Telegram user in (``user`` may be None: English)."""
    return language_of(getattr(user, "language_code", None))


def text(key: str, language: str, **values: object) -> str:
    """The string ``key`` in ``language`` with ``values`` filled in."""
    variants = STRINGS[key]
    return fill(variants.get(language, variants[ENGLISH]), language, **values)


def fill(template: str, language: str, **values: object) -> str:
    """``template`` with ``values``, the example questions and the upload limits filled in."""
    examples = EXAMPLES.get(language, EXAMPLES[ENGLISH])
    return template.format(example1=examples[0], example2=examples[1], **UPLOADS.get(language, UPLOADS[ENGLISH]), **values)


def _listing(items: tuple[str, ...], last_word: str) -> str:
    """".txt, .md or .json": the items, the last joined by ``last_word``."""
    return f"{', '.join(items[:-1])} {last_word} {items[-1]}" if len(items) > 1 else "".join(items)


# What uploads may be, as the indexer enforces it.
UPLOADS = {
    language: {"file_types": _listing(UPLOAD_SUFFIXES, word), "upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
    for language, word in ((ENGLISH, "or"), (ITALIAN, "o"))
}


MONTHS = {
    ENGLISH: ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"),
    ITALIAN: ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
              "ottobre", "novembre", "dicembre"),
}


def period_words(label: str, language: str) -> str:
    """A period label for people: "2022-12" → "December 2022" / "dicembre 2022", "2020..2022" → "2020–2022"."""
    return "–".join(_date_words(part, language) for part in label.split(".."))


def _date_words(value: str, language: str) -> str:
    parts = value.split("-")
    months = MONTHS.get(language, MONTHS[ENGLISH])
    if len(parts) == 1 or not all(p.isdigit() for p in parts) or not 1 <= int(parts[1]) <= 12:
        return value
    month = f"{months[int(parts[1]) - 1]} {parts[0]}"
    return f"{int(parts[2])} {month}" if len(parts) == 3 else month
