"""Logging for the bot: configured once, with the token redacted from every record.

Redaction happens when a record is created (a log-record factory), so it
covers every logger and handler, including tracebacks and stack traces: the
token never reaches a log line, whatever library logs it. What is hidden is the
token, its secret part after the colon (the bot id before it is public), and
both URL-encoded. ``httpx`` is kept at WARNING because it logs request URLs,
and those carry the token.
"""

from __future__ import annotations

import logging
import traceback
from urllib.parse import quote

REDACTED = "[TOKEN]"
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler", "sentence_transformers", "transformers")
MIN_SECRET_CHARS = 8  # a shorter "secret" after the colon is no secret worth hiding (and would mangle text)


def configure_logging(secret: str, level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)  # basicConfig does nothing when the CLI configured logging first
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
    if record.stack_info:
        record.stack_info = redact(record.stack_info, secret)


def redact(text: str, secret: str) -> str:
    for hidden in hidden_forms(secret):
        text = text.replace(hidden, REDACTED)
    return text


def hidden_forms(secret: str) -> list[str]:
    """The token, its part after the colon, and both URL-encoded; longest first."""
    if not secret:
        return []
    forms = {secret}
    _, colon, after = secret.partition(":")
    if colon and len(after) >= MIN_SECRET_CHARS:
        forms.add(after)
    forms |= {quote(form, safe="") for form in forms}
    return sorted(forms, key=len, reverse=True)
