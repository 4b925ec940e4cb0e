"""Settings of the bot, read from the environment (the only reader of os.environ in ``bot/``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from index import (
    ConfigError,
    FetchSettings,
    Settings,
    load_fetch_settings,
    load_settings,
)

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_WEBHOOK_PORT = 8443
DEFAULT_QUESTIONS_PER_MINUTE = 10
DEFAULT_UPLOAD_MB_PER_DAY = 50  # ten files at the 5 MB limit; 0 = no cap
DEFAULT_CONCURRENT_UPDATES = 32
DEFAULT_SEND_TIMEOUT = 20.0  # seconds to wait for Telegram's answer before a reply counts as maybe delivered
DEFAULT_DELIVERY_DEADLINE = 300.0  # seconds a reply is retried through a Telegram outage (see bot.delivery)
DEFAULT_FEED_MINUTES = 15.0  # minutes between two poll rounds over the feeds; 0 = no polling


@dataclass(frozen=True)
class BotSettings:
    """Everything the bot needs to run."""

    token: str
    index: Settings = field(default_factory=Settings)
    admin_ids: frozenset[int] = frozenset()
    allowed_users: frozenset[int] = frozenset()  # with allowed_chats empty too, the bot is open to everyone
    allowed_chats: frozenset[int] = frozenset()
    api_base_url: str = DEFAULT_API_BASE_URL
    file_base_url: str | None = None  # derived from api_base_url when None
    webhook_url: str | None = None
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    questions_per_minute: int = DEFAULT_QUESTIONS_PER_MINUTE
    upload_mb_per_day: int = DEFAULT_UPLOAD_MB_PER_DAY
    concurrent_updates: int = DEFAULT_CONCURRENT_UPDATES
    send_timeout: float = DEFAULT_SEND_TIMEOUT
    delivery_deadline: float = DEFAULT_DELIVERY_DEADLINE
    fetch: FetchSettings = field(default_factory=FetchSettings)  # NEWSDESK_FETCH_ALLOW
    feed_minutes: float = DEFAULT_FEED_MINUTES

    @property
    def files_url(self) -> str:
        """Where files are downloaded from: ``…/file/bot`` beside the API's ``…/bot``."""
        if self.file_base_url:
            return self.file_base_url
        base = self.api_base_url.rstrip("/")
        return base[: -len("bot")] + "file/bot" if base.endswith("/bot") else base + "/file/bot"

    @property
    def closed(self) -> bool:
        """Whether only the newsroom may ask (some users or groups are listed)."""
        return bool(self.allowed_users or self.allowed_chats)

    def __repr__(self) -> str:  # the token must never reach a log line
        return f"BotSettings(admins={sorted(self.admin_ids)}, api={self.api_base_url!r}, webhook={bool(self.webhook_url)})"


def load_bot_settings(environ: dict[str, str] | None = None) -> BotSettings:
    """Read the bot's settings; ``ConfigError`` names the variable that is wrong."""
    env = os.environ if environ is None else environ
    token = (env.get("TELEGRAM_BOT_TOKEN") or "").strip()
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in it (see .env.example)")
    return BotSettings(
        token=token,
        index=load_settings(env),
        admin_ids=_ids(env, "NEWSDESK_ADMIN_IDS", "Telegram user ids"),
        allowed_users=_ids(env, "NEWSDESK_ALLOWED_USERS", "Telegram user ids"),
        allowed_chats=_ids(env, "NEWSDESK_ALLOWED_CHATS", "Telegram group ids (negative numbers)"),
        api_base_url=(env.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL).strip(),
        file_base_url=(env.get("TELEGRAM_FILE_BASE_URL") or None),
        webhook_url=(env.get("NEWSDESK_WEBHOOK_URL") or None),
        webhook_port=_integer(env, "NEWSDESK_WEBHOOK_PORT", DEFAULT_WEBHOOK_PORT),
        questions_per_minute=_integer(env, "NEWSDESK_QUESTIONS_PER_MINUTE", DEFAULT_QUESTIONS_PER_MINUTE),
        upload_mb_per_day=_integer(env, "NEWSDESK_UPLOAD_MB_PER_DAY", DEFAULT_UPLOAD_MB_PER_DAY),
        fetch=load_fetch_settings(env),
        feed_minutes=_minutes(env, "NEWSDESK_FEED_MINUTES", DEFAULT_FEED_MINUTES),
    )


def _ids(env, name: str, what: str) -> frozenset[int]:
    value = env.get(name, "")
    try:
        return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
    except ValueError:
        raise ConfigError(f"{name} must be {what} separated by commas, not {value!r}") from None


def _integer(env, name: str, default: int) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None


def _minutes(env, name: str, default: float) -> float:
    value = env.get(name)
    if not value:
        return default
    try:
        minutes = float(value)
    except ValueError:
        minutes = -1.0
    if not 0 <= minutes <= 7 * 24 * 60:
        raise ConfigError(f"{name} must be a number of minutes (0 to stop polling), not {value!r}")
    return minutes
