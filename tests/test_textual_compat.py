"""Contract tests of `tui_app.textual_compat`: each checks that the private Textual names one hook relies on
still exist, with the parameters it passes, and, where it is cheap, that they still do what it relies on.

A failure here means a Textual release changed something underneath a hook: it names the hook. The
paste parser's behaviour is tested in full in test_paste.py.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region, Size
from textual.widgets import Static

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@contextmanager
def hook(name: str) -> Iterator[None]:
    """Any failure inside names the hook, and says where it is described."""
    try:
        yield
    except Exception as problem:  # an AttributeError or ImportError is as much a change as a failed assert
        pytest.fail(f"{name}: Textual changed: see docs/architecture.md, Textual hooks ({problem!r})", pytrace=False)


def parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_the_installed_textual_is_the_one_pinned() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = [found.group(1) for found in map(re.compile(r"textual==([\w.]+)$").match, dependencies) if found]
    assert len(pins) == 1, f"pyproject.toml pins textual once in [project] dependencies, as textual==X: {dependencies}"
    assert version("textual") == pins[0], (
        f"textual {version('textual')} is installed, {pins[0]} is pinned: the hooks in tui_app/textual_compat "
        "are checked against the pinned release (see docs/architecture.md, Textual hooks)")


# sizes.py


def test_size_updates_sees_the_sizes_the_layout_gives_a_widget() -> None:
    from textual.scroll_view import ScrollView
    from textual.widget import Widget

    with hook("sizes.SizeUpdates (Widget._size_updated)"):
        for owner in (Widget, ScrollView):
            signature = inspect.signature(owner._size_updated)
            assert list(signature.parameters) == ["self", "size", "virtual_size", "container_size", "layout"]
            assert signature.parameters["layout"].default is True


async def test_size_updates_is_called_at_each_layout_with_the_widget_s_size() -> None:
    from tui_app.textual_compat.sizes import SizeUpdates

    class Sized(SizeUpdates, Static):
        laid_out: list[Size] = []

        def sizes_laid_out(self, size: Size, virtual_size: Size, container_size: Size, layout: bool) -> bool:
            self.laid_out.append(size)
            return self.textual_sizes_laid_out(size, virtual_size, container_size, layout)

    class OneWidget(App):
        def compose(self) -> ComposeResult:
            yield Sized("text")

    with hook("sizes.SizeUpdates (Widget._size_updated)"):
        app = OneWidget()
        async with app.run_test(size=(30, 10)) as pilot:
            await pilot.pause()
            widget = app.query_one(Sized)
            assert widget.laid_out and widget.laid_out[-1] == widget.outer_size == Size(30, 1)


def test_keep_size_is_what_outer_size_reports() -> None:
    from textual.widget import Widget

    from tui_app.textual_compat.sizes import keep_size

    with hook("sizes.keep_size (Widget._size)"):
        widget = Widget()
        keep_size(widget, Size(7, 3))
        assert widget.outer_size == Size(7, 3)
        assert "self._size != size" in inspect.getsource(Widget._size_updated)


async def test_redraw_rows_and_forget_rows_above_reach_the_rows_textual_keeps() -> None:
    from textual.widget import Widget

    from tui_app.textual_compat.sizes import forget_rows_above, redraw_rows

    class Lines(App):
        def compose(self) -> ComposeResult:
            yield Static("\n".join(f"line {number}" for number in range(6)))

    with hook("sizes.redraw_rows (Widget._set_dirty)"):
        assert parameters(Widget._set_dirty) == ["self", "regions"]
    app = Lines()
    async with app.run_test(size=(20, 10)) as pilot:
        await pilot.pause()
        widget = app.query_one(Static)
        with hook("sizes.forget_rows_above (Widget._styles_cache._cache)"):
            drawn = widget._styles_cache._cache
            assert isinstance(drawn, dict) and set(range(6)) <= set(drawn)
            forget_rows_above(widget, 4)
            assert set(drawn) == {4, 5}
        with hook("sizes.redraw_rows (Widget._set_dirty)"):
            redraw_rows(widget, Region(0, 1, 20, 2))
            assert [y for y in range(6) if widget._styles_cache.is_dirty(y)] == [1, 2]


# screen.py


def test_not_drawn_in_batches_overrides_what_textual_calls() -> None:
    from textual.screen import Screen

    with hook("screen.NotDrawnInBatches (Screen._compositor_refresh)"):
        assert parameters(Screen._compositor_refresh) == ["self"]
        drawing = inspect.getsource(Screen._on_timer_update)
        assert "self._compositor_refresh()" in drawing and "self.app._batch_count" in drawing
        assert "self._repaint_required" in drawing and "self._batch_count += 1" in inspect.getsource(App._begin_batch)


async def test_a_screen_not_drawn_in_a_batch_is_drawn_whole_once_it_ends() -> None:
    from textual.screen import Screen

    from tui_app.textual_compat.screen import NotDrawnInBatches

    class Held(NotDrawnInBatches, Screen):
        def compose(self) -> ComposeResult:
            yield Static("held")

    class HeldApp(App):
        def get_default_screen(self) -> Screen:
            return Held()

    with hook("screen.NotDrawnInBatches (App._batch_count, Screen._repaint_required)"):
        app = HeldApp()
        async with app.run_test(size=(20, 5)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert app._batch_count == 0 and screen._repaint_required is False
            with app.batch_update():
                assert app._batch_count == 1
                screen._compositor_refresh()
                assert screen._repaint_required is True
            await pilot.pause()
            assert screen._repaint_required is False  # drawn whole once the batch ended


# theme.py


def test_set_theme_before_styling_does_what_setting_the_theme_does_but_the_refresh() -> None:
    from tui_app.textual_compat.theme import set_theme_before_styling

    with hook("theme.set_theme_before_styling (App._watch_theme, App._refresh_truecolor_filter)"):
        assert parameters(App._refresh_truecolor_filter) == ["self", "theme"]
        watcher = inspect.getsource(App._watch_theme)
        for done_here in ("-theme-", "-dark-mode", "-light-mode", "self._refresh_truecolor_filter(self.ansi_theme)"):
            assert done_here in watcher
        app = App()
        filters = list(app._filters)
        set_theme_before_styling(app, "textual-light")
        assert app.theme == "textual-light" and not app.current_theme.dark
        assert {"-theme-textual-light", "-light-mode"} <= app.classes and "-dark-mode" not in app.classes
        assert app._filters != filters  # the ANSI colour filter made again, for the light theme's colours


# clipboard.py


def test_remember_copied_text_is_what_the_app_s_clipboard_gives() -> None:
    from tui_app.textual_compat.clipboard import remember_copied_text

    with hook("clipboard.remember_copied_text (App._clipboard)"):
        app = App()
        remember_copied_text(app, "copied")
        assert app.clipboard == "copied"
        assert "self._clipboard = text" in inspect.getsource(App.copy_to_clipboard)


# footer.py


def test_mark_bindings_ready_is_what_the_footer_waits_on() -> None:
    from textual.reactive import Reactive
    from textual.widgets import Footer

    from tui_app.textual_compat.footer import mark_bindings_ready

    with hook("footer.mark_bindings_ready (Footer._bindings_ready, Footer.bindings_changed)"):
        assert isinstance(vars(Footer)["_bindings_ready"], Reactive)
        assert parameters(Footer.bindings_changed) == ["self", "screen"]
        assert "self._bindings_ready" in inspect.getsource(Footer.compose)
        assert "self._bindings_ready = True" in inspect.getsource(Footer.bindings_changed)
        footer = Footer()
        mark_bindings_ready(footer)
        assert footer._bindings_ready is True


# xterm_parser.py and linux_driver.py (their behaviour: test_paste.py)


def test_the_paste_parser_s_protocol_is_there() -> None:
    from textual import events

    with hook("xterm_parser.ExactPasteParser (textual._parser, textual._xterm_parser)"):
        from textual._parser import ParseEOF, Parser, ParseTimeout, Read1, TokenCallback  # noqa: F401
        from textual._xterm_parser import XTermParser

        assert issubclass(XTermParser, Parser) and issubclass(ParseTimeout, Exception)
        assert parameters(XTermParser.parse) == ["self", "token_callback"]
        assert inspect.isgeneratorfunction(XTermParser.parse)
        assert "peek1" not in inspect.getsource(XTermParser.parse)  # it only ever waits on Read1
        assert Read1(0.1).timeout == 0.1 and parameters(Parser.read1) == ["timeout"]
        assert events.Paste.handler_name == "on_paste"
        assert parameters(XTermParser._sequence_to_key_events) == ["self", "sequence", "alt"]
        assert "sequence_to_key_events(sequence)" in inspect.getsource(XTermParser.parse)  # the one the hook takes
        import tui_app.textual_compat.xterm_parser  # noqa: F401


@pytest.mark.skipif(sys.platform == "win32", reason="Textual's Linux driver")
def test_the_linux_driver_makes_its_parser_from_its_module_s_name() -> None:
    with hook("linux_driver.use_exact_paste_parser (textual.drivers.linux_driver.XTermParser)"):
        from textual.drivers import linux_driver

        assert hasattr(linux_driver, "XTermParser")
        assert "XTermParser" in linux_driver.LinuxDriver.run_input_thread.__code__.co_names
