"""The bot's settings from the environment."""

import pytest

from bot.config import load_bot_settings
from index.errors import ConfigError

TOKEN = "123:secret"


def test_defaults_and_values():
    settings = load_bot_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "NEWSDESK_ADMIN_IDS": "1, 2,3"})
    assert settings.admin_ids == {1, 2, 3}
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.files_url == "https://api.telegram.org/file/bot"
    assert settings.webhook_url is None and settings.questions_per_minute == 10
    assert TOKEN not in repr(settings)


def test_local_api_server_and_webhook():
    settings = load_bot_settings({
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
        "NEWSDESK_WEBHOOK_URL": "https://bot.example.org/hook", "NEWSDESK_WEBHOOK_PORT": "8000",
    })
    assert settings.files_url == "http://127.0.0.1:8081/file/bot"
    assert (settings.webhook_url, settings.webhook_port) == ("https://bot.example.org/hook", 8000)


@pytest.mark.parametrize(
    "env, message",
    [
        ({}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "  "}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "NEWSDESK_ADMIN_IDS": "alice"}, "NEWSDESK_ADMIN_IDS"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "NEWSDESK_WEBHOOK_PORT": "http"}, "NEWSDESK_WEBHOOK_PORT"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "NEWSDESK_FEED_MINUTES": "often"}, "NEWSDESK_FEED_MINUTES"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "NEWSDESK_FEED_MINUTES": "-5"}, "NEWSDESK_FEED_MINUTES"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "NEWSDESK_FETCH_ALLOW": "intranet/admin"}, "NEWSDESK_FETCH_ALLOW"),
    ],
)
def test_bad_settings_name_the_variable(env, message):
    with pytest.raises(ConfigError, match=message):
        load_bot_settings(env)


def test_feed_minutes_and_fetch_allow_list():
    settings = load_bot_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.feed_minutes == 15 and settings.fetch.allowed_hosts == frozenset() and settings.fetch.allowed_networks == ()
    settings = load_bot_settings({
        "TELEGRAM_BOT_TOKEN": TOKEN, "NEWSDESK_FEED_MINUTES": "0",
        "NEWSDESK_FETCH_ALLOW": "127.0.0.1, Intranet.Redazione.local, 10.20.0.0/16, [::1]",
    })
    assert settings.feed_minutes == 0 and settings.fetch.allowed_hosts == {"intranet.redazione.local"}
    assert [str(n) for n in settings.fetch.allowed_networks] == ["127.0.0.1/32", "10.20.0.0/16", "::1/128"]
