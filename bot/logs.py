"""Logging for the bot: configured once, with the token redacted from every record.

Redaction happens when a record is created (a log-record factory), so it
covers every logger and handler, including tracebacks: the token never
reaches a log line, whatever library logs it. ``httpx`` is kept at WARNING
because it logs request URLs, and those carry the token.
"""

from __future__ import annotations

import logging
import traceback

REDACTED = "[TOKEN]"
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler", "sentence_transformers", "transformers")


def configure_logging(secret: str, level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    install_redaction(secret)


def install_redaction(secret: str) -> None:
    """Make every future log record carry ``[TOKEN]`` where the secret stood."""
    if not secret:
        return
    base = logging.getLogRecordFactory()
    if getattr(base, "redacts", None) == secret:
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = base(*args, **kwargs)
        redact_record(record, secret)
        return record

    factory.redacts = secret  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def redact_record(record: logging.LogRecord, secret: str) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed log call: keep what we can
        message = str(record.msg)
    record.msg, record.args = redact(message, secret), ()
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"), secret)


def redact(text: str, secret: str) -> str:
    return text.replace(secret, REDACTED) if secret else text
