"""The footer of keys: it follows the keys that work now, and is not rebuilt when they did not change."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from tests.conftest import start_stalled_reply, until
from tui_app.widgets.key_footer import KeyFooter


def footer_keys(app) -> list[FooterKey]:
    return list(app.query_one(KeyFooter).query(FooterKey))


def descriptions(app) -> list[str]:
    return [key.description for key in footer_keys(app)]


async def test_the_cancel_key_is_shown_only_while_a_reply_streams(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: "Copy reply" in descriptions(app), "the footer's keys")
        assert "Cancel reply (twice)" not in descriptions(app)
        await start_stalled_reply(pilot)
        await until(pilot, lambda: "Cancel reply (twice)" in descriptions(app), "the cancel key")
        await pilot.press("escape", "escape")
        await until(pilot, lambda: "Cancel reply (twice)" not in descriptions(app), "the cancel key to go")
        assert "Palette" in descriptions(app)


async def test_announcements_that_change_no_key_leave_the_keys_as_they_are(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: "Copy reply" in descriptions(app), "the footer's keys")
        await app.workers.wait_for_complete()
        await pilot.pause()
        before = footer_keys(app)
        for _ in range(3):
            app.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert footer_keys(app) == before  # the same widgets: not one was rebuilt
