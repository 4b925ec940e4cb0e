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
    ],
)
def test_bad_settings_name_the_variable(env, message):
    with pytest.raises(ConfigError, match=message):
        load_bot_settings(env)
