"""The command table drives the handlers, the menu and /help, and never weakens an admin check."""

from __future__ import annotations

import pytest
from telegram.ext import CommandHandler

from bot import admin, commands, messages
from bot.app import add_handlers
from index import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES

LANGUAGES = ["en", "it", "fr"]


class Registry:
    """The part of PTB's ``Application`` that ``add_handlers`` uses."""

    def __init__(self):
        self.handlers: dict[int, list] = {}

    def add_handler(self, handler, group: int = 0) -> None:
        self.handlers.setdefault(group, []).append(handler)

    def add_error_handler(self, callback) -> None:
        pass


def registered() -> dict[str, CommandHandler]:
    registry = Registry()
    add_handlers(registry)
    found = {}
    for handler in registry.handlers[0]:
        if isinstance(handler, CommandHandler):
            (name,) = handler.commands
            found[name] = handler
    return found


def test_every_command_of_the_table_is_registered_and_only_those():
    assert sorted(registered()) == sorted(c.name for c in commands.COMMANDS)
    assert len({c.name for c in commands.COMMANDS}) == len(commands.COMMANDS)


@pytest.mark.parametrize("command", commands.COMMANDS, ids=lambda c: c.name)
def test_the_guard_refuses_what_the_table_marks_admin(command):
    assert admin.guarded(registered()[command.name]) == command.admin


@pytest.mark.parametrize("command", [c for c in commands.COMMANDS if c.admin], ids=lambda c: c.name)
def test_admin_handlers_check_the_user_themselves(command):
    """The check at the point of action is the handler's own, not only the table's."""
    assert getattr(command.handler, "admin_only", False)
    assert command.callback() is command.handler  # registration adds no second wrapper


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_menu_is_the_table(language):
    menu = commands.menu(language)
    assert [c.command for c in menu] == [c.name for c in commands.COMMANDS]
    mark = f"({messages.text('admins_mark', language)})"
    assert [c.description.endswith(mark) for c in menu] == [c.admin for c in commands.COMMANDS]
    assert all(1 <= len(c.description) <= 256 for c in menu)


@pytest.mark.parametrize("language", LANGUAGES)
def test_help_lists_every_admin_command_and_the_enforced_upload_limits(language):
    shown = commands.help_text(language, "NewsdeskBot")
    assert all(f"• /{c.name}: " in shown for c in commands.COMMANDS if c.admin)
    assert "@NewsdeskBot" in shown
    assert all(suffix in shown for suffix in UPLOAD_SUFFIXES)
    assert f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB" in shown
